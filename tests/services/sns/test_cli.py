"""The AWS CLI (v1) against fogbank's SNS."""

from __future__ import annotations

import json
import subprocess

import pytest
from sns_support import receive


def test_cli_create_topic_publish_to_queue_and_list(aws_cli, sqs, make_queue, unique_name):
    name = unique_name("cli")
    arn = aws_cli("sns", "create-topic", "--name", name, "--tags", "Key=team,Value=core")["TopicArn"]
    queue = make_queue()
    aws_cli(
        "sns",
        "subscribe",
        "--topic-arn",
        arn,
        "--protocol",
        "sqs",
        "--notification-endpoint",
        queue.arn,
        "--attributes",
        "RawMessageDelivery=true",
    )

    published = aws_cli(
        "sns",
        "publish",
        "--topic-arn",
        arn,
        "--message",
        "from the cli",
        "--message-attributes",
        '{"k": {"DataType": "String", "StringValue": "v"}}',
    )

    assert published["MessageId"]
    (message,) = receive(sqs, queue.url)
    assert message["Body"] == "from the cli"
    assert message["MessageAttributes"]["k"]["StringValue"] == "v"
    topics = aws_cli("sns", "list-topics")["Topics"]
    assert {"TopicArn": arn} in topics
    assert aws_cli("sns", "list-tags-for-resource", "--resource-arn", arn)["Tags"] == [
        {"Key": "team", "Value": "core"}
    ]
    subscriptions = aws_cli("sns", "list-subscriptions-by-topic", "--topic-arn", arn)["Subscriptions"]
    assert [(item["Protocol"], item["Endpoint"]) for item in subscriptions] == [("sqs", queue.arn)]
    attributes = aws_cli("sns", "get-topic-attributes", "--topic-arn", arn)["Attributes"]
    assert json.loads(attributes["Policy"])["Statement"][0]["Resource"] == arn


def test_cli_get_topic_attributes_unknown_topic_reports_not_found(aws_cli):
    with pytest.raises(subprocess.CalledProcessError) as raised:
        aws_cli("sns", "get-topic-attributes", "--topic-arn", "arn:aws:sns:us-east-1:000000000000:absent")
    assert (
        "An error occurred (NotFound) when calling the GetTopicAttributes operation: Topic does not exist"
        in (raised.value.stderr)
    )
