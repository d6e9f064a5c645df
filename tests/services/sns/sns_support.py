"""Helpers shared by the SNS tests: receiving from SQS with long polling, fogbank's email endpoint."""

from __future__ import annotations

import json
import urllib.request
from typing import Any


def receive(sqs: Any, url: str, count: int = 1, **options: Any) -> list[dict[str, Any]]:
    """Receive up to `count` messages, long polling so that asynchronous deliveries arrive."""
    got: list[dict[str, Any]] = []
    for _ in range(count * 3):
        response = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=2,
            MessageAttributeNames=["All"],
            AttributeNames=["All"],
            **options,
        )
        got.extend(response.get("Messages", []))
        if len(got) >= count:
            break
    return got


def fogbank_get(endpoint: str, path: str) -> Any:
    with urllib.request.urlopen(endpoint + path, timeout=10) as response:
        return json.loads(response.read())


def fogbank_delete(endpoint: str, path: str) -> Any:
    request = urllib.request.Request(endpoint + path, method="DELETE")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())
