"""Delivery to Lambda functions: a real Python function receives AWS's SNS event record (checked
field by field and by Powertools' parser model); Lambda's asynchronous retries and destinations
apply; a refused invoke goes to the subscription's dead-letter queue."""

from __future__ import annotations

import contextlib
import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import SnsModel
from botocore.exceptions import ClientError
from sns_support import receive

sys.path.insert(0, str(Path(__file__).parents[1] / "lambda_"))
from lambda_support import TRUST_LAMBDA, build_zip  # noqa: E402 - Lambda's own test helper

ECHO = "def handler(event, context):\n    return event\n"
FAIL = "def handler(event, context):\n    raise RuntimeError('boom')\n"


@pytest.fixture
def lambda_client(client_factory: Callable[..., Any]) -> Any:
    return client_factory("lambda")


@pytest.fixture
def make_function(
    lambda_client: Any, client_factory: Callable[..., Any], unique_name: Callable[[str], str]
) -> Iterator[Callable[..., str]]:
    """`make_function(code, **event_invoke_config)` → the function ARN (deleted after the test)."""
    iam = client_factory("iam")
    role = iam.create_role(RoleName=unique_name("role"), AssumeRolePolicyDocument=json.dumps(TRUST_LAMBDA))
    names: list[str] = []

    def make(code: str, **invoke_config: Any) -> str:
        name = unique_name("fn")
        arn = lambda_client.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role["Role"]["Arn"],
            Handler="app.handler",
            Code={"ZipFile": build_zip({"app.py": code})},
        )["FunctionArn"]
        names.append(name)
        lambda_client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
        if invoke_config:
            lambda_client.put_function_event_invoke_config(FunctionName=name, **invoke_config)
        return str(arn)

    yield make
    for name in names:
        with contextlib.suppress(ClientError):
            lambda_client.delete_function(FunctionName=name)


def destination_records(sqs: Any, url: str, count: int = 1) -> list[dict[str, Any]]:
    return [json.loads(message["Body"]) for message in receive(sqs, url, count)]


def test_publish_to_lambda_subscription_invokes_function_with_sns_event_record(
    sns, sqs, topic_arn, make_queue, make_function, fogbank
):
    success = make_queue()
    function = make_function(ECHO, DestinationConfig={"OnSuccess": {"Destination": success.arn}})
    subscription = sns.subscribe(TopicArn=topic_arn, Protocol="lambda", Endpoint=function)["SubscriptionArn"]
    message_id = sns.publish(
        TopicArn=topic_arn,
        Subject="greeting",
        Message="hello function",
        MessageAttributes={
            "color": {"DataType": "String", "StringValue": "red"},
            "size": {"DataType": "Number", "StringValue": "3"},
            "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
        },
    )["MessageId"]

    (destination,) = destination_records(sqs, success.url)
    event = destination["requestPayload"]
    assert destination["responsePayload"] == event
    (record,) = event["Records"]
    assert list(record) == ["EventSource", "EventVersion", "EventSubscriptionArn", "Sns"]
    assert record["EventSource"] == "aws:sns"
    assert record["EventVersion"] == "1.0"
    assert record["EventSubscriptionArn"] == subscription
    sns_part = record["Sns"]
    assert list(sns_part) == [
        "Type",
        "MessageId",
        "TopicArn",
        "Subject",
        "Message",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertUrl",
        "UnsubscribeUrl",
        "MessageAttributes",
    ]
    assert sns_part["Type"] == "Notification"
    assert sns_part["MessageId"] == message_id
    assert sns_part["TopicArn"] == topic_arn
    assert sns_part["Subject"] == "greeting"
    assert sns_part["Message"] == "hello function"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", sns_part["Timestamp"])
    assert sns_part["SignatureVersion"] == "1"
    assert sns_part["Signature"]
    assert sns_part["SigningCertUrl"] == fogbank.url + "/_fogbank/sns/SimpleNotificationService.pem"
    assert sns_part["UnsubscribeUrl"] == (f"{fogbank.url}/?Action=Unsubscribe&SubscriptionArn={subscription}")
    assert sns_part["MessageAttributes"] == {
        "color": {"Type": "String", "Value": "red"},
        "size": {"Type": "Number", "Value": "3"},
        "blob": {"Type": "Binary", "Value": "AAE="},
    }
    assert SnsModel.model_validate(event).Records[0].Sns.Message == "hello function"


