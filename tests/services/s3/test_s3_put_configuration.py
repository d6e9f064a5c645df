"""PutObject follows bucket configuration set, changed or deleted after earlier writes (PutObject
remembers which buckets hold no configuration at all: that answer must never go stale)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def sqs(client_factory: Callable[..., Any]) -> Any:
    return client_factory("sqs")


KMS_DEFAULT = {
    "Rules": [
        {
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/k"},
            "BucketKeyEnabled": True,
        }
    ]
}


def _encryption_of(response: dict[str, Any]) -> tuple[Any, ...]:
    return (
        response.get("ServerSideEncryption"),
        response.get("SSEKMSKeyId"),
        response.get("BucketKeyEnabled"),
    )


def test_put_object_default_encryption_set_between_puts_is_applied_then_dropped(s3: Any, bucket: str) -> None:
    first = s3.put_object(Bucket=bucket, Key="a", Body=b"1")
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=KMS_DEFAULT)
    second = s3.put_object(Bucket=bucket, Key="b", Body=b"2")
    s3.delete_bucket_encryption(Bucket=bucket)
    third = s3.put_object(Bucket=bucket, Key="c", Body=b"3")
    assert _encryption_of(first) == ("AES256", None, None)
    assert _encryption_of(second) == ("aws:kms", "alias/k", True)
    assert _encryption_of(third) == ("AES256", None, None)
    head = s3.head_object(Bucket=bucket, Key="b")
    assert _encryption_of(head) == ("aws:kms", "alias/k", True)


def test_put_object_default_encryption_of_recreated_bucket_is_sse_s3(s3: Any, bucket: str) -> None:
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=KMS_DEFAULT)
    assert _encryption_of(s3.put_object(Bucket=bucket, Key="a", Body=b"1"))[0] == "aws:kms"
    s3.delete_object(Bucket=bucket, Key="a")
    s3.delete_bucket(Bucket=bucket)
    s3.create_bucket(Bucket=bucket)
    assert _encryption_of(s3.put_object(Bucket=bucket, Key="a", Body=b"1")) == ("AES256", None, None)


def test_put_object_notification_configured_after_a_put_is_announced(
    s3: Any, sqs: Any, bucket: str, unique_name: Callable[[str], str]
) -> None:
    s3.put_object(Bucket=bucket, Key="before", Body=b"1")
    url = sqs.create_queue(QueueName=unique_name("events"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]
        },
    )
    s3.put_object(Bucket=bucket, Key="after", Body=b"2")
    keys = []
    for _ in range(3):
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in messages.get("Messages", []):
            body = json.loads(message["Body"])
            keys += [record["s3"]["object"]["key"] for record in body.get("Records", [])]
        if keys:
            break
    assert keys == ["after"]
