"""Schedules firing on fogbank's clock: each occurrence once and in order when the clock is
advanced past several, one-time schedules deleted after completion, time zones across a daylight
saving change, flexible windows, the EventBridge and universal targets, and the dead-letter queue."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from datetime import UTC, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from scheduler_support import ROLE, Queue, drain, fogbank_now

OFF = {"Mode": "OFF"}
CONTEXT = '{"at": "<aws.scheduler.scheduled-time>", "arn": "<aws.scheduler.schedule-arn>", "try": <aws.scheduler.attempt-number>}'


def test_rate_schedule_fires_every_occurrence_in_order(
    scheduler: Any,
    sqs: Any,
    fogbank: Any,
    make_queue: Callable[..., Queue],
    unique_name: Callable[[str], str],
) -> None:
    queue, name = make_queue(), unique_name("s")
    start = fogbank_now(fogbank.url).replace(microsecond=0) + timedelta(minutes=1)
    arn = scheduler.create_schedule(
        Name=name,
        ScheduleExpression="rate(5 minutes)",
        StartDate=start,
        FlexibleTimeWindow=OFF,
        Target={"Arn": queue.arn, "RoleArn": ROLE, "Input": CONTEXT},
    )["ScheduleArn"]
    assert drain(sqs, queue.url) == []
    fogbank.advance_clock("PT17M")
    scheduler.delete_schedule(Name=name)
    bodies = [json.loads(m["Body"]) for m in drain(sqs, queue.url)]
    expected = [(start + timedelta(minutes=5 * n)).strftime("%Y-%m-%dT%H:%M:%SZ") for n in range(4)]
    assert bodies == [{"at": at, "arn": arn, "try": 1} for at in expected]


def test_at_schedule_fires_once_and_deletes_itself(
    scheduler: Any,
    sqs: Any,
    fogbank: Any,
    make_queue: Callable[..., Queue],
    unique_name: Callable[[str], str],
) -> None:
    queue, name = make_queue(), unique_name("once")
    when = fogbank_now(fogbank.url).astimezone(UTC) + timedelta(minutes=10)
    scheduler.create_schedule(
        Name=name,
        ScheduleExpression=f"at({when.strftime('%Y-%m-%dT%H:%M:%S')})",
        FlexibleTimeWindow=OFF,
        ActionAfterCompletion="DELETE",
        Target={"Arn": queue.arn, "RoleArn": ROLE, "Input": '"ping"'},
    )
    fogbank.advance_clock("PT9M")
    assert drain(sqs, queue.url) == []
    fogbank.advance_clock("PT2M")
    assert [m["Body"] for m in drain(sqs, queue.url)] == ['"ping"']
    with pytest.raises(ClientError) as raised:
        scheduler.get_schedule(Name=name)
    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_cron_schedule_in_time_zone_skips_missing_local_time_at_dst(
    fogbank_factory: Callable[..., Any],
) -> None:
    server = fogbank_factory()  # its own clock, set to an absolute date

    def make(service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=server.url,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )

    scheduler, sqs = make("scheduler"), make("sqs")
    _set_clock(server.url, "2027-03-13T00:00:00Z")
    url = sqs.create_queue(QueueName="dst")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    scheduler.create_schedule(
        Name="nightly",
        ScheduleExpression="cron(30 2 * * ? *)",
        ScheduleExpressionTimezone="America/New_York",
        FlexibleTimeWindow=OFF,
        Target={"Arn": arn, "RoleArn": ROLE, "Input": '"<aws.scheduler.scheduled-time>"'},
    )
    server.advance_clock("P3D")
    # 2027-03-14 02:30 does not exist in New York (clocks jump from 02:00 to 03:00): skipped.
    assert [json.loads(m["Body"]) for m in drain(sqs, url)] == [
        "2027-03-13T07:30:00Z",
        "2027-03-15T06:30:00Z",
    ]


def _set_clock(endpoint: str, instant: str) -> None:
    request = urllib.request.Request(
        endpoint + "/_fogbank/clock",
        data=json.dumps({"set": instant}).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


def test_flexible_window_fires_within_window(
    scheduler: Any,
    sqs: Any,
    fogbank: Any,
    make_queue: Callable[..., Queue],
    unique_name: Callable[[str], str],
) -> None:
    queue, name = make_queue(), unique_name("flex")
    when = fogbank_now(fogbank.url) + timedelta(minutes=5)
    scheduler.create_schedule(
        Name=name,
        ScheduleExpression=f"at({when.strftime('%Y-%m-%dT%H:%M:%S')})",
        FlexibleTimeWindow={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15},
        Target={"Arn": queue.arn, "RoleArn": ROLE, "Input": '"flex"'},
    )
    fogbank.advance_clock("PT4M")
    assert drain(sqs, queue.url) == []
    fogbank.advance_clock("PT17M")
    assert [m["Body"] for m in drain(sqs, queue.url)] == ['"flex"']


def test_disabled_schedule_and_end_date_stop_firing(
    scheduler: Any,
    sqs: Any,
    fogbank: Any,
    make_queue: Callable[..., Queue],
    unique_name: Callable[[str], str],
) -> None:
    queue = make_queue()
    now = fogbank_now(fogbank.url)
    target = {"Arn": queue.arn, "RoleArn": ROLE, "Input": '"x"'}
    scheduler.create_schedule(
        Name=unique_name("off"),
        ScheduleExpression="rate(1 minute)",
        FlexibleTimeWindow=OFF,
        State="DISABLED",
        Target=target,
    )
    scheduler.create_schedule(
        Name=unique_name("ending"),
        ScheduleExpression="rate(1 minute)",
        FlexibleTimeWindow=OFF,
        StartDate=now + timedelta(seconds=30),
        EndDate=now + timedelta(minutes=2),
        Target=target,
    )
    fogbank.advance_clock("PT10M")
    assert len(drain(sqs, queue.url)) == 2  # at +30 s and +90 s; +150 s is past the end date


def test_event_bus_target_puts_event(
    scheduler: Any,
    sqs: Any,
    fogbank: Any,
    client_factory: Callable[..., Any],
    make_queue: Callable[..., Queue],
    unique_name: Callable[[str], str],
) -> None:
    events, queue, source = client_factory("events"), make_queue(), unique_name("sched.src")
    rule = unique_name("rule")
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": [source]}))
    events.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": queue.arn}])
    name = unique_name("s")
    when = fogbank_now(fogbank.url) + timedelta(minutes=1)
    arn = scheduler.create_schedule(
        Name=name,
        ScheduleExpression=f"at({when.strftime('%Y-%m-%dT%H:%M:%S')})",
        FlexibleTimeWindow=OFF,
        Target={
            "Arn": "arn:aws:events:us-east-1:000000000000:event-bus/default",
            "RoleArn": ROLE,
            "Input": '{"job": 1}',
            "EventBridgeParameters": {"Source": source, "DetailType": "Job Due"},
        },
    )["ScheduleArn"]
    fogbank.advance_clock("PT2M")
    (body,) = [json.loads(m["Body"]) for m in drain(sqs, queue.url)]
    assert (body["source"], body["detail-type"], body["detail"], body["resources"]) == (
        source,
        "Job Due",
        {"job": 1},
        [arn],
    )


def test_universal_target_calls_sdk_operation(
    scheduler: Any,
    sqs: Any,
    fogbank: Any,
    make_queue: Callable[..., Queue],
    unique_name: Callable[[str], str],
) -> None:
    queue = make_queue()
    when = fogbank_now(fogbank.url) + timedelta(minutes=1)
    scheduler.create_schedule(
        Name=unique_name("sdk"),
        ScheduleExpression=f"at({when.strftime('%Y-%m-%dT%H:%M:%S')})",
        FlexibleTimeWindow=OFF,
        Target={
            "Arn": "arn:aws:scheduler:::aws-sdk:sqs:sendMessage",
            "RoleArn": ROLE,
            "Input": json.dumps({"QueueUrl": queue.url, "MessageBody": "from the universal target"}),
        },
    )
    fogbank.advance_clock("PT2M")
    assert [m["Body"] for m in drain(sqs, queue.url)] == ["from the universal target"]


def test_deleted_target_queue_goes_to_dead_letter_queue(
    scheduler: Any,
    sqs: Any,
    fogbank: Any,
    make_queue: Callable[..., Queue],
    unique_name: Callable[[str], str],
) -> None:
    queue, dlq, name = make_queue(), make_queue(), unique_name("s")
    when = fogbank_now(fogbank.url) + timedelta(minutes=1)
    arn = scheduler.create_schedule(
        Name=name,
        ScheduleExpression=f"at({when.strftime('%Y-%m-%dT%H:%M:%S')})",
        FlexibleTimeWindow=OFF,
        Target={"Arn": queue.arn, "RoleArn": ROLE, "Input": '"lost"', "DeadLetterConfig": {"Arn": dlq.arn}},
    )["ScheduleArn"]
    sqs.delete_queue(QueueUrl=queue.url)
    fogbank.advance_clock("PT2M")
    (message,) = drain(sqs, dlq.url)
    attributes = {key: value["StringValue"] for key, value in message["MessageAttributes"].items()}
    assert message["Body"] == '"lost"'
    assert (attributes["SCHEDULE_ARN"], attributes["TARGET_ARN"], attributes["ERROR_CODE"]) == (
        arn,
        queue.arn,
        "NO_RESOURCE",
    )
