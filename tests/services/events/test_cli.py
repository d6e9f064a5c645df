"""The AWS CLI against EventBridge and EventBridge Scheduler: a rule, a target, an event."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from events_support import Queue, receive_bodies


def test_cli_put_rule_targets_and_events_deliver(
    aws_cli: Callable[..., Any], sqs: Any, make_queue: Callable[..., Queue], unique_name: Callable[[str], str]
) -> None:
    queue, rule, source = make_queue(), unique_name("rule"), unique_name("cli.src")
    created = aws_cli(
        "events", "put-rule", "--name", rule, "--event-pattern", json.dumps({"source": [source]})
    )
    assert created["RuleArn"].endswith(f":rule/{rule}")
    targets = aws_cli("events", "put-targets", "--rule", rule, "--targets", f"Id=q,Arn={queue.arn}")
    assert targets == {"FailedEntryCount": 0, "FailedEntries": []}
    entries = json.dumps([{"Source": source, "DetailType": "cli", "Detail": '{"via": "cli"}'}])
    put = aws_cli("events", "put-events", "--entries", entries)
    assert put["FailedEntryCount"] == 0
    (body,) = receive_bodies(sqs, queue.url)
    assert (body["id"], body["detail"]) == (put["Entries"][0]["EventId"], {"via": "cli"})
    listed = aws_cli("events", "list-rules", "--name-prefix", rule)
    assert [item["Name"] for item in listed["Rules"]] == [rule]


def test_cli_scheduler_create_and_get_schedule(
    aws_cli: Callable[..., Any], make_queue: Callable[..., Queue], unique_name: Callable[[str], str]
) -> None:
    queue, name = make_queue(), unique_name("s")
    target = json.dumps({"Arn": queue.arn, "RoleArn": "arn:aws:iam::000000000000:role/r", "Input": "{}"})
    aws_cli(
        "scheduler",
        "create-schedule",
        "--name",
        name,
        "--schedule-expression",
        "rate(1 day)",
        "--flexible-time-window",
        '{"Mode": "OFF"}',
        "--target",
        target,
    )
    got = aws_cli("scheduler", "get-schedule", "--name", name)
    assert (got["Name"], got["State"], got["Target"]["Arn"]) == (name, "ENABLED", queue.arn)
    aws_cli("scheduler", "delete-schedule", "--name", name)
