"""S3 event notifications to Lambda functions (a real function gets the S3 event record) and to
EventBridge (a rule on the default bus forwards AWS's S3 events to a queue). Payloads are also
checked with Powertools' parser models."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import S3EventNotificationEventBridgeModel, S3Model
from botocore.exceptions import ClientError

sys.path.insert(0, str(Path(__file__).parents[1] / "lambda_"))
from lambda_support import TRUST_LAMBDA, build_zip  # noqa: E402 - Lambda's own test helper

ECHO = "def handler(event, context):\n    return event\n"


@pytest.fixture
def sqs(client_factory: Callable[..., Any]) -> Any:
    return client_factory("sqs")


@pytest.fixture
def make_queue(sqs: Any, unique_name: Callable[[str], str]) -> Callable[[], tuple[str, str]]:
    def make() -> tuple[str, str]:
        url = sqs.create_queue(QueueName=unique_name("q"))["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn

    return make


def bodies(sqs: Any, url: str, count: int = 1) -> list[Any]:
    got: list[Any] = []
    for _ in range(count * 3):
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=2)
        got += [json.loads(message["Body"]) for message in answer.get("Messages", [])]
        if len(got) >= count:
            break
    return got


@pytest.fixture
def function(
    client_factory: Callable[..., Any], unique_name: Callable[[str], str], make_queue: Any
) -> Iterator[tuple[str, str, str]]:
    """A function returning its event, with an OnSuccess destination queue: (name, arn, queue url)."""
    lambda_client, iam = client_factory("lambda"), client_factory("iam")
    role = iam.create_role(RoleName=unique_name("role"), AssumeRolePolicyDocument=json.dumps(TRUST_LAMBDA))
    name = unique_name("fn")
    arn = lambda_client.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role["Role"]["Arn"],
        Handler="app.handler",
        Code={"ZipFile": build_zip({"app.py": ECHO})},
    )["FunctionArn"]
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    url, queue_arn = make_queue()
    lambda_client.put_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": queue_arn}}
    )
    yield name, arn, url
    lambda_client.delete_function(FunctionName=name)


def allow_s3(client_factory: Callable[..., Any], name: str, bucket: str) -> None:
    client_factory("lambda").add_permission(
        FunctionName=name,
        StatementId="s3-invoke",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn=f"arn:aws:s3:::{bucket}",
    )


def lambda_configuration(arn: str) -> dict[str, Any]:
    return {
        "LambdaFunctionConfigurations": [
            {"Id": "to-function", "LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"]}
        ]
    }


def test_put_bucket_notification_configuration_lambda_without_permission_fails_invalid_argument(
    s3: Any, bucket: str, function: tuple[str, str, str]
) -> None:
    _, arn, _ = function
    with pytest.raises(ClientError) as raised:
        s3.put_bucket_notification_configuration(
            Bucket=bucket, NotificationConfiguration=lambda_configuration(arn)
        )
    error = raised.value.response["Error"]
    assert (error["Code"], error["Message"], raised.value.response["ResponseMetadata"]["HTTPStatusCode"]) == (
        "InvalidArgument",
        "Unable to validate the following destination configurations",
        400,
    )
    assert (error["ArgumentName1"], error["ArgumentValue1"]) == (
        arn,
        f"Not authorized to invoke function [{arn}]",
    )
    assert "LambdaFunctionConfigurations" not in s3.get_bucket_notification_configuration(Bucket=bucket)


def test_put_bucket_notification_configuration_lambda_permission_for_other_bucket_fails(
    s3: Any, bucket: str, function: tuple[str, str, str], client_factory: Callable[..., Any]
) -> None:
    name, arn, _ = function
    allow_s3(client_factory, name, "some-other-bucket")
    with pytest.raises(ClientError) as raised:
        s3.put_bucket_notification_configuration(
            Bucket=bucket, NotificationConfiguration=lambda_configuration(arn)
        )
    assert raised.value.response["Error"]["ArgumentValue1"] == f"Not authorized to invoke function [{arn}]"


def test_put_object_with_lambda_configuration_invokes_function_with_s3_event_record(
    s3: Any, sqs: Any, bucket: str, function: tuple[str, str, str], client_factory: Callable[..., Any]
) -> None:
    name, arn, results = function
    allow_s3(client_factory, name, bucket)
    s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration=lambda_configuration(arn)
    )
    assert s3.get_bucket_notification_configuration(Bucket=bucket)["LambdaFunctionConfigurations"] == [
        {"Id": "to-function", "LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"]}
    ]
    put = s3.put_object(Bucket=bucket, Key="in/a b.txt", Body=b"hello")

    [destination] = bodies(sqs, results)
    event = destination["requestPayload"]
    [record] = event["Records"]
    assert record["eventVersion"] == "2.1"
    assert record["eventSource"] == "aws:s3"
    assert record["awsRegion"] == "us-east-1"
    assert record["eventName"] == "ObjectCreated:Put"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", record["eventTime"])
    assert record["requestParameters"] == {"sourceIPAddress": "127.0.0.1"}
    assert record["s3"]["configurationId"] == "to-function"
    assert record["s3"]["bucket"]["name"] == bucket
    assert record["s3"]["bucket"]["arn"] == f"arn:aws:s3:::{bucket}"
    obj = record["s3"]["object"]
    assert (obj["key"], obj["size"], obj["eTag"]) == ("in/a+b.txt", 5, put["ETag"].strip('"'))
    assert S3Model.model_validate(event).Records[0].s3.object.size == 5


@pytest.fixture
def bridged_queue(
    s3: Any,
    bucket: str,
    client_factory: Callable[..., Any],
    make_queue: Any,
    unique_name: Callable[[str], str],
) -> Iterator[str]:
    """The bucket sends its events to EventBridge; a default-bus rule for this bucket forwards them
    to a queue (its URL)."""
    events = client_factory("events")
    s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration={"EventBridgeConfiguration": {}}
    )
    url, arn = make_queue()
    rule = unique_name("rule")
    pattern = {"source": ["aws.s3"], "detail": {"bucket": {"name": [bucket]}}}
    events.put_rule(Name=rule, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": arn}])
    yield url
    events.remove_targets(Rule=rule, Ids=["q"])
    events.delete_rule(Name=rule)


def test_get_bucket_notification_configuration_eventbridge_is_returned(
    s3: Any, bucket: str, bridged_queue: str
) -> None:
    answer = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert answer["EventBridgeConfiguration"] == {}


def test_put_object_with_eventbridge_sends_object_created_to_default_bus(
    s3: Any, sqs: Any, bucket: str, bridged_queue: str
) -> None:
    put = s3.put_object(Bucket=bucket, Key="in/a b.txt", Body=b"hello")

    [event] = bodies(sqs, bridged_queue)
    assert list(event) == [
        "version",
        "id",
        "detail-type",
        "source",
        "account",
        "time",
        "region",
        "resources",
        "detail",
    ]
    assert (event["version"], event["detail-type"], event["source"]) == ("0", "Object Created", "aws.s3")
    assert (event["account"], event["region"]) == ("000000000000", "us-east-1")
    assert event["resources"] == [f"arn:aws:s3:::{bucket}"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", event["time"])
    detail = event["detail"]
    sequencer = detail["object"].pop("sequencer")
    assert re.fullmatch(r"[0-9a-f]{16}", sequencer)
    assert detail == {
        "version": "0",
        "event-version": "1.0",
        "bucket": {"name": bucket},
        "object": {"key": "in/a b.txt", "size": 5, "etag": put["ETag"].strip('"')},
        "request-id": put["ResponseMetadata"]["RequestId"],
        "requester": "000000000000",
        "source-ip-address": "127.0.0.1",
        "reason": "PutObject",
    }
    assert S3EventNotificationEventBridgeModel.model_validate(event).detail.object.key == "in/a b.txt"


def test_delete_object_with_eventbridge_sends_object_deleted(
    s3: Any, sqs: Any, bucket: str, bridged_queue: str
) -> None:
    s3.put_object(Bucket=bucket, Key="gone.txt", Body=b"x")
    s3.delete_object(Bucket=bucket, Key="gone.txt")

    created, deleted = bodies(sqs, bridged_queue, 2)
    assert (created["detail-type"], deleted["detail-type"]) == ("Object Created", "Object Deleted")
    detail = deleted["detail"]
    assert (detail["reason"], detail["deletion-type"]) == ("DeleteObject", "Permanently Deleted")
    assert set(detail["object"]) == {"key", "sequencer"}


def test_delete_object_in_versioned_bucket_with_eventbridge_reports_delete_marker(
    s3: Any, sqs: Any, bucket: str, bridged_queue: str
) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    put = s3.put_object(Bucket=bucket, Key="kept.txt", Body=b"x")
    marker = s3.delete_object(Bucket=bucket, Key="kept.txt")

    created, deleted = bodies(sqs, bridged_queue, 2)
    assert created["detail"]["object"]["version-id"] == put["VersionId"]
    detail = deleted["detail"]
    assert detail["deletion-type"] == "Delete Marker Created"
    assert detail["object"]["etag"] == "d41d8cd98f00b204e9800998ecf8427e"
    assert detail["object"]["version-id"] == marker["VersionId"]


def test_put_object_tagging_with_eventbridge_sends_object_tags_added(
    s3: Any, sqs: Any, bucket: str, bridged_queue: str
) -> None:
    put = s3.put_object(Bucket=bucket, Key="tagged.txt", Body=b"x")
    s3.put_object_tagging(Bucket=bucket, Key="tagged.txt", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})

    _, tagged = bodies(sqs, bridged_queue, 2)
    assert tagged["detail-type"] == "Object Tags Added"
    assert tagged["detail"]["object"] == {"key": "tagged.txt", "etag": put["ETag"].strip('"')}
    assert "reason" not in tagged["detail"]


def expire_object(fogbank: Any, s3: Any, sqs: Any, bucket: str, queue_url: str) -> list[dict[str, Any]]:
    """Put an object, let a lifecycle rule expire it, then put a sentinel object; the events that
    reached the queue up to the sentinel's (so a stray extra event would show among them)."""
    s3.put_object(Bucket=bucket, Key="old.txt", Body=b"x")
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={
            "Rules": [{"ID": "x", "Filter": {}, "Status": "Enabled", "Expiration": {"Days": 1}}]
        },
    )
    fogbank.advance_clock("P2D")
    s3.delete_bucket_lifecycle(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="sentinel.txt", Body=b"x")
    return bodies(sqs, queue_url, 3)


def test_lifecycle_expiration_with_eventbridge_sends_object_deleted_by_s3(
    fogbank: Any, s3: Any, sqs: Any, bucket: str, bridged_queue: str
) -> None:
    events = expire_object(fogbank, s3, sqs, bucket, bridged_queue)

    [expired] = [event for event in events if event["detail"].get("reason") == "Lifecycle Expiration"]
    assert expired["detail-type"] == "Object Deleted"
    detail = expired["detail"]
    assert (detail["deletion-type"], detail["requester"]) == ("Permanently Deleted", "s3.amazonaws.com")
    assert "source-ip-address" not in detail


def test_lifecycle_expiration_with_eventbridge_sends_no_delete_object_event(
    fogbank: Any, s3: Any, sqs: Any, bucket: str, bridged_queue: str
) -> None:
    events = expire_object(fogbank, s3, sqs, bucket, bridged_queue)
    assert [(event["detail"]["object"]["key"], event["detail"].get("reason")) for event in events] == [
        ("old.txt", "PutObject"),
        ("old.txt", "Lifecycle Expiration"),
        ("sentinel.txt", "PutObject"),
    ]
