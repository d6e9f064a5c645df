"""AWS Lambda errors, named by their wire code. Lambda's error bodies carry `Type` ("User" for the
caller's mistakes, "Service" for ours) besides the message."""

from __future__ import annotations

from typing import Any

from fogbank.errors import AwsError


class LambdaError(AwsError):
    error_type = "User"

    def __init__(self, message: str = "", **fields: Any) -> None:
        fields.setdefault("Type", self.error_type)
        super().__init__(message, **fields)


class ResourceNotFoundException(LambdaError):
    status = 404


class InvalidParameterValueException(LambdaError):
    status = 400


class ResourceConflictException(LambdaError):
    status = 409


class PreconditionFailedException(LambdaError):
    status = 412


class PolicyLengthExceededException(LambdaError):
    status = 400


class RequestTooLargeException(LambdaError):
    status = 413


class InvalidRequestContentException(LambdaError):
    status = 400


class TooManyRequestsException(LambdaError):
    status = 429


class ResourceNotReadyException(LambdaError):
    status = 502
    sender_fault = False
    error_type = "Service"


class ServiceException(LambdaError):
    status = 500
    sender_fault = False
    error_type = "Service"


def function_not_found(arn: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(f"Function not found: {arn}")
