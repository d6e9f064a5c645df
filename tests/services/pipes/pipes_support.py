"""Helpers for EventBridge Pipes tests."""

from __future__ import annotations

from typing import Any


def receive_one(sqs: Any, url: str, wait: int = 20) -> dict[str, Any]:
    messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=wait, MessageSystemAttributeNames=["All"])
    found = messages.get("Messages") or []
    assert found, "nothing arrived"
    sqs.delete_message(QueueUrl=url, ReceiptHandle=found[0]["ReceiptHandle"])
    return dict(found[0])
