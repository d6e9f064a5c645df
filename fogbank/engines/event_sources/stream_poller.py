"""The stream poller of one mapping: one reader per shard, following the shard's record log through
the Kinesis reader API (`shard_log(...).read` / `wait_for`, woken the moment records arrive), with
the checkpoint of each shard stored durably so a restarted fogbank resumes where it left off.

Error handling as AWS documents it
(https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html#services-kinesis-errors): a failed
batch is retried (with back-off on fogbank's clock) until it succeeds, `MaximumRetryAttempts` is
spent, its records are older than `MaximumRecordAgeInSeconds`, or they leave the stream with the
retention period — the shard waits meanwhile. `BisectBatchOnFunctionError` splits a failed batch
in two (splitting does not count as a retry); `ReportBatchItemFailures` checkpoints before the
lowest failed sequence number and retries from there. Discarded batches are described to the
`OnFailure` destination.

Not supported yet: ParallelizationFactor above 1, tumbling windows, reading child shards only
after their parents are finished (every shard is read independently).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from fogbank import clock, state
from fogbank.engines.event_sources import batching, failures, filters, mappings, records
from fogbank.engines.event_sources.failures import Attempt
from fogbank.errors import AwsError
from fogbank.services import registry
from fogbank.services.kinesis.shards import Record
from fogbank.services.lambda_ import invocations
from fogbank.services.lambda_.errors import TooManyRequestsException

log = logging.getLogger("fogbank.event_sources")

SAFETY_WAKE = 5.0  # real seconds: re-read the mapping and the stream even when no record arrives
PROBLEM_PAUSE = 5.0


def mappings_checkpoints(account: str, region: str) -> state.Collection[dict[str, Any]]:
    """Each shard's next position (a tick, as text: ticks exceed 64 bits), by `<UUID>/<shard>`."""
    return state.collection("lambda", "event_source_checkpoints", account, region)


def initial_positions(account: str, region: str, record: dict[str, Any]) -> None:
    """Fix the starting position of every current shard when the mapping is created (LATEST means
    the records after creation, not after the poller first runs)."""
    stream = _kinesis().stream(account, region, record["EventSourceArn"])
    store = mappings_checkpoints(account, region)
    for shard in stream.shards():
        log_ = stream.log(shard["ShardId"])
        kind = record["StartingPosition"]
        if kind == "LATEST":
            tick = log_.end_tick
        elif kind == "AT_TIMESTAMP":
            tick = log_.tick_at_time(float(record["StartingPositionTimestamp"]))
        else:
            tick = log_.first_tick()
        store.put(f"{record['UUID']}/{shard['ShardId']}", {"tick": str(tick)})


def forget_positions(account: str, region: str, mapping_id: str) -> None:
    store = mappings_checkpoints(account, region)
    for key in [key for key in store if key.startswith(mapping_id + "/")]:
        store.delete(key)


def _kinesis() -> Any:
    return registry.provider("kinesis")


class StreamPoller:
    def __init__(self, account: str, region: str, mapping_id: str) -> None:
        self.account = account
        self.region = region
        self.mapping_id = mapping_id
        self.readers: dict[str, asyncio.Task[None]] = {}

    def mapping(self) -> dict[str, Any] | None:
        return mappings.collection(self.account, self.region).get(self.mapping_id)

    async def run(self) -> None:
        try:
            while (record := self.mapping()) is not None and record["_enabled"]:
                try:
                    stream = _kinesis().stream(self.account, self.region, record["EventSourceArn"])
                    for shard in stream.shards():
                        if shard["ShardId"] not in self.readers:
                            reader = asyncio.ensure_future(ShardReader(self, shard["ShardId"]).run())
                            self.readers[shard["ShardId"]] = reader
                except AwsError as problem:
                    log.warning("mapping %s cannot read its stream: %s", self.mapping_id, problem)
                # A finished (closed) shard wakes us to look for its children.
                await asyncio.wait(
                    [*self.readers.values()], timeout=SAFETY_WAKE, return_when="FIRST_COMPLETED"
                )
        finally:
            for reader in self.readers.values():
                reader.cancel()


