"""A pipe's batch handler and its `Subscription` to the shared event-source pollers (the same
machinery as Lambda event source mappings): the pollers read the source, batch, filter
(FilterCriteria), retry, bisect, age out and dead-letter; for each batch this module runs the
enrichment (with its input template) and delivers the result to the target (with its input
template and parameters).

Pipe events are the source's records as Lambda receives them, except Kinesis records, which
Pipes flatten (the `kinesis` members beside `eventSource`, …)
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-kinesis.html). A target that
answers `batchItemFailures` (Lambda, Step Functions) fails only those records, as AWS's partial
batch handling does; `OnPartialBatchItemFailure: AUTOMATIC_BISECT` bisects failed stream batches.
Records dropped by a stream pipe go to its `DeadLetterConfig` with the record AWS sends there:
`context.partnerResourceArn`, `condition`, and the batch's shard and sequence numbers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import orjson

from fogbank import clock, state
from fogbank.engines.event_sources import failures
from fogbank.engines.event_sources.subscriptions import Subscription
from fogbank.errors import AwsError
from fogbank.services.pipes import pipe_logs, pipes, targets, templates

log = logging.getLogger("fogbank.pipes")


@dataclass(slots=True)
class PipeOutcome:
    """One batch's result as the pollers read it (Lambda's InvokeResult has the same members)."""

    payload: bytes
    function_error: str | None
    request_id: str
    executed_version: str | None


def checkpoints(account: str, region: str) -> state.Collection[dict[str, Any]]:
    """Each shard's next position of a pipe, by `<pipe id>/<shard>`."""
    return state.collection("pipes", "checkpoints", account, region)


def settings_of(record: dict[str, Any]) -> dict[str, Any]:
    """The pipe's source settings in the members the pollers read (those of a mapping)."""
    kind = record["_kind"]
    own = dict(record["SourceParameters"][pipes.SOURCE_PARAMETERS[kind]])
    settings: dict[str, Any] = {
        "UUID": record["_id"],
        "EventSourceArn": record["Source"],
        "_kind": kind,
        "BatchSize": own["BatchSize"],
        "MaximumBatchingWindowInSeconds": own.get("MaximumBatchingWindowInSeconds") or 0,
        "FilterCriteria": record["SourceParameters"].get("FilterCriteria"),
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
    }
    if kind != pipes.SQS:
        stamp = own.get("StartingPositionTimestamp")
        dead_letter = (own.get("DeadLetterConfig") or {}).get("Arn")
        settings.update(
            StartingPosition=own.get("StartingPosition") or "LATEST",
            StartingPositionTimestamp=stamp,
            ParallelizationFactor=own.get("ParallelizationFactor") or 1,
            MaximumRecordAgeInSeconds=own.get("MaximumRecordAgeInSeconds", -1),
            MaximumRetryAttempts=own.get("MaximumRetryAttempts", -1),
            BisectBatchOnFunctionError=own.get("OnPartialBatchItemFailure") == "AUTOMATIC_BISECT",
            DestinationConfig={"OnFailure": {"Destination": dead_letter} if dead_letter else {}},
        )
    return settings


def subscription(account: str, region: str, name: str) -> Subscription:
    store = pipes.collection(account, region)

    def settings() -> dict[str, Any] | None:
        record = store.get(name)
        return settings_of(record) if record is not None and pipes.is_running(record) else None

    async def deliver(payload: bytes) -> PipeOutcome:
        return await run_batch(account, region, name, payload)

    def identity() -> str:
        record = store.get(name)
        return str(record["RoleArn"]) if record else ""

    def note(text: str) -> None:
        log.info("pipe %s: %s", name, text)

    def describe_failure(attempt: Any, condition: str, info_key: str, info: Any) -> dict[str, Any]:
        return {
            "context": {"partnerResourceArn": pipes.pipe_arn(account, region, name), "condition": condition},
            "version": "1.0",
            "timestamp": failures.iso_millis(clock.now()),
            info_key: info,
        }

    return Subscription(
        account,
        region,
        name,
        settings,
        deliver,
        identity,
        checkpoints(account, region),
        note,
        describe_failure,
    )


def pipe_event(item: dict[str, Any]) -> dict[str, Any]:
    if "kinesis" in item and item.get("eventSource") == "aws:kinesis":
        rest = {key: value for key, value in item.items() if key != "kinesis"}
        return {**item["kinesis"], **rest}
    return item


