"""PutEvents: the envelope a rule's SQS target receives, per-entry errors, the size rule, buses by
name or ARN, other accounts' buses and their policies, disabled rules, FIFO queues."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError
from events_support import Queue, error_of, nothing_in, receive, receive_bodies

ACCOUNT = "000000000000"
OTHER = "111111111111"


def test_put_events_delivers_exact_envelope_to_sqs(
    events: Any, sqs: Any, rule_to_queue: Callable[..., Any]
) -> None:
    _, queue, source = rule_to_queue()
    when = datetime(2026, 5, 4, 3, 2, 1, tzinfo=UTC)
    result = events.put_events(
        Entries=[
            {
                "Source": source,
                "DetailType": "Order Placed",
                "Detail": '{"order": {"id": 7}}',
                "Resources": ["arn:aws:s3:::b"],
                "Time": when,
            }
        ]
    )
    assert result["FailedEntryCount"] == 0
    event_id = result["Entries"][0]["EventId"]
    assert [json.loads(m["Body"]) for m in receive(sqs, queue.url)] == [
        {
            "version": "0",
            "id": event_id,
            "detail-type": "Order Placed",
            "source": source,
            "account": ACCOUNT,
            "time": "2026-05-04T03:02:01Z",
            "region": "us-east-1",
            "resources": ["arn:aws:s3:::b"],
            "detail": {"order": {"id": 7}},
        }
    ]


def test_put_events_bad_entries_fail_one_by_one(
    events: Any, sqs: Any, rule_to_queue: Callable[..., Any]
) -> None:
    _, queue, source = rule_to_queue()
    result = events.put_events(
        Entries=[
            {"Source": source, "DetailType": "t", "Detail": "[1]"},
            {"Source": source, "DetailType": "t", "Detail": "{not json"},
            {"DetailType": "t", "Detail": "{}"},
            {"Source": source, "Detail": "{}"},
            {"Source": source, "DetailType": "t"},
            {"Source": source, "DetailType": "t", "Detail": "{}", "EventBusName": "no-such-bus"},
            {"Source": source, "DetailType": "ok", "Detail": "{}"},
        ]
    )
    entries = result["Entries"]
    assert result["FailedEntryCount"] == 6
    assert entries[:6] == [
        {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."},
        {"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."},
        {
            "ErrorCode": "InvalidArgument",
            "ErrorMessage": "Parameter Source is not valid. Reason: Source is a required argument.",
        },
        {
            "ErrorCode": "InvalidArgument",
            "ErrorMessage": "Parameter DetailType is not valid. Reason: DetailType is a required argument.",
        },
        {
            "ErrorCode": "InvalidArgument",
            "ErrorMessage": "Parameter Detail is not valid. Reason: Detail is a required argument.",
        },
        {"ErrorCode": "ResourceNotFoundException", "ErrorMessage": "Event bus no-such-bus does not exist."},
    ]
    assert set(entries[6]) == {"EventId"}
    assert [body["detail-type"] for body in receive_bodies(sqs, queue.url)] == ["ok"]


def test_put_events_over_256_kb_fails_request(events: Any) -> None:
    # 262,124 + 9 bytes of JSON + "s" + "t" + 14 bytes for Time = 262,149 bytes: over
    detail = json.dumps({"x": "a" * (262144 - 20)})
    with pytest.raises(ClientError) as raised:
        events.put_events(
            Entries=[{"Source": "s", "DetailType": "t", "Detail": detail, "Time": datetime.now(UTC)}]
        )
    assert error_of(raised.value) == (
        "ValidationException",
        "Total size of the entries in the request is over the limit.",
        400,
    )
    fits = json.dumps({"x": "a" * (262144 - 20)})  # the same without Time: 262,135 bytes, accepted
    assert (
        events.put_events(Entries=[{"Source": "s", "DetailType": "t", "Detail": fits}])["FailedEntryCount"]
        == 0
    )


def test_put_events_more_than_ten_entries_fails(events: Any) -> None:
    with pytest.raises(ClientError) as raised:
        events.put_events(Entries=[{"Source": "s", "DetailType": "t", "Detail": "{}"}] * 11)
    assert error_of(raised.value)[0] == "ValidationException"


def test_put_events_custom_bus_by_arn_reaches_its_rules(
    events: Any, sqs: Any, make_bus: Callable[..., str], rule_to_queue: Callable[..., Any]
) -> None:
    bus = make_bus()
    _, queue, source = rule_to_queue(bus=bus)
    _, default_queue, _ = rule_to_queue(pattern=f'{{"source": ["{source}"]}}')
    arn = f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/{bus}"
    events.put_events(Entries=[{"Source": source, "DetailType": "t", "Detail": "{}", "EventBusName": arn}])
    assert [body["source"] for body in receive_bodies(sqs, queue.url)] == [source]
    assert nothing_in(sqs, default_queue.url)


def test_put_events_disabled_rule_delivers_nothing(
    events: Any, sqs: Any, rule_to_queue: Callable[..., Any]
) -> None:
    name, queue, source = rule_to_queue()
    events.disable_rule(Name=name)
    events.put_events(Entries=[{"Source": source, "DetailType": "t", "Detail": "{}"}])
    events.enable_rule(Name=name)
    events.put_events(Entries=[{"Source": source, "DetailType": "after", "Detail": "{}"}])
    assert [body["detail-type"] for body in receive_bodies(sqs, queue.url)] == ["after"]


def test_put_events_other_account_bus_needs_policy(
    events: Any,
    sqs: Any,
    client_factory: Callable[..., Any],
    make_bus: Callable[..., str],
    rule_to_queue: Callable[..., Any],
) -> None:
    bus = make_bus()
    _, queue, source = rule_to_queue(bus=bus)
    arn = f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/{bus}"
    other = client_factory("events", access_key=OTHER)
    entry = {"Source": source, "DetailType": "t", "Detail": "{}", "EventBusName": arn}
    refused = other.put_events(Entries=[entry])["Entries"][0]
    assert refused["ErrorCode"] == "AccessDeniedException"
    events.put_permission(EventBusName=bus, Action="events:PutEvents", Principal=OTHER, StatementId="other")
    assert other.put_events(Entries=[entry])["FailedEntryCount"] == 0
    (body,) = receive_bodies(sqs, queue.url)
    assert body["account"] == OTHER


def test_put_events_fifo_queue_target_gets_message_group(
    events: Any, sqs: Any, make_queue: Callable[..., Queue], unique_name: Callable[[str], str]
) -> None:
    queue = make_queue(fifo=True)
    source, name = unique_name("src"), unique_name("rule")
    events.put_rule(Name=name, EventPattern=json.dumps({"source": [source]}))
    events.put_targets(
        Rule=name, Targets=[{"Id": "f", "Arn": queue.arn, "SqsParameters": {"MessageGroupId": "g1"}}]
    )
    event_id = events.put_events(Entries=[{"Source": source, "DetailType": "t", "Detail": "{}"}])["Entries"][
        0
    ]["EventId"]
    (message,) = receive(sqs, queue.url)
    assert message["Attributes"]["MessageGroupId"] == "g1"
    assert message["Attributes"]["MessageDeduplicationId"] == event_id
