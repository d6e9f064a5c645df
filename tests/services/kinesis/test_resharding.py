"""Resharding: SplitShard, MergeShards and UpdateShardCount lineage, closed shards read to their end,
ListShards filters and pagination."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_errors import error_of

HALF = 2**127


def shards_of(kinesis: Any, name: str) -> dict[str, dict[str, Any]]:
    return {s["ShardId"]: s for s in kinesis.list_shards(StreamName=name)["Shards"]}


def test_split_shard_closes_parent_and_opens_two_children(
    kinesis: Any, make_stream: Callable[..., str]
) -> None:
    name = make_stream(1)
    before = kinesis.put_record(StreamName=name, Data=b"before", PartitionKey="pk")
    kinesis.split_shard(StreamName=name, ShardToSplit="shardId-000000000000", NewStartingHashKey=str(HALF))
    shards = shards_of(kinesis, name)
    parent = shards["shardId-000000000000"]
    ending = parent["SequenceNumberRange"]["EndingSequenceNumber"]
    assert int(ending) >= int(before["SequenceNumber"])
    assert shards["shardId-000000000001"] == {
        "ShardId": "shardId-000000000001",
        "ParentShardId": "shardId-000000000000",
        "HashKeyRange": {"StartingHashKey": "0", "EndingHashKey": str(HALF - 1)},
        "SequenceNumberRange": shards["shardId-000000000001"]["SequenceNumberRange"],
    }
    assert shards["shardId-000000000002"]["HashKeyRange"] == {
        "StartingHashKey": str(HALF),
        "EndingHashKey": str(2**128 - 1),
    }
    assert shards["shardId-000000000002"]["ParentShardId"] == "shardId-000000000000"
    after = kinesis.put_record(StreamName=name, Data=b"after", PartitionKey="pk")
    assert after["ShardId"] in ("shardId-000000000001", "shardId-000000000002")


def test_get_records_closed_shard_end_has_child_shards_and_no_next_iterator(
    kinesis: Any, make_stream: Callable[..., str]
) -> None:
    name = make_stream(1)
    kinesis.put_record(StreamName=name, Data=b"old", PartitionKey="pk")
    kinesis.split_shard(StreamName=name, ShardToSplit="shardId-000000000000", NewStartingHashKey=str(HALF))
    start = kinesis.get_shard_iterator(
        StreamName=name, ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON"
    )
    page = kinesis.get_records(ShardIterator=start["ShardIterator"])
    assert [r["Data"] for r in page["Records"]] == [b"old"]
    assert "NextShardIterator" not in page
    assert [c["ShardId"] for c in page["ChildShards"]] == ["shardId-000000000001", "shardId-000000000002"]
    assert page["ChildShards"][0]["ParentShards"] == ["shardId-000000000000"]


def test_split_shard_hash_key_outside_range_is_invalid(kinesis: Any, make_stream: Callable[..., str]) -> None:
    name = make_stream(1)
    code, message, status = error_of(
        lambda: kinesis.split_shard(
            StreamName=name, ShardToSplit="shardId-000000000000", NewStartingHashKey="0"
        )
    )
    assert (code, status) == ("InvalidArgumentException", 400)
    assert message.startswith("NewStartingHashKey 0 used in SplitShard() on shard shardId-000000000000")


def test_split_shard_already_closed_is_invalid(kinesis: Any, make_stream: Callable[..., str]) -> None:
    name = make_stream(1)
    kinesis.split_shard(StreamName=name, ShardToSplit="shardId-000000000000", NewStartingHashKey=str(HALF))
    code, message, _ = error_of(
        lambda: kinesis.split_shard(
            StreamName=name, ShardToSplit="shardId-000000000000", NewStartingHashKey="5"
        )
    )
    assert code == "InvalidArgumentException"
    assert "has already been merged or split" in message


def test_merge_shards_child_names_both_parents(kinesis: Any, make_stream: Callable[..., str]) -> None:
    name = make_stream(3)
    kinesis.merge_shards(
        StreamName=name, ShardToMerge="shardId-000000000001", AdjacentShardToMerge="shardId-000000000002"
    )
    child = shards_of(kinesis, name)["shardId-000000000003"]
    assert (child["ParentShardId"], child["AdjacentParentShardId"]) == (
        "shardId-000000000001",
        "shardId-000000000002",
    )
    assert child["HashKeyRange"] == {"StartingHashKey": str(2**128 // 3), "EndingHashKey": str(2**128 - 1)}
    summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert summary["OpenShardCount"] == 2


def test_merge_shards_not_adjacent_is_invalid(kinesis: Any, make_stream: Callable[..., str]) -> None:
    name = make_stream(3)
    code, message, status = error_of(
        lambda: kinesis.merge_shards(
            StreamName=name, ShardToMerge="shardId-000000000000", AdjacentShardToMerge="shardId-000000000002"
        )
    )
    assert (code, status) == ("InvalidArgumentException", 400)
    assert "are not an adjacent pair of shards eligible for merging" in message


def test_update_shard_count_doubles_with_lineage(kinesis: Any, make_stream: Callable[..., str]) -> None:
    name = make_stream(2)
    answer = kinesis.update_shard_count(StreamName=name, TargetShardCount=4, ScalingType="UNIFORM_SCALING")
    assert (answer["CurrentShardCount"], answer["TargetShardCount"]) == (2, 4)
    latest = kinesis.list_shards(StreamName=name, ShardFilter={"Type": "AT_LATEST"})["Shards"]
    assert len(latest) == 4
    assert [s["ParentShardId"] for s in latest] == ["shardId-000000000000"] * 2 + ["shardId-000000000001"] * 2
    assert latest[-1]["HashKeyRange"]["EndingHashKey"] == str(2**128 - 1)


def test_update_shard_count_halves_merging_pairs(kinesis: Any, make_stream: Callable[..., str]) -> None:
    name = make_stream(4)
    kinesis.update_shard_count(StreamName=name, TargetShardCount=2, ScalingType="UNIFORM_SCALING")
    latest = kinesis.list_shards(StreamName=name, ShardFilter={"Type": "AT_LATEST"})["Shards"]
    assert [(s["ParentShardId"], s["AdjacentParentShardId"]) for s in latest] == [
        ("shardId-000000000000", "shardId-000000000001"),
        ("shardId-000000000002", "shardId-000000000003"),
    ]


def test_update_shard_count_beyond_double_is_invalid(kinesis: Any, make_stream: Callable[..., str]) -> None:
    name = make_stream(2)
    code, message, _ = error_of(
        lambda: kinesis.update_shard_count(StreamName=name, TargetShardCount=5, ScalingType="UNIFORM_SCALING")
    )
    assert code == "InvalidArgumentException"
    assert "cannot scale up over double your current open shard count (2)" in message


def test_list_shards_pages_with_next_token(kinesis: Any, make_stream: Callable[..., str]) -> None:
    name = make_stream(5)
    first = kinesis.list_shards(StreamName=name, MaxResults=2)
    assert [s["ShardId"] for s in first["Shards"]] == ["shardId-000000000000", "shardId-000000000001"]
    second = kinesis.list_shards(NextToken=first["NextToken"], MaxResults=2)
    assert [s["ShardId"] for s in second["Shards"]] == ["shardId-000000000002", "shardId-000000000003"]
    after = kinesis.list_shards(StreamName=name, ExclusiveStartShardId="shardId-000000000003")
    assert [s["ShardId"] for s in after["Shards"]] == ["shardId-000000000004"]
    assert error_of(lambda: kinesis.list_shards(StreamName=name, NextToken=first["NextToken"])) == (
        "InvalidArgumentException",
        "NextToken and StreamName cannot be provided together.",
        400,
    )


def test_list_shards_trim_horizon_filters_follow_lineage(
    kinesis: Any, make_stream: Callable[..., str]
) -> None:
    name = make_stream(1)
    kinesis.split_shard(StreamName=name, ShardToSplit="shardId-000000000000", NewStartingHashKey=str(HALF))
    at_horizon = kinesis.list_shards(StreamName=name, ShardFilter={"Type": "AT_TRIM_HORIZON"})["Shards"]
    assert [s["ShardId"] for s in at_horizon] == ["shardId-000000000000"]
    from_horizon = kinesis.list_shards(StreamName=name, ShardFilter={"Type": "FROM_TRIM_HORIZON"})["Shards"]
    assert len(from_horizon) == 3
    after = kinesis.list_shards(
        StreamName=name, ShardFilter={"Type": "AFTER_SHARD_ID", "ShardId": "shardId-000000000001"}
    )["Shards"]
    assert [s["ShardId"] for s in after] == ["shardId-000000000002"]


def test_split_shard_hash_key_one_above_start_is_invalid(
    kinesis: Any, make_stream: Callable[..., str]
) -> None:
    name = make_stream(3)
    assert error_of(
        lambda: kinesis.split_shard(
            StreamName=name, ShardToSplit="shardId-000000000000", NewStartingHashKey="1"
        )
    ) == (
        "InvalidArgumentException",
        f"NewStartingHashKey 1 used in SplitShard() on shard shardId-000000000000 in stream {name} under account "
        "000000000000 is not both greater than one plus the shard's StartingHashKey 0 and less than the shard's "
        f"EndingHashKey {2**128 // 3 - 1}.",
        400,
    )


def test_merge_shards_inverted_order_is_invalid(kinesis: Any, make_stream: Callable[..., str]) -> None:
    name = make_stream(2)
    code, message, _ = error_of(
        lambda: kinesis.merge_shards(
            StreamName=name, ShardToMerge="shardId-000000000001", AdjacentShardToMerge="shardId-000000000000"
        )
    )
    assert code == "InvalidArgumentException"
    assert message == (
        f"Shards shardId-000000000001 and shardId-000000000000 in stream {name} under account 000000000000 "
        "are not an adjacent pair of shards eligible for merging"
    )


def test_split_shard_unknown_shard_is_not_found(kinesis: Any, make_stream: Callable[..., str]) -> None:
    name = make_stream(1)
    assert error_of(
        lambda: kinesis.split_shard(
            StreamName=name, ShardToSplit="shardId-000000000005", NewStartingHashKey="100"
        )
    ) == (
        "ResourceNotFoundException",
        f"Could not find shard shardId-000000000005 in stream {name} under account 000000000000.",
        400,
    )
