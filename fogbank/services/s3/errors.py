"""S3's errors (codes as S3 answers them)."""

from __future__ import annotations

from fogbank.errors import AwsError


class NoSuchBucket(AwsError):
    status = 404


# -- bucket configuration sub-resources (configuration.py and its concept modules) -------------


class NoSuchTagSet(AwsError):
    status = 404


class NoSuchCORSConfiguration(AwsError):
    status = 404


class NoSuchBucketPolicy(AwsError):
    status = 404


class NoSuchLifecycleConfiguration(AwsError):
    status = 404


class ServerSideEncryptionConfigurationNotFoundError(AwsError):
    status = 404


class NoSuchWebsiteConfiguration(AwsError):
    status = 404


class NoSuchPublicAccessBlockConfiguration(AwsError):
    status = 404


class OwnershipControlsNotFoundError(AwsError):
    status = 404


class MalformedPolicy(AwsError):
    status = 400


class MalformedXML(AwsError):
    status = 400


class MalformedACLError(AwsError):
    status = 400


class InvalidArgument(AwsError):
    status = 400


class InvalidRequest(AwsError):
    status = 400


class InvalidTag(AwsError):
    status = 400


class UnexpectedContent(AwsError):
    status = 400


class AccessControlListNotSupported(AwsError):
    status = 400


class InvalidBucketState(AwsError):
    status = 409


class AccessDenied(AwsError):
    status = 403


class InvalidBucketAclWithObjectOwnership(AwsError):
    status = 400


class InvalidTargetBucketForLogging(AwsError):
    status = 400


# -- buckets, objects, multipart uploads, versioning (provider.py and its concept modules) -------


class NoSuchKey(AwsError):
    status = 404


class NoSuchVersion(AwsError):
    status = 404


class NoSuchUpload(AwsError):
    status = 404


class BucketAlreadyExists(AwsError):
    status = 409


class BucketAlreadyOwnedByYou(AwsError):
    status = 409


class BucketNotEmpty(AwsError):
    status = 409


class InvalidBucketName(AwsError):
    status = 400


class InvalidLocationConstraint(AwsError):
    status = 400


class IllegalLocationConstraintException(AwsError):
    status = 400


class InvalidRange(AwsError):
    status = 416


class PreconditionFailed(AwsError):
    status = 412


class NotModified(AwsError):
    """Not an error to S3 but a 304 without a body; raised to end the request the same way."""

    status = 304


class BadDigest(AwsError):
    status = 400


class InvalidDigest(AwsError):
    status = 400


class EntityTooSmall(AwsError):
    status = 400


class EntityTooLarge(AwsError):
    status = 400


class InvalidPart(AwsError):
    status = 400


class InvalidPartOrder(AwsError):
    status = 400


class MethodNotAllowed(AwsError):
    status = 405


class InvalidObjectState(AwsError):
    status = 403


class S3NotImplemented(AwsError):
    """S3's own `NotImplemented` code: a header or feature fogbank (or S3) does not support."""

    code = "NotImplemented"
    status = 501
    sender_fault = False


class AuthorizationQueryParametersError(AwsError):
    status = 400


class KeyTooLongError(AwsError):
    status = 400


class ConditionalRequestConflict(AwsError):
    status = 409


class InvalidPartNumber(AwsError):
    status = 416


class InvalidStorageClass(AwsError):
    status = 400


class MalformedPOSTRequest(AwsError):
    status = 400


class SignatureDoesNotMatch(AwsError):
    status = 403


class InvalidAccessKeyId(AwsError):
    status = 403


class RestoreAlreadyInProgress(AwsError):
    status = 409
