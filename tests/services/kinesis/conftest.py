"""Fixtures for the Kinesis behaviour tests: a boto3 client, a stream factory and error unpacking."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def kinesis(client_factory: Callable[..., Any]) -> Any:
    return client_factory("kinesis")


@pytest.fixture
def make_stream(kinesis: Any, unique_name: Callable[[str], str]) -> Callable[..., str]:
    """Create a provisioned stream of `shards` shards (or on-demand) and answer its name."""

    def make(shards: int | None = 1, *, on_demand: bool = False) -> str:
        name = f"{unique_name('s')}-{uuid.uuid4().hex[:8]}"  # test names can share their last 30 chars
        if on_demand:
            kinesis.create_stream(StreamName=name, StreamModeDetails={"StreamMode": "ON_DEMAND"})
        else:
            kinesis.create_stream(StreamName=name, ShardCount=shards)
        return name

    return make
