"""Lambda test fixtures: an execution role, zip packages built in the test, and a function factory
that cleans up after itself."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from lambda_support import build_zip, execution_role


@pytest.fixture(scope="session")
def lambda_client(client_factory: Callable[..., Any]) -> Any:
    return client_factory("lambda")


@pytest.fixture(scope="session")
def role_arn(client_factory: Callable[..., Any]) -> str:
    return execution_role(client_factory("iam"), "fogbank-lambda-tests-role")


@pytest.fixture
def create_function(
    lambda_client: Any, role_arn: str, unique_name: Callable[[str], str]
) -> Iterator[Callable[..., dict[str, Any]]]:
    """`create_function(files, handler="app.handler", runtime="python3.12", **more)` → the
    CreateFunction answer; the function is deleted after the test."""
    created: list[str] = []

    def create(files: dict[str, str | bytes] | None = None, **options: Any) -> dict[str, Any]:
        name = options.pop("FunctionName", None) or unique_name("fn")
        executable = options.pop("executable", ())
        request: dict[str, Any] = {
            "FunctionName": name,
            "Runtime": options.pop("Runtime", "python3.12"),
            "Role": options.pop("Role", role_arn),
            "Handler": options.pop("Handler", "app.handler"),
            "Code": options.pop("Code", None) or {"ZipFile": build_zip(files or {}, executable)},
            **options,
        }
        answer: dict[str, Any] = lambda_client.create_function(**request)
        created.append(name)
        return answer

    yield create
    for name in created:
        with contextlib.suppress(lambda_client.exceptions.ResourceNotFoundException):
            lambda_client.delete_function(FunctionName=name)
