"""Helpers for event source mapping tests."""

from __future__ import annotations

import json
from typing import Any


class Witness:
    """The queue a reporting function sends each event it receives to."""

    def __init__(self, sqs: Any, url: str) -> None:
        self.sqs = sqs
        self.url = url

    def next_event(self, wait: int = 20) -> dict[str, Any]:
        """The next event a function received (long poll: returns the moment it is reported)."""
        answer = self.sqs.receive_message(QueueUrl=self.url, WaitTimeSeconds=wait, MaxNumberOfMessages=1)
        messages = answer.get("Messages") or []
        assert messages, "the function was not invoked"
        self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=messages[0]["ReceiptHandle"])
        return dict(json.loads(messages[0]["Body"]))

    def is_quiet(self) -> bool:
        return not self.sqs.receive_message(QueueUrl=self.url, WaitTimeSeconds=0).get("Messages")
