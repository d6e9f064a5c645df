"""Reaching an SQS queue named by its ARN through SQS's public operations, acting in the queue's
own account and region: its URL (GetQueueUrl), and SendMessage to it, as SNS subscriptions,
EventBridge targets and dead-letter queues, Lambda destinations and event source mappings do."""

from __future__ import annotations

from typing import Any

from fogbank.services import calls


def queue_url(region: str, account: str, name: str) -> str:
    """GetQueueUrl of the queue `name` in that account and region (QueueDoesNotExist if none)."""
    found = calls.call(
        "sqs",
        "GetQueueUrl",
        {"QueueName": name, "QueueOwnerAWSAccountId": account},
        account=account,
        region=region,
    )
    return str(found["QueueUrl"])


def send_to_queue(queue_arn: str, params: dict[str, Any]) -> dict[str, Any]:
    """SendMessage to a queue named by its ARN, acting in the queue's account and region."""
    _, _, _, region, account, name = queue_arn.split(":", 5)
    url = queue_url(region, account, name)
    return calls.call("sqs", "SendMessage", {"QueueUrl": url, **params}, account=account, region=region)
