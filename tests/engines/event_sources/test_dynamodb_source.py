"""DynamoDB Streams → Lambda through an event source mapping: the event record and the failure
story of scenario 2 with `DDBStreamBatchInfo`."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.parser.models import DynamoDBStreamModel
from event_source_support import Witness

FAIL_ON_POISON = """
def decide(event):
    for record in event["Records"]:
        if "poison" in record["dynamodb"].get("NewImage", {}):
            raise ValueError("poison item")
"""


def make_table(client_factory: Callable[..., Any], name: str) -> str:
    dynamodb = client_factory("dynamodb")
    answer = dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    return str(answer["TableDescription"]["LatestStreamArn"])


def test_create_event_source_mapping_dynamodb_poison_item_sent_to_on_failure_destination(
    client_factory: Callable[..., Any],
    sqs: Any,
    lambda_client: Any,
    reporting_function: Callable[[str], str],
    witness: Witness,
    unique_name: Callable[[str], str],
    fogbank: Any,
) -> None:
    table = unique_name("table")
    stream_arn = make_table(client_factory, table)
    dynamodb = client_factory("dynamodb")
    failures_url = sqs.create_queue(QueueName=unique_name("failures"))["QueueUrl"]
    failures_arn = sqs.get_queue_attributes(QueueUrl=failures_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    function = reporting_function(FAIL_ON_POISON)
    lambda_client.create_event_source_mapping(
        EventSourceArn=stream_arn,
        FunctionName=function,
        StartingPosition="TRIM_HORIZON",
        BatchSize=2,
        MaximumBatchingWindowInSeconds=5,
        BisectBatchOnFunctionError=True,
        MaximumRetryAttempts=1,
        DestinationConfig={"OnFailure": {"Destination": failures_arn}},
    )
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "good"}})
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "bad"}, "poison": {"BOOL": True}})
    event = witness.next_event()
    DynamoDBStreamModel.model_validate(event)  # Powertools' parser accepts the event
    first = event["Records"]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in first] == ["good", "bad"]
    record = first[0]
    assert set(record) == {
        "eventID",
        "eventName",
        "eventVersion",
        "eventSource",
        "awsRegion",
        "dynamodb",
        "eventSourceARN",
    }
    assert (record["eventName"], record["eventVersion"], record["eventSource"]) == (
        "INSERT",
        "1.1",
        "aws:dynamodb",
    )
    assert record["eventSourceARN"] == stream_arn
    assert record["dynamodb"]["NewImage"] == {"pk": {"S": "good"}}
    assert record["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert isinstance(record["dynamodb"]["ApproximateCreationDateTime"], int)
    assert {"SequenceNumber", "SizeBytes", "Keys"} <= set(record["dynamodb"])
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in witness.next_event()["Records"]] == ["good"]
    bad = witness.next_event()["Records"]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in bad] == ["bad"]
    fogbank.advance_clock("PT1S")
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in witness.next_event()["Records"]] == ["bad"]
    document = json.loads(
        sqs.receive_message(QueueUrl=failures_url, WaitTimeSeconds=20)["Messages"][0]["Body"]
    )
    sequence = bad[0]["dynamodb"]["SequenceNumber"]
    info = document["DDBStreamBatchInfo"]
    assert info == {
        "shardId": info["shardId"],
        "startSequenceNumber": sequence,
        "endSequenceNumber": sequence,
        "approximateArrivalOfFirstRecord": info["approximateArrivalOfFirstRecord"],
        "approximateArrivalOfLastRecord": info["approximateArrivalOfLastRecord"],
        "batchSize": 1,
        "streamArn": stream_arn,
    }
    assert info["shardId"].startswith("shardId-")
    assert document["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert document["requestContext"]["approximateInvokeCount"] == 2
    assert document["responseContext"] == {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled",
    }
    assert set(document) == {
        "requestContext",
        "responseContext",
        "version",
        "timestamp",
        "DDBStreamBatchInfo",
    }
