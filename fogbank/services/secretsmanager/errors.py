"""Secrets Manager's errors, named by their AWS codes (HTTP 400 unless noted)."""

from __future__ import annotations

from fogbank.errors import AwsError

NOT_FOUND = "Secrets Manager can't find the specified secret."
MARKED_FOR_DELETION = "You can't perform this operation on the secret because it was marked for deletion."


class ResourceNotFoundException(AwsError):
    def __init__(self, message: str = NOT_FOUND) -> None:
        super().__init__(message)


class InvalidRequestException(AwsError):
    pass


class InvalidParameterException(AwsError):
    pass


class ResourceExistsException(AwsError):
    pass


class MalformedPolicyDocumentException(AwsError):
    pass


class PublicPolicyException(AwsError):
    pass


class LimitExceededException(AwsError):
    pass


class InvalidNextTokenException(AwsError):
    pass


class MarkedForDeletion(InvalidRequestException):
    """The secret is scheduled for deletion: only DescribeSecret, RestoreSecret and the like work."""

    code = "InvalidRequestException"

    def __init__(self) -> None:
        super().__init__(MARKED_FOR_DELETION)
