"""Task states: one attempt of a task with its history events, TimeoutSeconds and HeartbeatSeconds
(on fogbank's clock) and the three integration patterns (request-response, `.sync` run-a-job,
`.waitForTaskToken` callbacks), plus activities and Lambda function ARNs.

Events as AWS writes them: `TaskScheduled` → `TaskStarted` → [`TaskSubmitted`] → `TaskSucceeded`
| `TaskFailed` | `TaskTimedOut`; `LambdaFunction…` for function ARNs; `Activity…` for activities.
https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from fogbank import clock
from fogbank.services.stepfunctions import callbacks, integrations, jsonpath, mocking
from fogbank.services.stepfunctions.dataflow import StateData, arguments, effective_input, number_field
from fogbank.services.stepfunctions.errors import StatesError
from fogbank.services.stepfunctions.errors_handling import Retries
from fogbank.services.stepfunctions.history import Lane, data_details
from fogbank.services.stepfunctions.integrations import Target

if TYPE_CHECKING:
    from fogbank.services.stepfunctions.interpreter import Run

DEFAULT_TIMEOUT = 99999999

# Set by executions.py: starts a nested execution and waits for its end (`states:startExecution`).
StartNested = Callable[["Run", dict[str, Any], str], Awaitable[Any]]
start_nested: StartNested | None = None


class Deadlines:
    """TimeoutSeconds and HeartbeatSeconds of one attempt: either cancels the work with its error.
    The work is the execution's own task (the task's call runs in it, without a hop through
    another task, so that an execution runs inline until it really waits) or a token's future."""

    def __init__(self, work: asyncio.Future[Any], timeout: float | None, heartbeat: float | None) -> None:
        self.work = work
        self.reason: str | None = None
        self.heartbeat_seconds = heartbeat
        self.timers = [clock.call_later(timeout, lambda: self.expire("States.Timeout"))] if timeout else []
        self.heartbeat_timer = (
            clock.call_later(heartbeat, lambda: self.expire("States.HeartbeatTimeout")) if heartbeat else None
        )

    def expire(self, reason: str) -> None:
        if not self.work.done():
            self.reason = reason
            self.work.cancel()

    def absorb(self) -> None:
        """The work was the execution's own task: the cancellation was ours and is over."""
        if isinstance(self.work, asyncio.Task):
            self.work.uncancel()

    def beat(self) -> None:
        if self.heartbeat_timer is not None and self.heartbeat_seconds:
            self.heartbeat_timer.cancel()
            self.heartbeat_timer = clock.call_later(
                self.heartbeat_seconds, lambda: self.expire("States.HeartbeatTimeout")
            )

    def close(self) -> None:
        for timer in [*self.timers, self.heartbeat_timer]:
            if timer is not None:
                timer.cancel()


def _seconds(data: StateData, name: str, effective: Any) -> int | None:
    value = number_field(data, name, effective)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise StatesError(
            "States.Runtime", f"The value of {name} must be a positive integer, not {jsonpath.dumps(value)}"
        )
    return int(value)


async def attempt(run: Run, data: StateData, retries: Retries) -> Any:
    """One attempt of a Task state; returns its raw result or raises a StatesError."""
    effective = effective_input(data)
    target = integrations.parse_resource(data.state["Resource"])
    if "Credentials" in data.state:
        raise StatesError(
            "States.Runtime", "fogbank does not support Task Credentials (cross-account roles) yet"
        )
    timeout = _seconds(data, "TimeoutSeconds", effective)
    heartbeat = _seconds(data, "HeartbeatSeconds", effective)
    token = None
    if target.kind == "activity" or target.pattern == "waitForTaskToken":
        token = callbacks.new_token(run.arn)
        data.context["Task"] = {"Token": token}
    params = arguments(data, effective)
    lane = data.frame.lane
    prefix, names = _labels(target)
    run.history.add(lane, f"{prefix}Scheduled", _scheduled(run, target, params, timeout, heartbeat))
    if target.kind == "lambda":
        run.history.add(lane, "LambdaFunctionStarted")
    elif target.kind == "service":
        run.history.add(lane, "TaskStarted", names)
    callback = None
    if token is not None:
        callback = callbacks.register(run.arn, token, jsonpath.dumps(params))
        # Kept in the checkpoint so that a restarted fogbank waits for the same token.
        data.assigned_callback = {
            "input": callback.input,
            "heartbeat": heartbeat,
            "timeout_at": clock.now() + timeout if timeout else None,
        }
    own_task = asyncio.current_task()
    assert own_task is not None
    deadlines = Deadlines(own_task, timeout, heartbeat)
    return await _outcome(
        run, lane, prefix, names, _work(run, target, params, callback, names, lane, data), deadlines, callback
    )


def _labels(target: Target) -> tuple[str, dict[str, str]]:
    """The event name prefix and the resource names a task's events carry."""
    prefix = {"lambda": "LambdaFunction", "activity": "Activity"}.get(target.kind, "Task")
    names = (
        {"resourceType": target.resource_type, "resource": target.resource}
        if target.kind == "service"
        else {}
    )
    return prefix, names


