"""S3 notification configurations: validation of destinations, the test event, and event records
delivered to SQS (lifecycle expirations)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def s3(client_factory: Callable[..., Any]) -> Any:
    return client_factory("s3")


@pytest.fixture
def sqs(client_factory: Callable[..., Any]) -> Any:
    return client_factory("sqs")


@pytest.fixture
def bucket(s3: Any, unique_name: Callable[[str], str]) -> str:
    name = unique_name("ntf")
    s3.create_bucket(Bucket=name)
    return name


@pytest.fixture
def queue(sqs: Any, unique_name: Callable[[str], str]) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=unique_name("events"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def receive_bodies(sqs: Any, url: str, count: int = 10) -> list[dict[str, Any]]:
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=count, WaitTimeSeconds=5).get(
        "Messages", []
    )
    for message in messages:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return [json.loads(message["Body"]) for message in messages]


def error_of(call: Callable[..., Any], **kwargs: Any) -> tuple[str, str, int, dict[str, Any]]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    response = caught.value.response
    error = response["Error"]
    return error["Code"], error["Message"], response["ResponseMetadata"]["HTTPStatusCode"], error


def test_put_bucket_notification_configuration_queue_is_returned_with_generated_id(
    s3: Any, bucket: str, queue: tuple[str, str]
) -> None:
    entry = {
        "QueueArn": queue[1],
        "Events": ["s3:ObjectCreated:*"],
        "Filter": {
            "Key": {"FilterRules": [{"Name": "prefix", "Value": "in/"}, {"Name": "suffix", "Value": ".csv"}]}
        },
    }
    s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [entry]}
    )
    stored = s3.get_bucket_notification_configuration(Bucket=bucket)["QueueConfigurations"]
    assert len(stored) == 1
    assert stored[0]["Id"]
    assert {k: v for k, v in stored[0].items() if k != "Id"} == entry


def test_put_bucket_notification_configuration_sends_test_event_to_queue(
    s3: Any, sqs: Any, bucket: str, queue: tuple[str, str]
) -> None:
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": queue[1], "Events": ["s3:ObjectCreated:*"]}]
        },
    )
    [event] = receive_bodies(sqs, queue[0])
    assert set(event) == {"Service", "Event", "Time", "Bucket", "RequestId", "HostId"}
    assert (event["Service"], event["Event"], event["Bucket"]) == ("Amazon S3", "s3:TestEvent", bucket)


def test_get_bucket_notification_configuration_none_set_is_empty(s3: Any, bucket: str) -> None:
    response = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert {k: v for k, v in response.items() if k != "ResponseMetadata"} == {}


def test_put_bucket_notification_configuration_missing_queue_fails_invalid_argument(
    s3: Any, bucket: str
) -> None:
    arn = "arn:aws:sqs:us-east-1:000000000000:no-such-queue-for-s3"
    code, message, status, error = error_of(
        s3.put_bucket_notification_configuration,
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]
        },
    )
    assert (code, message, status) == (
        "InvalidArgument",
        "Unable to validate the following destination configurations",
        400,
    )
    assert (error["ArgumentName1"], error["ArgumentValue1"]) == (arn, "The destination queue does not exist")
    assert s3.get_bucket_notification_configuration(Bucket=bucket).get("QueueConfigurations") is None


def test_put_bucket_notification_configuration_skip_validation_accepts_missing_queue(
    s3: Any, bucket: str
) -> None:
    arn = "arn:aws:sqs:us-east-1:000000000000:no-such-queue-yet"
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [{"Id": "q", "QueueArn": arn, "Events": ["s3:ObjectRemoved:*"]}]
        },
        SkipDestinationValidation=True,
    )
    assert s3.get_bucket_notification_configuration(Bucket=bucket)["QueueConfigurations"] == [
        {"Id": "q", "QueueArn": arn, "Events": ["s3:ObjectRemoved:*"]}
    ]


def test_put_bucket_notification_configuration_two_prefix_rules_fails_invalid_argument(
    s3: Any, bucket: str, queue: tuple[str, str]
) -> None:
    rules = [{"Name": "prefix", "Value": "a/"}, {"Name": "prefix", "Value": "b/"}]
    code, message, status, _ = error_of(
        s3.put_bucket_notification_configuration,
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "QueueArn": queue[1],
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": rules}},
                }
            ]
        },
    )
    assert (code, message, status) == (
        "InvalidArgument",
        "Cannot specify more than one prefix rule in a filter.",
        400,
    )


def test_put_bucket_notification_configuration_topic_sends_test_event(
    s3: Any,
    sqs: Any,
    client_factory: Callable[..., Any],
    bucket: str,
    queue: tuple[str, str],
    unique_name: Callable[[str], str],
) -> None:
    sns = client_factory("sns")
    topic = sns.create_topic(Name=unique_name("topic"))["TopicArn"]
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=queue[1], Attributes={"RawMessageDelivery": "true"}
    )
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "TopicConfigurations": [{"TopicArn": topic, "Events": ["s3:ObjectRemoved:*"]}]
        },
    )
    [event] = receive_bodies(sqs, queue[0])
    assert (event["Event"], event["Bucket"]) == ("s3:TestEvent", bucket)


def test_lifecycle_expiration_sends_event_record_to_queue(
    fogbank: Any, s3: Any, sqs: Any, bucket: str, queue: tuple[str, str]
) -> None:
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "Id": "expirations",
                    "QueueArn": queue[1],
                    "Events": ["s3:LifecycleExpiration:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "tmp/"}]}},
                }
            ]
        },
    )
    receive_bodies(sqs, queue[0])  # the test event
    s3.put_object(Bucket=bucket, Key="tmp/a b.txt", Body=b"a")
    s3.put_object(Bucket=bucket, Key="other.txt", Body=b"b")
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={
            "Rules": [{"ID": "x", "Filter": {}, "Status": "Enabled", "Expiration": {"Days": 1}}]
        },
    )
    fogbank.advance_clock("P2D")
    [document] = receive_bodies(sqs, queue[0])
    [record] = document["Records"]
    assert record["eventVersion"] == "2.1"
    assert record["eventSource"] == "aws:s3"
    assert record["awsRegion"] == "us-east-1"
    assert record["eventName"] == "LifecycleExpiration:Delete"
    assert record["eventTime"].endswith("Z")
    assert record["userIdentity"] == {"principalId": "s3.amazonaws.com"}
    assert set(record["responseElements"]) == {"x-amz-request-id", "x-amz-id-2"}
    s3_part = record["s3"]
    assert s3_part["s3SchemaVersion"] == "1.0"
    assert s3_part["configurationId"] == "expirations"
    assert s3_part["bucket"]["name"] == bucket
    assert s3_part["bucket"]["arn"] == f"arn:aws:s3:::{bucket}"
    assert s3_part["object"]["key"] == "tmp/a+b.txt"
    assert len(s3_part["object"]["sequencer"]) == 16


def test_put_bucket_notification_configuration_overlapping_filters_fails_invalid_argument(
    s3: Any, bucket: str, queue: tuple[str, str]
) -> None:
    def entry(prefix: str) -> dict[str, Any]:
        rules = [{"Name": "prefix", "Value": prefix}]
        return {
            "QueueArn": queue[1],
            "Events": ["s3:ObjectCreated:Put"],
            "Filter": {"Key": {"FilterRules": rules}},
        }

    code, message, status, _ = error_of(
        s3.put_bucket_notification_configuration,
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                entry("images/"),
                {**entry("images/thumbs/"), "Events": ["s3:ObjectCreated:*"]},
            ]
        },
    )
    assert (code, status) == ("InvalidArgument", 400)
    assert message == (
        "Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if the prefixes "
        "are overlapping for the same event type."
    )
    s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [entry("images/"), entry("videos/")]}
    )
    assert len(s3.get_bucket_notification_configuration(Bucket=bucket)["QueueConfigurations"]) == 2


def test_put_object_acl_sends_object_acl_event(
    s3: Any, sqs: Any, bucket: str, queue: tuple[str, str]
) -> None:
    s3.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]}
    )
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": queue[1], "Events": ["s3:ObjectAcl:Put"]}]
        },
    )
    receive_bodies(sqs, queue[0])  # the test event
    s3.put_object(Bucket=bucket, Key="doc.txt", Body=b"x")
    s3.put_object_acl(Bucket=bucket, Key="doc.txt", ACL="private")
    [document] = receive_bodies(sqs, queue[0])
    [record] = document["Records"]
    assert record["eventName"] == "ObjectAcl:Put"
    assert record["userIdentity"] == {"principalId": "AWS:000000000000"}
    assert record["s3"]["object"]["key"] == "doc.txt"


def test_put_bucket_notification_configuration_unknown_event_fails_invalid_argument(
    s3: Any, bucket: str, queue: tuple[str, str]
) -> None:
    code, message, status, error = error_of(
        s3.put_bucket_notification_configuration,
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": queue[1], "Events": ["s3:ObjectBought:*"]}]
        },
    )
    assert (code, message, status) == ("InvalidArgument", "The event is not supported for notifications", 400)
    assert error["ArgumentName1"] == "s3:ObjectBought:*"
