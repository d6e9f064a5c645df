"""Amazon SNS errors, named by their AWS codes (codes and statuses from the botocore model)."""

from __future__ import annotations

from fogbank.errors import AwsError


class InvalidParameter(AwsError):
    status = 400


class ParameterValueInvalid(AwsError):
    """botocore's `InvalidParameterValueException`: bad message attributes."""

    status = 400


class NotFound(AwsError):
    status = 404


class ResourceNotFound(AwsError):
    status = 404


class AuthorizationError(AwsError):
    status = 403


class ValidationError(AwsError):
    status = 400


class TagLimitExceeded(AwsError):
    status = 400


class EmptyBatchRequest(AwsError):
    status = 400


class TooManyEntriesInBatchRequest(AwsError):
    status = 400


class BatchEntryIdsNotDistinct(AwsError):
    status = 400


class InvalidBatchEntryId(AwsError):
    status = 400


class BatchRequestTooLong(AwsError):
    status = 400


def invalid(detail: str, *, subscribe_attributes: bool = False) -> InvalidParameter:
    """AWS prefixes parameter errors with `Invalid parameter: ` (and, for the attributes of a
    Subscribe or CreateTopic call, with `Attributes Reason: `)."""
    prefix = "Invalid parameter: Attributes Reason: " if subscribe_attributes else "Invalid parameter: "
    return InvalidParameter(prefix + detail)


def not_supported(what: str) -> InvalidParameter:
    """A real SNS feature fogbank cannot honour yet: refused loudly, never accepted silently."""
    return InvalidParameter(f"Invalid parameter: {what} is not supported by fogbank yet")
