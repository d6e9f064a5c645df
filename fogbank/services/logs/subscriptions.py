"""Subscription filter delivery: the events of each PutLogEvents batch (and of Lambda's own log
writes) that match a log group's subscription filter are sent, gzip-compressed, to its destination
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html):

- a Kinesis data stream: one PutRecord per batch and filter (the payload is the gzip data itself);
- a Lambda function: an asynchronous Invoke with `{"awslogs": {"data": "<base64 gzip>"}}`.

The payload is AWS's: `messageType` DATA_MESSAGE, `owner`, `logGroup`, `logStream`,
`subscriptionFilters`, `logEvents` (`id`, `timestamp`, `message`). A new Kinesis destination first
receives AWS's CONTROL_MESSAGE. Other destination types (Firehose, cross-account destinations) are
refused when the filter is put. Delivery happens after the writing request, through the
destination's public operations; a failed delivery is logged and dropped.
"""

from __future__ import annotations

import base64
import functools
import gzip
import logging
import uuid
from typing import Any

import orjson

from fogbank import clock
from fogbank.errors import AwsError
from fogbank.services import calls
from fogbank.services.logs.errors import InvalidParameterException
from fogbank.services.logs.events import Event
from fogbank.services.logs.patterns import compile_pattern

log = logging.getLogger("fogbank.logs")


def destination_service(arn: str) -> tuple[str, str, str]:
    """(service, account, region) of a destination ARN; refuses the kinds fogbank cannot deliver to."""
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn":
        raise InvalidParameterException(f"Invalid destinationArn: {arn}")
    service, region, account = parts[2], parts[3], parts[4]
    if service == "kinesis" and parts[5].startswith("stream/"):
        return service, account, region
    if service == "lambda" and parts[5] == "function":
        return service, account, region
    raise InvalidParameterException(
        f"fogbank delivers subscription filters to Kinesis streams and Lambda functions only, not to {arn}."
    )


def check_destination(arn: str, owner: str, group: str, filter_name: str) -> None:
    """Make sure the destination exists; a Kinesis stream gets AWS's control message."""
    service, account, region = destination_service(arn)
    try:
        if service == "kinesis":
            payload = _payload("CONTROL_MESSAGE", owner, group, "", filter_name, [])
            calls.call(
                "kinesis",
                "PutRecord",
                {"StreamARN": arn, "Data": payload, "PartitionKey": str(uuid.uuid4())},
                account=account,
                region=region,
            )
        else:
            calls.call("lambda", "GetFunction", {"FunctionName": arn}, account=account, region=region)
    except AwsError:
        if service == "kinesis":
            raise InvalidParameterException(
                "Could not deliver test message to specified Kinesis stream. Check if the given kinesis stream is in ACTIVE state."
            ) from None
        raise InvalidParameterException(
            "Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function."
        ) from None


def _payload(kind: str, owner: str, group: str, stream: str, filter_name: str, events: list[Event]) -> bytes:
    document: dict[str, Any] = {
        "messageType": kind,
        "owner": owner if kind == "DATA_MESSAGE" else "CloudwatchLogs",
        "logGroup": group if kind == "DATA_MESSAGE" else "",
        "logStream": stream,
        "subscriptionFilters": [filter_name] if kind == "DATA_MESSAGE" else [],
        "logEvents": [{"id": e.event_id, "timestamp": e.timestamp, "message": e.message} for e in events],
    }
    if kind == "CONTROL_MESSAGE":
        document["logEvents"] = [
            {
                "id": "",
                "timestamp": int(clock.now() * 1000),
                "message": "CWL CONTROL MESSAGE: Checking health of destination Kinesis stream.",
            }
        ]
    return gzip.compress(orjson.dumps(document))


def deliver(
    owner: str, group: str, stream: str, filters: dict[str, dict[str, Any]], events: list[Event]
) -> None:
    """Send the matching events of one write to every subscription filter of the group (after the
    writing request: scheduled on the clock as due now)."""
    for subscription in filters.values():
        matcher = compile_pattern(subscription["filterPattern"])
        matched = [event for event in events if matcher(event.message) is not None]
        if matched:
            payload = _payload("DATA_MESSAGE", owner, group, stream, subscription["filterName"], matched)
            clock.call_later(0, functools.partial(_send, subscription["destinationArn"], payload))


async def _send(arn: str, payload: bytes) -> None:
    service, account, region = destination_service(arn)
    try:
        if service == "kinesis":
            params: dict[str, Any] = {"StreamARN": arn, "Data": payload, "PartitionKey": str(uuid.uuid4())}
            await calls.call_async("kinesis", "PutRecord", params, account=account, region=region)
        else:
            event = orjson.dumps({"awslogs": {"data": base64.b64encode(payload).decode()}})
            params = {"FunctionName": arn, "InvocationType": "Event", "Payload": event}
            await calls.call_async("lambda", "Invoke", params, account=account, region=region)
    except AwsError as error:
        log.warning("subscription filter delivery to %s failed: %s", arn, error)
