"""SSM Parameter Store's errors, named by their AWS codes (all HTTP 400, as SSM answers them)."""

from __future__ import annotations

from fogbank.errors import AwsError


class ValidationException(AwsError):
    pass


class ParameterNotFound(AwsError):
    pass


class ParameterVersionNotFound(AwsError):
    pass


class ParameterAlreadyExists(AwsError):
    pass


class ParameterMaxVersionLimitExceeded(AwsError):
    pass


class ParameterPatternMismatchException(AwsError):
    pass


class InvalidAllowedPatternException(AwsError):
    pass


class HierarchyLevelLimitExceededException(AwsError):
    pass


class ParameterVersionLabelLimitExceeded(AwsError):
    pass


class UnsupportedParameterType(AwsError):
    pass


class AccessDeniedException(AwsError):
    pass


class InvalidFilterKey(AwsError):
    pass


class InvalidFilterOption(AwsError):
    pass


class InvalidFilterValue(AwsError):
    pass


class InvalidNextToken(AwsError):
    pass


class InvalidResourceId(AwsError):
    pass


class InvalidResourceType(AwsError):
    pass


class TooManyTagsError(AwsError):
    pass


class InvalidKeyId(AwsError):
    pass


class InvalidPolicyTypeException(AwsError):
    pass


class InvalidPolicyAttributeException(AwsError):
    pass


class PoliciesLimitExceededException(AwsError):
    pass


class IncompatiblePolicyException(AwsError):
    pass
