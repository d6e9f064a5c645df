"""Fixtures of the Secrets Manager tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def sm(client_factory: Callable[..., Any]) -> Any:
    return client_factory("secretsmanager")
