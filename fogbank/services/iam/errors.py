"""IAM's errors, named by their AWS codes (statuses from the IAM API reference)."""

from __future__ import annotations

from fogbank.errors import AwsError


class NoSuchEntity(AwsError):
    status = 404


class EntityAlreadyExists(AwsError):
    status = 409


class DeleteConflict(AwsError):
    status = 409


class LimitExceeded(AwsError):
    status = 409


class MalformedPolicyDocument(AwsError):
    status = 400


class InvalidInput(AwsError):
    status = 400


class UnmodifiableEntity(AwsError):
    status = 400


class PolicyNotAttachable(AwsError):
    status = 400


class PasswordPolicyViolation(AwsError):
    status = 400


class IamValidationError(AwsError):
    """The query protocol's model-validation error (IAM names it `ValidationError`)."""

    code = "ValidationError"
    status = 400


class InvalidAuthenticationCode(AwsError):
    status = 403
