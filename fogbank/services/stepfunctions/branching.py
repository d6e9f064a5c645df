"""Parallel and Map states: branches and iterations run as concurrent asyncio tasks, each on its
own history lane, with variables scoped to it.

History as AWS writes it: `ParallelStateStarted` → branch events → `ParallelStateSucceeded`;
`MapStateStarted{length}` → per item `MapIterationStarted{name,index}` … `MapIterationSucceeded` →
`MapStateSucceeded`. A failure cancels the siblings (`MapIterationAborted`) and fails the state.
RedriveExecution re-runs only the failed or aborted iterations of a top-level inline Map and
branches of a top-level Parallel (the others keep their output and add no event).
https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html
https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from fogbank.services.stepfunctions import (
    distributed,
    intrinsics,
    item_reader,
    jsonata,
    jsonpath,
    result_writer,
)
from fogbank.services.stepfunctions.dataflow import (
    Frame,
    StateData,
    arguments,
    effective_input,
    number_field,
    read_path,
    template,
)
from fogbank.services.stepfunctions.errors import StatesError
from fogbank.services.stepfunctions.history import Lane

if TYPE_CHECKING:
    from fogbank.services.stepfunctions.interpreter import Run

RunMachine = Callable[["Run", dict[str, Any], Any, Frame], Awaitable[Any]]


async def run_all(coroutines: list[Awaitable[Any]]) -> list[Any]:
    """Run concurrently; the first failure cancels the others and is raised."""
    pending = [asyncio.ensure_future(coroutine) for coroutine in coroutines]
    try:
        return await asyncio.gather(*pending)
    except BaseException:
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        raise


async def parallel(run: Run, data: StateData, run_machine: RunMachine) -> list[Any]:
    branch_input = arguments(data, effective_input(data))
    started = run.history.add(data.frame.lane, "ParallelStateStarted")
    language = data.state.get("QueryLanguage", data.frame.language)
    done = _redriven_outputs(run, data)

    async def branch_run(index: int, branch: dict[str, Any]) -> Any:
        if str(index) in done:  # succeeded before a redrive: keeps its output, runs not again
            return done[str(index)]
        frame = data.frame.nested(Lane(started), branch.get("QueryLanguage", language))
        output = await run_machine(run, branch, branch_input, frame)
        _remember(run, data, index, output)
        return output

    coroutines: list[Awaitable[Any]] = [
        branch_run(index, branch) for index, branch in enumerate(data.state["Branches"])
    ]
    results: list[Any] = await _recorded(run, data, run_all(coroutines), "Parallel")
    return results


def _items(data: StateData, effective: Any) -> list[Any]:
    if data.jsonata:
        items = data.state.get("Items", "{% $states.input %}")
        items = jsonata.evaluate_template(items, data.states(), data.frame.variables)
        if not isinstance(items, list):
            raise StatesError(
                "States.QueryEvaluationError",
                f"The Items field must evaluate to a JSON array, not {jsonpath.dumps(items)}",
            )
        return items
    path = data.state.get("ItemsPath", "$")
    items = read_path(data, path, effective)
    if not isinstance(items, list):
        raise StatesError(
            "States.Runtime",
            f"Invalid path '{path}' : The Map state's ItemsPath field must reference a JSON array, not {jsonpath.dumps(items)}",
        )
    return items


def _batches(data: StateData, items: list[Any], effective: Any) -> list[Any]:
    """ItemBatcher: items grouped as {"Items": [...], "BatchInput": ...} per iteration."""
    batcher = data.state.get("ItemBatcher")
    if not batcher:
        return items
    size = (
        number_field(
            StateData(data.name, batcher, data.raw, data.context, data.frame, data.jsonata),
            "MaxItemsPerBatch",
            effective,
        )
        or len(items)
        or 1
    )
    max_bytes = batcher.get("MaxInputBytesPerBatch", 262144)
    batches: list[list[Any]] = []
    for item in items:
        if batches and len(batches[-1]) < size and len(json.dumps(batches[-1] + [item])) <= max_bytes:
            batches[-1].append(item)
        else:
            batches.append([item])
    extra = batcher.get("BatchInput")
    return [{"Items": batch, **({"BatchInput": extra} if extra is not None else {})} for batch in batches]


def _item_input(data: StateData, effective: Any, index: int, item: Any) -> Any:
    selector = data.state.get("ItemSelector", data.state.get("Parameters"))
    if selector is None:
        return item
    data.context["Map"] = {"Item": {"Index": index, "Value": item}}
    try:
        if data.jsonata:
            return jsonata.evaluate_template(selector, data.states(), data.frame.variables)
        return jsonpath.apply_template(selector, data.scope(effective), intrinsics.evaluate)
    finally:
        data.context.pop("Map", None)


def _tolerance(data: StateData, effective: Any, total: int) -> float:
    """How many failed items the Map accepts (infinite tolerance is never the default)."""
    count = number_field(data, "ToleratedFailureCount", effective)
    percentage = number_field(data, "ToleratedFailurePercentage", effective)
    limits = [float(count)] if count is not None else []
    if percentage is not None:
        limits.append(float(percentage) * total / 100.0)
    return min(limits) if limits else -1.0


async def map_items(run: Run, data: StateData, run_machine: RunMachine) -> Any:
    effective = effective_input(data)
    reader = data.state.get("ItemReader")
    if reader is not None:
        name = "Arguments" if data.jsonata else "Parameters"
        params = template(data, reader.get(name) or {}, effective)
        read = await item_reader.read_items(reader, params, run.account, run.region)
    else:
        read = _items(data, effective)
    items = _batches(data, read, effective)
    inputs = [_item_input(data, effective, index, item) for index, item in enumerate(items)]
    processor = data.state.get("ItemProcessor") or data.state["Iterator"]
    language = processor.get("QueryLanguage", data.state.get("QueryLanguage", data.frame.language))
    concurrency = int(number_field(data, "MaxConcurrency", effective, 0) or 0)
    tolerated = _tolerance(data, effective, len(items))
    if "ResultWriter" in data.state and not distributed.is_distributed(processor):
        raise StatesError("States.ResultWriterFailed", "A ResultWriter needs a Map in DISTRIBUTED mode")
    started = run.history.add(data.frame.lane, "MapStateStarted", {"length": len(items)})
    if distributed.is_distributed(processor):
        writer = _result_writer(data, effective)
        work: Awaitable[Any] = distributed.run_map(
            run, data, inputs, processor, concurrency, tolerated, writer
        )
    else:
        work = _inline(run, data, run_machine, processor, language, started, inputs, concurrency, tolerated)
    return await _recorded(run, data, work, "Map")


async def _recorded(run: Run, data: StateData, work: Awaitable[Any], kind: str) -> Any:
    """Await a Parallel or Map state's work, recording how it ended: <kind>StateFailed,
    <kind>StateAborted (the execution was stopped) or <kind>StateSucceeded."""
    try:
        results = await work
    except StatesError:
        run.history.add(data.frame.lane, f"{kind}StateFailed")
        raise
    except asyncio.CancelledError:
        run.history.add(data.frame.lane, f"{kind}StateAborted")
        raise
    run.history.add(data.frame.lane, f"{kind}StateSucceeded")
    return results


def _result_writer(data: StateData, effective: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
    writer = data.state.get("ResultWriter")
    if writer is None:
        return None
    result_writer.check(writer)
    params = template(data, writer.get("Arguments" if data.jsonata else "Parameters") or {}, effective)
    return writer, params


async def _inline(
    run: Run,
    data: StateData,
    run_machine: RunMachine,
    processor: dict[str, Any],
    language: str,
    started: int,
    inputs: list[Any],
    concurrency: int,
    tolerated: float,
) -> list[Any]:
    """Inline Map: every item an iteration of this execution, on its own history lane."""
    limiter = asyncio.Semaphore(concurrency) if concurrency > 0 else None
    failures: list[StatesError] = []
    done = _redriven_outputs(run, data)

    async def iteration(index: int, item_input: Any) -> Any:
        if str(index) in done:  # succeeded before a redrive: AWS keeps its output, runs it not again
            return done[str(index)]
        if limiter is not None:
            async with limiter:
                return await _iterate(
                    run,
                    data,
                    run_machine,
                    processor,
                    language,
                    started,
                    index,
                    item_input,
                    failures,
                    tolerated,
                )
        return await _iterate(
            run, data, run_machine, processor, language, started, index, item_input, failures, tolerated
        )

    return await run_all([iteration(index, value) for index, value in enumerate(inputs)])


def _redriven_outputs(run: Run, data: StateData) -> dict[str, Any]:
    """For a top-level inline Map or Parallel that RedriveExecution resumes: the outputs of the
    iterations or branches that succeeded before (by index), which are not run again;
    "RedriveExecution ... reschedules and redrives only the iterations and branches that failed
    or aborted". https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html
    The execution's checkpoint collects the outputs of this attempt's succeeded ones, for a
    later redrive."""
    if data.frame.lane is not run.main_lane:
        return {}
    done: dict[str, Any] = {}
    if run.resume is not None and run.resume.get("state") == data.name:
        done = run.resume.pop("redrive_done", None) or {}  # once: a later visit runs every item
    run.checkpoint["redrive_done"] = dict(done)
    return done


def _remember(run: Run, data: StateData, index: int, output: Any) -> None:
    """A top-level Map iteration or Parallel branch succeeded: a redrive keeps its output."""
    if data.frame.lane is run.main_lane:
        run.checkpoint["redrive_done"][str(index)] = output


async def _iterate(
    run: Run,
    data: StateData,
    run_machine: RunMachine,
    processor: dict[str, Any],
    language: str,
    started: int,
    index: int,
    item_input: Any,
    failures: list[StatesError],
    tolerated: float,
) -> Any:
    lane = Lane(started)
    details = {"name": data.name, "index": index}
    run.history.add(lane, "MapIterationStarted", details)
    try:
        output = await run_machine(run, processor, item_input, data.frame.nested(lane, language))
    except StatesError as error:
        run.history.add(lane, "MapIterationFailed", details)
        failures.append(error)
        if tolerated < 0:
            raise
        if len(failures) > tolerated:
            raise StatesError(
                "States.ExceedToleratedFailureThreshold",
                "The specified tolerated failure threshold was exceeded",
            ) from None
        return {"Error": error.error, "Cause": error.cause}
    except asyncio.CancelledError:
        run.history.add(lane, "MapIterationAborted", details)
        raise
    run.history.add(lane, "MapIterationSucceeded", details)
    _remember(run, data, index, output)
    return output