async def _outcome(
    run: Run,
    lane: Lane,
    prefix: str,
    names: dict[str, str],
    work: Awaitable[Any],
    deadlines: Deadlines,
    callback: callbacks.Callback | None,
) -> Any:
    """Wait for the task's work and record how it ended."""
    if callback is not None:
        callback.on_heartbeat = deadlines.beat
    try:
        run.persist()
        result = await work
    except asyncio.CancelledError:
        if deadlines.reason is None:
            raise
        deadlines.absorb()
        run.history.add(lane, f"{prefix}TimedOut", {**names, "error": deadlines.reason})
        raise StatesError(deadlines.reason, "") from None
    except StatesError as error:
        details = {name: value for name, value in (("error", error.error), ("cause", error.cause)) if value}
        run.history.add(lane, f"{prefix}Failed", {**names, **details})
        raise
    finally:
        deadlines.close()
        if callback is not None:
            callbacks.forget(callback.token)
            run.checkpoint.pop("token", None)
            run.checkpoint.pop("callback", None)
    run.history.add(lane, f"{prefix}Succeeded", {**names, **data_details(jsonpath.dumps(result), "output")})
    return result


def _remember(run: Run, data: StateData, token: str, **extra: Any) -> None:
    """A top-level task now waits for its token: checkpoint it, so a restart keeps waiting."""
    if data.frame.lane is run.main_lane:
        run.checkpoint.update(
            token=token, lane=data.frame.lane.last, callback={**data.assigned_callback, **extra}
        )
    run.persist()


async def await_callback(run: Run, data: StateData, resume: dict[str, Any]) -> Any:
    """After a restart: wait again for the token a task was waiting for when fogbank stopped."""
    target = integrations.parse_resource(data.state["Resource"])
    saved, token, lane = resume["callback"], resume["token"], data.frame.lane
    data.context["Task"] = {"Token": token}
    data.assigned_callback = saved
    prefix, names = _labels(target)
    callback = callbacks.register(run.arn, token, saved.get("input", ""))
    if target.kind == "activity":
        callback.on_started = _activity_started(run, data, token)
        if not saved.get("started"):
            callbacks.schedule_activity(target.arn, callback)
    timeout = saved["timeout_at"] - clock.now() if saved.get("timeout_at") else None
    deadlines = Deadlines(
        callback.future, max(timeout, 0.001) if timeout is not None else None, saved.get("heartbeat")
    )
    return await _outcome(run, lane, prefix, names, callback.future, deadlines, callback)


def _scheduled(
    run: Run, target: Target, params: Any, timeout: int | None, heartbeat: int | None
) -> dict[str, Any]:
    text = jsonpath.dumps(params)
    if target.kind == "service":
        details: dict[str, Any] = {
            "resourceType": target.resource_type,
            "resource": target.resource,
            "region": run.region,
            "parameters": text,
        }
    else:
        details = {"resource": target.arn, **data_details(text, "input")}
    if timeout is not None or target.kind == "activity":
        details["timeoutInSeconds"] = timeout or DEFAULT_TIMEOUT
    if heartbeat is not None and target.kind != "lambda":
        details["heartbeatInSeconds"] = heartbeat
    return details


async def _work(
    run: Run,
    target: Target,
    params: Any,
    callback: callbacks.Callback | None,
    names: dict[str, str],
    lane: Lane,
    data: StateData,
) -> Any:
    if run.mock is not None:
        mocked = await run.mock(data.name, params)
        if mocked is not mocking.REAL:
            return mocked
    if target.kind == "lambda":
        response = await integrations.invoke_function(target.arn, params, run.account, run.region)
        return response.get("Payload")
    if target.kind == "activity":
        assert callback is not None
        return await _activity(run, data, target, callback)
    if target.service == "states" and target.action == "startExecution" and not target.sdk:
        if start_nested is None:
            raise StatesError("States.Runtime", "nested executions are not available")
        response = await start_nested(run, params, target.pattern)
    else:
        response = await integrations.call(target, params, run.account, run.region)
    if target.pattern == "waitForTaskToken" and callback is not None:
        run.history.add(lane, "TaskSubmitted", {**names, **data_details(jsonpath.dumps(response), "output")})
        _remember(run, data, callback.token)
        return await callback.future
    if target.pattern in ("sync", "sync:2") and not (target.service == "states" and not target.sdk):
        raise StatesError(
            "States.Runtime",
            f"The .{target.pattern} pattern is not supported for {target.resource_type} in fogbank yet",
        )
    return response


def _activity_started(run: Run, data: StateData, token: str) -> Callable[[str], None]:
    lane = data.frame.lane

    def started(worker: str) -> None:
        run.history.add(lane, "ActivityStarted", {"workerName": worker} if worker else {})
        _remember(run, data, token, started=True)

    return started


async def _activity(run: Run, data: StateData, target: Target, callback: callbacks.Callback) -> Any:
    callback.on_started = _activity_started(run, data, callback.token)
    callbacks.schedule_activity(target.arn, callback)
    _remember(run, data, callback.token)
    return await callback.future
