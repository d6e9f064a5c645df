"""The Amazon States Language interpreter: runs one execution state by state as an asyncio task,
recording its history. Pass, Choice, Wait, Succeed and Fail live here; Task in `tasks.py`,
Parallel and Map in `branching.py`.

Executions run inline on the event loop until they block (a Wait, a retry interval, a task that
waits for a service or a callback); time only passes on fogbank's clock.
https://docs.aws.amazon.com/step-functions/latest/dg/concepts-amazon-states-language.html
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fogbank import clock
from fogbank.services.stepfunctions import branching, callbacks, choice, intrinsics, jsonata, jsonpath, tasks
from fogbank.services.stepfunctions.dataflow import (
    Frame,
    StateData,
    arguments,
    catch_output,
    effective_input,
    finish,
    number_field,
    read_path,
)
from fogbank.services.stepfunctions.errors import StatesError
from fogbank.services.stepfunctions.errors_handling import Retries, find_catcher, matches
from fogbank.services.stepfunctions.history import MAX_DATA, History, Lane, data_details


def iso(epoch: float) -> str:
    """Timestamps in the context object: ISO 8601 with milliseconds, as AWS writes them."""
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(slots=True)
class Run:
    """One execution while it runs: identity, history, and how to save its progress."""

    arn: str
    name: str
    account: str
    region: str
    machine_arn: str
    machine_name: str
    role_arn: str
    definition: dict[str, Any]
    input: Any
    start: float
    history: History
    express: bool = False
    redrive_count: int = 0
    resume: dict[str, Any] | None = None
    checkpoint: dict[str, Any] = field(default_factory=dict)
    persist: Callable[[], None] = lambda: None
    mock: Callable[[str, Any], Awaitable[Any]] | None = None  # mocked Task answers (state name, parameters)
    main_lane: Lane | None = None
    # TestState: inspection data to fill, no retry waits, and how an error was handled.
    inspection: dict[str, Any] | None = None
    test_mode: bool = False
    retry_preset: int = 0
    handled: dict[str, Any] = field(default_factory=dict)
    context_override: dict[str, Any] | None = None
    started_details: dict[str, Any] = field(default_factory=dict)  # version/alias ARNs started with

    @property
    def context_execution(self) -> dict[str, Any]:
        return {
            "Id": self.arn,
            "Input": self.input,
            "Name": self.name,
            "RoleArn": self.role_arn,
            "StartTime": iso(self.start),
            "RedriveCount": self.redrive_count,
        }


async def sleep_until(due: float) -> None:
    """Wait on fogbank's clock (advancing the clock ends the wait at once)."""
    if due <= clock.now():
        return
    future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    timer = clock.call_at(due, lambda: callbacks.resolve(future, None))
    try:
        await future
    finally:
        timer.cancel()


def context_object(run: Run, name: str, frame: Frame) -> dict[str, Any]:
    context: dict[str, Any] = {
        "Execution": run.context_execution,
        "State": {"EnteredTime": iso(clock.now()), "Name": name, "RetryCount": 0},
        "StateMachine": {"Id": run.machine_arn, "Name": run.machine_name},
    }
    if frame.map_item is not None:
        context["Map"] = {"Item": frame.map_item}
    if run.context_override:
        context.update(run.context_override)
    return context


async def run_machine(run: Run, machine: dict[str, Any], value: Any, frame: Frame, top: bool = False) -> Any:
    """Run the states of a machine (or a branch, or a Map's item processor) to their end."""
    states = machine["States"]
    name = machine["StartAt"]
    resume = run.resume if top else None
    if resume is not None:
        name, value = resume["state"], resume["input"]
    while True:
        if top:
            run.checkpoint = {
                "state": name,
                "input": value,
                "variables": frame.variables,
                "lane": frame.lane.last,
            }
        value, following = await run_state(run, name, states[name], value, frame, resume)
        resume = None
        if following is None:
            return value
        name = following


