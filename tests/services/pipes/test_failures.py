"""Failures through the shared poller machinery: partial batch responses from a Lambda target
(SQS source), AUTOMATIC_BISECT isolating a poison record (stream source) with the rest delivered
and the poison record's batch described to the dead-letter queue, and a target that is gone."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pipes_support import REPORT_TO_WITNESS, eventually, receive_one

PARTIAL = (
    REPORT_TO_WITNESS
    + """
def handler(event, context):
    report(event)
    return {"batchItemFailures": [{"itemIdentifier": e["messageId"]} for e in event if e["body"] == "bad"]}
"""
)

POISON_ENRICHMENT = """
def handler(event, context):
    if any("poison" in record["dynamodb"]["NewImage"] for record in event):
        raise RuntimeError("poison")
    return event
"""


def test_create_pipe_lambda_target_partial_batch_failure_keeps_only_failed_messages(
    pipes_client: Any,
    sqs: Any,
    queue: Callable[[str], tuple[str, str]],
    pipe_names: Callable[[], str],
    function: Callable[..., str],
    role_arn: str,
    fogbank: Any,
) -> None:
    source_url, source_arn = queue("source")
    witness_url, _ = queue("witness")
    function_arn = function(PARTIAL, {"WITNESS": witness_url})
    name = pipe_names()
    pipes_client.create_pipe(
        Name=name, RoleArn=role_arn, Source=source_arn, Target=function_arn, DesiredState="STOPPED"
    )
    sqs.send_message_batch(
        QueueUrl=source_url,
        Entries=[{"Id": "1", "MessageBody": "good"}, {"Id": "2", "MessageBody": "bad"}],
    )
    pipes_client.start_pipe(Name=name)
    batch = json.loads(receive_one(sqs, witness_url)["Body"])
    assert sorted(item["body"] for item in batch) == ["bad", "good"]
    idle_url, _ = queue("idle")

    def settled() -> bool:  # "good" deleted once the function answered
        found = sqs.get_queue_attributes(QueueUrl=source_url, AttributeNames=["All"])["Attributes"]
        return bool(found["ApproximateNumberOfMessagesNotVisible"] == "1")

    assert eventually(settled, sqs, idle_url)
    fogbank.advance_clock("PT31S")  # past the queue's visibility timeout: only "bad" comes back
    again = json.loads(receive_one(sqs, witness_url)["Body"])
    assert [item["body"] for item in again] == ["bad"]
    pipes_client.stop_pipe(Name=name)


def test_create_pipe_automatic_bisect_isolates_poison_record_to_dead_letter_queue(
    client_factory: Callable[..., Any],
    pipes_client: Any,
    sqs: Any,
    queue: Callable[[str], tuple[str, str]],
    function: Callable[[str], str],
    pipe_names: Callable[[], str],
    unique_name: Callable[[str], str],
    role_arn: str,
) -> None:
    dynamodb = client_factory("dynamodb")
    table = unique_name("table")
    stream_arn = dynamodb.create_table(
        TableName=table,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )["TableDescription"]["LatestStreamArn"]
    target_url, target_arn = queue("target")
    dead_letter_url, dead_letter_arn = queue("dlq")
    name = pipe_names()
    pipe_arn = pipes_client.create_pipe(
        Name=name,
        RoleArn=role_arn,
        Source=stream_arn,
        SourceParameters={
            "DynamoDBStreamParameters": {
                "StartingPosition": "TRIM_HORIZON",
                "BatchSize": 2,
                "MaximumBatchingWindowInSeconds": 5,
                "OnPartialBatchItemFailure": "AUTOMATIC_BISECT",
                "MaximumRetryAttempts": 0,
                "DeadLetterConfig": {"Arn": dead_letter_arn},
            }
        },
        Enrichment=function(POISON_ENRICHMENT),
        Target=target_arn,
        TargetParameters={"InputTemplate": "<$.dynamodb.Keys.pk.S>"},
    )["Arn"]
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "good"}})
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "bad"}, "poison": {"BOOL": True}})
    assert receive_one(sqs, target_url)["Body"] == "good"
    document = json.loads(receive_one(sqs, dead_letter_url)["Body"])
    assert document["context"] == {"partnerResourceArn": pipe_arn, "condition": "RetryAttemptsExhausted"}
    info = document["DDBStreamBatchInfo"]
    assert (info["batchSize"], info["streamArn"]) == (1, stream_arn)
    assert info["startSequenceNumber"] == info["endSequenceNumber"]
    assert not sqs.receive_message(QueueUrl=target_url, WaitTimeSeconds=1).get("Messages")


def test_create_pipe_target_gone_counts_as_failure_and_dead_letters(
    client_factory: Callable[..., Any],
    pipes_client: Any,
    sqs: Any,
    queue: Callable[[str], tuple[str, str]],
    pipe_names: Callable[[], str],
    unique_name: Callable[[str], str],
    role_arn: str,
) -> None:
    kinesis = client_factory("kinesis")
    stream = unique_name("in")
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    stream_arn = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
    target_url, target_arn = queue("target")
    dead_letter_url, dead_letter_arn = queue("dlq")
    pipe_arn = pipes_client.create_pipe(
        Name=pipe_names(),
        RoleArn=role_arn,
        Source=stream_arn,
        SourceParameters={
            "KinesisStreamParameters": {
                "StartingPosition": "LATEST",
                "MaximumRetryAttempts": 0,
                "DeadLetterConfig": {"Arn": dead_letter_arn},
            }
        },
        Target=target_arn,
    )["Arn"]
    sqs.delete_queue(QueueUrl=target_url)
    sent = kinesis.put_record(StreamName=stream, Data=b"lost", PartitionKey="k")
    document = json.loads(receive_one(sqs, dead_letter_url)["Body"])
    assert document["context"] == {"partnerResourceArn": pipe_arn, "condition": "RetryAttemptsExhausted"}
    info = document["KinesisBatchInfo"]
    assert (info["shardId"], info["startSequenceNumber"], info["batchSize"]) == (
        sent["ShardId"],
        sent["SequenceNumber"],
        1,
    )
