"""The stream poller of one subscription (a Lambda mapping, or a Pipe): one reader per shard of a
Kinesis or DynamoDB stream (`stream_sources`), woken the moment records arrive, with the checkpoint
of each shard stored durably so a restarted fogbank resumes where it left off. ParallelizationFactor
lanes and tumbling windows (`windows`) are handled here too.

Error handling as AWS documents it
(https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html#services-kinesis-errors): a failed
batch is retried (with back-off on fogbank's clock) until it succeeds, `MaximumRetryAttempts` is
spent, its records are older than `MaximumRecordAgeInSeconds`, or they leave the stream with the
retention period — the shard waits meanwhile. `BisectBatchOnFunctionError` splits a failed batch
in two (splitting does not count as a retry); `ReportBatchItemFailures` checkpoints before the
lowest failed sequence number and retries from there. Discarded batches are described to the
`OnFailure` destination.

After resharding, a child shard is read once its parents are read to their end (or have left the
stream), so records of one partition key stay in order.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from fogbank import clock, state
from fogbank.engines.event_sources import batching, failures, filters, stream_sources, windows
from fogbank.engines.event_sources.failures import Attempt
from fogbank.engines.event_sources.stream_sources import StreamItem
from fogbank.engines.event_sources.subscriptions import Subscription
from fogbank.errors import AwsError

log = logging.getLogger("fogbank.event_sources")

SAFETY_WAKE = 5.0  # real seconds: re-read the mapping and the stream even when no record arrives
PROBLEM_PAUSE = 5.0


def source_of(subscription: Subscription, record: dict[str, Any]) -> Any:
    factory = stream_sources.source_for(record["_kind"])
    return factory(
        subscription.account, subscription.region, record["EventSourceArn"], subscription.identity()
    )


def initial_positions(subscription: Subscription, record: dict[str, Any]) -> None:
    """Fix the starting position of every current shard when the mapping is created (LATEST means
    the records after creation, not after the poller first runs)."""
    source = source_of(subscription, record)
    store = subscription.checkpoints
    for shard_id in source.shard_ids():
        kind = record["StartingPosition"]
        if kind == "LATEST":
            position = source.latest(shard_id)
        elif kind == "AT_TIMESTAMP":
            position = source.at_time(shard_id, float(record["StartingPositionTimestamp"]))
        else:
            position = source.first(shard_id)
        store.put(f"{record['UUID']}/{shard_id}", {"tick": str(position)})


def forget_positions(store: state.Collection[dict[str, Any]], mapping_id: str) -> None:
    for key in [key for key in store if key.startswith(mapping_id + "/")]:
        store.delete(key)


class StreamPoller:
    def __init__(self, subscription: Subscription) -> None:
        self.subscription = subscription
        self.mapping_id = subscription.id
        self.readers: dict[str, asyncio.Task[None]] = {}

    async def run(self) -> None:
        try:
            while (record := self.subscription.settings()) is not None:
                try:
                    self.start_readers(source_of(self.subscription, record))
                except AwsError as problem:
                    log.warning("mapping %s cannot read its stream: %s", self.mapping_id, problem)
                # A finished (closed) shard wakes us to start its children.
                running = [reader for reader in self.readers.values() if not reader.done()]
                if running:
                    await asyncio.wait(running, timeout=SAFETY_WAKE, return_when=asyncio.FIRST_COMPLETED)
                else:
                    await batching.until(clock.now() + SAFETY_WAKE)
        finally:
            for reader in self.readers.values():
                reader.cancel()

    def start_readers(self, source: Any) -> None:
        """A reader per shard whose parents are read to their end (or gone with retention), so
        records of one key stay in order across resharding, as AWS processes them."""
        listed = set(source.shard_ids())
        for shard_id in source.shard_ids():
            if shard_id in self.readers:
                continue
            parents = [parent for parent in source.parents(shard_id) if parent in listed]
            if all(self.is_finished(parent) for parent in parents):
                self.readers[shard_id] = asyncio.ensure_future(ShardReader(self, shard_id).run())

    def is_finished(self, shard_id: str) -> bool:
        saved = self.subscription.checkpoints.get(f"{self.mapping_id}/{shard_id}") or {}
        return bool(saved.get("done"))


class ShardReader:
    """Reads one shard from its checkpoint and delivers its batches in order."""

    def __init__(self, poller: StreamPoller, shard_id: str) -> None:
        self.poller = poller
        self.shard_id = shard_id
        self.key = f"{poller.mapping_id}/{shard_id}"
        self.window: windows.Window | None = None

    @property
    def subscription(self) -> Subscription:
        return self.poller.subscription

    def load(self, record: dict[str, Any], source: Any) -> int:
        """The shard's next position (and its tumbling window) from the durable checkpoint."""
        saved = self.subscription.checkpoints.get(self.key)
        width = record.get("TumblingWindowInSeconds") or 0
        self.window = windows.restored(width, saved) if width else None
        return int(saved["tick"]) if saved else int(source.first(self.shard_id))

    def save(self, position: int, *, done: bool = False) -> None:
        saved: dict[str, Any] = {"tick": str(position)}
        if done:
            saved["done"] = True
        if self.window is not None:
            saved.update(self.window.saved())
        self.subscription.checkpoints.put(self.key, saved)

    async def run(self) -> None:
        while (record := self.subscription.settings()) is not None:
            try:
                source = source_of(self.subscription, record)
                position = self.load(record, source)
                if self.window and self.window.is_open() and clock.now() >= self.window.end:
                    await self.finish_window(record, source, position)
                    continue
                found = await self.gather(record, source, position)
            except AwsError as problem:
                log.warning(
                    "mapping %s cannot read shard %s: %s", self.poller.mapping_id, self.shard_id, problem
                )
                await batching.until(clock.now() + PROBLEM_PAUSE)
                continue
            if found is None:  # a closed shard read to its end: its children may start
                self.save(position, done=True)
                return
            if found and self.window is not None:
                found = await self.windowed(record, source, position, found)
            if found:
                await self.deliver(record, source, found)
                self.save(found[-1].position + 1)

    async def windowed(
        self, record: dict[str, Any], source: Any, position: int, found: list[StreamItem]
    ) -> list[StreamItem]:
        """Only records of one window go in a batch; a record of a later window closes the open one."""
        assert self.window is not None
        first = self.window.start_of(found[0].arrival)
        if self.window.is_open() and first != self.window.start:
            await self.finish_window(record, source, position)
            return []
        self.window.open(found[0].arrival)
        return [item for item in found if self.window.start_of(item.arrival) == first]

    async def finish_window(self, record: dict[str, Any], source: Any, position: int) -> None:
        assert self.window is not None
        await Delivery(self, record, source).final_invoke(self.window)
        self.window.close()
        self.save(position)

    async def deliver(self, record: dict[str, Any], source: Any, found: list[StreamItem]) -> None:
        """ParallelizationFactor N: up to N batches of the shard at once, in lanes by record key,
        so records with the same partition key are still processed in order (AWS docs); the
        checkpoint moves once every lane is through."""
        factor = record.get("ParallelizationFactor") or 1
        size = record["BatchSize"]
        lanes: list[list[StreamItem]] = [[] for _ in range(factor)]
        for item in found:
            lanes[item.lane(factor) if factor > 1 else 0].append(item)

        async def run_lane(items: list[StreamItem]) -> None:
            for start in range(0, len(items), size):
                await Delivery(self, record, source).run(items[start : start + size])

        await asyncio.gather(*(run_lane(items) for items in lanes if items))

    async def gather(self, record: dict[str, Any], source: Any, position: int) -> list[StreamItem] | None:
        """The next batch (empty after a quiet wait; None at the end of a closed shard)."""
        limit = record["BatchSize"] * (record.get("ParallelizationFactor") or 1)
        found: list[StreamItem] = source.read(self.shard_id, position, limit, batching.MAX_PAYLOAD)
        if not found:
            if source.finished(self.shard_id, position):
                return None
            arrival = source.wait(self.shard_id, position, SAFETY_WAKE)
            if self.window is not None and self.window.is_open():
                await batching.until(self.window.end, arrival)  # or close the window on the clock
            else:
                await arrival
            return []
        window = record.get("MaximumBatchingWindowInSeconds") or 0
        deadline = clock.now() + window
        while window and len(found) < limit and clock.now() < deadline:
            await batching.until(deadline, source.wait(self.shard_id, found[-1].position + 1, SAFETY_WAKE))
            found = source.read(self.shard_id, position, limit, batching.MAX_PAYLOAD)
        return found


