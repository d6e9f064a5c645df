"""FilterLogEvents and TestMetricFilter: the filter pattern syntax (terms, phrases, exclusions,
optional terms, JSON and space-delimited patterns, regular expressions), stream selection, time
windows and pagination; subscription and metric filters stored and described."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aws_errors import error_of
from logs_support import now_ms

from fogbank.testing.server import FogbankServer

APACHE = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534'
JSON_EVENT = (
    '{"eventType": "UpdateTrail", "latency": 48, "user": {"id": 2, "email": "u@example.com"}, '
    '"actions": ["GET", "PUT"], "flag": true, "nothing": null, "code": 400}'
)

PATTERNS = [
    # (pattern, message, matches)
    ("ERROR", "an ERROR happened", True),
    ("ERROR", "an error happened", False),
    ("ERROR Exception", "ERROR: Exception raised", True),
    ("ERROR Exception", "ERROR only", False),
    ('"connection refused"', "error: connection refused by peer", True),
    ('"connection refused"', "refused connection", False),
    ("ERROR -Retry", "ERROR timeout", True),
    ("ERROR -Retry", "ERROR timeout, Retry scheduled", False),
    ("?ERROR ?WARN", "WARN disk", True),
    ("?ERROR ?WARN", "INFO ok", False),
    ("", "anything at all", True),
    ('{ $.eventType = "UpdateTrail" }', JSON_EVENT, True),
    ("{ $.eventType = Update* }", JSON_EVENT, True),
    ('{ $.eventType != "UpdateTrail" }', JSON_EVENT, False),
    ("{ $.latency < 50 }", JSON_EVENT, True),
    ("{ $.latency >= 50 }", JSON_EVENT, False),
    ('{ $.user.id = 2 && $.user.email = "u@example.com" }', JSON_EVENT, True),
    ('{ ($.user.id = 3 && $.latency > 1) || $.actions[1] = "PUT" }', JSON_EVENT, True),
    ('{ $.actions[0] = "PUT" }', JSON_EVENT, False),
    ("{ $.flag IS TRUE }", JSON_EVENT, True),
    ("{ $.flag IS FALSE }", JSON_EVENT, False),
    ("{ $.nothing IS NULL }", JSON_EVENT, True),
    ("{ $.missing NOT EXISTS }", JSON_EVENT, True),
    ("{ $.code != 500 }", JSON_EVENT, True),
    ("{ $.code = 400 }", "not json at all", False),
    ("[ip, user, username, timestamp, request, status_code = 404, bytes]", APACHE, True),
    ("[ip, user, username, timestamp, request, status_code = 5*, bytes]", APACHE, False),
    ("[ip, user, username, timestamp, request, status_code = 4*, bytes > 1000]", APACHE, True),
    ("[..., status_code = 404, bytes < 1000]", APACHE, False),
    ("[..., status_code = 200 || status_code = 404, bytes]", APACHE, True),
    ('[ip, user, username, timestamp, request = "*index*", ...]', APACHE, True),
    ("[a, b]", APACHE, False),
    ("%ERR(OR)?-[0-9]+%", "got ERR-42 here", True),
    ("%ERR(OR)?-[0-9]+%", "got ERR here", False),
]


@pytest.mark.parametrize(("pattern", "message", "matches"), PATTERNS)
def test_test_metric_filter_pattern_table(logs: Any, pattern: str, message: str, matches: bool) -> None:
    found = logs.test_metric_filter(filterPattern=pattern, logEventMessages=[message])["matches"]
    assert bool(found) is matches
    if matches:
        assert (found[0]["eventNumber"], found[0]["eventMessage"]) == (1, message)


def test_test_metric_filter_space_delimited_extracts_named_fields(logs: Any) -> None:
    pattern = "[ip, user, username, timestamp, request, status_code, bytes]"
    found = logs.test_metric_filter(filterPattern=pattern, logEventMessages=["no", APACHE])["matches"]
    assert found == [
        {
            "eventNumber": 2,
            "eventMessage": APACHE,
            "extractedValues": {
                "$ip": "127.0.0.1",
                "$user": "-",
                "$username": "frank",
                "$timestamp": "10/Oct/2000:13:25:15 -0700",
                "$request": "GET /index.html HTTP/1.0",
                "$status_code": "404",
                "$bytes": "1534",
            },
        }
    ]


def test_filter_log_events_invalid_pattern_is_invalid_parameter(
    logs: Any, make_group: Callable[..., str]
) -> None:
    group = make_group("s")
    assert error_of(lambda: logs.filter_log_events(logGroupName=group, filterPattern="{ $.a = }")) == (
        "InvalidParameterException",
        "Invalid filter pattern",
        400,
    )


def _fill(logs: Any, group: str, now: int) -> None:
    for stream, offset in (("app-1", 0), ("app-2", 1), ("other", 2)):
        logs.put_log_events(
            logGroupName=group,
            logStreamName=stream,
            logEvents=[
                {
                    "timestamp": now + i * 10 + offset,
                    "message": f"{stream} {'ERROR' if i % 2 else 'INFO'} {i}",
                }
                for i in range(4)
            ],
        )


def test_filter_log_events_interleaves_streams_by_time(
    logs: Any, make_group: Callable[..., str], fogbank: FogbankServer
) -> None:
    group = make_group("app-1", "app-2", "other")
    now = now_ms(fogbank)
    _fill(logs, group, now)
    found = logs.filter_log_events(logGroupName=group, filterPattern="ERROR")["events"]
    assert [e["message"] for e in found] == [
        "app-1 ERROR 1",
        "app-2 ERROR 1",
        "other ERROR 1",
        "app-1 ERROR 3",
        "app-2 ERROR 3",
        "other ERROR 3",
    ]
    assert found[0]["logStreamName"] == "app-1" and len(found[0]["eventId"]) == 56
    assert found[0]["timestamp"] == now + 10 and found[0]["ingestionTime"] >= now


def test_filter_log_events_stream_names_prefix_and_time_window(
    logs: Any, make_group: Callable[..., str], fogbank: FogbankServer
) -> None:
    group = make_group("app-1", "app-2", "other")
    now = now_ms(fogbank)
    _fill(logs, group, now)
    by_prefix = logs.filter_log_events(logGroupName=group, logStreamNamePrefix="app-", filterPattern="INFO")
    assert [e["message"] for e in by_prefix["events"]] == [
        "app-1 INFO 0",
        "app-2 INFO 0",
        "app-1 INFO 2",
        "app-2 INFO 2",
    ]
    by_name = logs.filter_log_events(
        logGroupName=group, logStreamNames=["other"], startTime=now + 10, endTime=now + 22
    )
    assert [e["message"] for e in by_name["events"]] == ["other ERROR 1", "other INFO 2"]
    assert (
        error_of(
            lambda: logs.filter_log_events(
                logGroupName=group, logStreamNames=["other"], logStreamNamePrefix="a"
            )
        )[0]
        == "InvalidParameterException"
    )


def test_filter_log_events_pages_with_next_token(
    logs: Any, make_group: Callable[..., str], fogbank: FogbankServer
) -> None:
    group = make_group("app-1", "app-2", "other")
    _fill(logs, group, now_ms(fogbank))
    first = logs.filter_log_events(logGroupName=group, limit=5)
    assert len(first["events"]) == 5 and first["nextToken"]
    second = logs.filter_log_events(logGroupName=group, limit=5, nextToken=first["nextToken"])
    third = logs.filter_log_events(logGroupName=group, limit=5, nextToken=second["nextToken"])
    assert len(second["events"]) == 5 and len(third["events"]) == 2 and "nextToken" not in third
    everything = [e["message"] for page in (first, second, third) for e in page["events"]]
    paginated = logs.get_paginator("filter_log_events").paginate(
        logGroupName=group, PaginationConfig={"PageSize": 4}
    )
    assert [e["message"] for page in paginated for e in page["events"]] == everything
    assert len(set(everything)) == 12


def test_put_subscription_filter_described_and_limited_to_two(
    logs: Any, make_group: Callable[..., str], client_factory: Callable[..., Any]
) -> None:
    group = make_group()
    stream = group.replace("/", "-").strip("-")
    client_factory("kinesis").create_stream(StreamName=stream, ShardCount=1)
    destination = f"arn:aws:kinesis:us-east-1:000000000000:stream/{stream}"
    for name in ("one", "two"):
        logs.put_subscription_filter(
            logGroupName=group, filterName=name, filterPattern="ERROR", destinationArn=destination
        )
    described = logs.describe_subscription_filters(logGroupName=group)["subscriptionFilters"]
    assert [f["filterName"] for f in described] == ["one", "two"]
    assert described[0] == {
        "filterName": "one",
        "logGroupName": group,
        "filterPattern": "ERROR",
        "destinationArn": destination,
        "distribution": "ByLogStream",
        "applyOnTransformedLogs": False,
        "creationTime": described[0]["creationTime"],
    }
    assert error_of(
        lambda: logs.put_subscription_filter(
            logGroupName=group, filterName="three", filterPattern="", destinationArn=destination
        )
    ) == ("LimitExceededException", "Resource limit exceeded.", 400)
    logs.delete_subscription_filter(logGroupName=group, filterName="one")
    assert [
        f["filterName"] for f in logs.describe_subscription_filters(logGroupName=group)["subscriptionFilters"]
    ] == ["two"]


def test_put_metric_filter_counted_described_and_deleted(logs: Any, make_group: Callable[..., str]) -> None:
    group = make_group()
    transformation = {"metricName": "Errors", "metricNamespace": "App", "metricValue": "1"}
    logs.put_metric_filter(
        logGroupName=group, filterName="errors", filterPattern="ERROR", metricTransformations=[transformation]
    )
    assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["metricFilterCount"] == 1
    described = logs.describe_metric_filters(logGroupName=group)["metricFilters"]
    assert described[0]["filterName"] == "errors" and described[0]["metricTransformations"] == [
        transformation
    ]
    assert logs.describe_metric_filters(metricName="Errors", metricNamespace="App", logGroupName=group)[
        "metricFilters"
    ]
    assert logs.describe_metric_filters(logGroupName=group, filterNamePrefix="x")["metricFilters"] == []
    assert error_of(
        lambda: logs.put_metric_filter(
            logGroupName=group,
            filterName="bad",
            filterPattern="{ $.x = ",
            metricTransformations=[transformation],
        )
    ) == ("InvalidParameterException", "Invalid metric filter pattern", 400)
    logs.delete_metric_filter(logGroupName=group, filterName="errors")
    assert logs.describe_metric_filters(logGroupName=group)["metricFilters"] == []
    assert error_of(lambda: logs.delete_metric_filter(logGroupName=group, filterName="errors"))[0] == (
        "ResourceNotFoundException"
    )
