"""Helpers shared by the EventBridge tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError


@dataclass
class Queue:
    url: str
    arn: str


def receive(sqs: Any, url: str, count: int = 1, wait: int = 2) -> list[dict[str, Any]]:
    """Receive up to `count` messages, long polling so that asynchronous deliveries arrive."""
    got: list[dict[str, Any]] = []
    for _ in range(count * 3):
        response = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=wait,
            MessageAttributeNames=["All"],
            AttributeNames=["All"],
        )
        for message in response.get("Messages", []):
            got.append(message)  # deleted, so that a later clock advance cannot show it again
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        if len(got) >= count:
            break
    return got


def receive_bodies(sqs: Any, url: str, count: int = 1) -> list[Any]:
    return [json.loads(message["Body"]) for message in receive(sqs, url, count)]


def nothing_in(sqs: Any, url: str) -> bool:
    return not sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages")


def error_of(error: ClientError) -> tuple[str, str, int]:
    return (
        error.response["Error"]["Code"],
        error.response["Error"]["Message"],
        error.response["ResponseMetadata"]["HTTPStatusCode"],
    )