class ShardReader:
    """Reads one shard from its checkpoint and delivers its batches in order."""

    def __init__(self, poller: StreamPoller, shard_id: str) -> None:
        self.poller = poller
        self.shard_id = shard_id
        self.key = f"{poller.mapping_id}/{shard_id}"

    @property
    def owner(self) -> tuple[str, str]:
        return self.poller.account, self.poller.region

    def log(self, record: dict[str, Any]) -> Any:
        return _kinesis().shard_log(*self.owner, record["EventSourceArn"], self.shard_id)

    def position(self, log_: Any) -> int:
        saved = mappings_checkpoints(*self.owner).get(self.key)
        return int(saved["tick"]) if saved else log_.first_tick()

    def save(self, tick: int) -> None:
        mappings_checkpoints(*self.owner).put(self.key, {"tick": str(tick)})

    async def run(self) -> None:
        while (record := self.poller.mapping()) is not None and record["_enabled"]:
            try:
                log_ = self.log(record)
                position = self.position(log_)
                found = await self.gather(record, log_, position)
            except AwsError as problem:
                log.warning(
                    "mapping %s cannot read shard %s: %s", self.poller.mapping_id, self.shard_id, problem
                )
                await batching.until(clock.now() + PROBLEM_PAUSE)
                continue
            if found is None:
                return  # a closed shard read to its end
            if found:
                await Delivery(self, record, log_).run(found)
                self.save(found[-1].tick + 1)

    async def gather(self, record: dict[str, Any], log_: Any, position: int) -> list[Record] | None:
        """The next batch (empty after a quiet wait; None at the end of a closed shard)."""
        limit = record["BatchSize"]
        found = log_.read(position, limit, batching.MAX_PAYLOAD)
        if not found:
            stream = _kinesis().stream(*self.owner, record["EventSourceArn"])
            if stream.shard(self.shard_id).get("Closed") is not None and not log_.has_after(position):
                return None
            await log_.wait_for(position, SAFETY_WAKE)
            return []
        window = record.get("MaximumBatchingWindowInSeconds") or 0
        deadline = clock.now() + window
        while window and len(found) < limit and clock.now() < deadline:
            await batching.until(deadline, log_.wait_for(found[-1].tick + 1, SAFETY_WAKE))
            found = log_.read(position, limit, batching.MAX_PAYLOAD)
        return found


