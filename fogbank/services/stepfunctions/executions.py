"""Execution records and their lifecycle: start (name rules, idempotency), run as asyncio tasks,
stop, time out, and durability.

STANDARD executions persist compactly: the record (with a checkpoint: the top-level state being
run, its input, the variables and, in a Wait, when it ends) and the history in chunks of 500
events, written only when the execution blocks or ends. After a restart, `resume_all` continues
every RUNNING execution from its checkpoint; a Wait keeps its original end, a task waiting for
its token keeps waiting for the same token, any other state runs again from its start (a Task may
therefore run twice, as after an AWS infrastructure retry).
EXPRESS executions are kept in memory only, as AWS keeps no history for them.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import orjson

from fogbank import clock, state
from fogbank.errors import AwsError
from fogbank.services.stepfunctions import execution_logs, interpreter, jsonpath, mocking, status_events
from fogbank.services.stepfunctions.errors import (
    ExecutionAlreadyExists,
    ExecutionDoesNotExist,
    ExecutionNotRedrivable,
    InvalidExecutionInput,
    StatesError,
)
from fogbank.services.stepfunctions.history import History, Lane

SERVICE = "stepfunctions"
CHUNK = 500
REDRIVABLE = ("FAILED", "ABORTED", "TIMED_OUT")


def executions(account: str, region: str) -> state.Collection[dict[str, Any]]:
    return state.collection(SERVICE, "executions", account, region)


def history_chunks(account: str, region: str) -> state.Collection[dict[str, Any]]:
    return state.collection(SERVICE, "history", account, region)


@dataclass(slots=True)
class Live:
    """An execution running now: its interpreter state, task and who waits for its end."""

    run: interpreter.Run
    record: dict[str, Any]
    task: asyncio.Task[None] | None = None
    stop_reason: tuple[str, str] | None = None
    timed_out: bool = False
    abandoned: bool = False
    saved_events: int = 0
    done: asyncio.Event = field(default_factory=asyncio.Event)


_live: dict[str, Live] = {}
_express: dict[str, dict[str, Any]] = {}  # the records of finished express executions, for callers


def parse_input(text: str | None) -> Any:
    try:
        return json.loads(text if text is not None else "{}")
    except ValueError as error:
        raise InvalidExecutionInput(f"Invalid State Machine Execution Input: '{error}'") from None


def all_records(account: str, region: str) -> list[dict[str, Any]]:
    """Every STANDARD execution of an account and region, including those not yet written."""
    stored = executions(account, region)
    running = [
        live.record
        for arn, live in _live.items()
        if not live.run.express
        and live.run.account == account
        and live.run.region == region
        and arn not in stored
    ]
    return [*stored.values(), *running]


def find(account: str, region: str, arn: str) -> dict[str, Any]:
    live = _live.get(arn)
    if live is not None:
        return live.record
    record = executions(account, region).get(arn) or _express.get(arn)
    if record is None:
        raise ExecutionDoesNotExist(f"Execution Does Not Exist: '{arn}'")
    return record


def events_of(account: str, region: str, arn: str) -> list[dict[str, Any]]:
    live = _live.get(arn)
    if live is not None:
        return live.run.history.events
    record = find(account, region, arn)
    if "events" in record:  # express
        return record["events"]  # type: ignore[no-any-return]
    return _load_events(account, region, arn)


def _load_events(account: str, region: str, arn: str) -> list[dict[str, Any]]:
    chunks = history_chunks(account, region)
    events: list[dict[str, Any]] = []
    index = 0
    while (chunk := chunks.get(f"{arn}#{index:06d}")) is not None:
        events.extend(orjson.loads(chunk["events"]))
        index += 1
    return events


def _persist(live: Live) -> None:
    """Write the record and the history events not yet written (STANDARD only)."""
    run = live.run
    if run.express:
        return
    record = live.record
    checkpoint = json.loads(jsonpath.dumps(run.checkpoint)) if run.checkpoint else None
    if record["status"] == "RUNNING":
        record["checkpoint"] = checkpoint
    else:
        record.pop("checkpoint", None)
        if record["status"] in REDRIVABLE and checkpoint is not None:
            # Where RedriveExecution starts again: the top-level state that did not finish (and,
            # for an inline Map or a Parallel, the outputs of its iterations or branches that
            # succeeded).
            keys = ("state", "input", "variables", "redrive_done")
            record["redriveFrom"] = {key: checkpoint[key] for key in keys if key in checkpoint}
    events = run.history.events
    chunks = history_chunks(run.account, run.region)
    with state.atomic():
        executions(run.account, run.region).put(run.arn, record)
        for index in range(live.saved_events // CHUNK, (len(events) - 1) // CHUNK + 1 if events else 0):
            # Stored as JSON text: four times smaller in memory than the event dicts.
            text = orjson.dumps(events[index * CHUNK : (index + 1) * CHUNK]).decode()
            chunks.put(f"{run.arn}#{index:06d}", {"events": text})
    live.saved_events = len(events)


def start(
    account: str,
    region: str,
    machine: dict[str, Any],
    name: str | None,
    input_text: str | None,
    *,
    version_arn: str | None = None,
    alias_arn: str | None = None,
    trace_header: str | None = None,
    test_case: str | None = None,
    map_run_arn: str | None = None,
) -> dict[str, Any]:
    """Start an execution (its task runs on the event loop); returns its record."""
    value = parse_input(input_text)
    input_text = input_text if input_text is not None else "{}"
    express = machine["type"] == "EXPRESS"
    name = name or str(uuid.uuid4())
    base = machine["stateMachineArn"].replace(":stateMachine:", ":express:" if express else ":execution:", 1)
    arn = f"{base}:{name}" + (f":{uuid.uuid4()}" if express else "")
    if not express:
        live = _live.get(arn)
        existing = live.record if live is not None else executions(account, region).get(arn)
        if existing is not None:
            if existing["status"] == "RUNNING" and existing["input"] == input_text:
                return existing
            raise ExecutionAlreadyExists(f"Execution Already Exists: '{arn}'")
    record: dict[str, Any] = {
        "executionArn": arn,
        "stateMachineArn": machine["stateMachineArn"],
        "name": name,
        "status": "RUNNING",
        "startDate": clock.now(),
        "input": input_text,
        "roleArn": machine["roleArn"],
        "type": machine["type"],
        "definition": machine["definition"],
        "machineName": machine["name"],
        "redriveCount": 0,
    }
    if (machine.get("loggingConfiguration") or {}).get("level", "OFF") != "OFF":
        record["loggingConfiguration"] = machine["loggingConfiguration"]
    for key, value_ in (
        ("stateMachineVersionArn", version_arn),
        ("stateMachineAliasArn", alias_arn),
        ("traceHeader", trace_header),
        ("mockTestCase", test_case),
        ("mapRunArn", map_run_arn),
    ):
        if value_:
            record[key] = value_
    run = _new_run(account, region, record, value, History())
    launch(run, record)
    status_events.announce(record, account, region)
    return record


def _new_run(
    account: str, region: str, record: dict[str, Any], value: Any, history: History
) -> interpreter.Run:
    return interpreter.Run(
        arn=record["executionArn"],
        name=record["name"],
        account=account,
        region=region,
        machine_arn=record["stateMachineArn"],
        machine_name=record["machineName"],
        role_arn=record["roleArn"],
        definition=json.loads(record["definition"]),
        input=value,
        start=record["startDate"],
        history=history,
        express=record["type"] == "EXPRESS",
        redrive_count=record.get("redriveCount", 0),
        started_details={
            key: record[key] for key in ("stateMachineAliasArn", "stateMachineVersionArn") if key in record
        },
        mock=mocking.for_test_case(record["machineName"], record["mockTestCase"])
        if "mockTestCase" in record
        else None,
    )


def launch(run: interpreter.Run, record: dict[str, Any]) -> Live:
    live = Live(run, record)
    live.saved_events = len(run.history.events)
    run.persist = lambda: _persist(live)
    _live[run.arn] = live
    timeout = run.definition.get("TimeoutSeconds")
    live.task = asyncio.get_running_loop().create_task(_drive(live))
    if isinstance(timeout, int | float) and timeout > 0:
        started = record.get("redriveDate", record["startDate"])
        timer = clock.call_at(started + timeout, lambda: _time_out(live))
        live.task.add_done_callback(lambda _: timer.cancel())
    return live


def _time_out(live: Live) -> None:
    if live.task is not None and not live.task.done():
        live.timed_out = True
        live.task.cancel()


async def _drive(live: Live) -> None:
    run = live.run
    lane = Lane(run.history.events[-1]["id"] if run.history.events else 0)
    try:
        status, output, error = await interpreter.execute(run)
    except asyncio.CancelledError:
        if live.abandoned:  # fogbank shuts down: the execution stays RUNNING, to resume later
            return
        status, output, error = _closed_by_cancel(live, lane)
    except Exception as failure:  # our bug: fail the execution visibly rather than hang it
        error = StatesError("States.Runtime", f"fogbank internal error: {failure!r}")
        run.history.add(lane, "ExecutionFailed", {"error": error.error, "cause": error.cause})
        status, output = "FAILED", None
    _close(live, status, output, error)


def _closed_by_cancel(live: Live, lane: Lane) -> tuple[str, Any, StatesError | None]:
    run = live.run
    lane.last = run.history.events[-1]["id"] if run.history.events else 0
    if live.timed_out:
        error = StatesError("States.Timeout", "")
        run.history.add(lane, "ExecutionTimedOut", {"error": "States.Timeout"})
        return "TIMED_OUT", None, error
    reason = live.stop_reason or ("", "")
    details = {key: value for key, value in (("error", reason[0]), ("cause", reason[1])) if value}
    run.history.add(lane, "ExecutionAborted", details)
    return "ABORTED", None, StatesError(*reason) if any(reason) else None


def _close(live: Live, status: str, output: Any, error: StatesError | None) -> None:
    record = live.record
    record.update(status=status, stopDate=clock.now())
    if status == "SUCCEEDED":
        record["output"] = jsonpath.dumps(output)
    if error is not None:
        for key, value in (("error", error.error), ("cause", error.cause)):
            if value:
                record[key] = value
    if live.run.express:
        record["events"] = live.run.history.events
        _express[record["executionArn"]] = record
        if len(_express) > 1000:
            _express.pop(next(iter(_express)))
    else:
        _persist(live)
        status_events.announce(record, live.run.account, live.run.region)
    execution_logs.deliver(record, live.run.history.events, live.run.account, live.run.region)
    _live.pop(record["executionArn"], None)
    live.done.set()


async def settle(arn: str, limit: int = 200) -> None:
    """Let a new execution run until it waits (or ends) before StartExecution answers, so that
    what a caller does next (receive the message a task sent, send its token, advance the clock)
    finds the execution where it is waiting. The execution's history stops growing when it does."""
    live = _live.get(arn)
    if live is None:
        return
    seen, quiet = -1, 0
    for _ in range(limit):
        if live.done.is_set():
            return
        await asyncio.sleep(0)
        size = len(live.run.history.events)
        quiet = quiet + 1 if size == seen else 0
        if quiet >= 2:
            return
        seen = size


