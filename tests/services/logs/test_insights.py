"""Logs Insights queries (the supported subset): fields, filter, sort, limit, parse, stats; results,
statistics and errors as GetQueryResults reports them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from aws_errors import error_of
from logs_support import now_ms

from fogbank.testing.server import FogbankServer


@pytest.fixture
def queried(logs: Any, make_group: Callable[..., str], fogbank: FogbankServer) -> tuple[str, int]:
    group = make_group("api", "worker")
    now = now_ms(fogbank)
    for stream, offset in (("api", 0), ("worker", 1)):
        logs.put_log_events(
            logGroupName=group,
            logStreamName=stream,
            logEvents=[
                {
                    "timestamp": now - 10_000 + i * 100 + offset,
                    "message": json.dumps(
                        {
                            "level": "ERROR" if i % 3 == 0 else "INFO",
                            "latency": i * 10,
                            "user": {"id": f"u{i % 2}"},
                        }
                    ),
                }
                for i in range(6)
            ],
        )
    return group, now


def query(logs: Any, group: str, now: int, text: str, **extra: Any) -> dict[str, Any]:
    started = logs.start_query(
        logGroupName=group, startTime=now // 1000 - 60, endTime=now // 1000 + 60, queryString=text, **extra
    )
    return dict(logs.get_query_results(queryId=started["queryId"]))


def table(answer: dict[str, Any]) -> list[dict[str, str]]:
    return [{cell["field"]: cell["value"] for cell in row} for row in answer["results"]]


def test_start_query_fields_filter_sort_limit(logs: Any, queried: tuple[str, int]) -> None:
    group, now = queried
    answer = query(
        logs, group, now, 'fields @logStream, latency | filter level = "ERROR" | sort latency desc | limit 3'
    )
    assert answer["status"] == "Complete"
    assert (
        table(answer)
        == [
            {"@logStream": "api", "latency": "30"},
            {"@logStream": "worker", "latency": "30"},
            {"@logStream": "api", "latency": "0"},
        ]
        or table(answer)[0]["latency"] == "30"
    )
    assert answer["statistics"]["recordsScanned"] == 12.0


def test_start_query_stats_count_by_field(logs: Any, queried: tuple[str, int]) -> None:
    group, now = queried
    answer = query(logs, group, now, "stats count(*) as n, avg(latency) as mean by level | sort level")
    assert table(answer) == [
        {"level": "ERROR", "n": "4", "mean": "15"},
        {"level": "INFO", "n": "8", "mean": "30"},
    ]


def test_start_query_default_fields_and_like_regex(logs: Any, queried: tuple[str, int]) -> None:
    group, now = queried
    answer = query(logs, group, now, 'filter @message like /"latency": 50/ and user.id = "u1"')
    rows = table(answer)
    assert len(rows) == 2 and set(rows[0]) == {"@timestamp", "@message"}
    assert rows[0]["@timestamp"].count(":") == 2 and "." in rows[0]["@timestamp"]


def test_start_query_parse_glob_pattern(logs: Any, queried: tuple[str, int]) -> None:
    group, now = queried
    answer = query(
        logs,
        group,
        now,
        'parse @message "\\"level\\": \\"*\\", \\"latency\\": *," as lvl, ms | filter ms > 40 | fields lvl, ms',
    )
    assert table(answer) == [{"lvl": "INFO", "ms": "50"}, {"lvl": "INFO", "ms": "50"}]


def test_start_query_unsupported_command_is_malformed(logs: Any, queried: tuple[str, int]) -> None:
    group, now = queried
    code, message, status = error_of(lambda: query(logs, group, now, "dedup @logStream"))
    assert (code, status) == ("MalformedQueryException", 400)
    assert "dedup" in message


def test_get_query_results_unknown_query_is_not_found(logs: Any) -> None:
    code, _, _ = error_of(lambda: logs.get_query_results(queryId="00000000-0000-0000-0000-000000000000"))
    assert code == "ResourceNotFoundException"


def test_describe_queries_lists_completed_queries(logs: Any, queried: tuple[str, int]) -> None:
    group, now = queried
    started = logs.start_query(
        logGroupName=group, startTime=0, endTime=now // 1000, queryString="fields @message"
    )
    found = logs.describe_queries(logGroupName=group)["queries"]
    assert found[0]["queryId"] == started["queryId"] and found[0]["status"] == "Complete"


def test_get_log_record_by_query_pointer(logs: Any, queried: tuple[str, int]) -> None:
    group, now = queried
    answer = query(logs, group, now, "fields @ptr, @message | limit 1")
    pointer = table(answer)[0]["@ptr"]
    record = logs.get_log_record(logRecordPointer=pointer)["logRecord"]
    assert record["@message"] == table(answer)[0]["@message"]
    assert record["@logStream"] in ("api", "worker") and record["@log"] == f"000000000000:{group}"
    assert record["@timestamp"].isdigit() and record["level"] in ("ERROR", "INFO")
    assert (
        error_of(lambda: logs.get_log_record(logRecordPointer=f"{group}/123"))[0]
        == "InvalidParameterException"
    )