async def run_state(
    run: Run, name: str, state: dict[str, Any], raw: Any, frame: Frame, resume: dict[str, Any] | None = None
) -> tuple[Any, str | None]:
    kind = state["Type"]
    resuming = resume is not None and ("wait_until" in resume or "token" in resume)
    if resuming:
        entered = resume.get("entered", 0)  # type: ignore[union-attr]
    else:
        entered = run.history.add(
            frame.lane, f"{kind}StateEntered", {"name": name, **data_details(jsonpath.dumps(raw), "input")}
        )
    if frame.lane is run.main_lane:
        run.checkpoint["entered"] = entered
    language = state.get("QueryLanguage", frame.language)
    data = StateData(
        name, state, raw, context_object(run, name, frame), frame, language == "JSONata", run.inspection
    )
    try:
        if resuming and "token" in resume:  # type: ignore[operator]
            output, following = await _task_resumed(run, data, resume)  # type: ignore[arg-type]
        elif resuming:
            output, following = await _wait(run, data, entered, resume["wait_until"])  # type: ignore[index]
        else:
            output, following = await _HANDLERS[kind](run, data, entered)
        text = jsonpath.dumps(output)
        if len(text.encode()) > MAX_DATA:
            raise StatesError(
                "States.DataLimitExceeded",
                f"The state/task '{name}' returned a result with a size exceeding the maximum number of bytes service limit.",
            )
    except StatesError as error:
        if error.error in ("States.Runtime", "States.QueryEvaluationError") and not error.cause.startswith(
            "An error occurred while executing"
        ):
            error.cause = f"An error occurred while executing the state '{name}' (entered at the event id #{entered}). {error.cause}"
        raise
    exited = {"name": name, **data_details(text, "output")}
    if data.assigned:
        assigned = {key: jsonpath.dumps(value) for key, value in data.assigned.items()}
        exited.update(assignedVariables=assigned, assignedVariablesDetails={"truncated": False})
    run.history.add(frame.lane, f"{kind}StateExited", exited)
    return output, following


def _next(state: dict[str, Any]) -> str | None:
    return None if state.get("End") else state.get("Next")


async def _pass(run: Run, data: StateData, entered: int) -> tuple[Any, str | None]:
    if data.jsonata:
        return finish(data, None, default_output=data.raw, use_result=False), _next(data.state)
    effective = effective_input(data)
    if "Result" in data.state:
        result = data.state["Result"]
    elif "Parameters" in data.state:
        result = arguments(data, effective)
    else:
        result = effective
    return finish(data, result), _next(data.state)


async def _choice(run: Run, data: StateData, entered: int) -> tuple[Any, str | None]:
    """The first matching rule (or Default) names the next state; a rule's own Assign and (in
    JSONata) Output apply in place of the state's."""
    effective = effective_input(data)
    default_output = data.raw if data.jsonata else effective
    for rule in data.state["Choices"]:
        if _matches(data, rule, effective):
            overrides = {key: rule[key] for key in ("Assign", "Output") if key in rule}
            if overrides:
                data.state = {**data.state, **overrides}
            return finish(data, effective, default_output=default_output, use_result=False), rule["Next"]
    if "Default" in data.state:
        return finish(data, effective, default_output=default_output, use_result=False), data.state["Default"]
    raise StatesError("States.NoChoiceMatched", "No Matches!")


def _matches(data: StateData, rule: dict[str, Any], effective: Any) -> bool:
    if not data.jsonata:
        return choice.evaluate(rule, data.scope(effective))
    verdict = rule["Condition"]
    if jsonata.is_expression(verdict):
        verdict = jsonata.evaluate(verdict, data.states(), data.frame.variables)
    if not isinstance(verdict, bool):
        raise StatesError(
            "States.QueryEvaluationError",
            f"The Condition evaluated to {jsonpath.dumps(verdict)}, not a boolean",
        )
    return verdict


def _wait_due(data: StateData, effective: Any) -> float:
    seconds = number_field(data, "Seconds", effective)
    if seconds is not None:
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise StatesError(
                "States.Runtime",
                f"The SecondsPath parameter does not reference a valid integer value: {jsonpath.dumps(seconds)}",
            )
        return clock.now() + seconds
    stamp = number_field(data, "Timestamp", effective)
    parsed = choice.parse_timestamp(stamp)
    if parsed is None:
        raise StatesError(
            "States.Runtime",
            f"The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {jsonpath.dumps(stamp)}",
        )
    return parsed.timestamp()


async def _wait(run: Run, data: StateData, entered: int, due: float | None = None) -> tuple[Any, str | None]:
    effective = effective_input(data)
    if due is None:
        due = _wait_due(data, effective)
    if data.frame.lane is run.main_lane:
        run.checkpoint.update(wait_until=due, entered=entered, lane=entered)
    if due > clock.now() and not run.test_mode:  # TestState does not wait
        run.persist()
        await sleep_until(due)
    return finish(
        data, effective, default_output=effective if not data.jsonata else data.raw, use_result=False
    ), _next(data.state)


async def _succeed(run: Run, data: StateData, entered: int) -> tuple[Any, str | None]:
    effective = effective_input(data)
    return finish(
        data, effective, default_output=effective if not data.jsonata else data.raw, use_result=False
    ), None


