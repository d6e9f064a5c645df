"""Distributed Map: a Map Run whose items run as child workflow executions (STANDARD or EXPRESS,
as ProcessorConfig.ExecutionType says) of the state machine `<machine>/<label>`, with the Map Run
record DescribeMapRun and ListMapRuns answer.

History of the parent as AWS writes it: `MapStateStarted` → `MapRunStarted{mapRunArn}` →
`MapRunSucceeded` | `MapRunFailed`. Any failed child beyond the tolerated count or percentage
(0 by default) fails the Map Run with `States.ExceedToleratedFailureThreshold`.
https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html
Not supported yet: UpdateMapRun, redriving a Map Run's failed children.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from fogbank import clock, state
from fogbank.services.stepfunctions import jsonpath, result_writer
from fogbank.services.stepfunctions.dataflow import StateData
from fogbank.services.stepfunctions.errors import StatesError

if TYPE_CHECKING:
    from fogbank.services.stepfunctions.interpreter import Run

_COUNTS = ("pending", "running", "succeeded", "failed", "timedOut", "aborted")
# Set by executions.py: start a child execution (run, machine, input, map run ARN) → its record,
# wait for it to close, and stop it.
StartChild = Callable[["Run", dict[str, Any], str, str], dict[str, Any]]
start_child: StartChild | None = None
wait_child: Callable[[str], Awaitable[dict[str, Any] | None]] | None = None
stop_child: Callable[[str, str | None, str | None], bool] | None = None


def map_runs(account: str, region: str) -> state.Collection[dict[str, Any]]:
    return state.collection("stepfunctions", "map-runs", account, region)


def is_distributed(processor: dict[str, Any]) -> bool:
    return (processor.get("ProcessorConfig") or {}).get("Mode") == "DISTRIBUTED"


def _new_run(run: Run, data: StateData, label: str, concurrency: int, total: int) -> dict[str, Any]:
    arn = f"arn:aws:states:{run.region}:{run.account}:mapRun:{run.machine_name}/{label}:{uuid.uuid4()}"
    counts = {name: 0 for name in _COUNTS} | {
        "pending": total,
        "total": total,
        "resultsWritten": 0,
        "failuresNotRedrivable": 0,
        "pendingRedrive": 0,
    }
    record = {
        "mapRunArn": arn,
        "executionArn": run.arn,
        "stateMachineArn": f"{run.machine_arn}/{label}",
        "status": "RUNNING",
        "startDate": clock.now(),
        "maxConcurrency": concurrency,
        "toleratedFailurePercentage": float(data.state.get("ToleratedFailurePercentage", 0)),
        "toleratedFailureCount": int(data.state.get("ToleratedFailureCount", 0)),
        "itemCounts": counts,
        "executionCounts": dict(counts),
        "redriveCount": 0,
    }
    map_runs(run.account, run.region).put(arn, record)
    return record


def _count(record: dict[str, Any], before: str, after: str) -> None:
    for counts in (record["itemCounts"], record["executionCounts"]):
        counts[before] -= 1
        counts[after] += 1


_STATUS_COUNT = {"SUCCEEDED": "succeeded", "FAILED": "failed", "TIMED_OUT": "timedOut", "ABORTED": "aborted"}


async def run_map(
    run: Run,
    data: StateData,
    inputs: list[Any],
    processor: dict[str, Any],
    concurrency: int,
    tolerated: float,
    writer: tuple[dict[str, Any], dict[str, Any]] | None = None,
) -> Any:
    """Run the items as child executions; answers their outputs in item order (or, with a
    ResultWriter (its definition, its evaluated parameters), where it wrote them)."""
    assert start_child is not None and wait_child is not None and stop_child is not None
    label = data.state.get("Label") or uuid.uuid4().hex[:8]
    record = _new_run(run, data, label, concurrency, len(inputs))
    run.history.add(data.frame.lane, "MapRunStarted", {"mapRunArn": record["mapRunArn"]})
    child_type = (processor.get("ProcessorConfig") or {}).get("ExecutionType", "STANDARD")
    definition = {key: value for key, value in processor.items() if key != "ProcessorConfig"}
    machine = {
        "stateMachineArn": record["stateMachineArn"],
        "name": f"{run.machine_name}/{label}",
        "definition": json.dumps(definition),
        "roleArn": run.role_arn,
        "type": child_type,
    }
    limiter = asyncio.Semaphore(concurrency) if concurrency > 0 else None
    children: list[str] = []
    closed_children: list[dict[str, Any]] = []
    failures = 0

    async def item(value: Any) -> Any:
        nonlocal failures
        if limiter is not None:
            await limiter.acquire()
        try:
            child = start_child(run, machine, jsonpath.dumps(value), record["mapRunArn"])
            children.append(child["executionArn"])
            _count(record, "pending", "running")
            closed = await wait_child(child["executionArn"]) or child
        finally:
            if limiter is not None:
                limiter.release()
        _count(record, "running", _STATUS_COUNT.get(closed["status"], "failed"))
        closed_children.append(closed)
        if closed["status"] == "SUCCEEDED":
            return json.loads(closed["output"])
        failures += 1
        if failures > max(tolerated, 0):  # no tolerance given: none
            raise StatesError(
                "States.ExceedToleratedFailureThreshold",
                "The specified tolerated failure threshold was exceeded",
            )
        return {"Error": closed.get("error", ""), "Cause": closed.get("cause", "")}

    pending = [asyncio.ensure_future(item(value)) for value in inputs]
    try:
        results = await asyncio.gather(*pending)
    except BaseException as problem:
        for task in pending:
            task.cancel()
        for arn in children:
            stop_child(arn, None, "The Map Run was stopped")
        aborted = isinstance(problem, asyncio.CancelledError)
        _close(run, record, "ABORTED" if aborted else "FAILED")
        if not aborted:
            details = {
                "error": getattr(problem, "error", "States.Runtime"),
                "cause": getattr(problem, "cause", ""),
            }
            run.history.add(data.frame.lane, "MapRunFailed", details)
        else:
            run.history.add(data.frame.lane, "MapRunAborted")
        raise
    if writer is not None:
        written = await result_writer.write(
            record["mapRunArn"], writer[1], closed_children, run.account, run.region
        )
        record["itemCounts"]["resultsWritten"] = len(closed_children)
        _close(run, record, "SUCCEEDED")
        run.history.add(data.frame.lane, "MapRunSucceeded")
        return written
    _close(run, record, "SUCCEEDED")
    run.history.add(data.frame.lane, "MapRunSucceeded")
    return list(results)


def _close(run: Run, record: dict[str, Any], status: str) -> None:
    record.update(status=status, stopDate=clock.now())
    map_runs(run.account, run.region).put(record["mapRunArn"], record)
