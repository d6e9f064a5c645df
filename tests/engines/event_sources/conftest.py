"""Fixtures for event source mapping tests: an execution role, a witness queue that each function
invocation reports its event to (so tests wait on a long poll, never a sleep), and a function
factory whose handler reports the event, then decides with the test's `decide(event)`."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from event_source_support import REPORTING_HANDLER, Witness
from lambda_support import build_zip, execution_role


@pytest.fixture(scope="session")
def lambda_client(client_factory: Callable[..., Any]) -> Any:
    return client_factory("lambda")


@pytest.fixture(scope="session")
def sqs(client_factory: Callable[..., Any]) -> Any:
    return client_factory("sqs")


@pytest.fixture(scope="session")
def role_arn(client_factory: Callable[..., Any]) -> str:
    return execution_role(client_factory("iam"), "fogbank-event-source-tests-role")


@pytest.fixture
def witness(sqs: Any, unique_name: Callable[[str], str]) -> Iterator[Witness]:
    url = sqs.create_queue(QueueName=unique_name("witness"))["QueueUrl"]
    yield Witness(sqs, url)
    sqs.delete_queue(QueueUrl=url)


@pytest.fixture
def reporting_function(
    lambda_client: Any, role_arn: str, unique_name: Callable[[str], str], witness: Witness
) -> Iterator[Callable[[str], str]]:
    """`reporting_function(decide_source)` → the ARN of a function that reports each event to the
    witness queue and then runs `decide(event)` (defined by the source text)."""
    created: list[str] = []

    def create(decide: str) -> str:
        name = unique_name("fn")
        answer = lambda_client.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role_arn,
            Handler="app.handler",
            Code={"ZipFile": build_zip({"app.py": REPORTING_HANDLER + "\n" + decide})},
            Environment={"Variables": {"WITNESS": witness.url}},
            Timeout=10,
        )
        created.append(name)
        return str(answer["FunctionArn"])

    yield create
    for mapping in lambda_client.list_event_source_mappings()["EventSourceMappings"]:
        if mapping["FunctionArn"].split(":")[6] in created:
            lambda_client.delete_event_source_mapping(UUID=mapping["UUID"])
    for name in created:
        with contextlib.suppress(lambda_client.exceptions.ResourceNotFoundException):
            lambda_client.delete_function(FunctionName=name)
