"""Fixtures for the Step Functions behaviour tests: a client, a state machine factory and a
helper that runs an execution to its end."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sfn_support import ROLE


@pytest.fixture
def sfn(client_factory: Callable[..., Any]) -> Any:
    # StartSyncExecution targets the `sync-` host prefix, which does not resolve for localhost.
    return client_factory("stepfunctions", inject_host_prefix=False)


@pytest.fixture
def make_machine(sfn: Any, unique_name: Callable[[str], str]) -> Callable[..., str]:
    """Create a state machine from a definition (dict or text); answers its ARN."""

    def make(definition: dict[str, Any] | str, machine_type: str = "STANDARD", **extra: Any) -> str:
        text = definition if isinstance(definition, str) else json.dumps(definition)
        created = sfn.create_state_machine(
            name=unique_name("sm"), definition=text, roleArn=ROLE, type=machine_type, **extra
        )
        return str(created["stateMachineArn"])

    return make


@pytest.fixture
def run_sync(sfn: Any, make_machine: Callable[..., str]) -> Callable[..., dict[str, Any]]:
    """Run a definition as an EXPRESS machine with StartSyncExecution; answers the response."""

    def run(definition: dict[str, Any], value: Any = None) -> dict[str, Any]:
        arn = make_machine(definition, "EXPRESS")
        response = sfn.start_sync_execution(
            stateMachineArn=arn, input=json.dumps(value if value is not None else {})
        )
        return dict(response)

    return run
