"""Asynchronous invocation: 202, retries on fogbank's clock (one then two minutes), event invoke
config limits, and destination and dead-letter records as AWS sends them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

# Each attempt reports itself on a queue (so the test can wait for it without sleeping), then fails
# or succeeds as the event asks.
REPORTING = """
import json, os, urllib.request

def send(queue_url, body):
    request = urllib.request.Request(
        os.environ["AWS_ENDPOINT_URL"] + "/",
        data=json.dumps({"QueueUrl": queue_url, "MessageBody": body}).encode(),
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "AmazonSQS.SendMessage",
            "Authorization": "AWS4-HMAC-SHA256 Credential=" + os.environ["AWS_ACCESS_KEY_ID"] + "/20240101/"
            + os.environ["AWS_REGION"] + "/sqs/aws4_request, SignedHeaders=host, Signature=0",
        },
    )
    urllib.request.urlopen(request).read()

def handler(event, context):
    send(event["attempts"], context.aws_request_id)
    if event.get("fail"):
        raise RuntimeError("attempt failed")
    return {"ok": event["n"]}
"""


@pytest.fixture
def queues(
    client_factory: Callable[..., Any], unique_name: Callable[[str], str]
) -> Callable[[], tuple[str, str]]:
    sqs = client_factory("sqs")

    def make() -> tuple[str, str]:
        url = sqs.create_queue(QueueName=unique_name("q"))["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn

    return make


def receive(sqs: Any, url: str) -> dict[str, Any]:
    messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=10, MessageAttributeNames=["All"])[
        "Messages"
    ]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=messages[0]["ReceiptHandle"])
    return dict(messages[0])


def test_invoke_event_failing_function_retries_then_on_failure_record(
    create_function: Any, lambda_client: Any, client_factory: Callable[..., Any], queues: Any, fogbank: Any
) -> None:
    sqs = client_factory("sqs")
    attempts_url, _ = queues()
    failures_url, failures_arn = queues()
    function = create_function({"app.py": REPORTING})
    name = function["FunctionName"]
    lambda_client.put_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnFailure": {"Destination": failures_arn}}
    )
    event = {"attempts": attempts_url, "fail": True, "n": 1}
    response = lambda_client.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps(event))
    request_id = response["ResponseMetadata"]["RequestId"]
    assert response["StatusCode"] == 202
    assert receive(sqs, attempts_url)["Body"] == request_id  # first attempt at once
    fogbank.advance_clock("PT61S")
    assert receive(sqs, attempts_url)["Body"] == request_id  # first retry after a minute
    fogbank.advance_clock("PT121S")
    assert receive(sqs, attempts_url)["Body"] == request_id  # second retry two minutes later
    record = json.loads(receive(sqs, failures_url)["Body"])
    assert record["version"] == "1.0"
    assert record["timestamp"].endswith("Z") and len(record["timestamp"]) == 24
    assert record["requestContext"] == {
        "requestId": request_id,
        "functionArn": function["FunctionArn"] + ":$LATEST",
        "condition": "RetriesExhausted",
        "approximateInvokeCount": 3,
    }
    assert record["requestPayload"] == event
    assert record["responseContext"] == {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled",
    }
    assert record["responsePayload"]["errorType"] == "RuntimeError"
    assert record["responsePayload"]["errorMessage"] == "attempt failed"
    assert record["responsePayload"]["requestId"] == request_id
    fogbank.advance_clock("PT10M")
    assert sqs.receive_message(QueueUrl=attempts_url, WaitTimeSeconds=0).get("Messages") is None


def test_invoke_event_success_goes_to_on_success_destination(
    create_function: Any, lambda_client: Any, client_factory: Callable[..., Any], queues: Any
) -> None:
    sqs = client_factory("sqs")
    attempts_url, _ = queues()
    success_url, success_arn = queues()
    function = create_function({"app.py": REPORTING})
    name = function["FunctionName"]
    lambda_client.publish_version(FunctionName=name)
    lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    lambda_client.put_function_event_invoke_config(
        FunctionName=name, Qualifier="live", DestinationConfig={"OnSuccess": {"Destination": success_arn}}
    )
    event = {"attempts": attempts_url, "n": 7}
    response = lambda_client.invoke(
        FunctionName=name, Qualifier="live", InvocationType="Event", Payload=json.dumps(event)
    )
    record = json.loads(receive(sqs, success_url)["Body"])
    assert record["requestContext"] == {
        "requestId": response["ResponseMetadata"]["RequestId"],
        "functionArn": function["FunctionArn"] + ":live",
        "condition": "Success",
        "approximateInvokeCount": 1,
    }
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "1"}
    assert record["requestPayload"] == event
    assert record["responsePayload"] == {"ok": 7}


def test_invoke_event_no_retries_goes_to_dead_letter_queue(
    create_function: Any, lambda_client: Any, client_factory: Callable[..., Any], queues: Any
) -> None:
    sqs = client_factory("sqs")
    attempts_url, _ = queues()
    dead_url, dead_arn = queues()
    name = create_function({"app.py": REPORTING}, DeadLetterConfig={"TargetArn": dead_arn})["FunctionName"]
    lambda_client.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
    event = json.dumps({"attempts": attempts_url, "fail": True, "n": 2})
    request_id = lambda_client.invoke(FunctionName=name, InvocationType="Event", Payload=event)[
        "ResponseMetadata"
    ]["RequestId"]
    message = receive(sqs, dead_url)
    assert message["Body"] == event
    assert message["MessageAttributes"] == {
        "RequestID": {"StringValue": request_id, "DataType": "String"},
        "ErrorCode": {"StringValue": "200", "DataType": "Number"},
        "ErrorMessage": {"StringValue": "attempt failed", "DataType": "String"},
    }
    assert receive(sqs, attempts_url)["Body"] == request_id


def test_invoke_event_too_old_is_dropped_with_event_age_exceeded(
    create_function: Any, lambda_client: Any, client_factory: Callable[..., Any], queues: Any, fogbank: Any
) -> None:
    sqs = client_factory("sqs")
    attempts_url, _ = queues()
    failures_url, failures_arn = queues()
    name = create_function({"app.py": REPORTING})["FunctionName"]
    lambda_client.put_function_event_invoke_config(
        FunctionName=name,
        MaximumEventAgeInSeconds=60,
        DestinationConfig={"OnFailure": {"Destination": failures_arn}},
    )
    event = {"attempts": attempts_url, "fail": True, "n": 3}
    lambda_client.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps(event))
    receive(sqs, attempts_url)
    fogbank.advance_clock("PT90S")
    record = json.loads(receive(sqs, failures_url)["Body"])
    assert record["requestContext"]["condition"] == "EventAgeExceeded"
    assert record["requestContext"]["approximateInvokeCount"] == 1
    assert sqs.receive_message(QueueUrl=attempts_url, WaitTimeSeconds=0).get("Messages") is None


def test_invoke_event_on_success_to_sns_topic_reaches_subscribed_queue(
    create_function: Any,
    lambda_client: Any,
    client_factory: Callable[..., Any],
    queues: Any,
    unique_name: Callable[[str], str],
) -> None:
    sqs, sns = client_factory("sqs"), client_factory("sns")
    attempts_url, _ = queues()
    inbox_url, inbox_arn = queues()
    topic = sns.create_topic(Name=unique_name("t"))["TopicArn"]
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=inbox_arn, Attributes={"RawMessageDelivery": "true"}
    )
    function = create_function({"app.py": REPORTING})
    lambda_client.put_function_event_invoke_config(
        FunctionName=function["FunctionName"], DestinationConfig={"OnSuccess": {"Destination": topic}}
    )
    event = {"attempts": attempts_url, "n": 5}
    lambda_client.invoke(
        FunctionName=function["FunctionName"], InvocationType="Event", Payload=json.dumps(event)
    )
    record = json.loads(receive(sqs, inbox_url)["Body"])
    assert record["requestContext"]["condition"] == "Success"
    assert record["requestContext"]["functionArn"] == function["FunctionArn"] + ":$LATEST"
    assert record["responsePayload"] == {"ok": 5}


def test_put_function_event_invoke_config_unknown_destination_service_is_refused(
    create_function: Any, lambda_client: Any
) -> None:
    name = create_function({"app.py": REPORTING})["FunctionName"]
    with pytest.raises(ClientError) as caught:
        lambda_client.put_function_event_invoke_config(
            FunctionName=name, DestinationConfig={"OnFailure": {"Destination": "arn:aws:s3:::bucket"}}
        )
    assert caught.value.response["Error"]["Code"] == "InvalidParameterValueException"


def test_invoke_event_on_failure_to_lambda_function_receives_record(
    create_function: Any, lambda_client: Any, client_factory: Callable[..., Any], queues: Any
) -> None:
    sqs = client_factory("sqs")
    attempts_url, _ = queues()
    records_url, _ = queues()
    # The destination function forwards the record it receives to a queue.
    forward = REPORTING.replace(
        'def handler(event, context):\n    send(event["attempts"], context.aws_request_id)',
        f'def handler(event, context):\n    send("{records_url}", json.dumps(event))\n    return None\n\n'
        "def unused(event, context):\n    send(event['attempts'], context.aws_request_id)",
    )
    destination = create_function({"app.py": forward})
    failing = create_function({"app.py": REPORTING})
    lambda_client.put_function_event_invoke_config(
        FunctionName=failing["FunctionName"],
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": destination["FunctionArn"]}},
    )
    event = {"attempts": attempts_url, "fail": True, "n": 9}
    response = lambda_client.invoke(
        FunctionName=failing["FunctionName"], InvocationType="Event", Payload=json.dumps(event)
    )
    record = json.loads(receive(sqs, records_url)["Body"])
    assert record["requestContext"] == {
        "requestId": response["ResponseMetadata"]["RequestId"],
        "functionArn": failing["FunctionArn"] + ":$LATEST",
        "condition": "RetriesExhausted",
        "approximateInvokeCount": 1,
    }
    assert record["requestPayload"] == event
    assert record["responsePayload"]["errorMessage"] == "attempt failed"


def test_invoke_event_on_success_to_event_bus_reaches_rule_target(
    create_function: Any,
    lambda_client: Any,
    client_factory: Callable[..., Any],
    queues: Any,
    unique_name: Callable[[str], str],
) -> None:
    """GIVEN an OnSuccess destination that is an event bus with a rule for Lambda's result events
    WHEN an asynchronous invoke succeeds THEN the rule's queue gets AWS's event around the record."""
    sqs, events = client_factory("sqs"), client_factory("events")
    attempts_url, _ = queues()
    target_url, target_arn = queues()
    bus_arn = events.create_event_bus(Name=unique_name("bus"))["EventBusArn"]
    bus = bus_arn.rpartition("/")[2]
    rule = unique_name("rule")
    pattern = {"source": ["lambda"], "detail-type": ["Lambda Function Invocation Result - Success"]}
    events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "q", "Arn": target_arn}])
    function = create_function({"app.py": REPORTING})
    name = function["FunctionName"]
    lambda_client.put_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": bus_arn}}
    )
    event = {"attempts": attempts_url, "n": 3}
    response = lambda_client.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps(event))
    delivered = json.loads(receive(sqs, target_url)["Body"])
    assert (delivered["source"], delivered["detail-type"]) == (
        "lambda",
        "Lambda Function Invocation Result - Success",
    )
    assert delivered["detail"]["requestContext"] == {
        "requestId": response["ResponseMetadata"]["RequestId"],
        "functionArn": function["FunctionArn"] + ":$LATEST",
        "condition": "Success",
        "approximateInvokeCount": 1,
    }
    assert delivered["detail"]["requestPayload"] == event
    assert delivered["detail"]["responsePayload"] == {"ok": 3}


def test_invoke_event_throttled_is_kept_and_runs_once_concurrency_allows(
    create_function: Any, lambda_client: Any, client_factory: Callable[..., Any], queues: Any, fogbank: Any
) -> None:
    """GIVEN reserved concurrency 0 WHEN an event is invoked THEN it is accepted (202) and waits
    (throttled, not failed); once concurrency is allowed again it runs on a later retry."""
    sqs = client_factory("sqs")
    attempts_url, _ = queues()
    name = create_function({"app.py": REPORTING})["FunctionName"]
    lambda_client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    event = {"attempts": attempts_url, "n": 4}
    response = lambda_client.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps(event))
    assert response["StatusCode"] == 202
    fogbank.advance_clock("PT5S")
    assert sqs.receive_message(QueueUrl=attempts_url, WaitTimeSeconds=0).get("Messages") is None
    lambda_client.delete_function_concurrency(FunctionName=name)
    fogbank.advance_clock("PT10M")
    assert receive(sqs, attempts_url)["Body"] == response["ResponseMetadata"]["RequestId"]
