"""STS's errors, named by their AWS codes (statuses from the STS API reference)."""

from __future__ import annotations

from fogbank.errors import AwsError


class AccessDenied(AwsError):
    status = 403


class StsValidationError(AwsError):
    code = "ValidationError"
    status = 400


class MalformedPolicyDocument(AwsError):
    status = 400


class PackedPolicyTooLarge(AwsError):
    status = 400


class InvalidIdentityToken(AwsError):
    status = 400


class IDPRejectedClaim(AwsError):
    status = 403


class InvalidParameterValue(AwsError):
    status = 400
