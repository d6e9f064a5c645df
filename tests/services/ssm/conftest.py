"""Fixtures of the SSM Parameter Store tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def ssm(client_factory: Callable[..., Any]) -> Any:
    return client_factory("ssm")


@pytest.fixture
def path(unique_name: Callable[[str], str]) -> str:
    """A unique hierarchy root for one test (the server is shared with other tests)."""
    return "/" + unique_name("p")
