"""Log streams and events: DescribeLogStreams ordering and pagination, PutLogEvents ordering, size
and age rules, GetLogEvents windows and tokens, retention applied on fogbank's clock, restarts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from aws_errors import error_of
from logs_support import now_ms

from fogbank.testing.server import FogbankServer

DAY_MS = 86_400_000


def put(logs: Any, group: str, stream: str, *events: tuple[int, str]) -> dict[str, Any]:
    return dict(
        logs.put_log_events(
            logGroupName=group,
            logStreamName=stream,
            logEvents=[{"timestamp": t, "message": m} for t, m in events],
        )
    )


def messages(page: dict[str, Any]) -> list[str]:
    return [event["message"] for event in page["events"]]


def test_create_log_stream_existing_is_resource_already_exists(
    logs: Any, make_group: Callable[..., str]
) -> None:
    group = make_group("s")
    assert error_of(lambda: logs.create_log_stream(logGroupName=group, logStreamName="s")) == (
        "ResourceAlreadyExistsException",
        "The specified log stream already exists",
        400,
    )


def test_describe_log_streams_reports_event_times(
    logs: Any, make_group: Callable[..., str], fogbank: FogbankServer
) -> None:
    group = make_group("s")
    now = now_ms(fogbank)
    put(logs, group, "s", (now - 5000, "a"), (now - 1000, "b"))
    stream = logs.describe_log_streams(logGroupName=group)["logStreams"][0]
    assert (stream["firstEventTimestamp"], stream["lastEventTimestamp"]) == (now - 5000, now - 1000)
    assert stream["lastIngestionTime"] >= now - 1000
    assert stream["arn"] == f"arn:aws:logs:us-east-1:000000000000:log-group:{group}:log-stream:s"
    assert len(stream["uploadSequenceToken"]) == 56 and stream["storedBytes"] == 0


def test_describe_log_streams_order_by_last_event_time_descending_pages(
    logs: Any, make_group: Callable[..., str], fogbank: FogbankServer
) -> None:
    group = make_group("a", "b", "c")
    now = now_ms(fogbank)
    for offset, stream in ((3000, "b"), (2000, "c"), (1000, "a")):
        put(logs, group, stream, (now - offset, stream))
    first = logs.describe_log_streams(logGroupName=group, orderBy="LastEventTime", descending=True, limit=2)
    assert [s["logStreamName"] for s in first["logStreams"]] == ["a", "c"]
    second = logs.describe_log_streams(
        logGroupName=group, orderBy="LastEventTime", descending=True, limit=2, nextToken=first["nextToken"]
    )
    assert [s["logStreamName"] for s in second["logStreams"]] == ["b"] and "nextToken" not in second
    by_name = logs.describe_log_streams(logGroupName=group, logStreamNamePrefix="b")["logStreams"]
    assert [s["logStreamName"] for s in by_name] == ["b"]
    assert error_of(
        lambda: logs.describe_log_streams(
            logGroupName=group, orderBy="LastEventTime", logStreamNamePrefix="a"
        )
    ) == ("InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix.", 400)


def test_put_log_events_out_of_order_is_invalid_parameter(
    logs: Any, make_group: Callable[..., str], fogbank: FogbankServer
) -> None:
    group = make_group("s")
    now = now_ms(fogbank)
    assert error_of(lambda: put(logs, group, "s", (now, "later"), (now - 1, "earlier"))) == (
        "InvalidParameterException",
        "Log events in a single PutLogEvents request must be in chronological order.",
        400,
    )


def test_put_log_events_batch_over_one_mib_counts_26_bytes_per_event(
    logs: Any, make_group: Callable[..., str], fogbank: FogbankServer
) -> None:
    group = make_group("s")
    now = now_ms(fogbank)
    fits = 1_048_576 // 4 - 26
    put(logs, group, "s", *[(now, "x" * fits)] * 4)
    assert error_of(lambda: put(logs, group, "s", *[(now, "x" * (fits + 1))] * 4)) == (
        "InvalidParameterException",
        "Upload too large: 1048580 bytes exceeds limit of 1048576",
        400,
    )


def test_put_log_events_over_10000_events_is_validation_error(
    logs: Any, make_group: Callable[..., str], fogbank: FogbankServer
) -> None:
    group = make_group("s")
    now = now_ms(fogbank)
    code, _, status = error_of(lambda: put(logs, group, "s", *[(now, "x")] * 10_001))
    assert (code, status) in (("InvalidParameterException", 400), ("ValidationException", 400))


def test_put_log_events_spanning_over_24_hours_is_invalid(
    logs: Any, make_group: Callable[..., str], fogbank: FogbankServer
) -> None:
    group = make_group("s")
    now = now_ms(fogbank)
    assert error_of(lambda: put(logs, group, "s", (now - DAY_MS - 1, "a"), (now, "b"))) == (
        "InvalidParameterException",
        "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.",
        400,
    )


def test_put_log_events_too_old_and_too_new_are_rejected(
    logs: Any, make_group: Callable[..., str], fogbank: FogbankServer
) -> None:
    group = make_group("old", "new")
    now = now_ms(fogbank)
    old = 15 * DAY_MS
    answer = put(
        logs, group, "old", (now - old, "ancient"), (now - old + 1, "ancient2"), (now - old + DAY_MS - 1, "x")
    )
    assert answer["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 3}
    answer = put(logs, group, "new", (now, "ok"), (now + 3 * 3_600_000, "future"))
    assert answer["rejectedLogEventsInfo"] == {"tooNewLogEventStartIndex": 1}
    assert messages(logs.get_log_events(logGroupName=group, logStreamName="new")) == ["ok"]


def test_put_log_events_older_than_retention_are_expired(
    logs: Any, make_group: Callable[..., str], fogbank: FogbankServer
) -> None:
    group = make_group("s")
    logs.put_retention_policy(logGroupName=group, retentionInDays=1)
    now = now_ms(fogbank)
    answer = put(logs, group, "s", (now - DAY_MS - 500, "expired"), (now - 1000, "kept"))
    assert answer["rejectedLogEventsInfo"] == {"expiredLogEventEndIndex": 1}
    assert messages(logs.get_log_events(logGroupName=group, logStreamName="s")) == ["kept"]


def test_put_log_events_sequence_token_is_ignored(
    logs: Any, make_group: Callable[..., str], fogbank: FogbankServer
) -> None:
    group = make_group("s")
    now = now_ms(fogbank)
    first = logs.put_log_events(
        logGroupName=group,
        logStreamName="s",
        logEvents=[{"timestamp": now, "message": "a"}],
        sequenceToken="bogus",
    )
    assert len(first["nextSequenceToken"]) == 56
    logs.put_log_events(logGroupName=group, logStreamName="s", logEvents=[{"timestamp": now, "message": "b"}])
    assert messages(logs.get_log_events(logGroupName=group, logStreamName="s")) == ["a", "b"]


def test_put_log_events_missing_stream_is_not_found(logs: Any, make_group: Callable[..., str]) -> None:
    group = make_group()
    assert error_of(lambda: put(logs, group, "nope", (1, "x"))) == (
        "ResourceNotFoundException",
        "The specified log stream does not exist.",
        400,
    )


def test_get_log_events_from_head_pages_forward_and_repeats_token_at_end(
    logs: Any, make_group: Callable[..., str], fogbank: FogbankServer
) -> None:
    group = make_group("s")
    now = now_ms(fogbank)
    put(logs, group, "s", *[(now + i, f"m{i}") for i in range(5)])
    first = logs.get_log_events(logGroupName=group, logStreamName="s", startFromHead=True, limit=2)
    assert messages(first) == ["m0", "m1"]
    assert first["nextForwardToken"].startswith("f/") and first["nextBackwardToken"].startswith("b/")
    second = logs.get_log_events(
        logGroupName=group, logStreamName="s", nextToken=first["nextForwardToken"], limit=2
    )
    assert messages(second) == ["m2", "m3"]
    third = logs.get_log_events(
        logGroupName=group, logStreamName="s", nextToken=second["nextForwardToken"], limit=2
    )
    assert messages(third) == ["m4"]
    end = logs.get_log_events(logGroupName=group, logStreamName="s", nextToken=third["nextForwardToken"])
    assert messages(end) == [] and end["nextForwardToken"] == third["nextForwardToken"]
    back = logs.get_log_events(
        logGroupName=group, logStreamName="s", nextToken=third["nextBackwardToken"], limit=2
    )
    assert messages(back) == ["m2", "m3"]


def test_get_log_events_default_returns_latest_events(
    logs: Any, make_group: Callable[..., str], fogbank: FogbankServer
) -> None:
    group = make_group("s")
    now = now_ms(fogbank)
    put(logs, group, "s", *[(now + i, f"m{i}") for i in range(5)])
    latest = logs.get_log_events(logGroupName=group, logStreamName="s", limit=2)
    assert messages(latest) == ["m3", "m4"]
    earlier = logs.get_log_events(
        logGroupName=group, logStreamName="s", nextToken=latest["nextBackwardToken"]
    )
    assert messages(earlier) == ["m0", "m1", "m2"]
    start = logs.get_log_events(logGroupName=group, logStreamName="s", nextToken=earlier["nextBackwardToken"])
    assert messages(start) == [] and start["nextBackwardToken"] == earlier["nextBackwardToken"]


def test_get_log_events_time_window_excludes_end_time(
    logs: Any, make_group: Callable[..., str], fogbank: FogbankServer
) -> None:
    group = make_group("s")
    now = now_ms(fogbank)
    put(logs, group, "s", *[(now + i * 10, f"m{i}") for i in range(5)])
    window = logs.get_log_events(
        logGroupName=group, logStreamName="s", startTime=now + 10, endTime=now + 30, startFromHead=True
    )
    assert messages(window) == ["m1", "m2"]
    arn = f"arn:aws:logs:us-east-1:000000000000:log-group:{group}"
    by_arn = logs.get_log_events(logGroupIdentifier=arn, logStreamName="s", startFromHead=True, limit=1)
    assert messages(by_arn) == ["m0"]


def test_events_disappear_when_retention_passes_on_the_clock(
    logs: Any, make_group: Callable[..., str], fogbank: FogbankServer
) -> None:
    group = make_group("s")
    now = now_ms(fogbank)
    put(logs, group, "s", (now, "first day"))
    logs.put_retention_policy(logGroupName=group, retentionInDays=1)
    fogbank.advance_clock("PT12H")
    put(logs, group, "s", (now_ms(fogbank), "second half"))
    assert messages(logs.get_log_events(logGroupName=group, logStreamName="s")) == [
        "first day",
        "second half",
    ]
    fogbank.advance_clock("PT13H")
    assert messages(logs.get_log_events(logGroupName=group, logStreamName="s")) == ["second half"]
    assert messages(logs.filter_log_events(logGroupName=group)) == ["second half"]
    stored = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["storedBytes"]
    assert stored == len("second half")


def test_delete_log_stream_removes_its_events(
    logs: Any, make_group: Callable[..., str], fogbank: FogbankServer
) -> None:
    group = make_group("s", "t")
    now = now_ms(fogbank)
    put(logs, group, "s", (now, "in s"))
    put(logs, group, "t", (now, "in t"))
    logs.delete_log_stream(logGroupName=group, logStreamName="s")
    assert messages(logs.filter_log_events(logGroupName=group)) == ["in t"]
    assert error_of(lambda: logs.get_log_events(logGroupName=group, logStreamName="s"))[0] == (
        "ResourceNotFoundException"
    )


def test_restart_keeps_groups_streams_and_events(tmp_path: Path) -> None:
    server = FogbankServer(data_dir=tmp_path).start()
    try:
        logs = server.client("logs")
        logs.create_log_group(logGroupName="/durable", tags={"k": "v"})
        logs.create_log_stream(logGroupName="/durable", logStreamName="s")
        now = now_ms(server)
        put(logs, "/durable", "s", (now, "one"), (now + 1, "two"))
    finally:
        server.kill()
    server = FogbankServer(data_dir=tmp_path).start()
    try:
        logs = server.client("logs")
        assert messages(logs.get_log_events(logGroupName="/durable", logStreamName="s")) == ["one", "two"]
        assert logs.list_tags_log_group(logGroupName="/durable")["tags"] == {"k": "v"}
        put(logs, "/durable", "s", (now + 2, "three"))
        assert messages(logs.filter_log_events(logGroupName="/durable")) == ["one", "two", "three"]
    finally:
        server.stop()


def test_logs_with_aws_cli_put_and_filter_events(
    aws_cli: Callable[..., Any], unique_name: Callable[[str], str], fogbank: FogbankServer
) -> None:
    group = "/cli/" + unique_name("g")
    aws_cli("logs", "create-log-group", "--log-group-name", group)
    aws_cli("logs", "create-log-stream", "--log-group-name", group, "--log-stream-name", "s")
    now = now_ms(fogbank)
    events = f"timestamp={now},message=hello-cli timestamp={now + 1},message=other"
    aws_cli(
        "logs",
        "put-log-events",
        "--log-group-name",
        group,
        "--log-stream-name",
        "s",
        "--log-events",
        *events.split(),
    )
    found = aws_cli("logs", "filter-log-events", "--log-group-name", group, "--filter-pattern", "hello")[
        "events"
    ]
    assert [(e["logStreamName"], e["message"], e["timestamp"]) for e in found] == [("s", "hello-cli", now)]
