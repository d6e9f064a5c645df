"""Amazon Kinesis Data Streams errors, named by their AWS code
(https://docs.aws.amazon.com/kinesis/latest/APIReference/CommonErrors.html)."""

from __future__ import annotations

from fogbank.errors import AwsError


class ResourceNotFoundException(AwsError):
    pass


class ResourceInUseException(AwsError):
    pass


class InvalidArgumentException(AwsError):
    pass


class LimitExceededException(AwsError):
    pass


class ExpiredIteratorException(AwsError):
    pass


class ExpiredNextTokenException(AwsError):
    pass


class ValidationException(AwsError):
    pass


def stream_not_found(name: str, account: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(f"Stream {name} under account {account} not found.")


def shard_not_found(shard_id: str, stream: str, account: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(
        f"Shard {shard_id} in stream {stream} under account {account} does not exist"
    )
