"""How streams and shards are described: DescribeStream(Summary), ListStreams and ListShards pages,
and ListShards' ShardFilter (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_ListShards.html)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fogbank import clock
from fogbank.services import pagination
from fogbank.services.kinesis.errors import ExpiredNextTokenException, InvalidArgumentException
from fogbank.services.kinesis.streams import Shard, Stream

TOKEN_LIFETIME = 300.0  # ListShards' NextToken is valid for 300 seconds
ALL_METRICS = [
    "IncomingBytes",
    "IncomingRecords",
    "OutgoingBytes",
    "OutgoingRecords",
    "WriteProvisionedThroughputExceeded",
    "ReadProvisionedThroughputExceeded",
    "IteratorAgeMilliseconds",
]


def shard_view(shard: Shard) -> dict[str, Any]:
    view: dict[str, Any] = {
        k: shard[k] for k in ("ShardId", "ParentShardId", "AdjacentParentShardId") if k in shard
    }
    view["HashKeyRange"] = shard["HashKeyRange"]
    view["SequenceNumberRange"] = shard["SequenceNumberRange"]
    return view


def _common(stream: Stream) -> dict[str, Any]:
    record = stream.record
    view: dict[str, Any] = {
        "StreamName": stream.name,
        "StreamARN": stream.arn,
        "StreamStatus": record["StreamStatus"],
        "StreamModeDetails": {"StreamMode": record["StreamMode"]},
        "RetentionPeriodHours": record["RetentionPeriodHours"],
        "StreamCreationTimestamp": record["Created"],
        "EnhancedMonitoring": [{"ShardLevelMetrics": list(record["ShardLevelMetrics"])}],
        "EncryptionType": record["EncryptionType"],
    }
    if record.get("KeyId"):
        view["KeyId"] = record["KeyId"]
    return view


def description(stream: Stream, limit: int, exclusive_start: str | None) -> dict[str, Any]:
    shards = stream.shards()
    if exclusive_start:
        shards = [s for s in shards if s["ShardId"] > exclusive_start]
    page = shards[:limit]
    return {**_common(stream), "Shards": [shard_view(s) for s in page], "HasMoreShards": len(shards) > limit}


def summary(stream: Stream) -> dict[str, Any]:
    return {
        **_common(stream),
        "StreamId": stream.record["StreamId"],
        "OpenShardCount": len(stream.open_shards()),
        "ConsumerCount": len(stream.record["Consumers"]),
        "MaxRecordSizeInKiB": stream.record.get("MaxRecordSizeInKiB", 1024),
    }


def stream_summary(stream: Stream) -> dict[str, Any]:
    record = stream.record
    return {
        "StreamName": stream.name,
        "StreamARN": stream.arn,
        "StreamStatus": record["StreamStatus"],
        "StreamModeDetails": {"StreamMode": record["StreamMode"]},
        "StreamCreationTimestamp": record["Created"],
    }


# -- tokens ----------------------------------------------------------------------------------


def make_token(**fields: Any) -> str:
    return pagination.json_token({**fields, "issued": clock.now()})


def read_token(token: str, *, expires: bool = True) -> dict[str, Any]:
    try:
        fields = pagination.read_json_token(token)
        if not isinstance(fields, dict):
            raise ValueError
    except ValueError:
        raise InvalidArgumentException(f"NextToken {token} is invalid.") from None
    if expires and clock.now() - float(fields.get("issued", 0)) > TOKEN_LIFETIME:
        raise ExpiredNextTokenException(f"The timestamp of NextToken {token} has expired.")
    return fields


# -- ListShards filter -------------------------------------------------------------------------


def filtered_shards(stream: Stream, shard_filter: dict[str, Any] | None) -> list[Shard]:
    shards = stream.shards()
    if not shard_filter:
        return shards
    kind = shard_filter["Type"]
    if kind == "AFTER_SHARD_ID":
        after = shard_filter.get("ShardId")
        if not after:
            raise InvalidArgumentException("ShardId must be specified for ShardFilter type AFTER_SHARD_ID.")
        return [s for s in shards if s["ShardId"] > after]
    if kind == "AT_LATEST":
        return [s for s in shards if s.get("Closed") is None]
    if kind == "FROM_TRIM_HORIZON":
        return shards
    if kind == "AT_TRIM_HORIZON":
        listed = {s["ShardId"] for s in shards}
        return [
            s
            for s in shards
            if s.get("ParentShardId") not in listed and s.get("AdjacentParentShardId") not in listed
        ]
    moment = shard_filter.get("Timestamp")
    if not isinstance(moment, datetime):
        raise InvalidArgumentException(f"Timestamp must be specified for ShardFilter type {kind}.")
    instant = moment.timestamp()
    open_after = [s for s in shards if s.get("Closed") is None or s["Closed"] > instant]
    if kind == "FROM_TIMESTAMP":
        return open_after
    at = [s for s in open_after if s["Created"] <= instant]
    return at or [s for s in open_after if not s.get("ParentShardId")]
