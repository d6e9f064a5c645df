"""`publish_service_event` called from inside fogbank: the event reaches a rule's queue on the
default bus with AWS's envelope. The services run in this process, on an in-memory state and an
event loop of the test's own, so that the function can be called directly."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from fogbank.events.service_events import publish_service_event
from fogbank.services import calls, registry
from fogbank.state import open_database

ACCOUNT, REGION = "123456789012", "eu-west-1"


async def _call(service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    return await calls.call_async(service, operation, params, account=ACCOUNT, region=REGION)


async def _scenario() -> tuple[str, dict[str, Any]]:
    queue = await _call("sqs", "CreateQueue", {"QueueName": "service-events"})
    queue_arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:service-events"
    await _call("events", "PutRule", {"Name": "s3", "EventPattern": '{"source": ["aws.s3"]}'})
    await _call("events", "PutTargets", {"Rule": "s3", "Targets": [{"Id": "q", "Arn": queue_arn}]})
    event_id = publish_service_event(
        ACCOUNT, REGION, "aws.s3", "Object Created", {"bucket": {"name": "b"}}, ["arn:aws:s3:::b"]
    )
    for _ in range(10):  # let the routing and delivery callbacks run (no time passes)
        await asyncio.sleep(0)
    received = await _call("sqs", "ReceiveMessage", {"QueueUrl": queue["QueueUrl"]})
    (message,) = received["Messages"]
    return event_id, json.loads(message["Body"])


def test_publish_service_event_reaches_rule_target_with_envelope() -> None:
    open_database(None)
    try:
        event_id, body = asyncio.run(_scenario())
    finally:
        registry.unload()
    assert body == {
        "version": "0",
        "id": event_id,
        "detail-type": "Object Created",
        "source": "aws.s3",
        "account": ACCOUNT,
        "time": body["time"],
        "region": REGION,
        "resources": ["arn:aws:s3:::b"],
        "detail": {"bucket": {"name": "b"}},
    }
