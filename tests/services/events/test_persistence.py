"""State survives a restart: buses, rules with targets, and scheduled rules and schedules that are
armed again on the restarted server's clock."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
from events_support import receive_bodies


def test_restart_keeps_rules_and_rearms_schedules(
    fogbank_factory: Callable[..., Any], tmp_path: Path
) -> None:
    def clients(server: Any) -> tuple[Any, Any, Any]:
        return tuple(  # type: ignore[return-value]
            boto3.client(
                service,
                endpoint_url=server.url,
                region_name="us-east-1",
                aws_access_key_id="test",
                aws_secret_access_key="test",
            )
            for service in ("events", "sqs", "scheduler")
        )

    first = fogbank_factory(data_dir=tmp_path)
    events, sqs, scheduler = clients(first)
    url = sqs.create_queue(QueueName="kept")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.create_event_bus(Name="orders")
    events.put_rule(Name="by-source", EventBusName="orders", EventPattern=json.dumps({"source": ["shop"]}))
    events.put_targets(
        Rule="by-source", EventBusName="orders", Targets=[{"Id": "q", "Arn": arn, "Input": '"rule"'}]
    )
    events.put_rule(Name="hourly", ScheduleExpression="rate(1 hour)")
    events.put_targets(Rule="hourly", Targets=[{"Id": "q", "Arn": arn, "Input": '"scheduled rule"'}])
    scheduler.create_schedule(
        Name="every-2h",
        ScheduleExpression="rate(2 hours)",
        FlexibleTimeWindow={"Mode": "OFF"},
        StartDate=_in_an_hour(first),
        Target={"Arn": arn, "RoleArn": "arn:aws:iam::000000000000:role/r", "Input": '"schedule"'},
    )
    first.stop()

    second = fogbank_factory(data_dir=tmp_path)
    events, sqs, scheduler = clients(second)
    assert events.describe_rule(Name="by-source", EventBusName="orders")["State"] == "ENABLED"
    events.put_events(
        Entries=[{"Source": "shop", "DetailType": "t", "Detail": "{}", "EventBusName": "orders"}]
    )
    assert receive_bodies(sqs, url) == ["rule"]
    # Nothing is requested from the scheduler after the restart: its engine resumes by itself.
    second.advance_clock("PT1H30M")
    assert sorted(receive_bodies(sqs, url, 2)) == ["schedule", "scheduled rule"]


def _in_an_hour(server: Any) -> Any:
    with urllib.request.urlopen(server.url + "/_fogbank/clock", timeout=10) as response:
        now = datetime.fromtimestamp(json.loads(response.read())["epoch"], UTC)
    return now + timedelta(minutes=59)
