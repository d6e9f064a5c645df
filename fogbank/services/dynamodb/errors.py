"""Amazon DynamoDB errors, named by their wire code.

https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
"""

from __future__ import annotations

from typing import Any

from fogbank.errors import AwsError


class ValidationException(AwsError):
    pass


class ResourceNotFoundException(AwsError):
    def __init__(self, message: str = "Requested resource not found", **fields: Any) -> None:
        super().__init__(message, **fields)


class ResourceInUseException(AwsError):
    pass


class LimitExceededException(AwsError):
    pass


class ConditionalCheckFailedException(AwsError):
    def __init__(self, message: str = "The conditional request failed", **fields: Any) -> None:
        super().__init__(message, **fields)


class TransactionCanceledException(AwsError):
    pass


class TransactionConflictException(AwsError):
    pass


class IdempotentParameterMismatchException(AwsError):
    pass


class ItemCollectionSizeLimitExceededException(AwsError):
    pass


class SerializationException(AwsError):
    pass


class PointInTimeRecoveryUnavailableException(AwsError):
    pass


class ContinuousBackupsUnavailableException(AwsError):
    pass


class IndexNotFoundException(AwsError):
    pass


def invalid(detail: str) -> ValidationException:
    """AWS's wording for a request parameter it refuses: 'One or more parameter values were invalid: …'."""
    return ValidationException(f"One or more parameter values were invalid: {detail}")


class TableNotFoundException(AwsError):
    pass


class DuplicateItemException(AwsError):
    pass
