"""Fixtures for the EventBridge Scheduler tests: clients and queues."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from scheduler_support import Queue


@pytest.fixture
def scheduler(client_factory: Callable[..., Any]) -> Any:
    return client_factory("scheduler")


@pytest.fixture
def sqs(client_factory: Callable[..., Any]) -> Any:
    return client_factory("sqs")


@pytest.fixture
def make_queue(sqs: Any, unique_name: Callable[[str], str]) -> Callable[..., Queue]:
    def make(fifo: bool = False) -> Queue:
        name = unique_name("q") + (".fifo" if fifo else "")
        attributes = {"FifoQueue": "true", "ContentBasedDeduplication": "true"} if fifo else {}
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return Queue(url, arn)

    return make
