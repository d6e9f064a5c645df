"""Fixtures for the STS behaviour tests: clients, also signing with issued and temporary keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from signed_clients import client_with

__all__ = ["client_with"]  # a fixture (shared with the IAM tests): pytest finds it by its name here


@pytest.fixture
def iam(client_factory: Callable[..., Any]) -> Any:
    return client_factory("iam")


@pytest.fixture
def sts(client_factory: Callable[..., Any]) -> Any:
    return client_factory("sts")