async def run_batch(account: str, region: str, name: str, payload: bytes) -> PipeOutcome:
    """Enrichment then target for one batch; a customer failure is a failed attempt, anything
    else (throttling, the pipe gone) raises to be retried without counting."""
    record = pipes.collection(account, region).get(name)
    if record is None:
        raise AwsError(f"Pipe {name} does not exist.", code="NotFoundException")
    events = [pipe_event(item) for item in orjson.loads(payload)["Records"]]
    execution = pipe_logs.Execution(account, region, record)
    execution.step("ExecutionStarted", events)
    try:
        sent = await _stages(record, events, execution)
    except targets.Failure as failure:
        execution.step("ExecutionFailed", events, failure.message)
        return PipeOutcome(b"", failure.error or "Unhandled", failure.request_id, failure.executed_version)
    except AwsError:
        raise
    except Exception as problem:  # our bug: logged, counted as a failed attempt, the poller goes on
        log.exception("pipe %s could not process a batch", name)
        execution.step("ExecutionFailed", events, f"InternalFailure: {problem}")
        return PipeOutcome(b"", "InternalFailure", "", None)
    execution.step("ExecutionSucceeded")
    return PipeOutcome(_partial(sent.payload), None, sent.request_id, sent.executed_version)


async def _stages(record: dict[str, Any], events: list[Any], execution: pipe_logs.Execution) -> targets.Sent:
    names = templates.PipeNames(
        record["Arn"], record["Name"], record["Source"], record.get("Enrichment") or "", record["Target"]
    )
    stage = "Enrichment"
    try:
        if record.get("Enrichment"):
            events = await _enrichment_stage(record, events, names, execution)
        stage = "Target"
        return await _target_stage(record, events, names, execution)
    except targets.Failure as failure:
        execution.step(f"{stage}StageFailed", events, failure.message)
        raise


def _transformed(template: str | None, events: list[Any], names: templates.PipeNames) -> list[Any]:
    return [templates.render(template, event, names) for event in events] if template else events


async def _enrichment_stage(
    record: dict[str, Any], events: list[Any], names: templates.PipeNames, execution: pipe_logs.Execution
) -> list[Any]:
    execution.step("EnrichmentStageEntered", events)
    template = (record.get("EnrichmentParameters") or {}).get("InputTemplate")
    if template:
        execution.step("EnrichmentTransformationStarted", events)
    batch = _transformed(template, events, names)
    if template:
        execution.step("EnrichmentTransformationSucceeded", batch)
    execution.step("EnrichmentInvocationStarted", batch)
    try:
        http = (record.get("EnrichmentParameters") or {}).get("HttpParameters")
        enriched = await targets.enrich(record["Enrichment"], batch, http)
    except targets.Failure as failure:
        execution.step("EnrichmentInvocationFailed", batch, failure.message)
        raise
    execution.step("EnrichmentInvocationSucceeded", enriched)
    execution.step("EnrichmentStageSucceeded", enriched)
    return enriched


async def _target_stage(
    record: dict[str, Any], events: list[Any], names: templates.PipeNames, execution: pipe_logs.Execution
) -> targets.Sent:
    if not events:  # the enrichment filtered the whole batch out
        execution.step("TargetStageSkipped")
        return targets.Sent()
    execution.step("TargetStageEntered", events)
    parameters = record.get("TargetParameters") or {}
    template = parameters.get("InputTemplate")
    if template:
        execution.step("TargetTransformationStarted", events)
    rendered = _transformed(template, events, names)
    if template:
        execution.step("TargetTransformationSucceeded", rendered)
    execution.step("TargetInvocationStarted", rendered)
    try:
        sent = await targets.send(record["Target"], parameters, events, rendered, record)
    except targets.Failure as failure:
        execution.step("TargetInvocationFailed", rendered, failure.message)
        raise
    execution.step("TargetInvocationSucceeded", rendered)
    execution.step("TargetStageSucceeded", rendered)
    return sent


def _partial(payload: bytes) -> bytes:
    """Only a `batchItemFailures` answer means anything to the pollers; other answers are output."""
    try:
        document = orjson.loads(payload) if payload.strip() else None
    except orjson.JSONDecodeError:
        return b""
    return payload if isinstance(document, dict) and "batchItemFailures" in document else b""