def stop(arn: str, error: str | None, cause: str | None) -> bool:
    live = _live.get(arn)
    if live is None or live.task is None or live.task.done():
        return False
    live.stop_reason = (error or "", cause or "")
    live.task.cancel()
    return True


async def wait_closed(arn: str) -> dict[str, Any] | None:
    live = _live.get(arn)
    if live is None:
        return None
    await live.done.wait()
    return live.record


def shut_down() -> None:
    """Stop running executions without closing them: a STANDARD execution's stored checkpoint
    lets the next start of fogbank continue it."""
    for live in list(_live.values()):
        live.abandoned = True
        if live.task is not None:
            live.task.cancel()
    _live.clear()
    _express.clear()


def resume_all() -> None:
    """Continue every RUNNING STANDARD execution found in the store (after a restart)."""
    for scope in state.database().scopes(SERVICE, "executions"):
        account, _, region = scope.partition("/")
        for record in list(executions(account, region).values()):
            if record["status"] != "RUNNING" or record["executionArn"] in _live:
                continue
            history = History(_load_events(account, region, record["executionArn"]))
            run = _new_run(account, region, record, parse_input(record["input"]), history)
            run.resume = record.get("checkpoint")
            if run.resume is None:  # nothing ran yet: start from the beginning
                history.events.clear()
            launch(run, record)


