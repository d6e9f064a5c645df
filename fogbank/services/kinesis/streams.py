"""Streams: the stored stream records (one collection per account and region), their shards with
hash key ranges, and the live `Stream` objects holding each shard's record log.

A stream record is JSON: its settings, tags, consumers and the list of every shard (open and
closed) with its lineage. Shard hash key ranges split the 128-bit MD5 space evenly, as AWS does
(https://docs.aws.amazon.com/streams/latest/dev/key-concepts.html).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

from fogbank import clock, state
from fogbank.services.catalog import RecordCatalog
from fogbank.services.kinesis.errors import (
    InvalidArgumentException,
    ResourceNotFoundException,
    shard_not_found,
    stream_not_found,
)
from fogbank.services.kinesis.shards import ShardLog, parse_sequence_number, sequence_number, tick_at

HASH_SPACE = 1 << 128
ON_DEMAND_SHARDS = 4  # an on-demand stream starts with 4 shards (4 MB/s, 4,000 records/s of writes)
DEFAULT_RETENTION_HOURS = 24
Shard = dict[str, Any]


def shard_id(index: int) -> str:
    return f"shardId-{index:012d}"


def even_ranges(count: int, low: int = 0, high: int = HASH_SPACE - 1) -> list[tuple[int, int]]:
    """`count` contiguous ranges covering [low, high]; the last absorbs the remainder (as AWS)."""
    width = (high - low + 1) // count
    return [(low + i * width, high if i == count - 1 else low + (i + 1) * width - 1) for i in range(count)]


def partition_hash(partition_key: str) -> int:
    return int.from_bytes(hashlib.md5(partition_key.encode()).digest(), "big")


@dataclass(slots=True)
class Stream:
    account: str
    region: str
    record: dict[str, Any]
    logs: dict[str, ShardLog] = field(default_factory=dict)
    routes: list[tuple[int, int, str]] = field(default_factory=list)  # open shards by hash range

    @property
    def name(self) -> str:
        return str(self.record["StreamName"])

    @property
    def arn(self) -> str:
        return str(self.record["StreamARN"])

    @property
    def retention_seconds(self) -> float:
        return float(self.record["RetentionPeriodHours"]) * 3600.0

    def shards(self) -> list[Shard]:
        """Every shard still listed: open ones and closed ones whose records may still be read."""
        horizon = clock.now() - self.retention_seconds
        return [s for s in self.record["Shards"] if s.get("Closed") is None or s["Closed"] >= horizon]

    def open_shards(self) -> list[Shard]:
        return [s for s in self.record["Shards"] if s.get("Closed") is None]

    def shard(self, wanted: str) -> Shard:
        candidate: Shard
        for candidate in self.record["Shards"]:
            if candidate["ShardId"] == wanted:
                return candidate
        raise shard_not_found(wanted, self.name, self.account)

    def log(self, wanted: str) -> ShardLog:
        """The record log of a shard, trimmed to the retention period."""
        found = self.logs.get(wanted)
        if found is None:
            raise shard_not_found(wanted, self.name, self.account)
        found.trim(clock.now() - self.retention_seconds)
        return found

    def route(self, hash_key: int) -> str:
        for low, high, target in self.routes:
            if low <= hash_key <= high:
                return target
        raise InvalidArgumentException(f"No open shard covers hash key {hash_key}")  # cannot happen

    def attach_shard(self, shard: Shard) -> None:
        start = parse_sequence_number(shard["SequenceNumberRange"]["StartingSequenceNumber"])
        log = ShardLog(
            state.database(),
            f"{self.account}/{self.region}",
            self.record["StreamId"],
            shard["ShardId"],
            shard["Index"],
            start[1] if start else 0,
        )
        log.load()
        self.logs[shard["ShardId"]] = log

    def refresh_routes(self) -> None:
        self.routes = sorted(
            (int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"]), s["ShardId"])
            for s in self.open_shards()
        )


def new_shard(stream: dict[str, Any], low: int, high: int, parents: tuple[str | None, str | None]) -> Shard:
    """Add an open shard to a stream record (its sequence numbers start now)."""
    index = stream["NextShardIndex"]
    stream["NextShardIndex"] = index + 1
    shard: Shard = {
        "ShardId": shard_id(index),
        "Index": index,
        "HashKeyRange": {"StartingHashKey": str(low), "EndingHashKey": str(high)},
        "SequenceNumberRange": {"StartingSequenceNumber": sequence_number(index, tick_at(clock.now()))},
        "Created": clock.now(),
    }
    if parents[0]:
        shard["ParentShardId"] = parents[0]
    if parents[1]:
        shard["AdjacentParentShardId"] = parents[1]
    stream["Shards"].append(shard)
    return shard


def new_stream_record(
    ctx_arn: str, name: str, shard_count: int, mode: str, tags: dict[str, str]
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "StreamName": name,
        "StreamARN": ctx_arn,
        "StreamId": f"{uuid.uuid4().hex[:20]}-{uuid.uuid4().hex[:3]}",  # AWS's shape: 20 + 3 characters
        "StreamStatus": "ACTIVE",
        "StreamMode": mode,
        "RetentionPeriodHours": DEFAULT_RETENTION_HOURS,
        "Created": clock.now(),
        "EncryptionType": "NONE",
        "ShardLevelMetrics": [],
        "Tags": dict(tags),
        "NextShardIndex": 0,
        "Shards": [],
        "Consumers": {},
        "MaxRecordSizeInKiB": 1024,
    }
    for low, high in even_ranges(shard_count):
        new_shard(record, low, high, (None, None))
    return record


class Catalog(RecordCatalog[Stream]):
    """Every account's and region's streams, each loaded (with its shard logs) on first use."""

    service, kind, name_key = "kinesis", "streams", "StreamName"

    def build(self, account: str, region: str, record: dict[str, Any]) -> Stream:
        stream = Stream(account, region, record)
        for shard in record["Shards"]:
            stream.attach_shard(shard)
        stream.refresh_routes()
        return stream

    def unloaded(self, account: str, region: str, name: str) -> Stream:
        """A stream's settings and shards without loading its records (listings)."""
        live = self.live(account, region, name)
        return live if live is not None else Stream(account, region, self.records(account, region)[name])

    def get(self, account: str, region: str, name: str) -> Stream:
        found = self.find(account, region, name)
        if found is None:
            raise stream_not_found(name, account)
        return found

    def add(self, account: str, region: str, record: dict[str, Any]) -> Stream:
        self.records(account, region).put(record["StreamName"], record)
        return self.get(account, region, record["StreamName"])

    def save(self, stream: Stream) -> None:
        self.records(stream.account, stream.region).put(stream.name, stream.record)

    def remove(self, stream: Stream) -> None:
        for log in stream.logs.values():
            log.drop()
        self.records(stream.account, stream.region).delete(stream.name)
        self.detach(stream.account, stream.region, stream.name)

    def by_id(self, account: str, region: str, stream_id: str) -> Stream:
        for record in self.records(account, region).values():
            if record["StreamId"] == stream_id:
                return self.get(account, region, record["StreamName"])
        raise ResourceNotFoundException(f"Stream with id {stream_id} under account {account} not found.")