def test_publish_without_subject_or_attributes_gives_null_subject_and_empty_attributes(
    sns, sqs, topic_arn, make_queue, make_function
):
    success = make_queue()
    function = make_function(ECHO, DestinationConfig={"OnSuccess": {"Destination": success.arn}})
    sns.subscribe(TopicArn=topic_arn, Protocol="lambda", Endpoint=function)
    sns.publish(
        TopicArn=topic_arn,
        Message=json.dumps({"default": "plain", "lambda": "for functions"}),
        MessageStructure="json",
    )

    (destination,) = destination_records(sqs, success.url)
    sns_part = destination["requestPayload"]["Records"][0]["Sns"]
    assert sns_part["Subject"] is None
    assert sns_part["Message"] == "for functions"
    assert sns_part["MessageAttributes"] == {}


def test_subscribe_lambda_is_confirmed_at_once(sns, topic_arn, make_function):
    function = make_function(ECHO)
    arn = sns.subscribe(TopicArn=topic_arn, Protocol="lambda", Endpoint=function)["SubscriptionArn"]
    attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert attributes["PendingConfirmation"] == "false"
    assert attributes["ConfirmationWasAuthenticated"] == "true"
    assert attributes["Protocol"] == "lambda"
    assert attributes["Endpoint"] == function


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("my-function", "Invalid parameter: Lambda endpoint ARN"),
        ("arn:aws:sqs:us-east-1:000000000000:q", "Invalid parameter: Lambda endpoint ARN"),
        (
            "arn:aws:lambda:us-east-1:000000000000:function:fogbank-no-such-function",
            "Invalid parameter: Endpoint Reason: Function does not exist: "
            "arn:aws:lambda:us-east-1:000000000000:function:fogbank-no-such-function",
        ),
    ],
)
def test_subscribe_lambda_bad_or_missing_function_fails(sns, topic_arn, target, message):
    with pytest.raises(ClientError) as raised:
        sns.subscribe(TopicArn=topic_arn, Protocol="lambda", Endpoint=target)
    error = raised.value.response["Error"]
    assert (error["Code"], error["Message"], raised.value.response["ResponseMetadata"]["HTTPStatusCode"]) == (
        "InvalidParameter",
        message,
        400,
    )


def test_publish_to_failing_function_uses_lambda_retries_and_failure_destination(
    sns, sqs, topic_arn, make_queue, make_function, fogbank
):
    failure = make_queue()
    function = make_function(
        FAIL, MaximumRetryAttempts=1, DestinationConfig={"OnFailure": {"Destination": failure.arn}}
    )
    sns.subscribe(TopicArn=topic_arn, Protocol="lambda", Endpoint=function)
    sns.publish(TopicArn=topic_arn, Message="will fail")
    assert receive(sqs, failure.url) == []  # first attempt failed; the retry waits a minute

    fogbank.advance_clock("PT1M")
    (destination,) = destination_records(sqs, failure.url)
    assert destination["requestContext"]["condition"] == "RetriesExhausted"
    assert destination["requestContext"]["approximateInvokeCount"] == 2
    assert destination["requestPayload"]["Records"][0]["Sns"]["Message"] == "will fail"


def test_publish_to_deleted_function_goes_to_subscription_dead_letter_queue(
    sns, sqs, topic_arn, make_queue, make_function, lambda_client
):
    dlq = make_queue()
    function = make_function(ECHO)
    sns.subscribe(
        TopicArn=topic_arn,
        Protocol="lambda",
        Endpoint=function,
        Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq.arn})},
    )
    lambda_client.delete_function(FunctionName=function)
    sns.publish(TopicArn=topic_arn, Message="nobody home")

    (message,) = receive(sqs, dlq.url)
    envelope = json.loads(message["Body"])
    assert (envelope["Type"], envelope["Message"], envelope["TopicArn"]) == (
        "Notification",
        "nobody home",
        topic_arn,
    )
    attributes = message["MessageAttributes"]
    assert attributes["ErrorCode"]["StringValue"] == "ResourceNotFoundException"
    assert attributes["ErrorMessage"]["StringValue"] == f"Function not found: {function}"
