"""DynamoDB Streams: one record per item change for every view type, shard iterators of every
type, retention and iterator expiry on the clock, disabled streams and TTL deletions."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def ddb(client_factory: Callable[..., Any]) -> Any:
    return client_factory("dynamodb")


@pytest.fixture
def streams(client_factory: Callable[..., Any]) -> Any:
    return client_factory("dynamodbstreams")


def make_table(ddb: Any, view: str) -> tuple[str, str]:
    name = f"stream-{uuid.uuid4().hex[:12]}"
    table = ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": view},
    )["TableDescription"]
    return name, table["LatestStreamArn"]


def all_records(streams: Any, arn: str, kind: str = "TRIM_HORIZON") -> list[dict[str, Any]]:
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType=kind)[
        "ShardIterator"
    ]
    return list(streams.get_records(ShardIterator=iterator)["Records"])


def change_item(ddb: Any, name: str) -> None:
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    ddb.update_item(
        TableName=name,
        Key={"pk": {"S": "a"}},
        UpdateExpression="SET v = :v",
        ExpressionAttributeValues={":v": {"N": "2"}},
    )
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "v": {"N": "2"}})  # no change: no record
    ddb.delete_item(TableName=name, Key={"pk": {"S": "a"}})


@pytest.mark.parametrize(
    ("view", "images"),
    [
        ("KEYS_ONLY", [set(), set(), set()]),
        ("NEW_IMAGE", [{"NewImage"}, {"NewImage"}, set()]),
        ("OLD_IMAGE", [set(), {"OldImage"}, {"OldImage"}]),
        ("NEW_AND_OLD_IMAGES", [{"NewImage"}, {"NewImage", "OldImage"}, {"OldImage"}]),
    ],
)
def test_get_records_one_record_per_change_for_each_view_type(
    ddb: Any, streams: Any, view: str, images: list[set[str]]
) -> None:
    name, arn = make_table(ddb, view)
    change_item(ddb, name)
    records = all_records(streams, arn)
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    for record, expected in zip(records, images, strict=True):
        body = record["dynamodb"]
        assert {"NewImage", "OldImage"} & set(body) == expected
        assert body["Keys"] == {"pk": {"S": "a"}}
        assert body["StreamViewType"] == view
        assert record["eventSource"] == "aws:dynamodb" and record["eventVersion"] == "1.1"
        assert record["awsRegion"] == "us-east-1" and "userIdentity" not in record
    sequences = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert sequences == sorted(sequences) and len(set(sequences)) == 3
    if view == "NEW_AND_OLD_IMAGES":
        assert records[1]["dynamodb"]["OldImage"] == {"pk": {"S": "a"}, "v": {"N": "1"}}
        assert records[1]["dynamodb"]["NewImage"] == {"pk": {"S": "a"}, "v": {"N": "2"}}
        assert records[1]["dynamodb"]["SizeBytes"] == 3 + 6 + 6  # keys + both images


def test_shard_iterator_types_position_reads(ddb: Any, streams: Any) -> None:
    name, arn = make_table(ddb, "KEYS_ONLY")
    for key in "abc":
        ddb.put_item(TableName=name, Item={"pk": {"S": key}})
    records = all_records(streams, arn)
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    second = records[1]["dynamodb"]["SequenceNumber"]

    def keys(kind: str, **extra: Any) -> list[str]:
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType=kind, **extra)[
            "ShardIterator"
        ]
        return [
            r["dynamodb"]["Keys"]["pk"]["S"] for r in streams.get_records(ShardIterator=iterator)["Records"]
        ]

    assert keys("AT_SEQUENCE_NUMBER", SequenceNumber=second) == ["b", "c"]
    assert keys("AFTER_SEQUENCE_NUMBER", SequenceNumber=second) == ["c"]
    latest = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")[
        "ShardIterator"
    ]
    ddb.put_item(TableName=name, Item={"pk": {"S": "d"}})
    page = streams.get_records(ShardIterator=latest)
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in page["Records"]] == ["d"]
    assert streams.get_records(ShardIterator=page["NextShardIterator"])["Records"] == []


def test_describe_and_list_streams(ddb: Any, streams: Any) -> None:
    name, arn = make_table(ddb, "NEW_IMAGE")
    description = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert description["StreamStatus"] == "ENABLED" and description["TableName"] == name
    assert description["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert "EndingSequenceNumber" not in description["Shards"][0]["SequenceNumberRange"]
    listed = streams.list_streams(TableName=name)["Streams"]
    assert listed == [{"StreamArn": arn, "TableName": name, "StreamLabel": description["StreamLabel"]}]
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    closed = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert closed["StreamStatus"] == "DISABLED"
    assert "EndingSequenceNumber" in closed["Shards"][0]["SequenceNumberRange"]
    ddb.put_item(TableName=name, Item={"pk": {"S": "after"}})
    assert all_records(streams, arn) == []


def test_stream_of_unknown_arn_fails(streams: Any) -> None:
    arn = "arn:aws:dynamodb:us-east-1:000000000000:table/none/stream/2026-01-01T00:00:00.000"
    with pytest.raises(ClientError) as excinfo:
        streams.describe_stream(StreamArn=arn)
    assert excinfo.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_iterator_expires_and_records_trim_after_a_day(ddb: Any, streams: Any, fogbank: Any) -> None:
    name, arn = make_table(ddb, "KEYS_ONLY")
    ddb.put_item(TableName=name, Item={"pk": {"S": "old"}})
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    sequence = all_records(streams, arn)[0]["dynamodb"]["SequenceNumber"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")[
        "ShardIterator"
    ]
    fogbank.advance_clock("PT16M")
    with pytest.raises(ClientError) as excinfo:
        streams.get_records(ShardIterator=iterator)
    assert excinfo.value.response["Error"]["Code"] == "ExpiredIteratorException"
    fogbank.advance_clock("PT24H")
    assert all_records(streams, arn) == []
    with pytest.raises(ClientError) as excinfo:
        streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER", SequenceNumber=sequence
        )
    assert excinfo.value.response["Error"]["Code"] == "TrimmedDataAccessException"


def test_ttl_deletion_records_the_service_identity(ddb: Any, streams: Any, fogbank: Any) -> None:
    name, arn = make_table(ddb, "OLD_IMAGE")
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    now = int(ddb.describe_table(TableName=name)["Table"]["CreationDateTime"].timestamp())
    ddb.put_item(TableName=name, Item={"pk": {"S": "t"}, "exp": {"N": str(now + 60)}})
    fogbank.advance_clock("PT5M")
    records = all_records(streams, arn)
    assert [r["eventName"] for r in records] == ["INSERT", "REMOVE"]
    assert records[1]["userIdentity"] == {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}


def test_cancelled_transaction_leaves_no_stream_record(ddb: Any, streams: Any) -> None:
    name, arn = make_table(ddb, "KEYS_ONLY")
    with pytest.raises(ClientError):
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": name, "Item": {"pk": {"S": "x"}}}},
                {
                    "ConditionCheck": {
                        "TableName": name,
                        "Key": {"pk": {"S": "y"}},
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )
    ddb.put_item(TableName=name, Item={"pk": {"S": "z"}})
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in all_records(streams, arn)] == ["z"]


def test_shards_rotate_with_parent_lineage(ddb: Any, streams: Any, fogbank: Any) -> None:
    name, arn = make_table(ddb, "KEYS_ONLY")
    ddb.put_item(TableName=name, Item={"pk": {"S": "first"}})
    fogbank.advance_clock("PT4H1M")
    ddb.put_item(TableName=name, Item={"pk": {"S": "second"}})
    shards = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    assert len(shards) == 2
    parent, child = shards
    assert child["ParentShardId"] == parent["ShardId"] and "ParentShardId" not in parent
    assert "EndingSequenceNumber" in parent["SequenceNumberRange"]
    assert "EndingSequenceNumber" not in child["SequenceNumberRange"]

    def read(shard: str) -> dict[str, Any]:
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")[
            "ShardIterator"
        ]
        return dict(streams.get_records(ShardIterator=iterator))

    closed = read(parent["ShardId"])
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in closed["Records"]] == ["first"]
    assert "NextShardIterator" not in closed
    opened = read(child["ShardId"])
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in opened["Records"]] == ["second"]
    assert "NextShardIterator" in opened