async def _fail(run: Run, data: StateData, entered: int) -> tuple[Any, str | None]:
    values: dict[str, Any] = {}
    for name in ("Error", "Cause"):
        path = data.state.get(f"{name}Path")
        if not data.jsonata and isinstance(path, str) and path.startswith("States."):
            values[name] = intrinsics.evaluate(path, data.scope(data.raw))
        elif not data.jsonata and path is not None:
            values[name] = read_path(data, path, data.raw)
        elif data.jsonata and jsonata.is_expression(data.state.get(name)):
            values[name] = jsonata.evaluate(data.state[name], data.states(), data.frame.variables)
        else:
            values[name] = data.state.get(name)
    error = StatesError(values["Error"] or "", values["Cause"] or "")
    raise error


async def guarded(
    run: Run, data: StateData, attempt: Callable[[Retries], Awaitable[Any]]
) -> tuple[Any, str | None]:
    """Run a Task, Parallel or Map attempt with its Retry and Catch rules."""
    retries = Retries()
    retriers = data.state.get("Retry") or []
    if run.test_mode:
        retries.counts = dict.fromkeys(range(len(retriers)), run.retry_preset)
    while True:
        try:
            result = await attempt(retries)
            return finish(data, result), _next(data.state)
        except StatesError as error:
            delay = retries.delay(retriers, error.error)
            if delay is not None and run.test_mode:
                index = next(
                    i
                    for i, retrier in enumerate(retriers)
                    if matches(retrier.get("ErrorEquals", []), error.error)
                )
                run.handled = {
                    "status": "RETRIABLE",
                    "retryIndex": index,
                    "retryBackoffIntervalSeconds": int(delay),
                }
                raise
            if delay is not None:
                data.context["State"]["RetryCount"] = retries.total
                run.persist()
                await sleep_until(clock.now() + delay)
                continue
            catcher = find_catcher(data.state.get("Catch") or [], error.error)
            if catcher is None:
                raise
            if run.test_mode:
                run.handled = {
                    "status": "CAUGHT_ERROR",
                    "catchIndex": data.state["Catch"].index(catcher),
                    "error": error,
                }
            return catch_output(data, catcher, error), catcher["Next"]


async def _task(run: Run, data: StateData, entered: int) -> tuple[Any, str | None]:
    return await guarded(run, data, lambda retries: tasks.attempt(run, data, retries))


async def _task_resumed(run: Run, data: StateData, resume: dict[str, Any]) -> tuple[Any, str | None]:
    """A Task that waited for a token when fogbank stopped: wait for it again, then retry or
    catch as usual."""
    resumed = False

    async def again(retries: Retries) -> Any:
        nonlocal resumed
        if not resumed:
            resumed = True
            return await tasks.await_callback(run, data, resume)
        return await tasks.attempt(run, data, retries)

    return await guarded(run, data, again)


async def _parallel(run: Run, data: StateData, entered: int) -> tuple[Any, str | None]:
    return await guarded(run, data, lambda retries: branching.parallel(run, data, run_machine))


async def _map(run: Run, data: StateData, entered: int) -> tuple[Any, str | None]:
    return await guarded(run, data, lambda retries: branching.map_items(run, data, run_machine))


_HANDLERS: dict[str, Callable[[Run, StateData, int], Awaitable[tuple[Any, str | None]]]] = {
    "Pass": _pass,
    "Choice": _choice,
    "Wait": _wait,
    "Succeed": _succeed,
    "Fail": _fail,
    "Task": _task,
    "Parallel": _parallel,
    "Map": _map,
}


def start_frame(run: Run) -> Frame:
    language = run.definition.get("QueryLanguage", "JSONPath")
    if run.resume is not None:
        return Frame(Lane(run.resume["lane"]), dict(run.resume.get("variables") or {}), language)
    return Frame(Lane(0), {}, language)


async def execute(run: Run) -> tuple[str, Any, StatesError | None]:
    """Run an execution to its end: (status, output, error). History gets the closing event."""
    frame = start_frame(run)
    run.main_lane = frame.lane
    if run.resume is None:
        run.history.add(
            frame.lane,
            "ExecutionStarted",
            {
                **data_details(jsonpath.dumps(run.input), "input"),
                "roleArn": run.role_arn,
                **run.started_details,
            },
        )
    try:
        output = await run_machine(run, run.definition, run.input, frame, top=True)
    except StatesError as error:
        details = {name: value for name, value in (("error", error.error), ("cause", error.cause)) if value}
        run.history.add(frame.lane, "ExecutionFailed", details)
        return "FAILED", None, error
    run.history.add(frame.lane, "ExecutionSucceeded", data_details(jsonpath.dumps(output), "output"))
    return "SUCCEEDED", output, None
