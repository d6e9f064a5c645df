"""Archives (capture with a pattern, retention on the clock) and replays (events sent back with
`replay-name`, to the rules named in FilterArns)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from events_support import error_of, nothing_in, receive_bodies

ACCOUNT = "000000000000"


def test_create_archive_captures_matching_events(
    events: Any, make_bus: Callable[..., str], unique_name: Callable[[str], str]
) -> None:
    bus = make_bus()
    bus_arn = f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/{bus}"
    name = unique_name("archive")
    created = events.create_archive(
        ArchiveName=name, EventSourceArn=bus_arn, EventPattern='{"detail-type": ["keep"]}', RetentionDays=1
    )
    assert created["ArchiveArn"] == f"arn:aws:events:us-east-1:{ACCOUNT}:archive/{name}"
    assert created["State"] == "ENABLED"
    entries = [
        {"Source": "s", "DetailType": kind, "Detail": "{}", "EventBusName": bus}
        for kind in ("keep", "drop", "keep")
    ]
    events.put_events(Entries=entries)
    described = events.describe_archive(ArchiveName=name)
    assert (described["EventCount"], described["RetentionDays"], described["EventSourceArn"]) == (
        2,
        1,
        bus_arn,
    )
    assert described["SizeBytes"] > 0
    assert [a["ArchiveName"] for a in events.list_archives(EventSourceArn=bus_arn)["Archives"]] == [name]


def test_archive_retention_expires_events_on_clock(
    events: Any, fogbank: Any, make_bus: Callable[..., str], unique_name: Callable[[str], str]
) -> None:
    bus = make_bus()
    name = unique_name("archive")
    events.create_archive(
        ArchiveName=name,
        EventSourceArn=f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/{bus}",
        RetentionDays=1,
    )
    events.put_events(Entries=[{"Source": "s", "DetailType": "t", "Detail": "{}", "EventBusName": bus}])
    assert events.describe_archive(ArchiveName=name)["EventCount"] == 1
    fogbank.advance_clock("P1DT1M")
    assert events.describe_archive(ArchiveName=name)["EventCount"] == 0


def test_create_archive_errors(events: Any, unique_name: Callable[[str], str]) -> None:
    name = unique_name("archive")
    default_arn = f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/default"
    events.create_archive(ArchiveName=name, EventSourceArn=default_arn)
    with pytest.raises(ClientError) as raised:
        events.create_archive(ArchiveName=name, EventSourceArn=default_arn)
    assert error_of(raised.value) == (
        "ResourceAlreadyExistsException",
        f"Archive {name} already exists.",
        400,
    )
    with pytest.raises(ClientError) as raised:
        events.describe_archive(ArchiveName="missing-archive")
    assert error_of(raised.value) == (
        "ResourceNotFoundException",
        "Archive missing-archive does not exist.",
        400,
    )
    events.delete_archive(ArchiveName=name)


def test_start_replay_sends_archived_events_with_replay_name(
    events: Any,
    sqs: Any,
    fogbank: Any,
    make_bus: Callable[..., str],
    rule_to_queue: Callable[..., Any],
    unique_name: Callable[[str], str],
) -> None:
    bus = make_bus()
    bus_arn = f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/{bus}"
    rule, queue, source = rule_to_queue(bus=bus)
    other_rule, other_queue, _ = rule_to_queue(bus=bus, pattern=json.dumps({"source": [source]}))
    archive = unique_name("archive")
    archive_arn = events.create_archive(ArchiveName=archive, EventSourceArn=bus_arn)["ArchiveArn"]
    events.put_events(
        Entries=[{"Source": source, "DetailType": "t", "Detail": '{"n": 1}', "EventBusName": bus}]
    )
    original = receive_bodies(sqs, queue.url)[0]
    receive_bodies(sqs, other_queue.url)
    fogbank.advance_clock("PT1M")
    archived_at = datetime.strptime(original["time"], "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=UTC
    )  # fogbank's clock
    replay = unique_name("replay")
    rule_arn = f"arn:aws:events:us-east-1:{ACCOUNT}:rule/{bus}/{rule}"
    started = events.start_replay(
        ReplayName=replay,
        EventSourceArn=archive_arn,
        EventStartTime=archived_at - timedelta(minutes=1),
        EventEndTime=archived_at + timedelta(hours=1),
        Destination={"Arn": bus_arn, "FilterArns": [rule_arn]},
    )
    assert started["State"] == "STARTING"
    assert started["ReplayArn"] == f"arn:aws:events:us-east-1:{ACCOUNT}:replay/{replay}"
    (replayed,) = receive_bodies(sqs, queue.url)
    assert replayed == {**original, "replay-name": replay}
    assert nothing_in(sqs, other_queue.url)
    described = events.describe_replay(ReplayName=replay)
    assert described["State"] == "COMPLETED" and "EventLastReplayedTime" in described
    assert [r["ReplayName"] for r in events.list_replays(NamePrefix=replay)["Replays"]] == [replay]
    with pytest.raises(ClientError) as raised:
        events.cancel_replay(ReplayName=replay)
    assert error_of(raised.value) == (
        "IllegalStatusException",
        f"Replay {replay} is not in a valid state for this operation.",
        400,
    )
    assert other_rule
