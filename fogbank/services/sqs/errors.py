"""Amazon SQS errors, named by their JSON-protocol code.

SQS moved from the query protocol to JSON but kept its old codes: clients read the legacy code from
the `x-amzn-query-error` header (JSON) or the `<Code>` element (query). `query_code` carries it;
see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html
"""

from __future__ import annotations

from fogbank.errors import AwsError


class SqsError(AwsError):
    """An SQS error; `query_code` is its legacy query-protocol code (the class name if None)."""

    query_code: str | None = None


class QueueDoesNotExist(SqsError):
    query_code = "AWS.SimpleQueueService.NonExistentQueue"

    def __init__(self, message: str = "The specified queue does not exist.") -> None:
        super().__init__(message)


class QueueNameExists(SqsError):
    query_code = "QueueAlreadyExists"


class QueueDeletedRecently(SqsError):
    query_code = "AWS.SimpleQueueService.QueueDeletedRecently"


class PurgeQueueInProgress(SqsError):
    query_code = "AWS.SimpleQueueService.PurgeQueueInProgress"
    status = 403


class BatchEntryIdsNotDistinct(SqsError):
    query_code = "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"


class BatchRequestTooLong(SqsError):
    query_code = "AWS.SimpleQueueService.BatchRequestTooLong"


class EmptyBatchRequest(SqsError):
    query_code = "AWS.SimpleQueueService.EmptyBatchRequest"


class InvalidBatchEntryId(SqsError):
    query_code = "AWS.SimpleQueueService.InvalidBatchEntryId"


class TooManyEntriesInBatchRequest(SqsError):
    query_code = "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"


class MessageNotInflight(SqsError):
    query_code = "AWS.SimpleQueueService.MessageNotInflight"


class UnsupportedOperation(SqsError):
    query_code = "AWS.SimpleQueueService.UnsupportedOperation"


class ReceiptHandleIsInvalid(SqsError):
    pass


class InvalidAttributeName(SqsError):
    pass


class InvalidAttributeValue(SqsError):
    pass


class InvalidMessageContents(SqsError):
    pass


class InvalidAddress(SqsError):
    status = 404


class OverLimit(SqsError):
    status = 403


class ResourceNotFoundException(SqsError):
    status = 404


class InvalidParameterValue(SqsError):
    """Not modeled, but what SQS answers for most bad parameter values."""


class MissingParameter(SqsError):
    """Not modeled: a required parameter that the model marks optional (e.g. `MessageBody` empty)."""


def invalid_parameter(name: str, value: object, reason: str) -> InvalidParameterValue:
    """SQS's usual wording: `Value 11 for parameter MaxNumberOfMessages is invalid. Reason: ...`."""
    return InvalidParameterValue(f"Value {value} for parameter {name} is invalid. Reason: {reason}")