def describe(record: dict[str, Any]) -> dict[str, Any]:
    """DescribeExecution's view of a record."""
    view: dict[str, Any] = {
        key: record[key]
        for key in ("executionArn", "stateMachineArn", "name", "status", "startDate")
        if key in record
    }
    view.update(input=record["input"], inputDetails={"included": True})
    for key in (
        "stopDate",
        "error",
        "cause",
        "stateMachineVersionArn",
        "stateMachineAliasArn",
        "traceHeader",
    ):
        if key in record:
            view[key] = record[key]
    if "output" in record:
        view.update(output=record["output"], outputDetails={"included": True})
    view["redriveCount"] = record.get("redriveCount", 0)
    if "redriveDate" in record:
        view["redriveDate"] = record["redriveDate"]
    if record["status"] == "SUCCEEDED":
        view.update(
            redriveStatus="NOT_REDRIVABLE",
            redriveStatusReason="Execution is SUCCEEDED and cannot be redriven",
        )
    elif record["status"] in REDRIVABLE:
        view["redriveStatus"] = "REDRIVABLE" if "redriveFrom" in record else "NOT_REDRIVABLE"
    return view


async def start_nested(run: interpreter.Run, params: Any, pattern: str) -> Any:
    """`arn:aws:states:::states:startExecution[.sync|.sync:2]`: a child execution, optionally
    waited for; a failed child fails the task with States.TaskFailed and its description.
    https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html"""
    from fogbank.services.stepfunctions import machines
    from fogbank.services.stepfunctions.integrations import sdk_metadata

    if not isinstance(params, dict) or "StateMachineArn" not in params:
        raise StatesError(
            "States.Runtime", "The field 'StateMachineArn' is required by states:startExecution"
        )
    raw_input = params.get("Input", {})
    text = raw_input if isinstance(raw_input, str) else jsonpath.dumps(raw_input)
    try:
        record, qualifier = machines.get(run.account, run.region, params["StateMachineArn"])
        source, version_arn, alias_arn = machines.route(record, qualifier)
        child = start(
            run.account,
            run.region,
            {**record, "definition": source["definition"]},
            params.get("Name"),
            text,
            version_arn=version_arn,
            alias_arn=alias_arn,
        )
    except AwsError as error:
        raise StatesError(
            f"StepFunctions.{error.code}Exception"
            if not error.code.endswith("Exception")
            else f"StepFunctions.{error.code}",
            error.message,
        ) from None
    if not pattern:
        return {
            "ExecutionArn": child["executionArn"],
            "StartDate": int(child["startDate"] * 1000),
            **sdk_metadata(str(uuid.uuid4())),
        }
    closed = await wait_closed(child["executionArn"]) or child
    described = _sync_output(closed, pattern == "sync:2")
    if closed["status"] != "SUCCEEDED":
        raise StatesError("States.TaskFailed", jsonpath.dumps(described))
    return described


