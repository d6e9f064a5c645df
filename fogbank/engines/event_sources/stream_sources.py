"""The two kinds of stream a mapping can follow, behind one reader interface for the stream
poller: Kinesis data streams (through the Kinesis provider's shard log reader API) and DynamoDB
streams (through the change log `fogbank.services.dynamodb.streams` offers engines, woken by its
`LISTENERS`). Positions are integers that increase along a shard; each item carries the event
record exactly as Lambda delivers it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from fogbank.engines.event_sources import filters, records
from fogbank.services import registry
from fogbank.services.kinesis.errors import ResourceNotFoundException as KinesisNotFound


@dataclass(slots=True)
class StreamItem:
    position: int
    sequence_number: str
    arrival: float
    record: dict[str, Any]
    key: str  # records with one key keep their order (Kinesis partition key, DynamoDB item key)

    def lane(self, lanes: int) -> int:
        """Which of ParallelizationFactor concurrent lanes the record belongs to."""
        return int.from_bytes(hashlib.md5(self.key.encode()).digest()[:8], "big") % lanes


class KinesisSource:
    info_key = "KinesisBatchInfo"

    def __init__(self, account: str, region: str, arn: str, role: str) -> None:
        self.account, self.region, self.arn, self.role = account, region, arn, role

    def stream(self) -> Any:
        provider: Any = registry.provider("kinesis")
        return provider.stream(self.account, self.region, self.arn)

    def shard_ids(self) -> list[str]:
        return [shard["ShardId"] for shard in self.stream().shards()]

    def _log(self, shard_id: str) -> Any:
        return self.stream().log(shard_id)

    def parents(self, shard_id: str) -> list[str]:
        shard = self.stream().shard(shard_id)
        return [p for p in (shard.get("ParentShardId"), shard.get("AdjacentParentShardId")) if p]

    def first(self, shard_id: str) -> int:
        return int(self._log(shard_id).first_tick())

    def latest(self, shard_id: str) -> int:
        return int(self._log(shard_id).end_tick)

    def at_time(self, shard_id: str, moment: float) -> int:
        return int(self._log(shard_id).tick_at_time(moment))

    def read(self, shard_id: str, position: int, limit: int, max_bytes: int) -> list[StreamItem]:
        encrypted = self.stream().record.get("EncryptionType") == "KMS"
        return [
            StreamItem(
                item.tick,
                item.sequence_number,
                item.arrival,
                dict(
                    records.kinesis_record(
                        shard_id=shard_id,
                        sequence_number=item.sequence_number,
                        partition_key=item.partition_key,
                        data=item.data,
                        arrival=item.arrival,
                        stream_arn=self.arn,
                        region=self.region,
                        role_arn=self.role,
                        encrypted=encrypted,
                    )
                ),
                item.partition_key,
            )
            for item in self._log(shard_id).read(position, limit, max_bytes)
        ]

    def finished(self, shard_id: str, position: int) -> bool:
        """A closed shard read to its end (its children take over)."""
        stream = self.stream()
        closed = stream.shard(shard_id).get("Closed") is not None
        return closed and not stream.log(shard_id).has_after(position)

    async def wait(self, shard_id: str, position: int, timeout: float) -> None:
        await self._log(shard_id).wait_for(position, timeout)

    @staticmethod
    def filter_view(record: dict[str, Any]) -> dict[str, Any]:
        return filters.kinesis_view(record)


# DynamoDB stream ARN → futures waiting for its next record.
_ddb_waiters: dict[str, list[asyncio.Future[None]]] = {}


def _on_ddb_append(arn: str) -> None:
    for future in _ddb_waiters.pop(arn, []):
        if not future.done():
            future.get_loop().call_soon_threadsafe(_resolve, future)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class DynamoDbSource:
    info_key = "DDBStreamBatchInfo"

    def __init__(self, account: str, region: str, arn: str, role: str) -> None:
        self.account, self.region, self.arn = account, region, arn
        registry.provider("dynamodb")  # its start() installs the change log's write hook
        from fogbank.services.dynamodb import streams

        self.streams = streams
        if _on_ddb_append not in streams.LISTENERS:
            streams.LISTENERS.append(_on_ddb_append)

    def log(self) -> Any:
        found = self.streams.log_for(self.account, self.region, self.arn)
        if found is None:
            raise KinesisNotFound(f"Stream not found: {self.arn}")
        return found

    def shard(self, shard_id: str) -> dict[str, Any]:
        found = self.log().shard(shard_id)
        if found is None:
            raise KinesisNotFound(f"Shard {shard_id} not found in {self.arn}")
        return dict(found)

    def shard_ids(self) -> list[str]:
        return [shard["ShardId"] for shard in self.log().live_shards()]

    def parents(self, shard_id: str) -> list[str]:
        parent = self.shard(shard_id).get("Parent")
        return [parent] if parent else []

    def first(self, shard_id: str) -> int:
        return max(int(self.shard(shard_id)["Start"]), int(self.log().oldest()))

    def latest(self, shard_id: str) -> int:
        return max(int(self.shard(shard_id)["Start"]), int(self.log().next_sequence))

    def at_time(self, shard_id: str, moment: float) -> int:
        raise ValueError("AT_TIMESTAMP is only valid for Kinesis streams")

    def read(self, shard_id: str, position: int, limit: int, max_bytes: int) -> list[StreamItem]:
        shard = self.shard(shard_id)
        start = max(position, int(shard["Start"]))
        found = []
        for raw in self.log().read(start, limit):
            number = int(raw["dynamodb"]["SequenceNumber"])
            if shard["End"] is not None and number > int(shard["End"]):
                break
            moment = raw["dynamodb"]["ApproximateCreationDateTime"]
            if float(moment).is_integer():
                raw["dynamodb"]["ApproximateCreationDateTime"] = int(moment)
            key = orjson.dumps(raw["dynamodb"]["Keys"], option=orjson.OPT_SORT_KEYS).decode()
            shaped = {**raw, "eventSourceARN": self.arn}
            found.append(StreamItem(number, raw["dynamodb"]["SequenceNumber"], float(moment), shaped, key))
        return found

    def finished(self, shard_id: str, position: int) -> bool:
        shard = self.shard(shard_id)
        return shard["End"] is not None and position > int(shard["End"])

    async def wait(self, shard_id: str, position: int, timeout: float) -> None:
        if self.log().next_sequence > position:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        _ddb_waiters.setdefault(self.arn, []).append(future)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(future, timeout)

    @staticmethod
    def filter_view(record: dict[str, Any]) -> dict[str, Any]:
        return record


SourceFactory = Callable[[str, str, str, str], Any]


def source_for(kind: str) -> SourceFactory:
    return DynamoDbSource if kind == "dynamodb" else KinesisSource
