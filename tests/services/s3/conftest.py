"""Fixtures of the S3 core tests: a boto3 client and a fresh bucket per test."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def s3(client_factory: Callable[..., Any]) -> Any:
    return client_factory("s3")


@pytest.fixture
def bucket(s3: Any, unique_name: Callable[[str], str]) -> str:
    name = unique_name("b")[-63:].lstrip("-")
    s3.create_bucket(Bucket=name)
    return name


def _error_of(excinfo: Any) -> tuple[str, str, int]:
    response = excinfo.value.response
    return (
        response["Error"]["Code"],
        response["Error"].get("Message", ""),
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


@pytest.fixture(scope="session")
def error_of() -> Callable[[Any], tuple[str, str, int]]:
    """(code, message, HTTP status) of a `pytest.raises(ClientError)` result."""
    return _error_of
