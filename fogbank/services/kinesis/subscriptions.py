"""SubscribeToShard: enhanced fan-out pushes a shard's records to a registered consumer as an event
stream for up to 5 minutes (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_SubscribeToShard.html).

Records are pushed as soon as they are appended (the shard log wakes the subscription; nothing
polls). Without new records an empty event is sent every 5 seconds, as AWS keeps the connection
alive. The subscription ends when 5 minutes pass on fogbank's clock, or after the event that
reaches the end of a closed shard (which names its ChildShards). As in AWS, calling SubscribeToShard
again for the same consumer and shard within 5 seconds of a successful call is refused with
ResourceInUseException.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from fogbank import clock
from fogbank.services.kinesis.errors import ResourceInUseException
from fogbank.services.kinesis.records import child_shards
from fogbank.services.kinesis.shards import ShardLog, sequence_number
from fogbank.services.kinesis.streams import Stream

LIFETIME = 300.0  # seconds on fogbank's clock
HEARTBEAT = 5.0  # real seconds between events when no records arrive
MAX_RECORDS = 10_000

RESUBSCRIBE_INTERVAL = 5.0  # seconds on fogbank's clock
_last_call: dict[tuple[str, str], float] = {}


def claim(consumer_arn: str, shard_id: str) -> None:
    key = (consumer_arn, shard_id)
    now = clock.now()
    if now - _last_call.get(key, float("-inf")) < RESUBSCRIBE_INTERVAL:
        raise ResourceInUseException(
            f"Another active subscription exists for this consumer: {consumer_arn}, shard: {shard_id}"
        )
    _last_call[key] = now


_wakers: set[asyncio.Event] = set()


def wake_all() -> None:
    """Let every subscription look again at whether it is still wanted."""
    for wake in list(_wakers):
        wake.set()


def end_all() -> None:
    """End every subscription (the provider stops: reset or shutdown)."""
    global _generation
    _generation += 1
    _last_call.clear()
    wake_all()


_generation = 0  # raised when the provider stops: older subscriptions end


async def events(
    stream: Stream, log: ShardLog, consumer_arn: str, tick: int
) -> AsyncIterator[dict[str, Any]]:
    """The SubscribeToShardEvent payloads of one subscription; it ends early when its consumer is
    deregistered, its stream deleted or the provider stopped."""
    generation = _generation
    wake = asyncio.Event()
    _wakers.add(wake)
    unsubscribe = log.on_append(wake.set)
    timer = clock.call_at(clock.now() + LIFETIME, wake.set)
    end = clock.now() + LIFETIME
    try:
        while generation == _generation and _wanted(stream, consumer_arn):
            wake.clear()
            found = log.read(tick, MAX_RECORDS)
            tick = found[-1].tick + 1 if found else tick
            event = _event(stream, log, found, tick)
            yield event
            if "ChildShards" in event["SubscribeToShardEvent"] or clock.now() >= end:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), HEARTBEAT)
    finally:
        _wakers.discard(wake)
        unsubscribe()
        timer.cancel()


def _wanted(stream: Stream, consumer_arn: str) -> bool:
    return any(c["ConsumerARN"] == consumer_arn for c in stream.record["Consumers"].values())


def _event(stream: Stream, log: ShardLog, found: list[Any], tick: int) -> dict[str, Any]:
    encrypted = stream.record["EncryptionType"] == "KMS"
    waiting = log.first_after(tick)
    payload: dict[str, Any] = {
        "Records": [
            {
                "SequenceNumber": record.sequence_number,
                "ApproximateArrivalTimestamp": record.arrival,
                "Data": record.data,
                "PartitionKey": record.partition_key,
                **({"EncryptionType": "KMS"} if encrypted else {}),
            }
            for record in found
        ],
        "ContinuationSequenceNumber": sequence_number(log.shard_index, max(tick - 1, 0)),
        "MillisBehindLatest": 0 if waiting is None else max(0, int((clock.now() - waiting.arrival) * 1000)),
    }
    shard = stream.shard(log.shard_id)
    if shard.get("Closed") is not None and not log.has_after(tick):
        payload["ChildShards"] = child_shards(stream, log.shard_id)
    return {"SubscribeToShardEvent": payload}
