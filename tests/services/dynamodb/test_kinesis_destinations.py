"""Kinesis Data Streams as a DynamoDB streaming destination: the four operations, their statuses and
errors, and the records item changes write to the stream, read back with GetRecords."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from dynamodb_support import error_of

from fogbank.testing.server import FogbankServer

STATE = "Table is not in a valid state to enable Kinesis Streaming Destination: "


@pytest.fixture
def kinesis(client_factory: Callable[..., Any]) -> Any:
    return client_factory("kinesis")


@pytest.fixture
def stream_arn(kinesis: Any, unique_name: Callable[[str], str]) -> str:
    name = unique_name("ddbdest")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    return str(kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"])


def read_all(kinesis: Any, arn: str) -> list[dict[str, Any]]:
    shard = kinesis.list_shards(StreamARN=arn)["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(StreamARN=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")[
        "ShardIterator"
    ]
    return list(kinesis.get_records(StreamARN=arn, ShardIterator=iterator)["Records"])


def destinations(ddb: Any, table: str) -> list[dict[str, Any]]:
    return list(ddb.describe_kinesis_streaming_destination(TableName=table)["KinesisDataStreamDestinations"])


def test_enable_kinesis_streaming_destination_existing_stream_enabling_then_active(
    ddb: Any, make_table: Callable[..., str], stream_arn: str
) -> None:
    table = make_table(None)
    assert destinations(ddb, table) == []
    answer = ddb.enable_kinesis_streaming_destination(TableName=table, StreamArn=stream_arn)
    answer.pop("ResponseMetadata")
    assert answer == {
        "TableName": table,
        "StreamArn": stream_arn,
        "DestinationStatus": "ENABLING",
        "EnableKinesisStreamingConfiguration": {},
    }
    assert destinations(ddb, table) == [{"StreamArn": stream_arn, "DestinationStatus": "ACTIVE"}]
    assert "KinesisDataStreamDestinations" not in ddb.describe_table(TableName=table)["Table"]


def test_enable_kinesis_streaming_destination_missing_stream_enable_failed(
    ddb: Any, make_table: Callable[..., str]
) -> None:
    table = make_table(None)
    arn = "arn:aws:kinesis:us-east-1:000000000000:stream/no-such-stream-here"
    answer = ddb.enable_kinesis_streaming_destination(TableName=table, StreamArn=arn)
    assert answer["DestinationStatus"] == "ENABLING"  # AWS checks the stream after answering
    assert destinations(ddb, table) == [
        {
            "StreamArn": arn,
            "DestinationStatus": "ENABLE_FAILED",
            "DestinationStatusDescription": "User does not have a permission to use kinesis stream",
        }
    ]


def test_enable_kinesis_streaming_destination_already_active_validation_error(
    ddb: Any, make_table: Callable[..., str], stream_arn: str
) -> None:
    table = make_table(None)
    ddb.enable_kinesis_streaming_destination(TableName=table, StreamArn=stream_arn)
    with pytest.raises(ClientError) as excinfo:
        ddb.enable_kinesis_streaming_destination(TableName=table, StreamArn=stream_arn)
    assert error_of(excinfo) == (
        "ValidationException",
        STATE
        + "EnableKinesisStreamingDestination must be DISABLED or ENABLE_FAILED to perform ENABLE operation.",
        400,
    )


def test_enable_kinesis_streaming_destination_missing_table_not_found(ddb: Any, stream_arn: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        ddb.enable_kinesis_streaming_destination(TableName="no-such-table-x", StreamArn=stream_arn)
    assert error_of(excinfo) == (
        "ResourceNotFoundException",
        "Requested resource not found: Table: no-such-table-x not found",
        400,
    )


def test_disable_kinesis_streaming_destination_active_disabling_then_disabled(
    ddb: Any, kinesis: Any, make_table: Callable[..., str], stream_arn: str
) -> None:
    table = make_table(None)
    ddb.enable_kinesis_streaming_destination(TableName=table, StreamArn=stream_arn)
    answer = ddb.disable_kinesis_streaming_destination(TableName=table, StreamArn=stream_arn)
    assert (answer["DestinationStatus"], answer["StreamArn"]) == ("DISABLING", stream_arn)
    assert destinations(ddb, table) == [{"StreamArn": stream_arn, "DestinationStatus": "DISABLED"}]
    ddb.put_item(TableName=table, Item={"pk": {"S": "after-disable"}})
    assert read_all(kinesis, stream_arn) == []
    with pytest.raises(ClientError) as excinfo:
        ddb.disable_kinesis_streaming_destination(TableName=table, StreamArn=stream_arn)
    assert error_of(excinfo) == (
        "ValidationException",
        STATE + "KinesisStreamingDestination must be ACTIVE to perform DISABLE operation.",
        400,
    )
    ddb.enable_kinesis_streaming_destination(TableName=table, StreamArn=stream_arn)
    assert destinations(ddb, table) == [{"StreamArn": stream_arn, "DestinationStatus": "ACTIVE"}]


def test_disable_kinesis_streaming_destination_with_configuration_validation_error(
    ddb: Any, make_table: Callable[..., str], stream_arn: str
) -> None:
    table = make_table(None)
    ddb.enable_kinesis_streaming_destination(TableName=table, StreamArn=stream_arn)
    with pytest.raises(ClientError) as excinfo:
        ddb.disable_kinesis_streaming_destination(
            TableName=table,
            StreamArn=stream_arn,
            EnableKinesisStreamingConfiguration={"ApproximateCreationDateTimePrecision": "MICROSECOND"},
        )
    assert error_of(excinfo) == (
        "ValidationException",
        "Stream cannot be disabled using EnableKinesisStreamingConfiguration parameters",
        400,
    )


def test_update_kinesis_streaming_destination_precision_updating_then_active(
    ddb: Any, make_table: Callable[..., str], stream_arn: str
) -> None:
    table = make_table(None)
    ddb.enable_kinesis_streaming_destination(TableName=table, StreamArn=stream_arn)
    answer = ddb.update_kinesis_streaming_destination(
        TableName=table,
        StreamArn=stream_arn,
        UpdateKinesisStreamingConfiguration={"ApproximateCreationDateTimePrecision": "MICROSECOND"},
    )
    answer.pop("ResponseMetadata")
    assert answer == {
        "TableName": table,
        "StreamArn": stream_arn,
        "DestinationStatus": "UPDATING",
        "UpdateKinesisStreamingConfiguration": {"ApproximateCreationDateTimePrecision": "MICROSECOND"},
    }
    assert destinations(ddb, table) == [
        {
            "StreamArn": stream_arn,
            "DestinationStatus": "ACTIVE",
            "ApproximateCreationDateTimePrecision": "MICROSECOND",
        }
    ]
    with pytest.raises(ClientError) as excinfo:
        ddb.update_kinesis_streaming_destination(
            TableName=table,
            StreamArn=stream_arn,
            UpdateKinesisStreamingConfiguration={"ApproximateCreationDateTimePrecision": "MICROSECOND"},
        )
    table_id = ddb.describe_table(TableName=table)["Table"]["TableId"]
    assert error_of(excinfo) == (
        "ValidationException",
        f"Invalid Request: Precision is already set to the desired value of MICROSECOND for tableId: {table_id}, "
        f"kdsArn: {stream_arn}",
        400,
    )


def test_update_kinesis_streaming_destination_errors_validation(
    ddb: Any, make_table: Callable[..., str], stream_arn: str
) -> None:
    table = make_table(None)
    with pytest.raises(ClientError) as excinfo:
        ddb.update_kinesis_streaming_destination(TableName=table, StreamArn=stream_arn)
    assert error_of(excinfo) == (
        "ValidationException",
        "Streaming destination cannot be updated with given parameters: UpdateKinesisStreamingConfiguration "
        "cannot be null or contain only null values",
        400,
    )
    micro = {"ApproximateCreationDateTimePrecision": "MICROSECOND"}
    with pytest.raises(ClientError) as excinfo:
        ddb.update_kinesis_streaming_destination(
            TableName=table, StreamArn=stream_arn, UpdateKinesisStreamingConfiguration=micro
        )
    assert error_of(excinfo) == (
        "ValidationException",
        STATE + f"No streaming destination with streamArn: {stream_arn}",
        400,
    )
    ddb.enable_kinesis_streaming_destination(TableName=table, StreamArn=stream_arn)
    ddb.disable_kinesis_streaming_destination(TableName=table, StreamArn=stream_arn)
    with pytest.raises(ClientError) as excinfo:
        ddb.update_kinesis_streaming_destination(
            TableName=table, StreamArn=stream_arn, UpdateKinesisStreamingConfiguration=micro
        )
    assert error_of(excinfo) == (
        "ValidationException",
        STATE + "Kinesis streaming is not in ACTIVE state. Updates are only allowed in ACTIVE state. "
        f"TableName: {table}",
        400,
    )


def _data(record: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(record["Data"]))


def test_put_update_delete_item_kinesis_destination_records_as_aws_writes_them(
    ddb: Any, kinesis: Any, make_table: Callable[..., str], stream_arn: str
) -> None:
    table = make_table("N")
    ddb.enable_kinesis_streaming_destination(TableName=table, StreamArn=stream_arn)
    key = {"pk": {"S": "user#1"}, "sk": {"N": "7"}}
    first = {**key, "name": {"S": "Ann"}, "blob": {"B": b"\x00\xff"}}
    ddb.put_item(TableName=table, Item=first)
    ddb.put_item(TableName=table, Item=first)  # nothing changed: no record, as for DynamoDB Streams
    ddb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET age = :a",
        ExpressionAttributeValues={":a": {"N": "41"}},
    )
    ddb.delete_item(TableName=table, Key=key)
    records = read_all(kinesis, stream_arn)
    assert len(records) == 3
    expected_key = hashlib.md5(json.dumps(key, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    stored_first = {"pk": {"S": "user#1"}, "sk": {"N": "7"}, "name": {"S": "Ann"}, "blob": {"B": "AP8="}}
    second = {**stored_first, "age": {"N": "41"}}
    images = [
        ({"NewImage": stored_first}, "INSERT"),
        ({"NewImage": second, "OldImage": stored_first}, "MODIFY"),
    ]
    images.append(({"OldImage": second}, "REMOVE"))
    for record, (image, event_name) in zip(records, images, strict=True):
        assert record["PartitionKey"] == expected_key.upper()
        data = _data(record)
        assert list(data) == [
            "awsRegion", "eventID", "eventName", "userIdentity", "recordFormat", "tableName", "dynamodb", "eventSource",
        ]  # fmt: skip
        assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", data["eventID"])
        body = data["dynamodb"]
        assert (
            abs(
                body["ApproximateCreationDateTime"] - record["ApproximateArrivalTimestamp"].timestamp() * 1000
            )
            < 2
        )
        assert data == {
            "awsRegion": "us-east-1",
            "eventID": data["eventID"],
            "eventName": event_name,
            "userIdentity": None,
            "recordFormat": "application/json",
            "tableName": table,
            "dynamodb": {
                "ApproximateCreationDateTime": body["ApproximateCreationDateTime"],
                "Keys": key,
                **image,
                "SizeBytes": body["SizeBytes"],
            },
            "eventSource": "aws:dynamodb",
        }
    # Keys (12 bytes) plus each image: 25 bytes first, 30 after `age` was added.
    assert [_data(r)["dynamodb"]["SizeBytes"] for r in records] == [37, 67, 42]


def test_put_item_microsecond_precision_kinesis_record_carries_precision(
    ddb: Any, kinesis: Any, make_table: Callable[..., str], stream_arn: str
) -> None:
    table = make_table(None)
    ddb.enable_kinesis_streaming_destination(
        TableName=table,
        StreamArn=stream_arn,
        EnableKinesisStreamingConfiguration={"ApproximateCreationDateTimePrecision": "MICROSECOND"},
    )
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}})
    (record,) = read_all(kinesis, stream_arn)
    body = _data(record)["dynamodb"]
    assert body["ApproximateCreationDateTimePrecision"] == "MICROSECOND"
    assert list(body) == [
        "ApproximateCreationDateTime",
        "Keys",
        "NewImage",
        "SizeBytes",
        "ApproximateCreationDateTimePrecision",
    ]
    arrival_us = record["ApproximateArrivalTimestamp"].timestamp() * 1_000_000
    assert abs(body["ApproximateCreationDateTime"] - arrival_us) < 2000
    assert body["ApproximateCreationDateTime"] > 10**15


def test_batch_write_item_deleted_stream_destination_stays_active_writes_succeed(
    ddb: Any, kinesis: Any, make_table: Callable[..., str], stream_arn: str
) -> None:
    table = make_table(None)
    ddb.enable_kinesis_streaming_destination(TableName=table, StreamArn=stream_arn)
    ddb.batch_write_item(
        RequestItems={table: [{"PutRequest": {"Item": {"pk": {"S": str(i)}}}} for i in range(3)]}
    )
    assert sorted(_data(r)["dynamodb"]["Keys"]["pk"]["S"] for r in read_all(kinesis, stream_arn)) == [
        "0",
        "1",
        "2",
    ]
    kinesis.delete_stream(StreamARN=stream_arn)
    ddb.put_item(TableName=table, Item={"pk": {"S": "after-delete"}})
    assert destinations(ddb, table) == [{"StreamArn": stream_arn, "DestinationStatus": "ACTIVE"}]


def test_update_time_to_live_expiry_kinesis_record_has_service_identity(
    ddb: Any, kinesis: Any, make_table: Callable[..., str], stream_arn: str, fogbank: Any
) -> None:
    table = make_table(None)
    ddb.update_time_to_live(
        TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"}
    )
    ddb.enable_kinesis_streaming_destination(TableName=table, StreamArn=stream_arn)
    now = int(ddb.describe_table(TableName=table)["Table"]["CreationDateTime"].timestamp())
    item = {"pk": {"S": "expiring"}, "ttl": {"N": str(now + 60)}}
    ddb.put_item(TableName=table, Item=item)
    fogbank.advance_clock("PT2H")
    inserted, removed = (_data(record) for record in read_all(kinesis, stream_arn))
    assert (inserted["eventName"], inserted["userIdentity"]) == ("INSERT", None)
    assert removed["eventName"] == "REMOVE"
    assert removed["userIdentity"] == {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    assert removed["dynamodb"]["OldImage"] == item


def test_transact_write_items_cancelled_writes_no_kinesis_record(
    ddb: Any, kinesis: Any, make_table: Callable[..., str], stream_arn: str
) -> None:
    table = make_table(None)
    ddb.enable_kinesis_streaming_destination(TableName=table, StreamArn=stream_arn)
    with pytest.raises(ClientError):
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": {"pk": {"S": "a"}}}},
                {
                    "Put": {
                        "TableName": table,
                        "Item": {"pk": {"S": "b"}},
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )
    assert read_all(kinesis, stream_arn) == []
    ddb.transact_write_items(
        TransactItems=[{"Put": {"TableName": table, "Item": {"pk": {"S": key}}}} for key in ("a", "b")]
    )
    assert [_data(r)["dynamodb"]["Keys"]["pk"]["S"] for r in read_all(kinesis, stream_arn)] == ["a", "b"]


def test_enable_kinesis_streaming_destination_other_region_stream_enable_failed(
    ddb: Any,
    client_factory: Callable[..., Any],
    make_table: Callable[..., str],
    unique_name: Callable[[str], str],
) -> None:
    elsewhere = client_factory("kinesis", region="eu-west-1")
    name = unique_name("faraway")
    elsewhere.create_stream(StreamName=name, ShardCount=1)
    arn = elsewhere.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    table = make_table(None)
    ddb.enable_kinesis_streaming_destination(TableName=table, StreamArn=arn)
    assert destinations(ddb, table) == [
        {
            "StreamArn": arn,
            "DestinationStatus": "ENABLE_FAILED",
            "DestinationStatusDescription": "The kinesis Arn used to enable kinesis replication belongs to a "
            "stream which is not in the current region",
        }
    ]
    ddb.put_item(TableName=table, Item={"pk": {"S": "x"}})  # a failed destination takes no records


def test_enable_kinesis_streaming_destination_survives_restart_and_keeps_streaming(tmp_path: Path) -> None:
    server = FogbankServer(data_dir=tmp_path).start()
    try:
        ddb, kinesis = server.client("dynamodb"), server.client("kinesis")
        ddb.create_table(
            TableName="durable-kds",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        kinesis.create_stream(StreamName="durable-kds", ShardCount=1)
        arn = kinesis.describe_stream_summary(StreamName="durable-kds")["StreamDescriptionSummary"][
            "StreamARN"
        ]
        ddb.enable_kinesis_streaming_destination(TableName="durable-kds", StreamArn=arn)
        ddb.put_item(TableName="durable-kds", Item={"pk": {"S": "before"}})
    finally:
        server.kill()
    server = FogbankServer(data_dir=tmp_path).start()
    try:
        ddb, kinesis = server.client("dynamodb"), server.client("kinesis")
        assert destinations(ddb, "durable-kds") == [{"StreamArn": arn, "DestinationStatus": "ACTIVE"}]
        ddb.put_item(TableName="durable-kds", Item={"pk": {"S": "after"}})
        keys = [_data(record)["dynamodb"]["Keys"]["pk"]["S"] for record in read_all(kinesis, arn)]
        assert keys == ["before", "after"]
    finally:
        server.stop()
