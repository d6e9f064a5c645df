"""Fixtures for the IAM behaviour tests: clients, also signing with keys that IAM issued."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import pytest
from signed_clients import client_with

__all__ = ["client_with"]  # a fixture: pytest finds it by its name in this module


@pytest.fixture
def iam(client_factory: Callable[..., Any]) -> Any:
    return client_factory("iam")


@pytest.fixture
def fresh_account() -> str:
    """A 12-digit account id no other test uses (tests that count what an account holds)."""
    return str(secrets.randbelow(9 * 10**11) + 10**11)