class Delivery:
    """Delivers one batch of a shard to the function, through its failures."""

    def __init__(self, reader: ShardReader, record: dict[str, Any], log_: Any) -> None:
        self.reader = reader
        self.mapping = record
        self.log = log_
        self.stream_arn = record["EventSourceArn"]
        self.chosen = filters.Filters(record.get("FilterCriteria"))

    def shaped(self, item: Record, role: str) -> records.KinesisRecord:
        return records.kinesis_record(
            shard_id=self.reader.shard_id,
            sequence_number=item.sequence_number,
            partition_key=item.partition_key,
            data=item.data,
            arrival=item.arrival,
            stream_arn=self.stream_arn,
            region=self.reader.poller.region,
            role_arn=role,
        )

    async def run(self, found: list[Record]) -> None:
        role = self.role()
        kept = [
            item for item in found if self.chosen.accepts(filters.kinesis_view(dict(self.shaped(item, role))))
        ]
        pending = [Attempt(kept)] if kept else []
        while pending:
            attempt = pending[0]
            attempt.records = [item for item in attempt.records if item.tick >= self.log.first_tick()]
            if not attempt.records:  # expired from the stream: nothing left to deliver
                pending.pop(0)
                continue
            if await self.too_old(attempt):
                continue
            outcome = await self.invoke(attempt, role)
            if outcome is None:  # throttled or not invocable: try again later, not a retry
                await batching.until(clock.now() + failures.backoff(attempt.invokes + 1))
                continue
            replaced = await self.settle(attempt, outcome)
            pending[0:1] = replaced

    def role(self) -> str:
        try:
            target = invocations.resolve(*self.reader.owner, self.mapping["FunctionArn"], None)
            return str(target.config.get("Role") or "")
        except AwsError:
            return ""

    async def too_old(self, attempt: Attempt) -> bool:
        """Records older than MaximumRecordAgeInSeconds are discarded (RecordAgeExceeded)."""
        limit = self.mapping.get("MaximumRecordAgeInSeconds", -1)
        if limit == -1:
            return False
        horizon = clock.now() - limit
        old = [item for item in attempt.records if item.arrival < horizon]
        if not old:
            return False
        attempt.records = attempt.records[len(old) :]
        await self.discard(
            Attempt(
                old,
                attempt.invokes,
                attempt.request_id,
                attempt.function_error,
                attempt.status_code,
                attempt.executed_version,
            ),
            "RecordAgeExceeded",
        )
        return True

    async def invoke(self, attempt: Attempt, role: str) -> int | None:
        """Invoke once; answers how many leading records succeeded, or None when not invoked."""
        payload = batching.payload([self.shaped(item, role) for item in attempt.records])
        try:
            result = await invocations.invoke(*self.reader.owner, self.mapping["FunctionArn"], None, payload)
        except (TooManyRequestsException, AwsError) as problem:
            self.note(f"PROBLEM: {problem}")
            return None
        attempt.invokes += 1
        attempt.request_id = result.request_id
        attempt.executed_version = result.executed_version or "$LATEST"
        attempt.function_error = result.function_error
        if result.function_error:
            self.note("PROBLEM: Function call failed")
            return 0
        if "ReportBatchItemFailures" not in (self.mapping.get("FunctionResponseTypes") or []):
            self.note("OK")
            return len(attempt.records)
        numbers = [item.sequence_number for item in attempt.records]
        failed = failures.item_failures(result.payload, numbers)
        if failed is None:
            return 0
        self.note("OK")
        return min((numbers.index(number) for number in failed), default=len(attempt.records))

    async def settle(self, attempt: Attempt, succeeded: int) -> list[Attempt]:
        """What remains to deliver after an invocation that processed `succeeded` records."""
        if succeeded >= len(attempt.records):
            return []
        partial = succeeded > 0 or attempt.function_error is None
        attempt.records = attempt.records[succeeded:]
        if self.mapping.get("BisectBatchOnFunctionError") and not partial and len(attempt.records) > 1:
            half = len(attempt.records) // 2
            return [Attempt(attempt.records[:half]), Attempt(attempt.records[half:])]
        retries = self.mapping.get("MaximumRetryAttempts", -1)
        if retries != -1 and attempt.invokes > retries:
            await self.discard(attempt, "RetryAttemptsExhausted")
            return []
        await batching.until(clock.now() + failures.backoff(attempt.invokes))
        return [attempt]

    async def discard(self, attempt: Attempt, condition: str) -> None:
        destination = ((self.mapping.get("DestinationConfig") or {}).get("OnFailure") or {}).get(
            "Destination"
        )
        if not destination:
            return
        first, last = attempt.records[0], attempt.records[-1]
        info = failures.batch_info(
            self.reader.shard_id,
            self.stream_arn,
            (first.sequence_number, first.arrival),
            (last.sequence_number, last.arrival),
            len(attempt.records),
        )
        function_arn = self.mapping["FunctionArn"]
        document = failures.failure_record(attempt, function_arn, condition, "KinesisBatchInfo", info)
        payload = batching.payload([self.shaped(item, self.role()) for item in attempt.records])
        await failures.send_failure(
            destination,
            document,
            owner=self.reader.owner,
            mapping_id=self.reader.poller.mapping_id,
            shard_id=self.reader.shard_id,
            payload=payload,
        )

    def note(self, text: str) -> None:
        """LastProcessingResult, as GetEventSourceMapping reports it."""
        store = mappings.collection(*self.reader.owner)
        record = store.get(self.reader.poller.mapping_id)
        if record is not None and record.get("LastProcessingResult") != text:
            record["LastProcessingResult"] = text
            store.put(record["UUID"], record)
