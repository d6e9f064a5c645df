"""Sending a rendered event to a target ARN through the target service's public operation, shared
by EventBridge rules and EventBridge Scheduler's templated targets.

Target kinds (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-targets.html): SQS
(SendMessage; FIFO queues take `SqsParameters.MessageGroupId`), SNS (Publish), Lambda (Invoke with
InvocationType Event), Kinesis (PutRecord, `KinesisParameters.PartitionKeyPath`), Step Functions
(StartExecution), CloudWatch Logs (CreateLogStream + PutLogEvents) and event buses. A kind whose
service fogbank does not serve yet is refused when the target is put, never accepted silently.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from botocore import xform_name

from fogbank import clock
from fogbank.events import inputs
from fogbank.services import calls, registry
from fogbank.services.queue_calls import queue_url

# ARN service → (fogbank service, the operations delivery needs)
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "sqs": ("sqs", ("GetQueueUrl", "SendMessage")),
    "sns": ("sns", ("Publish",)),
    "lambda": ("lambda", ("Invoke",)),
    "kinesis": ("kinesis", ("PutRecord",)),
    "states": ("stepfunctions", ("StartExecution",)),
    "logs": ("logs", ("CreateLogStream", "PutLogEvents")),
    "events": ("events", ("PutEvents",)),
}


class UnsupportedTarget(ValueError):
    """A target fogbank cannot deliver to (yet); the text says why."""


def parse_arn(arn: str) -> tuple[str, str, str, str]:
    """(service, region, account, resource) of an ARN."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        raise UnsupportedTarget(f"Target ARN {arn} is not a valid ARN.")
    return parts[2], parts[3], parts[4], parts[5]


def check(arn: str) -> None:
    """Refuse a target kind fogbank cannot deliver to."""
    kind = parse_arn(arn)[0]
    if kind not in KINDS:
        raise UnsupportedTarget(f"Targets of type {kind} ({arn}) are not supported by fogbank yet.")
    service, operations = KINDS[kind]
    if not registry.is_implemented(service):
        raise UnsupportedTarget(f"Targets of type {kind} ({arn}) are not supported by fogbank yet.")
    provider = registry.provider(service)
    missing = [name for name in operations if getattr(provider, xform_name(name), None) is None]
    if missing:
        raise UnsupportedTarget(f"Targets of type {kind} ({arn}) are not supported by fogbank yet.")


def sender(
    arn: str, text: str, target: dict[str, Any], event: dict[str, Any], *, event_id: str
) -> Callable[[], Awaitable[Any]]:
    """A callable making one delivery attempt of `text` to the target."""
    kind, region, account, resource = parse_arn(arn)
    operation, params = _request(kind, arn, resource, text, target, event, event_id)
    service = KINDS[kind][0]

    async def send() -> Any:
        if kind == "sqs":
            params["QueueUrl"] = queue_url(region, account, resource)
        if kind == "logs":
            await _ensure_log_stream(resource, params["logStreamName"], account, region)
        return await calls.call_async(service, operation, params, account=account, region=region)

    return send


def _request(
    kind: str,
    arn: str,
    resource: str,
    text: str,
    target: dict[str, Any],
    event: dict[str, Any],
    event_id: str,
) -> tuple[str, dict[str, Any]]:
    if kind == "sqs":
        params: dict[str, Any] = {"MessageBody": text}
        group = (target.get("SqsParameters") or {}).get("MessageGroupId")
        if resource.endswith(".fifo"):
            # EventBridge uses the event id as the deduplication id for FIFO queues.
            params.update(MessageGroupId=group, MessageDeduplicationId=event_id)
        return "SendMessage", params
    if kind == "sns":
        return "Publish", {"TopicArn": arn, "Message": text}
    if kind == "lambda":
        return "Invoke", {"FunctionName": arn, "InvocationType": "Event", "Payload": text.encode()}
    if kind == "kinesis":
        kinesis = target.get("KinesisParameters") or {}
        path = kinesis.get("PartitionKeyPath")  # EventBridge rules: a path; Scheduler: a constant key
        key = kinesis.get("PartitionKey") or (inputs.resolve(path, event) if path else event_id)
        key = event_id if key is None or not isinstance(key, str | int | float) else str(key)
        return "PutRecord", {"StreamARN": arn, "Data": text.encode(), "PartitionKey": key}
    if kind == "states":
        return "StartExecution", {"stateMachineArn": arn, "input": text}
    if kind == "logs":
        group = resource.split(":", 1)[1] if resource.startswith("log-group:") else resource
        group = group.removesuffix(":*")
        return "PutLogEvents", {
            "logGroupName": group,
            "logStreamName": event_id,
            "logEvents": [{"timestamp": int(clock.now() * 1000), "message": text}],
        }
    raise UnsupportedTarget(f"Targets of type {kind} ({arn}) are not supported by fogbank yet.")


async def _ensure_log_stream(resource: str, stream: str, account: str, region: str) -> None:
    group = resource.split(":", 1)[1].removesuffix(":*") if resource.startswith("log-group:") else resource
    try:
        await calls.call_async(
            "logs",
            "CreateLogStream",
            {"logGroupName": group, "logStreamName": stream},
            account=account,
            region=region,
        )
    except Exception as error:  # an existing stream is fine; anything else fails the attempt
        if getattr(error, "code", "") != "ResourceAlreadyExistsException":
            raise
