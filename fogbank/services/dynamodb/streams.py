"""DynamoDB Streams' change log: one stream record per item-level change of a table whose stream
is enabled, kept 24 hours on fogbank's clock, durable (one SQLite row per record, written in the
same transaction as the item change, so a rolled-back write leaves no record).

This is the internal log that the `dynamodbstreams` API reads and that engines (Lambda event
source mappings, Pipes) can follow: `StreamLog.read(after, limit)` and `LISTENERS` (called with the
stream ARN after each append, to wake pollers). Each stream has one open shard.
Record shape: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_Record.html
"""

from __future__ import annotations

import bisect
import hashlib
import math
import uuid
from collections.abc import Callable
from typing import Any

import orjson

from fogbank import clock, state
from fogbank.services.dynamodb import items
from fogbank.services.dynamodb import values as av
from fogbank.services.dynamodb.tables import Table
from fogbank.services.dynamodb.values import Item

RETENTION = 24 * 3600.0
# AWS closes a stream's shard and opens a child about every four hours.
SHARD_LIFETIME = 4 * 3600.0
SEQUENCE_DIGITS = 21
# Called with the stream ARN after records were appended (pollers wake up).
LISTENERS: list[Callable[[str], None]] = []
_logs: dict[str, StreamLog] = {}


def streams(account: str, region: str) -> state.Collection[dict[str, Any]]:
    """Every stream of an account and region (also those of disabled streams and deleted tables,
    readable for 24 hours), keyed by stream ARN."""
    return state.collection("dynamodb", "streams", account, region)


def new_shard(arn: str, start: int, parent: str | None) -> dict[str, Any]:
    opened = clock.now()
    digest = hashlib.sha256(f"{arn}/{start}".encode()).hexdigest()[:8]
    return {
        "ShardId": f"shardId-{int(opened * 1000):020d}-{digest}",
        "Start": start,
        "End": None,
        "Parent": parent,
        "Opened": opened,
    }


class StreamLog:
    """The records of one stream, in sequence order (memory index over durable rows)."""

    def __init__(self, scope: str, meta: dict[str, Any]) -> None:
        self.meta = meta
        self.scope = scope
        self.kind = f"stream-records/{meta['StreamId']}"
        # Parallel lists in sequence order; records stay JSON bytes (decoded when read).
        self.sequences: list[int] = []
        self.times: list[float] = []
        self.records: dict[int, bytes] = {}
        db = state.database()
        for key, raw in sorted(db.load("dynamodb", scope, self.kind)):
            self.sequences.append(int(key))
            self.times.append(orjson.loads(raw)["dynamodb"]["ApproximateCreationDateTime"])
            self.records[int(key)] = raw
        self.next_sequence = self.sequences[-1] + 1 if self.sequences else int(meta["FirstSequence"])

    def rotate(self) -> None:
        """Close the open shard after its lifetime and open its child."""
        shards = self.meta["Shards"]
        current = shards[-1]
        if current["End"] is not None or current["Opened"] + SHARD_LIFETIME > clock.now():
            return
        closed = {**current, "End": self.next_sequence - 1}
        child = new_shard(self.meta["StreamArn"], self.next_sequence, current["ShardId"])
        self._save({**self.meta, "Shards": [*shards[:-1], closed, child]})

    def close(self) -> None:
        shards = self.meta["Shards"]
        if shards[-1]["End"] is None:
            closed = {**shards[-1], "End": self.next_sequence - 1}
            self._save(
                {**self.meta, "Status": "DISABLED", "Closed": clock.now(), "Shards": [*shards[:-1], closed]}
            )

    def _save(self, meta: dict[str, Any]) -> None:
        account, _, region = self.scope.partition("/")
        streams(account, region).put(meta["StreamArn"], meta)
        self.meta = meta

    def shard(self, shard_id: str) -> dict[str, Any] | None:
        return next((shard for shard in self.meta["Shards"] if shard["ShardId"] == shard_id), None)

    def live_shards(self) -> list[dict[str, Any]]:
        """Shards still holding readable records (or open), oldest first."""
        oldest = self.oldest()
        return [
            s
            for s in self.meta["Shards"]
            if s["End"] is None or s["End"] >= oldest or s["Opened"] + RETENTION > clock.now()
        ]

    def append(self, record: dict[str, Any]) -> None:
        self.rotate()
        sequence = self.next_sequence
        self.next_sequence += 1
        record["dynamodb"]["SequenceNumber"] = f"{sequence:0{SEQUENCE_DIGITS}d}"
        key = f"{sequence:0{SEQUENCE_DIGITS}d}"
        db = state.database()
        db.journal(self, key)  # type: ignore[arg-type]
        raw = memoryview(orjson.dumps(record)).tobytes()  # exact size, not orjson's buffer
        self.sequences.append(sequence)
        self.times.append(record["dynamodb"]["ApproximateCreationDateTime"])
        self.records[sequence] = raw
        db.write("dynamodb", self.scope, self.kind, key, raw)
        self.trim()

    def trim(self) -> None:
        """Drop records older than 24 hours."""
        count = bisect.bisect_left(self.times, clock.now() - RETENTION)
        if not count:
            return
        db = state.database()
        for sequence in self.sequences[:count]:
            del self.records[sequence]
            db.remove("dynamodb", self.scope, self.kind, f"{sequence:0{SEQUENCE_DIGITS}d}")
        del self.sequences[:count]
        del self.times[:count]

    def oldest(self) -> int:
        """The first sequence number still readable (the next one to come when empty)."""
        self.trim()
        return self.sequences[0] if self.sequences else self.next_sequence

    def read(self, start: int, limit: int) -> list[dict[str, Any]]:
        """Up to `limit` records with sequence numbers >= start."""
        self.trim()
        position = bisect.bisect_left(self.sequences, start)
        return [orjson.loads(self.records[s]) for s in self.sequences[position : position + limit]]

    def _reload(self, key: str) -> None:
        """After a rollback: forget a record whose row SQLite no longer has."""
        sequence = int(key)
        if (
            state.database().load_one("dynamodb", self.scope, self.kind, key) is None
            and sequence in self.records
        ):
            del self.records[sequence]
            position = self.sequences.index(sequence)
            del self.sequences[position]
            del self.times[position]
            self.next_sequence = min(self.next_sequence, sequence)


