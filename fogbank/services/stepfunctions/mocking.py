"""Mocked service integrations in the Step Functions Local mock configuration format, so that
workflows can be tested without deploying the functions and services they call.

The file named by `SFN_MOCK_CONFIG` (as for Step Functions Local) holds:

    {"StateMachines": {"<machine name>": {"TestCases": {"<case>": {"<state>": "<response>"}}}},
     "MockedResponses": {"<response>": {"0": {"Return": {...}}, "1-2": {"Throw": {"Error": "E", "Cause": "c"}}}}}

StartExecution (or StartSyncExecution) with `<state machine ARN>#<case>` runs the machine with
that test case: each listed Task state answers its mocked response for its n-th call (0-based,
retries included; a key "1-2" covers calls 1 and 2) instead of calling the service; other states
run for real. History events are those of a real run.
https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-test-sm-exec.html
"""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fogbank.services.stepfunctions.errors import StatesError, ValidationException

REAL = object()  # a mock's answer meaning "no mock for this state: call the service"
Mock = Callable[[str, Any], Awaitable[Any]]


def _config() -> dict[str, Any]:
    path = os.environ.get("SFN_MOCK_CONFIG")
    if not path:
        raise ValidationException(
            "No mock configuration: set SFN_MOCK_CONFIG to a Step Functions Local mock config file"
        )
    try:
        return json.loads(Path(path).read_text())  # type: ignore[no-any-return]
    except (OSError, ValueError) as error:
        raise ValidationException(f"The mock configuration {path} cannot be read: {error}") from None


def check(machine_name: str, test_case: str) -> None:
    """Fail the start of an execution whose test case is not configured."""
    cases = _config().get("StateMachines", {}).get(machine_name, {}).get("TestCases", {})
    if test_case not in cases:
        raise ValidationException(
            f"The test case '{test_case}' of state machine '{machine_name}' is not in the mock configuration"
        )


def _response_for(responses: dict[str, Any], call: int) -> dict[str, Any] | None:
    for key, response in responses.items():
        first, _, last = key.partition("-")
        if int(first) <= call <= int(last or first):
            return response  # type: ignore[no-any-return]
    return None


def for_test_case(machine_name: str, test_case: str) -> Mock:
    config = _config()
    mapping = config["StateMachines"][machine_name]["TestCases"][test_case]
    calls: dict[str, int] = {}

    async def mocked(state_name: str, params: Any) -> Any:
        if state_name not in mapping:
            return REAL
        call = calls.get(state_name, 0)
        calls[state_name] = call + 1
        response = _response_for(config.get("MockedResponses", {}).get(mapping[state_name], {}), call)
        if response is None:
            raise StatesError(
                "States.Runtime",
                f"The mocked response '{mapping[state_name]}' has no answer for call {call} of state '{state_name}'",
            )
        if "Throw" in response:
            raise StatesError(response["Throw"].get("Error", ""), response["Throw"].get("Cause", ""))
        return response.get("Return")

    return mocked
