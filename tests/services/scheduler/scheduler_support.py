"""Helpers shared by the EventBridge Scheduler tests (a queue and error unpacking as the EventBridge
tests have them, in events_support)."""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime
from typing import Any

from events_support import Queue, error_of

__all__ = ["ROLE", "Queue", "drain", "error_of", "fogbank_now"]  # Queue, error_of: as the EventBridge tests

ROLE = "arn:aws:iam::000000000000:role/scheduler"


def drain(sqs: Any, url: str) -> list[dict[str, Any]]:
    """Every message now in the queue (deliveries after a clock advance are already done)."""
    got: list[dict[str, Any]] = []
    while True:
        messages = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, MessageAttributeNames=["All"]
        ).get("Messages", [])
        if not messages:
            return got
        for message in messages:
            got.append(message)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def fogbank_now(endpoint: str) -> datetime:
    with urllib.request.urlopen(endpoint + "/_fogbank/clock", timeout=10) as response:
        document = json.loads(response.read())
    return datetime.fromtimestamp(float(document["epoch"]), UTC)
