"""Helpers for the CloudWatch Logs behaviour tests (errors: `aws_errors.error_of`)."""

from __future__ import annotations

from fogbank.testing.server import FogbankServer


def now_ms(server: FogbankServer) -> int:
    """fogbank's clock in epoch milliseconds (it may have been advanced by other tests)."""
    return int(server.get("/_fogbank/clock")["epoch"] * 1000)
