"""Fixtures for the CloudWatch Logs behaviour tests: a boto3 client and a log group factory."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def logs(client_factory: Callable[..., Any]) -> Any:
    return client_factory("logs")


@pytest.fixture
def make_group(logs: Any, unique_name: Callable[[str], str]) -> Callable[..., str]:
    """Create a log group (with `streams` log streams) and answer its name."""

    def make(*streams: str, **extra: Any) -> str:
        name = f"/test/{unique_name('g')}-{uuid.uuid4().hex[:8]}"  # test names can share their last 30 chars
        logs.create_log_group(logGroupName=name, **extra)
        for stream in streams:
            logs.create_log_stream(logGroupName=name, logStreamName=stream)
        return name

    return make
