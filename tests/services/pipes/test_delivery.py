"""Pipes end to end: SQS and DynamoDB stream sources through filters, Lambda enrichments and
input templates to SQS targets; failures to the dead-letter queue; stopped pipes consume nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pipes_support import drained, receive_one

ENRICH_ORDERS = """
def handler(event, context):
    return [{"orderId": item["orderId"], "customer": "c-" + str(item["orderId"])} for item in event]
"""

# Scenario 6's enrichment, minus the Cognito lookup (fogbank has no Cognito yet): for each
# modified item, the attributes whose value changed.
MODIFIED_ATTRIBUTES = """
def handler(event, context):
    out = []
    for record in event:
        old = record["dynamodb"].get("OldImage", {})
        new = record["dynamodb"].get("NewImage", {})
        for name in sorted(new):
            if name not in ("PK", "SK") and old.get(name) != new[name]:
                out.append({"userId": new["PK"]["S"], "attribute": name})
    return out
"""

ALWAYS_FAILS = """
def handler(event, context):
    raise RuntimeError("enrichment is down")
"""


def test_create_pipe_sqs_filter_enrichment_template_delivers_to_sqs(
    pipes_client: Any,
    sqs: Any,
    queue: Callable[[str], tuple[str, str]],
    function: Callable[[str], str],
    pipe_names: Callable[[], str],
    role_arn: str,
) -> None:
    source_url, source_arn = queue("source")
    target_url, target_arn = queue("target")
    enrichment = function(ENRICH_ORDERS)
    name = pipe_names()
    pipes_client.create_pipe(
        Name=name,
        RoleArn=role_arn,
        Source=source_arn,
        SourceParameters={
            "FilterCriteria": {"Filters": [{"Pattern": json.dumps({"body": {"kind": ["order"]}})}]},
            "SqsQueueParameters": {"BatchSize": 1},
        },
        Enrichment=enrichment,
        EnrichmentParameters={"InputTemplate": '{"orderId": <$.body.orderId>}'},
        Target=target_arn,
        TargetParameters={
            "InputTemplate": '{"id": <$.orderId>, "who": "<$.customer>", "pipe": "<aws.pipes.pipe-name>", '
            '"note": "Order <$.orderId> enriched"}'
        },
    )
    sqs.send_message(QueueUrl=source_url, MessageBody=json.dumps({"kind": "refund", "orderId": 1}))
    sqs.send_message(QueueUrl=source_url, MessageBody=json.dumps({"kind": "order", "orderId": 7}))
    message = receive_one(sqs, target_url)
    assert json.loads(message["Body"]) == {"id": 7, "who": "c-7", "pipe": name, "note": "Order 7 enriched"}
    assert not sqs.receive_message(QueueUrl=target_url, WaitTimeSeconds=1).get("Messages")
    attributes = sqs.get_queue_attributes(QueueUrl=source_url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "0"  # the filtered message was deleted
    assert attributes["ApproximateNumberOfMessagesNotVisible"] == "0"


def test_create_pipe_sqs_without_template_sends_the_sqs_record(
    pipes_client: Any,
    sqs: Any,
    queue: Callable[[str], tuple[str, str]],
    pipe_names: Callable[[], str],
    role_arn: str,
) -> None:
    source_url, source_arn = queue("source")
    target_url, target_arn = queue("target")
    pipes_client.create_pipe(Name=pipe_names(), RoleArn=role_arn, Source=source_arn, Target=target_arn)
    sent = sqs.send_message(QueueUrl=source_url, MessageBody="plain text")
    event = json.loads(receive_one(sqs, target_url)["Body"])
    assert event["messageId"] == sent["MessageId"]
    assert event["body"] == "plain text"
    assert (event["eventSource"], event["eventSourceARN"], event["awsRegion"]) == (
        "aws:sqs",
        source_arn,
        "us-east-1",
    )
    assert {"receiptHandle", "attributes", "messageAttributes", "md5OfBody"} <= set(event)


def _table_with_stream(client_factory: Callable[..., Any], name: str) -> str:
    dynamodb = client_factory("dynamodb")
    answer = dynamodb.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": "PK", "AttributeType": "S"},
            {"AttributeName": "SK", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    return str(answer["TableDescription"]["LatestStreamArn"])


def test_create_pipe_dynamodb_stream_modified_attributes_notice_to_sqs(
    client_factory: Callable[..., Any],
    pipes_client: Any,
    sqs: Any,
    queue: Callable[[str], tuple[str, str]],
    function: Callable[[str], str],
    pipe_names: Callable[[], str],
    unique_name: Callable[[str], str],
    role_arn: str,
) -> None:
    """Scenario 6 as far as fogbank's services go: the SES email becomes an SQS message."""
    table = unique_name("users")
    stream_arn = _table_with_stream(client_factory, table)
    dynamodb = client_factory("dynamodb")
    target_url, target_arn = queue("notices")
    _, dead_letter_arn = queue("dlq")
    name = pipe_names()
    pipes_client.create_pipe(
        Name=name,
        RoleArn=role_arn,
        Source=stream_arn,
        SourceParameters={
            "FilterCriteria": {"Filters": [{"Pattern": json.dumps({"eventName": ["MODIFY"]})}]},
            "DynamoDBStreamParameters": {
                "StartingPosition": "LATEST",
                "BatchSize": 1,
                "DeadLetterConfig": {"Arn": dead_letter_arn},
                "MaximumRetryAttempts": 2,
            },
        },
        Enrichment=function(MODIFIED_ATTRIBUTES),
        Target=target_arn,
        TargetParameters={
            "InputTemplate": '{"to": "<$.userId>", "subject": "Notice: <$.attribute> Change Successful"}'
        },
    )
    item = {"PK": {"S": "user-1"}, "SK": {"S": "profile"}, "email": {"S": "a@example.com"}}
    dynamodb.put_item(TableName=table, Item=item)  # INSERT: filtered out
    dynamodb.put_item(TableName=table, Item={**item, "email": {"S": "b@example.com"}})
    notice = json.loads(receive_one(sqs, target_url)["Body"])
    assert notice == {"to": "user-1", "subject": "Notice: email Change Successful"}
    assert not sqs.receive_message(QueueUrl=target_url, WaitTimeSeconds=1).get("Messages")


