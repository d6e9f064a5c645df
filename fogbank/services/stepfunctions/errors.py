"""AWS Step Functions API errors (named by their wire code) and the runtime error of a state.

API errors answer requests; `StatesError` travels inside the interpreter as an ASL error with its
`Error` name and `Cause` text, as Retry/Catch and the execution history see it.
"""

from __future__ import annotations

from fogbank.errors import AwsError


class InvalidArn(AwsError):
    pass


class InvalidName(AwsError):
    pass


class InvalidDefinition(AwsError):
    pass


class InvalidExecutionInput(AwsError):
    pass


class InvalidOutput(AwsError):
    pass


class InvalidToken(AwsError):
    pass


class InvalidLoggingConfiguration(AwsError):
    pass


class InvalidTracingConfiguration(AwsError):
    pass


class StateMachineDoesNotExist(AwsError):
    pass


class StateMachineAlreadyExists(AwsError):
    pass


class StateMachineDeleting(AwsError):
    pass


class StateMachineTypeNotSupported(AwsError):
    pass


class ExecutionDoesNotExist(AwsError):
    pass


class ExecutionAlreadyExists(AwsError):
    pass


class ExecutionNotRedrivable(AwsError):
    pass


class ActivityDoesNotExist(AwsError):
    pass


class TaskDoesNotExist(AwsError):
    pass


class TaskTimedOut(AwsError):
    pass


class ResourceNotFound(AwsError):
    pass


class ConflictException(AwsError):
    pass


class ValidationException(AwsError):
    pass


class TooManyTags(AwsError):
    pass


class StatesError(Exception):
    """An ASL runtime error: `error` is the name Retry/Catch match, `cause` the text AWS reports."""

    def __init__(self, error: str, cause: str = "") -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause
