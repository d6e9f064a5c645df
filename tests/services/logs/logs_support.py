"""Helpers for the CloudWatch Logs behaviour tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from fogbank.testing.server import FogbankServer


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


def now_ms(server: FogbankServer) -> int:
    """fogbank's clock in epoch milliseconds (it may have been advanced by other tests)."""
    return int(server.get("/_fogbank/clock")["epoch"] * 1000)
