"""`fogbank.clock` used directly: the offset, timers that fire when the clock reaches them, and
ISO 8601 durations. (The HTTP clock API is tested in tests/gateway/test_internal.py.)"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from fogbank import clock


@pytest.fixture(autouse=True)
def fresh_clock() -> Iterator[None]:
    clock.reset()
    clock._timers.clear()
    yield
    clock.reset()
    clock._timers.clear()


def test_now_without_offset_follows_wall_time() -> None:
    before = time.time()
    assert before <= clock.now() <= time.time()
    assert clock.offset() == 0.0
    assert abs(clock.now_datetime().timestamp() - clock.now()) < 0.01
    assert clock.now_datetime().tzinfo is UTC


def test_advance_seconds_moves_now_and_offset() -> None:
    start = clock.now()
    clock.advance(900)
    assert clock.offset() == 900
    assert 900 <= clock.now() - start < 901


@pytest.mark.parametrize("amount", [-1, float("inf"), float("nan")])
def test_advance_negative_or_infinite_raises(amount: float) -> None:
    with pytest.raises(ValueError, match="only moves forward by a finite amount"):
        clock.advance(amount)
    assert clock.offset() == 0.0


def test_call_at_fires_only_when_clock_reaches_due_time() -> None:
    fired: list[str] = []
    clock.call_later(600, lambda: fired.append("ten minutes"))
    clock.advance(599)
    assert fired == []
    clock.advance(1)
    assert fired == ["ten minutes"]
    clock.advance(3600)
    assert fired == ["ten minutes"]  # once only
    assert clock.pending() == 0


def test_call_at_due_timers_run_in_due_order_then_registration_order() -> None:
    fired: list[str] = []
    base = clock.now()
    clock.call_at(base + 30, lambda: fired.append("c"))
    clock.call_at(base + 10, lambda: fired.append("a"))
    clock.call_at(base + 10, lambda: fired.append("b"))
    clock.call_at(base + 9999, lambda: fired.append("later"))
    clock.advance(60)
    assert fired == ["a", "b", "c"]
    assert clock.pending() == 1


def test_timer_cancel_before_due_never_fires() -> None:
    fired: list[int] = []
    timer = clock.call_later(5, lambda: fired.append(1))
    timer.cancel()
    clock.advance(10)
    assert fired == [] and clock.pending() == 0


def test_timer_failing_callback_does_not_stop_later_timers(caplog: pytest.LogCaptureFixture) -> None:
    fired: list[str] = []

    def broken() -> None:
        raise RuntimeError("boom")

    clock.call_later(1, broken)
    clock.call_later(2, lambda: fired.append("after"))
    clock.advance(5)
    assert fired == ["after"]
    assert "scheduled work failed" in caplog.text


def test_timer_scheduled_by_a_callback_runs_in_same_advance_when_due() -> None:
    fired: list[str] = []

    def first() -> None:
        fired.append("first")
        clock.call_later(-1, lambda: fired.append("follow-up"))  # already due
        clock.call_later(3600, lambda: fired.append("too late"))

    clock.call_later(1, first)
    clock.advance(2)
    assert fired == ["first", "follow-up"]


def test_set_time_forward_runs_due_work_and_backward_does_not() -> None:
    fired: list[str] = []
    clock.call_at(datetime(2040, 1, 1, tzinfo=UTC).timestamp(), lambda: fired.append("2040"))
    clock.set_time(datetime(2039, 12, 31, 23, 59, tzinfo=UTC))
    assert fired == []
    assert clock.now_datetime().replace(microsecond=0) >= datetime(2039, 12, 31, 23, 59, tzinfo=UTC)
    clock.set_time(datetime(2040, 1, 2, tzinfo=UTC))
    assert fired == ["2040"]
    clock.set_time(datetime(2000, 1, 1, tzinfo=UTC))
    assert clock.now_datetime().year == 2000 and clock.offset() < 0


def test_reset_returns_to_wall_time() -> None:
    clock.advance(86400)
    clock.reset()
    assert clock.offset() == 0.0


def test_run_timers_wakes_for_timer_added_while_sleeping() -> None:
    async def scenario() -> list[str]:
        fired: list[str] = []
        done = asyncio.Event()
        task = asyncio.create_task(clock.run_timers())
        await asyncio.sleep(0)  # let the timer task go to sleep (nothing due for an hour)
        clock.call_at(clock.now(), lambda: (fired.append("now"), done.set()))
        await asyncio.wait_for(done.wait(), timeout=5)
        task.cancel()
        return fired

    assert asyncio.run(scenario()) == ["now"]


def test_async_callback_runs_as_task_on_the_loop() -> None:
    async def scenario() -> list[str]:
        fired: list[str] = []
        done = asyncio.Event()

        async def work() -> None:
            await asyncio.sleep(0)
            fired.append("async")
            done.set()

        clock.call_later(60, work)
        clock.advance(60)
        await asyncio.wait_for(done.wait(), timeout=5)
        return fired

    assert asyncio.run(scenario()) == ["async"]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("PT15M", 900),
        ("PT2H", 7200),
        ("P1DT6H", 108000),
        ("PT0.5S", 0.5),
        ("P2W", 1209600),
        ("PT1H30M15S", 5415),
        (" pt90s ", 90),
        ("P0D", 0),
    ],
)
def test_parse_duration_iso_8601_gives_seconds(text: str, seconds: float) -> None:
    assert clock.parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("P", "not an ISO 8601 duration"),
        ("PT", "not an ISO 8601 duration"),
        ("15M", "not an ISO 8601 duration"),
        ("P1DT", "not an ISO 8601 duration"),
        ("", "not an ISO 8601 duration"),
        ("PT-5M", "not an ISO 8601 duration"),
        ("P1M", "years and months have no fixed length"),
        ("P1Y", "years and months have no fixed length"),
    ],
)
def test_parse_duration_bad_text_raises_readable_error(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        clock.parse_duration(text)
