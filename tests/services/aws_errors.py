"""Unpacking and checking the AWS error a boto3 call raises, shared by the service behaviour
tests (tests/conftest.py puts this folder on sys.path: `from aws_errors import error_of`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError


def error_of(call: Callable[[], Any]) -> tuple[str, str, int]:
    """(code, message, HTTP status) of the ClientError a call raises."""
    with pytest.raises(ClientError) as raised:
        call()
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def assert_error(call: Any, code: str, message: str | None = None, status: int = 400) -> ClientError:
    """The call raises a ClientError with this code, HTTP status and (when given) message."""
    with pytest.raises(ClientError) as raised:
        call()
    error = raised.value.response["Error"]
    assert error["Code"] == code
    if message is not None:
        assert error["Message"] == message
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    return raised.value