class Delivery:
    """Delivers one batch of a shard to the function, through its failures."""

    def __init__(self, reader: ShardReader, record: dict[str, Any], source: Any) -> None:
        self.reader = reader
        self.mapping = record
        self.source = source
        self.stream_arn = record["EventSourceArn"]
        self.chosen = filters.Filters(record.get("FilterCriteria"))

    async def run(self, found: list[StreamItem]) -> None:
        kept = [item for item in found if self.chosen.accepts(self.source.filter_view(item.record))]
        pending = [Attempt(kept)] if kept else []
        while pending:
            attempt = pending[0]
            oldest = self.source.first(self.reader.shard_id)
            attempt.records = [item for item in attempt.records if item.position >= oldest]
            if not attempt.records:  # expired from the stream: nothing left to deliver
                pending.pop(0)
                continue
            if await self.too_old(attempt):
                continue
            outcome = await self.invoke(attempt)
            if outcome is None:  # throttled or not invocable: try again later, not a retry
                await batching.until(clock.now() + failures.backoff(attempt.invokes + 1))
                continue
            replaced = await self.settle(attempt, outcome)
            pending[0:1] = replaced

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

    async def invoke(self, attempt: Attempt) -> int | None:
        """Invoke once; answers how many leading records succeeded, or None when not invoked."""
        window = self.reader.window
        extra = window.fields(self.reader.shard_id, self.stream_arn, False) if window else {}
        payload = batching.payload([item.record for item in attempt.records], **extra)
        try:
            result = await self.reader.subscription.deliver(payload)
        except AwsError as problem:
            self.note(f"PROBLEM: {problem}")
            return None
        attempt.invokes += 1
        attempt.request_id = result.request_id
        attempt.executed_version = result.executed_version or "$LATEST"
        attempt.function_error = result.function_error
        if result.function_error:
            self.note("PROBLEM: Function call failed")
            return 0
        if window is not None:
            window.take_state(result.payload)
        if "ReportBatchItemFailures" not in (self.mapping.get("FunctionResponseTypes") or []):
            self.note("OK")
            return len(attempt.records)
        numbers = [item.sequence_number for item in attempt.records]
        failed = failures.item_failures(result.payload, numbers)
        if failed is None:
            return 0
        self.note("OK")
        return min((numbers.index(number) for number in failed), default=len(attempt.records))

    async def final_invoke(self, window: windows.Window) -> None:
        """The window's last invocation: no records, its state, `isFinalInvokeForWindow` true;
        retried like a batch (a function error does not lose the window silently)."""
        payload = batching.payload([], **window.fields(self.reader.shard_id, self.stream_arn, True))
        retries = self.mapping.get("MaximumRetryAttempts", -1)
        attempt = 0
        while True:
            try:
                result = await self.reader.subscription.deliver(payload)
            except AwsError as problem:
                self.note(f"PROBLEM: {problem}")
                await batching.until(clock.now() + failures.backoff(attempt + 1))
                continue
            attempt += 1
            if not result.function_error or (retries != -1 and attempt > retries):
                return
            await batching.until(clock.now() + failures.backoff(attempt))

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
        describe = self.reader.subscription.describe_failure
        if describe is not None:
            document = describe(attempt, condition, self.source.info_key, info)
        else:
            function_arn = self.mapping["FunctionArn"]
            document = failures.failure_record(attempt, function_arn, condition, self.source.info_key, info)
        payload = batching.payload([item.record for item in attempt.records])
        await failures.send_failure(
            destination,
            document,
            owner=(self.reader.subscription.account, self.reader.subscription.region),
            mapping_id=self.reader.poller.mapping_id,
            shard_id=self.reader.shard_id,
            payload=payload,
        )

    def note(self, text: str) -> None:
        """LastProcessingResult, as GetEventSourceMapping reports it."""
        self.reader.subscription.note(text)
