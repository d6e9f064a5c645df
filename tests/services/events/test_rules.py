"""Rules and targets: put, describe, list, enable/disable, delete, targets with per-target
failures, TestEventPattern."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from events_support import Queue, error_of

ACCOUNT = "000000000000"


def test_put_rule_describe_returns_every_field(events: Any, unique_name: Callable[[str], str]) -> None:
    name = unique_name("rule")
    pattern = '{"source": ["my.app"]}'
    arn = events.put_rule(Name=name, EventPattern=pattern, Description="d", State="DISABLED")["RuleArn"]
    assert arn == f"arn:aws:events:us-east-1:{ACCOUNT}:rule/{name}"
    described = events.describe_rule(Name=name)
    described.pop("ResponseMetadata")
    assert described == {
        "Name": name,
        "Arn": arn,
        "EventPattern": pattern,
        "State": "DISABLED",
        "Description": "d",
        "EventBusName": "default",
        "CreatedBy": ACCOUNT,
    }
    events.enable_rule(Name=name)
    assert events.describe_rule(Name=name)["State"] == "ENABLED"
    events.disable_rule(Name=name)
    assert events.describe_rule(Name=name)["State"] == "DISABLED"


def test_put_rule_invalid_pattern_fails_with_reason(events: Any) -> None:
    with pytest.raises(ClientError) as raised:
        events.put_rule(Name="bad", EventPattern='{"source": "x"}')
    assert error_of(raised.value) == (
        "InvalidEventPatternException",
        'Event pattern is not valid. Reason: "source" must be an object or an array',
        400,
    )


def test_put_rule_without_pattern_or_schedule_fails(events: Any) -> None:
    with pytest.raises(ClientError) as raised:
        events.put_rule(Name="empty")
    assert error_of(raised.value) == (
        "ValidationException",
        "Parameter(s) EventPattern or ScheduleExpression must be specified.",
        400,
    )
    with pytest.raises(ClientError) as raised:
        events.put_rule(Name="sched", ScheduleExpression="rate(5 minute)")
    assert error_of(raised.value) == (
        "ValidationException",
        "Parameter ScheduleExpression is not valid.",
        400,
    )


def test_describe_rule_missing_fails(events: Any, make_bus: Callable[..., str]) -> None:
    with pytest.raises(ClientError) as raised:
        events.describe_rule(Name="nope")
    assert error_of(raised.value) == (
        "ResourceNotFoundException",
        "Rule nope does not exist on EventBus default.",
        400,
    )
    with pytest.raises(ClientError) as raised:
        events.put_rule(Name="r", EventBusName="no-bus", EventPattern='{"source": ["x"]}')
    assert error_of(raised.value) == ("ResourceNotFoundException", "Event bus no-bus does not exist.", 400)


def test_list_rules_on_bus_with_prefix_and_pages(events: Any, make_bus: Callable[..., str]) -> None:
    bus = make_bus()
    for name in ("b-2", "a-1", "b-1"):
        events.put_rule(Name=name, EventBusName=bus, EventPattern='{"source": ["x"]}')
    listed = events.list_rules(EventBusName=bus, NamePrefix="b-")["Rules"]
    assert [rule["Name"] for rule in listed] == ["b-1", "b-2"]
    assert listed[0]["Arn"].endswith(f":rule/{bus}/b-1") and listed[0]["EventBusName"] == bus
    page = events.list_rules(EventBusName=bus, Limit=2)
    assert len(page["Rules"]) == 2 and page["NextToken"]


def test_delete_rule_with_targets_fails_until_removed(events: Any, rule_to_queue: Callable[..., Any]) -> None:
    name, queue, _ = rule_to_queue()
    with pytest.raises(ClientError) as raised:
        events.delete_rule(Name=name)
    assert error_of(raised.value) == (
        "ValidationException",
        "Rule can't be deleted since it has targets.",
        400,
    )
    assert events.list_rule_names_by_target(TargetArn=queue.arn)["RuleNames"] == [name]
    removed = events.remove_targets(Rule=name, Ids=["q"])
    assert (removed["FailedEntryCount"], removed["FailedEntries"]) == (0, [])
    events.delete_rule(Name=name)
    with pytest.raises(ClientError):
        events.describe_rule(Name=name)


def test_put_targets_lists_targets_as_given(events: Any, rule_to_queue: Callable[..., Any]) -> None:
    name, queue, _ = rule_to_queue()
    transformer = {"InputPathsMap": {"s": "$.source"}, "InputTemplate": '{"from": <s>}'}
    result = events.put_targets(
        Rule=name,
        Targets=[
            {
                "Id": "t2",
                "Arn": queue.arn,
                "InputTransformer": transformer,
                "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 120},
            },
        ],
    )
    assert (result["FailedEntryCount"], result["FailedEntries"]) == (0, [])
    targets = events.list_targets_by_rule(Rule=name)["Targets"]
    assert targets == [
        {"Id": "q", "Arn": queue.arn},
        {
            "Id": "t2",
            "Arn": queue.arn,
            "InputTransformer": transformer,
            "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 120},
        },
    ]


def test_put_targets_unsupported_target_fails_entry(events: Any, rule_to_queue: Callable[..., Any]) -> None:
    name, _, _ = rule_to_queue()
    ecs = f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/c"
    result = events.put_targets(Rule=name, Targets=[{"Id": "ecs", "Arn": ecs}])
    assert result["FailedEntryCount"] == 1
    assert result["FailedEntries"] == [
        {
            "TargetId": "ecs",
            "ErrorCode": "ValidationException",
            "ErrorMessage": f"Targets of type ecs ({ecs}) are not supported by fogbank yet.",
        }
    ]
    assert [target["Id"] for target in events.list_targets_by_rule(Rule=name)["Targets"]] == ["q"]


def test_put_targets_invalid_settings_fail_request(
    events: Any, rule_to_queue: Callable[..., Any], make_queue: Callable[..., Queue]
) -> None:
    name, queue, _ = rule_to_queue()
    cases = [
        (
            {"Id": "x", "Arn": queue.arn, "Input": "{}", "InputPath": "$.detail"},
            "Only one of Input, InputPath, or InputTransformer must be provided for target x.",
        ),
        ({"Id": "x", "Arn": queue.arn, "Input": "not json"}, "Input for target x is not a valid JSON text."),
        (
            {"Id": "x", "Arn": make_queue(fifo=True).arn},
            "Parameter(s) SqsParameters must be specified for target: x.",
        ),
    ]
    for target, message in cases:
        with pytest.raises(ClientError) as raised:
            events.put_targets(Rule=name, Targets=[target])
        assert error_of(raised.value) == ("ValidationException", message, 400)


def test_put_targets_more_than_five_fails(events: Any, rule_to_queue: Callable[..., Any]) -> None:
    name, queue, _ = rule_to_queue()
    with pytest.raises(ClientError) as raised:
        events.put_targets(Rule=name, Targets=[{"Id": f"t{i}", "Arn": queue.arn} for i in range(5)])
    assert error_of(raised.value)[0] == "LimitExceededException"


def test_test_event_pattern_matches_and_refuses(events: Any) -> None:
    event = {
        "id": "1",
        "account": ACCOUNT,
        "source": "my.app",
        "time": "2026-01-01T00:00:00Z",
        "region": "us-east-1",
        "detail-type": "t",
        "resources": [],
        "detail": {"n": 5},
    }
    match = '{"detail": {"n": [{"numeric": [">", 4]}]}}'
    assert events.test_event_pattern(EventPattern=match, Event=json.dumps(event))["Result"] is True
    assert (
        events.test_event_pattern(EventPattern='{"source": ["other"]}', Event=json.dumps(event))["Result"]
        is False
    )
    with pytest.raises(ClientError) as raised:
        events.test_event_pattern(EventPattern='{"source": []}', Event=json.dumps(event))
    assert error_of(raised.value) == (
        "InvalidEventPatternException",
        "Event pattern is not valid. Reason: Empty arrays are not allowed",
        400,
    )
    with pytest.raises(ClientError) as raised:
        events.test_event_pattern(EventPattern=match, Event='{"source": "x"}')
    assert error_of(raised.value) == ("ValidationException", "Parameter Event is not valid.", 400)
