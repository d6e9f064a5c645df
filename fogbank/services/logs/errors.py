"""Amazon CloudWatch Logs errors, named by their AWS code
(https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/CommonErrors.html)."""

from __future__ import annotations

from fogbank.errors import AwsError


class ResourceNotFoundException(AwsError):
    pass


class ResourceAlreadyExistsException(AwsError):
    pass


class InvalidParameterException(AwsError):
    pass


class LimitExceededException(AwsError):
    pass


class OperationAbortedException(AwsError):
    pass


class InvalidOperationException(AwsError):
    pass


class TooManyTagsException(AwsError):
    pass


class MalformedQueryException(AwsError):
    pass
