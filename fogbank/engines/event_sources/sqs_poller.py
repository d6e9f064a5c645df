"""The SQS poller of one mapping: long-polls the queue through SQS's public operations (woken the
moment a message arrives), gathers batches, invokes the function, and deletes what succeeded.

As in AWS (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html): a batch
whose invocation fails is left alone, so its messages come back after the queue's visibility
timeout and move to the dead-letter queue once received `maxReceiveCount` times (SQS does that on
receive); with `ReportBatchItemFailures` only the reported messages stay; messages that match no
filter are deleted without invoking. FIFO order per message group holds because SQS hands out no
message of a group while an earlier one is in flight. `ScalingConfig.MaximumConcurrency` bounds
the batches in flight at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from typing import Any

from fogbank import clock
from fogbank.engines.event_sources import batching, failures, filters, records
from fogbank.engines.event_sources.subscriptions import Subscription
from fogbank.errors import AwsError
from fogbank.services import calls
from fogbank.services.queue_calls import queue_url

log = logging.getLogger("fogbank.event_sources")

# AWS starts five long-polling connections per queue and scales up with traffic; fogbank runs
# up to this many batches at once unless ScalingConfig.MaximumConcurrency says otherwise.
DEFAULT_CONCURRENCY = 5
LONG_POLL = 20
PROBLEM_PAUSE = 5.0


class SqsPoller:
    def __init__(self, subscription: Subscription) -> None:
        self.subscription = subscription
        self.account = subscription.account
        self.region = subscription.region
        self.mapping_id = subscription.id
        self.in_flight: set[asyncio.Task[None]] = set()
        self.carried: list[dict[str, Any]] = []

    async def run(self) -> None:
        try:
            while True:
                record = self.subscription.settings()
                if record is None:
                    return
                try:
                    await self.poll_once(record)
                except AwsError as problem:
                    log.warning("mapping %s cannot read its queue: %s", self.mapping_id, problem)
                    await batching.until(clock.now() + PROBLEM_PAUSE)
        finally:
            for task in self.in_flight:
                task.cancel()

    async def poll_once(self, record: dict[str, Any]) -> None:
        limit = _concurrency(record)
        while len(self.in_flight) >= limit:
            await asyncio.wait(self.in_flight, return_when=asyncio.FIRST_COMPLETED)
        queue_arn = record["EventSourceArn"]
        url = self.queue_url(queue_arn)
        batch = await self.gather(record, url)
        if batch:
            task = asyncio.ensure_future(self.deliver(record, url, batch))
            self.in_flight.add(task)
            task.add_done_callback(self.in_flight.discard)

    def queue_url(self, arn: str) -> str:
        parts = arn.split(":")
        return queue_url(parts[3], parts[4], parts[5])

    async def receive(self, url: str, count: int, wait: int) -> list[dict[str, Any]]:
        params = {
            "QueueUrl": url,
            "MaxNumberOfMessages": max(1, min(10, count)),
            "WaitTimeSeconds": wait,
            "MessageSystemAttributeNames": ["All"],
            "MessageAttributeNames": ["All"],
        }
        answer = await calls.call_async(
            "sqs", "ReceiveMessage", params, account=self.account, region=self.region
        )
        return list(answer.get("Messages") or [])

    async def gather(self, record: dict[str, Any], url: str) -> list[records.SqsRecord]:
        """One batch: the first receive waits for messages; a batching window then keeps adding
        until the batch is full, the window closes on the clock, or 6 MB is reached."""
        batch = batching.Batch(record["BatchSize"])
        chosen = filters.Filters(record.get("FilterCriteria"))
        arrived = self.carried or await self.receive(url, record["BatchSize"], LONG_POLL)
        self.carried = []
        await self.take(arrived, batch, chosen, record, url)
        window = record.get("MaximumBatchingWindowInSeconds") or 0
        deadline = clock.now() + window
        while window and not batch.full and not self.carried and clock.now() < deadline:
            more = await self.receive_until(url, batch.limit - len(batch), deadline)
            await self.take(more, batch, chosen, record, url)
        return batch.records

    async def receive_until(self, url: str, count: int, deadline: float) -> list[dict[str, Any]]:
        """A long poll that ends when the batching window closes on fogbank's clock."""
        wait = min(LONG_POLL, max(0, math.ceil(deadline - clock.now())))
        receiving = asyncio.ensure_future(self.receive(url, count, wait))
        alarm, timer = batching.clock_alarm(deadline)
        try:
            racing: set[asyncio.Future[Any]] = {receiving, alarm}
            await asyncio.wait(racing, return_when=asyncio.FIRST_COMPLETED)
        finally:
            timer.cancel()
        if not receiving.done():
            receiving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            return await receiving
        return []

    async def take(
        self,
        messages: list[dict[str, Any]],
        batch: batching.Batch,
        chosen: filters.Filters,
        record: dict[str, Any],
        url: str,
    ) -> None:
        dropped: list[str] = []
        for message in messages:
            shaped = records.sqs_record(message, record["EventSourceArn"], self.region)
            if not chosen.accepts(filters.sqs_view(dict(shaped))):
                dropped.append(shaped["receiptHandle"])  # AWS deletes messages no filter matches
            elif batch.fits(shaped) and not batch.full:
                batch.add(shaped)
            else:
                self.carried.append(message)
        await self.delete(url, dropped)

    async def deliver(self, record: dict[str, Any], url: str, batch: list[records.SqsRecord]) -> None:
        payload = batching.payload(batch)
        try:
            result = await self.subscription.deliver(payload)
        except AwsError as problem:  # throttled or not invocable: the messages come back after
            log.info("mapping %s: %s", self.mapping_id, problem)  # their visibility timeout
            return
        if result.function_error:
            return
        handles = [item["receiptHandle"] for item in batch]
        if "ReportBatchItemFailures" in (record.get("FunctionResponseTypes") or []):
            failed = failures.item_failures(result.payload, [item["messageId"] for item in batch])
            if failed is None:
                return
            handles = [item["receiptHandle"] for item in batch if item["messageId"] not in set(failed)]
        await self.delete(url, handles)

    async def delete(self, url: str, handles: list[str]) -> None:
        for start in range(0, len(handles), 10):
            entries = [
                {"Id": str(number), "ReceiptHandle": handle}
                for number, handle in enumerate(handles[start : start + 10])
            ]
            params = {"QueueUrl": url, "Entries": entries}
            try:
                await calls.call_async(
                    "sqs", "DeleteMessageBatch", params, account=self.account, region=self.region
                )
            except AwsError as problem:
                log.warning("mapping %s could not delete messages: %s", self.mapping_id, problem)


def _concurrency(record: dict[str, Any]) -> int:
    scaling = record.get("ScalingConfig") or {}
    return int(scaling.get("MaximumConcurrency") or DEFAULT_CONCURRENCY)
