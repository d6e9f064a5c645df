"""AWS errors: one base class that every service subclasses, serialized once per protocol."""

from __future__ import annotations

from typing import Any


class AwsError(Exception):
    """An error AWS would answer. `code` is the wire code; `fields` are extra error members.

    Subclasses name the AWS code as their class name and set defaults as class attributes:

        class QueueDoesNotExist(AwsError):
            status = 400
    """

    code: str = ""
    status: int = 400
    sender_fault: bool = True

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        status: int | None = None,
        sender_fault: bool | None = None,
        headers: dict[str, str] | None = None,
        **fields: Any,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        elif not self.code:
            self.code = type(self).__name__
        if status is not None:
            self.status = status
        if sender_fault is not None:
            self.sender_fault = sender_fault
        self.headers = headers or {}
        self.fields = fields

    def __repr__(self) -> str:
        return f"{self.code}({self.status}): {self.message}"


class ValidationError(AwsError):
    """Input that does not satisfy the service model. Each protocol names it as the service does."""

    def __init__(self, message: str, **kwargs: Any) -> None:
        kwargs.setdefault("code", "ValidationException")
        super().__init__(message, **kwargs)


class SerializationException(AwsError):
    """The request body could not be read (malformed JSON, XML or CBOR)."""


class UnknownOperationException(AwsError):
    """The request names an operation the service does not have."""


class NotImplementedOperation(AwsError):
    """A real AWS operation that fogbank does not implement yet: never a fake success."""

    code = "NotImplemented"
    status = 501
    sender_fault = False


class InternalFailure(AwsError):
    """Our own bug. Logged with the request id; the body carries no traceback."""

    status = 500
    sender_fault = False


class ServiceUnavailable(AwsError):
    status = 503
    sender_fault = False
