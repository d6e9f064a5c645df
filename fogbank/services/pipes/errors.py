"""EventBridge Pipes errors, named by their AWS code
(https://docs.aws.amazon.com/eventbridge/latest/pipes-reference/CommonErrors.html)."""

from __future__ import annotations

from typing import Any

from fogbank.errors import AwsError


class ValidationException(AwsError):
    status = 400

    def __init__(self, message: str, field: str | None = None, **kwargs: Any) -> None:
        # AWS names the offending member in `fieldList` beside the message.
        if field is not None:
            kwargs.setdefault("fieldList", [{"name": field, "message": message}])
        super().__init__(message, **kwargs)


class NotFoundException(AwsError):
    status = 404


class ConflictException(AwsError):
    status = 409
