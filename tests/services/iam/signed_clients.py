"""The `client_with` fixture, shared by the IAM and STS tests (their conftests import it): clients
signing with keys IAM issued or STS handed out, rather than the suite's default test key."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.config import Config


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