def test_create_pipe_stream_enrichment_failure_sends_batch_info_to_dead_letter_queue(
    client_factory: Callable[..., Any],
    pipes_client: Any,
    sqs: Any,
    queue: Callable[[str], tuple[str, str]],
    function: Callable[[str], str],
    pipe_names: Callable[[], str],
    unique_name: Callable[[str], str],
    role_arn: str,
) -> None:
    table = unique_name("users")
    stream_arn = _table_with_stream(client_factory, table)
    dynamodb = client_factory("dynamodb")
    _, target_arn = queue("target")
    dead_letter_url, dead_letter_arn = queue("dlq")
    name = pipe_names()
    pipe_arn = pipes_client.create_pipe(
        Name=name,
        RoleArn=role_arn,
        Source=stream_arn,
        SourceParameters={
            "DynamoDBStreamParameters": {
                "StartingPosition": "TRIM_HORIZON",
                "DeadLetterConfig": {"Arn": dead_letter_arn},
                "MaximumRetryAttempts": 0,
            },
        },
        Enrichment=function(ALWAYS_FAILS),
        Target=target_arn,
    )["Arn"]
    dynamodb.put_item(TableName=table, Item={"PK": {"S": "u"}, "SK": {"S": "s"}})
    document = json.loads(receive_one(sqs, dead_letter_url)["Body"])
    info = document["DDBStreamBatchInfo"]
    assert document == {
        "context": {"partnerResourceArn": pipe_arn, "condition": "RetryAttemptsExhausted"},
        "version": "1.0",
        "timestamp": document["timestamp"],
        "DDBStreamBatchInfo": {
            "shardId": info["shardId"],
            "startSequenceNumber": info["startSequenceNumber"],
            "endSequenceNumber": info["startSequenceNumber"],
            "approximateArrivalOfFirstRecord": info["approximateArrivalOfFirstRecord"],
            "approximateArrivalOfLastRecord": info["approximateArrivalOfFirstRecord"],
            "batchSize": 1,
            "streamArn": stream_arn,
        },
    }
    assert document["timestamp"].endswith("Z")


def test_stop_pipe_stopped_pipe_does_not_consume_until_started(
    pipes_client: Any,
    sqs: Any,
    queue: Callable[[str], tuple[str, str]],
    pipe_names: Callable[[], str],
    role_arn: str,
) -> None:
    source_url, source_arn = queue("source")
    target_url, target_arn = queue("target")
    name = pipe_names()
    pipes_client.create_pipe(
        Name=name, RoleArn=role_arn, Source=source_arn, Target=target_arn, DesiredState="STOPPED"
    )
    sqs.send_message(QueueUrl=source_url, MessageBody="first")
    assert not sqs.receive_message(QueueUrl=target_url, WaitTimeSeconds=1).get("Messages")
    attributes = sqs.get_queue_attributes(QueueUrl=source_url, AttributeNames=["ApproximateNumberOfMessages"])
    assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "1"
    pipes_client.start_pipe(Name=name)
    assert json.loads(receive_one(sqs, target_url)["Body"])["body"] == "first"
    drained(sqs, source_url, queue("idle")[0])
    pipes_client.stop_pipe(Name=name)
    sqs.send_message(QueueUrl=source_url, MessageBody="second")
    assert not sqs.receive_message(QueueUrl=target_url, WaitTimeSeconds=1).get("Messages")
    attributes = sqs.get_queue_attributes(QueueUrl=source_url, AttributeNames=["ApproximateNumberOfMessages"])
    assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "1"


def test_update_pipe_new_target_receives_and_deleted_pipe_consumes_nothing(
    pipes_client: Any,
    sqs: Any,
    queue: Callable[[str], tuple[str, str]],
    pipe_names: Callable[[], str],
    role_arn: str,
) -> None:
    source_url, source_arn = queue("source")
    first_url, first_arn = queue("first")
    second_url, second_arn = queue("second")
    name = pipe_names()
    pipes_client.create_pipe(Name=name, RoleArn=role_arn, Source=source_arn, Target=first_arn)
    sqs.send_message(QueueUrl=source_url, MessageBody="one")
    assert json.loads(receive_one(sqs, first_url)["Body"])["body"] == "one"
    idle_url, _ = queue("idle")
    drained(sqs, source_url, idle_url)
    pipes_client.update_pipe(
        Name=name, RoleArn=role_arn, Target=second_arn, TargetParameters={"InputTemplate": "<$.body>"}
    )
    sqs.send_message(QueueUrl=source_url, MessageBody="two")
    assert receive_one(sqs, second_url)["Body"] == "two"
    drained(sqs, source_url, idle_url)
    pipes_client.delete_pipe(Name=name)
    sqs.send_message(QueueUrl=source_url, MessageBody="three")
    assert not sqs.receive_message(QueueUrl=second_url, WaitTimeSeconds=1).get("Messages")
    attributes = sqs.get_queue_attributes(QueueUrl=source_url, AttributeNames=["ApproximateNumberOfMessages"])
    assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "1"
    assert not sqs.receive_message(QueueUrl=first_url, WaitTimeSeconds=0).get("Messages")
