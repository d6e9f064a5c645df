"""EventBridge Scheduler errors, named by their AWS code
(https://docs.aws.amazon.com/scheduler/latest/APIReference/CommonErrors.html)."""

from __future__ import annotations

from fogbank.errors import AwsError


class ValidationException(AwsError):
    status = 400


class ResourceNotFoundException(AwsError):
    status = 404


class ConflictException(AwsError):
    status = 409


class ServiceQuotaExceededException(AwsError):
    status = 402