def _sync_output(record: dict[str, Any], parsed: bool) -> dict[str, Any]:
    output: dict[str, Any] = {
        "ExecutionArn": record["executionArn"],
        "Input": json.loads(record["input"]) if parsed else record["input"],
        "InputDetails": {"Included": True},
        "Name": record["name"],
        "StartDate": int(record["startDate"] * 1000),
        "StateMachineArn": record["stateMachineArn"],
        "Status": record["status"],
        "StopDate": int(record.get("stopDate", clock.now()) * 1000),
    }
    if "output" in record:
        output["Output"] = json.loads(record["output"]) if parsed else record["output"]
        output["OutputDetails"] = {"Included": True}
    for key in ("error", "cause"):
        if key in record:
            output[key.capitalize()] = record[key]
    return output


def redrive(account: str, region: str, arn: str) -> dict[str, Any]:
    """RedriveExecution: run a FAILED, ABORTED or TIMED_OUT execution again from the top-level
    state that did not finish, after an ExecutionRedriven event. A top-level inline Map or
    Parallel runs only its iterations or branches that did not succeed; a nested one and a
    Distributed Map run again whole. https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html"""
    record = find(account, region, arn)
    if record["status"] not in REDRIVABLE or "redriveFrom" not in record:
        raise ExecutionNotRedrivable(f"Execution {arn} is {record['status']} and cannot be redriven")
    history = History(_load_events(account, region, arn))
    resume = dict(record.pop("redriveFrom"))
    for key in ("stopDate", "error", "cause", "output"):
        record.pop(key, None)
    record.update(status="RUNNING", redriveCount=record.get("redriveCount", 0) + 1, redriveDate=clock.now())
    lane = Lane(history.events[-1]["id"] if history.events else 0)
    history.add(lane, "ExecutionRedriven", {"redriveCount": record["redriveCount"]})
    resume["lane"] = lane.last
    run = _new_run(account, region, record, parse_input(record["input"]), history)
    run.resume = resume
    launch(run, record).run.persist()
    return record


def start_child(
    run: interpreter.Run, machine: dict[str, Any], input_text: str, map_run_arn: str
) -> dict[str, Any]:
    """A Distributed Map's child execution (see distributed.py)."""
    return start(run.account, run.region, machine, None, input_text, map_run_arn=map_run_arn)
