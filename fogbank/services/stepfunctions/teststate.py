"""TestState: run one state in isolation and report its output, next state and, at the DEBUG and
TRACE inspection levels, the data after each processing step.

Statuses as AWS reports them: SUCCEEDED, FAILED, CAUGHT_ERROR (a Catcher took the error; the
output is the catcher's) and RETRIABLE (a Retrier would retry; nothing waits). `mock.result` or
`mock.errorOutput` replace the task's call.
https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html
TRACE adds an HTTP Task's raw request and response (`http_task.TRACE`); without `revealSecrets`
the connection's credentials and invocation parameters are left out of the request, as AWS does.
Not supported yet: `stateConfiguration` other than `retrierRetryCount`.
"""

from __future__ import annotations

import json
from typing import Any

from fogbank import clock
from fogbank.services.stepfunctions import definition, http_task, interpreter, jsonpath
from fogbank.services.stepfunctions.dataflow import Frame
from fogbank.services.stepfunctions.errors import (
    InvalidDefinition,
    InvalidExecutionInput,
    StatesError,
    ValidationException,
)
from fogbank.services.stepfunctions.history import History, Lane


def _state_of(request: dict[str, Any]) -> tuple[str, dict[str, Any], str]:
    """(name, state, default query language) from a one-state or whole-machine definition."""
    try:
        document = json.loads(request["definition"])
    except ValueError as error:
        raise InvalidDefinition(
            f"Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: {error}'"
        ) from None
    if not isinstance(document, dict):
        raise InvalidDefinition(
            "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The definition must be a JSON object'"
        )
    if "States" in document:
        name = request.get("stateName") or document.get("StartAt")
        if name not in document["States"]:
            raise ValidationException(f"The state '{name}' is not in the definition")
        return str(name), document["States"][name], str(document.get("QueryLanguage", "JSONPath"))
    name = request.get("stateName") or "TestState"
    return name, document, "JSONPath"


def _check(name: str, state: dict[str, Any], language: str) -> None:
    """Validate the state as part of a machine whose transition targets all exist."""
    targets = [state.get("Next"), state.get("Default")]
    targets += [rule.get("Next") for rule in state.get("Choices") or [] if isinstance(rule, dict)]
    targets += [catcher.get("Next") for catcher in state.get("Catch") or [] if isinstance(catcher, dict)]
    states = {target: {"Type": "Succeed"} for target in targets if isinstance(target, str)}
    states[name] = state
    document = {"StartAt": name, "States": states, "QueryLanguage": language}
    _, found = definition.diagnose(json.dumps(document))
    found = [item for item in found if item["code"] != "UNREACHABLE_STATE"]
    if found:
        details = ", ".join(f"{item['code']}: {item['message']} at {item['location']}" for item in found)
        raise InvalidDefinition(f"Invalid State Machine Definition: '{details}'")


def _json(request: dict[str, Any], name: str, default: Any) -> Any:
    text = request.get(name)
    if text is None:
        return default
    try:
        return json.loads(text)
    except ValueError as error:
        raise InvalidExecutionInput(f"Invalid {name}: '{error}'") from None


def _mock(request: dict[str, Any]) -> Any:
    mock = request.get("mock")
    if not mock:
        return None

    async def mocked(resource: str, params: Any) -> Any:
        if "errorOutput" in mock:
            raise StatesError(mock["errorOutput"].get("error", ""), mock["errorOutput"].get("cause", ""))
        return _json(mock, "result", None)

    return mocked


async def test_state(account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
    name, state, language = _state_of(request)
    _check(name, state, language)
    value = _json(request, "input", {})
    arn = f"arn:aws:states:{region}:{account}:execution:TestStateMachine:TestState"
    run = interpreter.Run(
        arn=arn,
        name="TestState",
        account=account,
        region=region,
        machine_arn=f"arn:aws:states:{region}:{account}:stateMachine:TestStateMachine",
        machine_name="TestStateMachine",
        role_arn=request.get("roleArn") or "",
        definition={"StartAt": name, "States": {name: state}},
        input=value,
        start=clock.now(),
        history=History(),
        express=True,
        mock=_mock(request),
        inspection={"input": jsonpath.dumps(value)},
        test_mode=True,
        retry_preset=(request.get("stateConfiguration") or {}).get("retrierRetryCount", 0),
        context_override=_json(request, "context", None),
    )
    inspection: dict[str, Any] = run.inspection or {}
    frame = Frame(Lane(), dict(_json(request, "variables", {}) or {}), language)
    response: dict[str, Any] = {}
    trace: dict[str, Any] = {"revealSecrets": bool(request.get("revealSecrets"))}
    traced = http_task.TRACE.set(trace if request.get("inspectionLevel") == "TRACE" else None)
    try:
        output, following = await interpreter.run_state(run, name, state, value, frame)
    except StatesError as error:
        response.update(status=run.handled.get("status", "FAILED"), error=error.error, cause=error.cause)
        if response["status"] == "RETRIABLE":
            inspection["errorDetails"] = {
                key: run.handled[key] for key in ("retryIndex", "retryBackoffIntervalSeconds")
            }
    else:
        response["output"] = jsonpath.dumps(output)
        response["status"] = run.handled.get("status", "SUCCEEDED")
        if following is not None:
            response["nextState"] = following
        if response["status"] == "CAUGHT_ERROR":
            caught: StatesError = run.handled["error"]
            response.update(error=caught.error, cause=caught.cause)
            inspection["errorDetails"] = {"catchIndex": run.handled["catchIndex"]}
    finally:
        http_task.TRACE.reset(traced)
    inspection.update({key: trace[key] for key in ("request", "response") if key in trace})
    if request.get("inspectionLevel") in ("DEBUG", "TRACE"):
        inspection["variables"] = jsonpath.dumps(frame.variables)
        response["inspectionData"] = inspection
    elif "errorDetails" in inspection:
        response["inspectionData"] = {"errorDetails": inspection["errorDetails"]}
    return response
