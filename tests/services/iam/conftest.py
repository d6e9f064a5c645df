"""Fixtures for the IAM behaviour tests: clients, also signing with keys that IAM issued."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.config import Config


@pytest.fixture
def iam(client_factory: Callable[..., Any]) -> Any:
    return client_factory("iam")


@pytest.fixture
def client_with(endpoint: str) -> Callable[..., Any]:
    """A client signing with the given key, secret and (optional) session token."""

    def make(service: str, key: str, secret: str, token: str | None = None, region: str = "us-east-1") -> Any:
        return boto3.client(
            service,
            endpoint_url=endpoint,
            region_name=region,
            aws_access_key_id=key,
            aws_secret_access_key=secret,
            aws_session_token=token,
            config=Config(retries={"max_attempts": 1}),
        )

    return make


@pytest.fixture
def fresh_account() -> str:
    """A 12-digit account id no other test uses (tests that count what an account holds)."""
    return str(secrets.randbelow(9 * 10**11) + 10**11)