def log_for(account: str, region: str, arn: str) -> StreamLog | None:
    found = _logs.get(arn)
    if found is not None:
        return found
    meta = streams(account, region).get(arn)
    if meta is None:
        return None
    found = _logs[arn] = StreamLog(f"{account}/{region}", meta)
    return found


def open_stream(account: str, region: str, table: Table) -> None:
    """Register the table's newly enabled stream (UpdateTable/CreateTable call this)."""
    stream = table.record["Stream"]
    first = int(clock.now() * 1000) * 10**5  # increasing across streams, 21 digits
    arn = stream["StreamArn"]
    streams(account, region).put(
        stream["StreamArn"],
        {
            "StreamArn": stream["StreamArn"],
            "StreamId": uuid.uuid4().hex,
            "StreamLabel": stream["StreamLabel"],
            "StreamViewType": stream["StreamViewType"],
            "TableName": table.name,
            "TableId": table.record["TableId"],
            "KeySchema": table.record["KeySchema"],
            "Created": clock.now(),
            "Status": "ENABLED",
            "FirstSequence": first,
            "Shards": [new_shard(arn, first, None)],
        },
    )


def close_stream(account: str, region: str, arn: str) -> None:
    """A disabled stream (or one of a deleted table) stays readable for 24 hours; its last shard
    gets its ending sequence number."""
    log = log_for(account, region, arn)
    if log is not None and log.meta["Status"] == "ENABLED":
        log.close()


def _on_write(table: Table, old: Item | None, new: Item | None, origin: str | None) -> None:
    stream = table.record.get("Stream")
    if not stream or stream.get("Enabled") is False or old == new:
        return
    account, region = _account_region(table.arn)
    log = log_for(account, region, stream["StreamArn"])
    if log is None:
        return
    log.append(_record(table, stream["StreamViewType"], old, new, origin, region))
    for listener in list(LISTENERS):
        listener(stream["StreamArn"])


def _account_region(arn: str) -> tuple[str, str]:
    parts = arn.split(":")
    return parts[4], parts[3]


def _record(
    table: Table, view: str, old: Item | None, new: Item | None, origin: str | None, region: str
) -> dict[str, Any]:
    source = new if new is not None else old
    assert source is not None
    keys = {name: source[name] for name in table.key.names}
    body: dict[str, Any] = {"ApproximateCreationDateTime": float(math.floor(clock.now())), "Keys": keys}
    if view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES") and new is not None:
        body["NewImage"] = new
    if view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES") and old is not None:
        body["OldImage"] = old
    body["SequenceNumber"] = ""
    body["SizeBytes"] = av.item_size(keys) + sum(
        av.item_size(body[i]) for i in ("NewImage", "OldImage") if i in body
    )
    body["StreamViewType"] = view
    record: dict[str, Any] = {
        "eventID": uuid.uuid4().hex,
        "eventName": "INSERT" if old is None else ("REMOVE" if new is None else "MODIFY"),
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": body,
    }
    if origin == "ttl":
        record["userIdentity"] = {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}
    return record


def start() -> None:
    items.listen(_on_write)


def stop() -> None:
    items.unlisten(_on_write)
    _logs.clear()
