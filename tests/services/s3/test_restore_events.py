"""S3 restore events delivered to an SQS queue on fogbank's clock: ObjectRestore:Post when a
restore is requested, ObjectRestore:Completed (with glacierEventData) when the restored copy is
ready, ObjectRestore:Delete when it expires."""

from __future__ import annotations

import json
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import S3Model

EXPEDITED = {"Days": 1, "GlacierJobParameters": {"Tier": "Expedited"}}


@pytest.fixture
def sqs(client_factory: Callable[..., Any]) -> Any:
    return client_factory("sqs")


@pytest.fixture
def restore_queue(s3: Any, sqs: Any, bucket: str, unique_name: Callable[[str], str]) -> str:
    """A queue receiving the bucket's ObjectRestore:* events (the test event already drained)."""
    url = sqs.create_queue(QueueName=unique_name("restores"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [{"Id": "restores", "QueueArn": arn, "Events": ["s3:ObjectRestore:*"]}]
        },
    )
    assert [body.get("Event") for body in records(sqs, url, 1)] == ["s3:TestEvent"]
    return url


def records(sqs: Any, url: str, count: int) -> list[dict[str, Any]]:
    """Exactly the next `count` documents on the queue (waiting briefly for each), deleted."""
    got: list[dict[str, Any]] = []
    for _ in range(count * 3):
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=2)
        for message in answer.get("Messages", []):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            got.append(json.loads(message["Body"]))
        if len(got) >= count:
            break
    assert len(got) == count, got
    return got


def record_of(document: dict[str, Any]) -> dict[str, Any]:
    [record] = document["Records"]
    S3Model.model_validate(document)  # Powertools' parser accepts what S3 sends
    return dict(record)


def nothing_waiting(sqs: Any, url: str) -> bool:
    return "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)


def test_restore_object_with_queue_sends_post_completed_and_delete_events(
    fogbank: Any, s3: Any, sqs: Any, bucket: str, restore_queue: str
) -> None:
    put = s3.put_object(Bucket=bucket, Key="cold a", Body=b"archived", StorageClass="GLACIER")
    s3.restore_object(Bucket=bucket, Key="cold a", RestoreRequest=EXPEDITED)

    [posted] = [record_of(document) for document in records(sqs, restore_queue, 1)]
    assert posted["eventName"] == "ObjectRestore:Post"
    assert posted["s3"]["object"]["key"] == "cold+a"
    assert "glacierEventData" not in posted
    assert nothing_waiting(sqs, restore_queue)  # Expedited takes up to 5 minutes

    fogbank.advance_clock("PT6M")
    [completed] = [record_of(document) for document in records(sqs, restore_queue, 1)]
    expiry = s3.head_object(Bucket=bucket, Key="cold a")["Restore"].split('expiry-date="')[1].rstrip('"')
    assert completed["eventName"] == "ObjectRestore:Completed"
    assert completed["userIdentity"] == {"principalId": "s3.amazonaws.com"}
    assert completed["glacierEventData"] == {
        "restoreEventData": {
            "lifecycleRestorationExpiryTime": parsedate_to_datetime(expiry).strftime(
                "%Y-%m-%dT%H:%M:%S.000Z"
            ),
            "lifecycleRestoreStorageClass": "GLACIER",
        }
    }
    obj = completed["s3"]["object"]
    assert (obj["key"], obj["size"], obj["eTag"]) == ("cold+a", 8, put["ETag"].strip('"'))

    fogbank.advance_clock("P2D")
    [expired] = [record_of(document) for document in records(sqs, restore_queue, 1)]
    assert expired["eventName"] == "ObjectRestore:Delete"
    assert expired["userIdentity"] == {"principalId": "s3.amazonaws.com"}
    assert set(expired["s3"]["object"]) == {"key", "size", "eTag", "sequencer"}
    assert "glacierEventData" not in expired


def test_restore_object_extended_copy_sends_one_delete_event_at_the_new_expiry(
    fogbank: Any, s3: Any, sqs: Any, bucket: str, restore_queue: str
) -> None:
    s3.put_object(Bucket=bucket, Key="cold", Body=b"archived", StorageClass="GLACIER")
    s3.restore_object(Bucket=bucket, Key="cold", RestoreRequest=EXPEDITED)
    fogbank.advance_clock("PT6M")
    assert [record_of(d)["eventName"] for d in records(sqs, restore_queue, 2)] == [
        "ObjectRestore:Post",
        "ObjectRestore:Completed",
    ]

    extended = s3.restore_object(Bucket=bucket, Key="cold", RestoreRequest={"Days": 5})
    assert extended["ResponseMetadata"]["HTTPStatusCode"] == 200
    fogbank.advance_clock("P3D")  # past the first expiry, not the extended one
    assert nothing_waiting(sqs, restore_queue)
    assert "Restore" in s3.head_object(Bucket=bucket, Key="cold")

    fogbank.advance_clock("P4D")
    [expired] = [record_of(document) for document in records(sqs, restore_queue, 1)]
    assert expired["eventName"] == "ObjectRestore:Delete"
    assert "Restore" not in s3.head_object(Bucket=bucket, Key="cold")
