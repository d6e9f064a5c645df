"""Checking AWS error responses in the Secrets Manager tests."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

NOT_FOUND = "Secrets Manager can't find the specified secret."
MARKED = "You can't perform this operation on the secret because it was marked for deletion."


def assert_error(call: Any, code: str, message: str | None = None, status: int = 400) -> ClientError:
    with pytest.raises(ClientError) as raised:
        call()
    error = raised.value.response["Error"]
    assert error["Code"] == code
    if message is not None:
        assert error["Message"] == message
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    return raised.value
