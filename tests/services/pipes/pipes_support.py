"""Helpers for EventBridge Pipes tests."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any


def receive_one(sqs: Any, url: str, wait: int = 20) -> dict[str, Any]:
    messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=wait, MessageSystemAttributeNames=["All"])
    found = messages.get("Messages") or []
    assert found, "nothing arrived"
    sqs.delete_message(QueueUrl=url, ReceiptHandle=found[0]["ReceiptHandle"])
    return dict(found[0])


def build_zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def eventually(check: Callable[[], Any], sqs: Any, idle_url: str, rounds: int = 20) -> Any:
    """`check()` once it answers something truthy, long-polling an idle queue between tries
    (a pipe's work is asynchronous; this waits on fogbank, never on a sleep)."""
    for _ in range(rounds):
        found = check()
        if found:
            return found
        sqs.receive_message(QueueUrl=idle_url, WaitTimeSeconds=1)
    return check()


def drained(sqs: Any, url: str, idle_url: str) -> None:
    """Wait until a source queue holds no message, visible or in flight (the pipe deleted what it
    delivered), so stopping or changing the pipe cannot leave a delivered message behind."""

    def empty() -> bool:
        found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        return (
            found["ApproximateNumberOfMessages"] == "0"
            and found["ApproximateNumberOfMessagesNotVisible"] == "0"
        )

    assert eventually(empty, sqs, idle_url)


# Function code that reports what it received to the queue named by its WITNESS variable (over the
# SQS JSON protocol with urllib: a fresh machine's function runtime has no boto3).
REPORT_TO_WITNESS = """
import json, os, urllib.request

def report(event):
    key = os.environ["AWS_ACCESS_KEY_ID"]
    body = {"QueueUrl": os.environ["WITNESS"], "MessageBody": json.dumps(event)}
    request = urllib.request.Request(
        os.environ["AWS_ENDPOINT_URL"] + "/",
        data=json.dumps(body).encode(),
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "AmazonSQS.SendMessage",
            "Authorization": "AWS4-HMAC-SHA256 Credential=" + key + "/20240101/" + os.environ["AWS_REGION"]
            + "/sqs/aws4_request, SignedHeaders=host, Signature=0",
        },
    )
    urllib.request.urlopen(request).read()
"""
