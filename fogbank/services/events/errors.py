"""Amazon EventBridge errors, named by their AWS code
(https://docs.aws.amazon.com/eventbridge/latest/APIReference/CommonErrors.html)."""

from __future__ import annotations

from fogbank.errors import AwsError


class ResourceNotFoundException(AwsError):
    pass


class ResourceAlreadyExistsException(AwsError):
    pass


class InvalidEventPatternException(AwsError):
    pass


class LimitExceededException(AwsError):
    pass


class ValidationException(AwsError):
    pass


class IllegalStatusException(AwsError):
    pass


class InvalidStateException(AwsError):
    pass


class ManagedRuleException(AwsError):
    pass


class PolicyLengthExceededException(AwsError):
    pass


def bus_not_found(name: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(f"Event bus {name} does not exist.")


def rule_not_found(name: str, bus: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(f"Rule {name} does not exist on EventBus {bus}.")
