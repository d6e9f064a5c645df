"""Helpers for event source mapping tests (roles and packages: lambda_support, the Lambda tests' own)."""

from __future__ import annotations

import json
from typing import Any

REPORTING_HANDLER = """
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

def handler(event, context):
    report(event)
    return decide(event)
"""


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
