"""Subscription filter delivery: matching events reach a Kinesis stream (after AWS's control
message) or a Lambda function (`awslogs.data`), gzip-compressed in AWS's payload shape; other
destinations and missing ones are refused."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

from aws_errors import error_of
from logs_support import now_ms

from fogbank.testing.server import FogbankServer

FORWARDER = """
import base64, gzip, json, os, urllib.request

def handler(event, context):
    document = json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
    request = urllib.request.Request(
        os.environ["AWS_ENDPOINT_URL"] + "/",
        data=json.dumps({"QueueUrl": os.environ["QUEUE"], "MessageBody": json.dumps(document)}).encode(),
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "AmazonSQS.SendMessage",
            "Authorization": "AWS4-HMAC-SHA256 Credential=" + os.environ["AWS_ACCESS_KEY_ID"] + "/20240101/"
            + os.environ["AWS_REGION"] + "/sqs/aws4_request, SignedHeaders=host, Signature=0",
        },
    )
    urllib.request.urlopen(request).read()
"""
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def records_of(kinesis: Any, stream: str) -> list[dict[str, Any]]:
    iterator = kinesis.get_shard_iterator(
        StreamName=stream, ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    return [
        json.loads(gzip.decompress(r["Data"])) for r in kinesis.get_records(ShardIterator=iterator)["Records"]
    ]


def test_subscription_filter_delivers_matching_events_to_kinesis(
    logs: Any,
    make_group: Callable[..., str],
    client_factory: Callable[..., Any],
    unique_name: Callable[[str], str],
    fogbank: FogbankServer,
) -> None:
    kinesis = client_factory("kinesis")
    stream = unique_name("dest")
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    group = make_group("app")
    arn = f"arn:aws:kinesis:us-east-1:000000000000:stream/{stream}"
    logs.put_subscription_filter(
        logGroupName=group, filterName="errors", filterPattern="ERROR", destinationArn=arn
    )
    now = now_ms(fogbank)
    logs.put_log_events(
        logGroupName=group,
        logStreamName="app",
        logEvents=[{"timestamp": now, "message": "ERROR one"}, {"timestamp": now + 1, "message": "fine"}],
    )
    fogbank.advance_clock("PT0S")  # run the delivery scheduled for now
    control, data = records_of(kinesis, stream)
    assert control["messageType"] == "CONTROL_MESSAGE"
    assert (
        control["logEvents"][0]["message"]
        == "CWL CONTROL MESSAGE: Checking health of destination Kinesis stream."
    )
    event_id = logs.filter_log_events(logGroupName=group, filterPattern="ERROR")["events"][0]["eventId"]
    assert data == {
        "messageType": "DATA_MESSAGE",
        "owner": "000000000000",
        "logGroup": group,
        "logStream": "app",
        "subscriptionFilters": ["errors"],
        "logEvents": [{"id": event_id, "timestamp": now, "message": "ERROR one"}],
    }


def test_subscription_filter_invokes_lambda_with_awslogs_data(
    logs: Any,
    make_group: Callable[..., str],
    client_factory: Callable[..., Any],
    unique_name: Callable[[str], str],
    fogbank: FogbankServer,
) -> None:
    sqs, iam, lambda_client = client_factory("sqs"), client_factory("iam"), client_factory("lambda")
    queue = sqs.create_queue(QueueName=unique_name("q"))["QueueUrl"]
    role = iam.create_role(RoleName=unique_name("r"), AssumeRolePolicyDocument=json.dumps(TRUST))["Role"][
        "Arn"
    ]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as package:
        package.writestr("app.py", FORWARDER)
    function = lambda_client.create_function(
        FunctionName=unique_name("fwd"),
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": archive.getvalue()},
        Environment={"Variables": {"QUEUE": queue}},
    )
    try:
        group = make_group("app")
        logs.put_subscription_filter(
            logGroupName=group, filterName="all", filterPattern="", destinationArn=function["FunctionArn"]
        )
        now = now_ms(fogbank)
        logs.put_log_events(
            logGroupName=group, logStreamName="app", logEvents=[{"timestamp": now, "message": "hi"}]
        )
        fogbank.advance_clock("PT0S")
        message = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=10)["Messages"][0]
        delivered = json.loads(message["Body"])
        assert (delivered["messageType"], delivered["logGroup"], delivered["subscriptionFilters"]) == (
            "DATA_MESSAGE",
            group,
            ["all"],
        )
        assert [(e["timestamp"], e["message"]) for e in delivered["logEvents"]] == [(now, "hi")]
    finally:
        lambda_client.delete_function(FunctionName=function["FunctionName"])


def test_put_subscription_filter_unsupported_or_missing_destination_is_refused(
    logs: Any, make_group: Callable[..., str]
) -> None:
    group = make_group()
    firehose = "arn:aws:firehose:us-east-1:000000000000:deliverystream/d"
    code, message, _ = error_of(
        lambda: logs.put_subscription_filter(
            logGroupName=group, filterName="f", filterPattern="", destinationArn=firehose
        )
    )
    assert code == "InvalidParameterException" and "Kinesis streams and Lambda functions only" in message
    missing = "arn:aws:kinesis:us-east-1:000000000000:stream/no-such-destination"
    assert error_of(
        lambda: logs.put_subscription_filter(
            logGroupName=group, filterName="f", filterPattern="", destinationArn=missing
        )
    ) == (
        "InvalidParameterException",
        "Could not deliver test message to specified Kinesis stream. Check if the given kinesis stream is in ACTIVE state.",
        400,
    )
