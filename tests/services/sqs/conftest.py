"""Fixtures for the SQS behaviour tests: a boto3 client and a queue factory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def sqs(client_factory: Callable[..., Any]) -> Any:
    return client_factory("sqs")


@pytest.fixture
def make_queue(sqs: Any, unique_name: Callable[[str], str]) -> Callable[..., str]:
    """Create a queue with a unique name (FIFO when `fifo=True`) and answer its URL."""

    def make(prefix: str = "q", *, fifo: bool = False, **attributes: str) -> str:
        name = unique_name(prefix) + (".fifo" if fifo else "")
        if fifo:
            attributes["FifoQueue"] = "true"
        return str(sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"])

    return make
