"""Fixtures for EventBridge Pipes tests: clients, a pipe role, queues with their ARNs and a
factory of Python functions (enrichments and targets)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pipes_support import build_zip

TRUST_PIPES = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": ["pipes.amazonaws.com", "lambda.amazonaws.com"]},
            "Action": "sts:AssumeRole",
        }
    ],
}


@pytest.fixture(scope="session")
def pipes_client(client_factory: Callable[..., Any]) -> Any:
    return client_factory("pipes")


@pytest.fixture(scope="session")
def sqs(client_factory: Callable[..., Any]) -> Any:
    return client_factory("sqs")


@pytest.fixture(scope="session")
def lambda_client(client_factory: Callable[..., Any]) -> Any:
    return client_factory("lambda")


@pytest.fixture(scope="session")
def role_arn(client_factory: Callable[..., Any]) -> str:
    iam = client_factory("iam")
    name = "fogbank-pipes-and-functions-role"
    try:
        return str(iam.get_role(RoleName=name)["Role"]["Arn"])
    except iam.exceptions.NoSuchEntityException:
        document = json.dumps(TRUST_PIPES)
        return str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=document)["Role"]["Arn"])


@pytest.fixture
def queue(sqs: Any, unique_name: Callable[[str], str]) -> Iterator[Callable[[str], tuple[str, str]]]:
    """`queue(prefix)` → (url, arn) of a new queue, deleted after the test."""
    made: list[str] = []

    def create(prefix: str) -> tuple[str, str]:
        url = sqs.create_queue(QueueName=unique_name(prefix))["QueueUrl"]
        made.append(url)
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return str(url), str(arn)

    yield create
    for url in made:
        with contextlib.suppress(Exception):
            sqs.delete_queue(QueueUrl=url)


@pytest.fixture
def function(
    lambda_client: Any, role_arn: str, unique_name: Callable[[str], str]
) -> Iterator[Callable[..., str]]:
    """`function(source, environment=None)` → the ARN of a Python function whose module defines
    `handler`, with `environment` as its variables; deleted after the test."""
    created: list[str] = []

    def create(source: str, environment: dict[str, str] | None = None) -> str:
        name = unique_name("fn")
        answer = lambda_client.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role_arn,
            Handler="app.handler",
            Code={"ZipFile": build_zip({"app.py": source})},
            Environment={"Variables": environment or {}},
            Timeout=10,
        )
        created.append(name)
        return str(answer["FunctionArn"])

    yield create
    for name in created:
        with contextlib.suppress(Exception):
            lambda_client.delete_function(FunctionName=name)


@pytest.fixture
def pipe_names(pipes_client: Any, unique_name: Callable[[str], str]) -> Iterator[Callable[[], str]]:
    """Pipe names, the pipes deleted after the test."""
    made: list[str] = []

    def create() -> str:
        name = unique_name("pipe")[-64:]
        made.append(name)
        return name

    yield create
    for name in made:
        with contextlib.suppress(Exception):
            pipes_client.delete_pipe(Name=name)
