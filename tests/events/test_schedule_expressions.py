"""Schedule expressions: parsing, and the next occurrences of rate, cron and at schedules in a
time zone, across daylight saving time changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fogbank.events import schedule_expressions as expressions


def occurrences(text: str, start: datetime, count: int, zone: str = "UTC") -> list[str]:
    expression = expressions.parse(text, allow_at=True)
    after, found = start.timestamp(), []
    for _ in range(count):
        due = expressions.next_after(expression, after, zone)
        if due is None:
            break
        found.append(datetime.fromtimestamp(due, UTC).strftime("%Y-%m-%d %H:%M"))
        after = due
    return found


def test_next_after_cron_spring_forward_skips_missing_local_time() -> None:
    # 02:30 does not exist in New York on 2026-03-08: that occurrence is skipped.
    got = occurrences("cron(30 2 * * ? *)", datetime(2026, 3, 7, tzinfo=UTC), 3, "America/New_York")
    assert got == ["2026-03-07 07:30", "2026-03-09 06:30", "2026-03-10 06:30"]


def test_next_after_cron_fall_back_runs_repeated_local_time_once() -> None:
    got = occurrences("cron(30 1 * * ? *)", datetime(2026, 10, 31, tzinfo=UTC), 3, "America/New_York")
    assert got == ["2026-10-31 05:30", "2026-11-01 05:30", "2026-11-02 06:30"]


def test_next_after_cron_weekdays_and_nth_day() -> None:
    assert occurrences("cron(0 12 ? * MON-FRI *)", datetime(2026, 11, 27, 13, tzinfo=UTC), 2) == [
        "2026-11-30 12:00",
        "2026-12-01 12:00",
    ]
    assert occurrences("cron(0 9 ? * 2#1 *)", datetime(2026, 1, 1, tzinfo=UTC), 2) == [
        "2026-01-05 09:00",
        "2026-02-02 09:00",
    ]
    assert occurrences("cron(0 0 L * ? *)", datetime(2026, 2, 1, tzinfo=UTC), 2) == [
        "2026-02-28 00:00",
        "2026-03-31 00:00",
    ]
    assert occurrences("cron(0/15 * * * ? 2026)", datetime(2026, 12, 31, 23, 20, tzinfo=UTC), 5) == [
        "2026-12-31 23:30",
        "2026-12-31 23:45",
    ]


def test_next_after_rate_counts_from_anchor() -> None:
    expression = expressions.parse("rate(5 minutes)")
    assert expressions.next_after(expression, 1000.0, anchor=700.0) == 1000.0 + 300.0
    assert expressions.next_after(expression, 100.0, anchor=700.0) == 700.0


def test_next_after_at_in_zone_fires_once() -> None:
    got = occurrences("at(2026-07-01T09:00:00)", datetime(2026, 1, 1, tzinfo=UTC), 3, "Europe/Paris")
    assert got == ["2026-07-01 07:00"]


@pytest.mark.parametrize(
    "text",
    [
        "rate(0 minutes)",
        "rate(1 minutes)",
        "rate(5 minute)",
        "rate(5 weeks)",
        "cron(* * * * * *)",
        "cron(0 12 * * ?)",
        "cron(60 * * * ? *)",
        "cron(0 0 ? * FOO *)",
        "daily",
        "at(2026-13-01T00:00:00)",
    ],
)
def test_parse_invalid_expression_raises(text: str) -> None:
    with pytest.raises(expressions.InvalidExpression):
        expressions.parse(text, allow_at=True)
