"""Fixtures for the EventBridge tests: clients, queues, buses and rules with an SQS target."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from events_support import Queue


@pytest.fixture
def events(client_factory: Callable[..., Any]) -> Any:
    return client_factory("events")


@pytest.fixture
def sqs(client_factory: Callable[..., Any]) -> Any:
    return client_factory("sqs")


@pytest.fixture
def make_queue(sqs: Any, unique_name: Callable[[str], str]) -> Callable[..., Queue]:
    def make(fifo: bool = False, client: Any = None, **attributes: str) -> Queue:
        client = client or sqs
        name = unique_name("q") + (".fifo" if fifo else "")
        if fifo:
            attributes["FifoQueue"] = "true"
        url = client.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return Queue(url, arn)

    return make


@pytest.fixture
def make_bus(events: Any, unique_name: Callable[[str], str]) -> Callable[..., str]:
    def make(client: Any = None) -> str:
        name = unique_name("bus")
        (client or events).create_event_bus(Name=name)
        return name

    return make


@pytest.fixture
def rule_to_queue(
    events: Any, make_queue: Callable[..., Queue], unique_name: Callable[[str], str]
) -> Callable[..., Any]:
    """A rule on a bus with one SQS target; returns (rule name, queue, source)."""

    def make(bus: str = "default", pattern: str | None = None, **target: Any) -> tuple[str, Queue, str]:
        source = unique_name("src")
        queue = make_queue()
        name = unique_name("rule")
        events.put_rule(Name=name, EventBusName=bus, EventPattern=pattern or f'{{"source": ["{source}"]}}')
        events.put_targets(Rule=name, EventBusName=bus, Targets=[{"Id": "q", "Arn": queue.arn, **target}])
        return name, queue, source

    return make
