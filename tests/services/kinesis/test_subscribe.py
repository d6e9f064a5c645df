"""SubscribeToShard: enhanced fan-out pushes records to a registered consumer as an event stream,
as soon as they arrive, and ends at the end of a closed shard naming its children."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from aws_errors import error_of

from fogbank.testing.server import FogbankServer


def consumer_of(kinesis: Any, name: str) -> str:
    arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    return str(
        kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="fanout")["Consumer"]["ConsumerARN"]
    )


def test_subscribe_to_shard_pushes_existing_and_new_records(
    kinesis: Any, make_stream: Callable[..., str]
) -> None:
    name = make_stream()
    consumer = consumer_of(kinesis, name)
    first = kinesis.put_record(StreamName=name, Data=b"before", PartitionKey="pk")
    answer = kinesis.subscribe_to_shard(
        ConsumerARN=consumer, ShardId="shardId-000000000000", StartingPosition={"Type": "TRIM_HORIZON"}
    )
    events = iter(answer["EventStream"])
    event = next(events)["SubscribeToShardEvent"]
    assert [r["Data"] for r in event["Records"]] == [b"before"]
    assert event["Records"][0]["SequenceNumber"] == first["SequenceNumber"]
    assert event["ContinuationSequenceNumber"] == first["SequenceNumber"]
    assert event["MillisBehindLatest"] == 0
    threading.Timer(
        0.05, lambda: kinesis.put_record(StreamName=name, Data=b"pushed", PartitionKey="pk")
    ).start()
    event = next(events)["SubscribeToShardEvent"]
    assert [r["Data"] for r in event["Records"]] == [b"pushed"]
    kinesis.split_shard(StreamName=name, ShardToSplit="shardId-000000000000", NewStartingHashKey="100")
    rest = [e["SubscribeToShardEvent"] for e in events]
    assert rest[-1]["Records"] == [] and len(rest[-1]["ChildShards"]) == 2


def test_subscribe_to_shard_again_within_five_seconds_is_in_use(
    kinesis: Any, make_stream: Callable[..., str], fogbank: FogbankServer
) -> None:
    name = make_stream()
    consumer = consumer_of(kinesis, name)
    kinesis.split_shard(StreamName=name, ShardToSplit="shardId-000000000000", NewStartingHashKey="100")
    start = {
        "ConsumerARN": consumer,
        "ShardId": "shardId-000000000000",
        "StartingPosition": {"Type": "LATEST"},
    }
    assert len(list(kinesis.subscribe_to_shard(**start)["EventStream"])) == 1
    code, message, status = error_of(lambda: kinesis.subscribe_to_shard(**start))
    assert (code, status) == ("ResourceInUseException", 400)
    assert message.startswith("Another active subscription exists for this consumer")
    fogbank.advance_clock("PT5S")
    assert len(list(kinesis.subscribe_to_shard(**start)["EventStream"])) == 1


def test_subscribe_to_shard_closed_shard_ends_with_child_shards(
    kinesis: Any, make_stream: Callable[..., str]
) -> None:
    name = make_stream()
    consumer = consumer_of(kinesis, name)
    kinesis.put_record(StreamName=name, Data=b"last", PartitionKey="pk")
    kinesis.split_shard(StreamName=name, ShardToSplit="shardId-000000000000", NewStartingHashKey=str(2**127))
    answer = kinesis.subscribe_to_shard(
        ConsumerARN=consumer, ShardId="shardId-000000000000", StartingPosition={"Type": "TRIM_HORIZON"}
    )
    events = [e["SubscribeToShardEvent"] for e in answer["EventStream"]]
    assert len(events) == 1
    assert [r["Data"] for r in events[0]["Records"]] == [b"last"]
    assert [c["ShardId"] for c in events[0]["ChildShards"]] == [
        "shardId-000000000001",
        "shardId-000000000002",
    ]


def test_subscribe_to_shard_unknown_consumer_is_not_found(
    kinesis: Any, make_stream: Callable[..., str]
) -> None:
    name = make_stream()
    arn = f"arn:aws:kinesis:us-east-1:000000000000:stream/{name}/consumer/ghost:1"
    code, _, status = error_of(
        lambda: kinesis.subscribe_to_shard(
            ConsumerARN=arn, ShardId="shardId-000000000000", StartingPosition={"Type": "LATEST"}
        )
    )
    assert (code, status) == ("ResourceNotFoundException", 400)


def test_subscribe_to_shard_ends_when_consumer_is_deregistered(
    kinesis: Any, make_stream: Callable[..., str]
) -> None:
    name = make_stream()
    consumer = consumer_of(kinesis, name)
    answer = kinesis.subscribe_to_shard(
        ConsumerARN=consumer, ShardId="shardId-000000000000", StartingPosition={"Type": "LATEST"}
    )
    events = iter(answer["EventStream"])
    assert next(events)["SubscribeToShardEvent"]["Records"] == []
    kinesis.deregister_stream_consumer(ConsumerARN=consumer)
    assert list(events) == []
