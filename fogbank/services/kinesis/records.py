"""Writing and reading records: PutRecord(s) routing by MD5 of the partition key (or an explicit hash
key), GetShardIterator positions and GetRecords batches, with AWS's limits and messages
(https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fogbank import clock
from fogbank.services.kinesis import iterators, throughput
from fogbank.services.kinesis.errors import InvalidArgumentException, ValidationException
from fogbank.services.kinesis.shards import ShardLog, parse_sequence_number
from fogbank.services.kinesis.streams import HASH_SPACE, Stream, partition_hash

MAX_PUT_RECORDS_BYTES = 5 * 1024 * 1024
MAX_GET_RECORDS_BYTES = 10 * 1024 * 1024


def check_data(stream: Stream, data: bytes, member: str = "data") -> None:
    limit = int(stream.record.get("MaxRecordSizeInKiB", 1024)) * 1024
    if len(data) > limit:
        raise ValidationException(
            f"1 validation error detected: Value at '{member}' failed to satisfy constraint: "
            f"Member must have length less than or equal to {limit}"
        )


def hash_key_of(partition_key: str, explicit: str | None) -> int:
    if explicit is None:
        return partition_hash(partition_key)
    value = int(explicit) if explicit.isdigit() else -1
    if not 0 <= value < HASH_SPACE:
        raise InvalidArgumentException(
            f"Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was {explicit}"
        )
    return value


def put(
    stream: Stream, data: bytes, partition_key: str, explicit: str | None, after: str | None = None
) -> dict[str, Any]:
    """Append one record to the shard its hash key falls in; answers ShardId and SequenceNumber."""
    target = stream.route(hash_key_of(partition_key, explicit))
    log = stream.logs[target]
    if not throughput.admit_write(stream.arn, target, len(data) + len(partition_key.encode())):
        raise throughput.ProvisionedThroughputExceededException(
            throughput.rate_exceeded(stream.name, stream.account, target)
        )
    if after is not None:
        parsed = parse_sequence_number(after)
        if parsed is None:
            raise InvalidArgumentException(
                f"ExclusiveMinimumSequenceNumber {after} used in PutRecord on stream {stream.name} under "
                f"account {stream.account} is invalid."
            )
        log.last_tick = max(log.last_tick, parsed[1])  # the new number must exceed the given one
    record = log.append(data, partition_key, clock.now())
    result = {"ShardId": target, "SequenceNumber": record.sequence_number}
    if stream.record["EncryptionType"] == "KMS":
        result["EncryptionType"] = "KMS"
    return result


def put_entry(stream: Stream, entry: dict[str, Any]) -> dict[str, Any]:
    """One PutRecords entry: its result, or its ErrorCode and ErrorMessage when throttled."""
    try:
        result = put(stream, entry["Data"], entry["PartitionKey"], entry.get("ExplicitHashKey"))
    except throughput.ProvisionedThroughputExceededException as error:
        return {"ErrorCode": error.code, "ErrorMessage": error.message}
    return {"SequenceNumber": result["SequenceNumber"], "ShardId": result["ShardId"]}


def check_batch(stream: Stream, entries: list[dict[str, Any]]) -> None:
    """Every entry valid before any is written (AWS refuses the whole request otherwise)."""
    total = 0
    for index, entry in enumerate(entries):
        check_data(stream, entry["Data"], f"records.{index + 1}.member.data")
        hash_key_of(entry["PartitionKey"], entry.get("ExplicitHashKey"))
        total += len(entry["Data"]) + len(entry["PartitionKey"].encode())
    if total > MAX_PUT_RECORDS_BYTES:
        raise InvalidArgumentException("Records size exceeds 5 MB limit")


# -- iterators -------------------------------------------------------------------------------


def starting_tick(stream: Stream, log: ShardLog, request: dict[str, Any]) -> int:
    kind = request["ShardIteratorType"]
    if kind in ("TRIM_HORIZON", "LATEST") and request.get("StartingSequenceNumber"):
        raise InvalidArgumentException(
            "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or "
            "(2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified "
            f"{kind} and also a StartingSequenceNumber."
        )
    if kind == "TRIM_HORIZON":
        return log.first_tick()
    if kind == "LATEST":
        return log.end_tick
    if kind == "AT_TIMESTAMP":
        moment = request.get("Timestamp")
        if not isinstance(moment, datetime):
            raise InvalidArgumentException(
                "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. "
                "Current request has no timestamp parameter."
            )
        return log.tick_at_time(moment.timestamp())
    return _sequence_tick(stream, log, request.get("StartingSequenceNumber"), kind)


def _sequence_tick(stream: Stream, log: ShardLog, given: str | None, kind: str) -> int:
    if not given:
        raise InvalidArgumentException(
            f"Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber "
            f"or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified {kind} and no "
            "StartingSequenceNumber."
        )
    parsed = parse_sequence_number(given)
    if parsed is None:
        raise InvalidArgumentException(
            f"StartingSequenceNumber {given} used in GetShardIterator on shard {log.shard_id} in stream "
            f"{stream.name} under account {stream.account} is invalid."
        )
    index, tick = parsed
    if index != log.shard_index:
        raise InvalidArgumentException(
            f"Invalid StartingSequenceNumber. It encodes shardId-{index:012d}, while it was used in a call "
            f"to a shard with {log.shard_id}"
        )
    return tick if kind == "AT_SEQUENCE_NUMBER" else tick + 1


def shard_iterator(stream: Stream, shard_id: str, tick: int) -> str:
    return iterators.issue(
        stream.account, stream.region, stream.name, stream.record["StreamId"], shard_id, tick
    )


# -- reading ---------------------------------------------------------------------------------


def get_records(stream: Stream, position: iterators.Position, limit: int) -> dict[str, Any]:
    log = stream.log(position.shard_id)
    throughput.admit_read(stream.arn, position.shard_id, stream.name, stream.account)
    found = log.read(position.tick, limit, MAX_GET_RECORDS_BYTES)
    next_tick = found[-1].tick + 1 if found else position.tick
    now = clock.now()
    encrypted = stream.record["EncryptionType"] == "KMS"
    result: dict[str, Any] = {
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
        "MillisBehindLatest": _millis_behind(log, next_tick, now),
    }
    shard = stream.shard(position.shard_id)
    if shard.get("Closed") is not None and not log.has_after(next_tick):
        result["ChildShards"] = child_shards(stream, position.shard_id)  # the end: no next iterator
    else:
        result["NextShardIterator"] = shard_iterator(stream, position.shard_id, next_tick)
    return result


def _millis_behind(log: ShardLog, next_tick: int, now: float) -> int:
    """How far the next unread record is behind the tip of the stream (0 when caught up)."""
    waiting = log.first_after(next_tick)
    if waiting is None:
        return 0
    return max(0, int((now - waiting.arrival) * 1000))


def child_shards(stream: Stream, parent: str) -> list[dict[str, Any]]:
    children = []
    for shard in stream.record["Shards"]:
        parents = [p for p in (shard.get("ParentShardId"), shard.get("AdjacentParentShardId")) if p]
        if parent in parents:
            children.append(
                {"ShardId": shard["ShardId"], "ParentShards": parents, "HashKeyRange": shard["HashKeyRange"]}
            )
    return children
