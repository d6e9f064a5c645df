"""The one clock of fogbank: wall time plus an offset that tests can move.

Every delay, timeout, retention period and schedule reads `now()`. Work that must happen at a
future instant is registered with `call_at()`; when the clock is advanced, everything that became
due runs at once, in order of its due time.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import inspect
import itertools
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger("fogbank.clock")

_offset: float = 0.0
_timers: list[Timer] = []
_sequence = itertools.count()
_wakeup: asyncio.Event | None = None
_loop: asyncio.AbstractEventLoop | None = None
_background: set[asyncio.Future[object]] = set()


@dataclass(order=True, slots=True)
class Timer:
    """A callback due at a virtual instant; cancelled timers stay in the heap until popped."""

    due: float
    sequence: int
    callback: Callable[[], object] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


def now() -> float:
    """Seconds since the epoch on fogbank's clock."""
    return time.time() + _offset


def now_datetime() -> datetime:
    return datetime.fromtimestamp(now(), UTC)


def offset() -> float:
    return _offset


def advance(seconds: float) -> None:
    """Move the clock forward; due work runs immediately."""
    global _offset
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"the clock only moves forward by a finite amount, not {seconds}")
    _offset += seconds
    run_due()
    _notify()


def set_time(instant: datetime) -> None:
    """Set the clock to an absolute instant (forward or backward); due work runs immediately."""
    global _offset
    _offset = instant.timestamp() - time.time()
    run_due()
    _notify()


def reset() -> None:
    global _offset
    _offset = 0.0
    _notify()


def call_at(due: float, callback: Callable[[], object]) -> Timer:
    """Run `callback` once the clock reads `due` (virtual seconds since the epoch)."""
    timer = Timer(due, next(_sequence), callback)
    heapq.heappush(_timers, timer)
    if _timers[0] is timer:
        _notify()
    return timer


def call_later(delay: float, callback: Callable[[], object]) -> Timer:
    return call_at(now() + delay, callback)


def run_due() -> None:
    """Run every timer that is due, earliest first. Timers added while running also run if due."""
    while _timers and _timers[0].due <= now():
        timer = heapq.heappop(_timers)
        if timer.cancelled:
            continue
        try:
            result = timer.callback()
        except Exception:  # a failing callback must not stop the clock for everyone else
            log.exception("scheduled work failed")
            continue
        if inspect.isawaitable(result):
            _run_in_background(result)


def pending() -> int:
    """How many timers wait (cancelled ones excluded)."""
    return sum(1 for timer in _timers if not timer.cancelled)


def _run_in_background(awaitable: Awaitable[Any]) -> None:
    """An async callback runs as a task on the event loop; its failure is logged, not lost."""
    try:
        future = asyncio.ensure_future(awaitable)
    except RuntimeError:  # no running loop (a unit test calling run_due directly)
        log.error("async scheduled work %r needs a running event loop; dropped", awaitable)
        if inspect.iscoroutine(awaitable):
            awaitable.close()
        return
    _background.add(future)
    future.add_done_callback(_finished)


def _finished(future: asyncio.Future[object]) -> None:
    _background.discard(future)
    if not future.cancelled() and future.exception() is not None:
        log.error("scheduled work failed", exc_info=future.exception())


def _notify() -> None:
    """Wake the timer task; safe from any thread (engines may schedule from worker threads)."""
    if _wakeup is None or _loop is None:
        return
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is _loop:
        _wakeup.set()
    elif not _loop.is_closed():
        _loop.call_soon_threadsafe(_wakeup.set)


async def run_timers() -> None:
    """The event-loop task that sleeps until the next timer is due (or the clock moves)."""
    global _wakeup, _loop
    _wakeup = asyncio.Event()
    _loop = asyncio.get_running_loop()
    while True:
        run_due()
        delay = min(_timers[0].due - now(), 3600.0) if _timers else 3600.0
        _wakeup.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(_wakeup.wait(), timeout=max(delay, 0.0))


_DURATION = re.compile(
    r"P(?:(?P<w>\d+(?:\.\d+)?)W)?(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?"
)


def parse_duration(text: str) -> float:
    """Parse an ISO 8601 duration such as `PT2H`, `P1DT30M` or `PT0.5S` into seconds. Years and
    months have no fixed length, so they are refused rather than guessed."""
    cleaned = text.strip().upper()
    match = _DURATION.fullmatch(cleaned)
    if not match or cleaned in ("P", "PT") or cleaned.endswith("T"):
        if re.match(r"P\d+(?:\.\d+)?[YM]", cleaned):
            raise ValueError(f"{text!r}: years and months have no fixed length; use weeks (W) or days (D)")
        raise ValueError(f"not an ISO 8601 duration (such as PT15M, PT2H, P1DT6H or PT0.5S): {text!r}")
    units = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
    return sum(float(value) * units[name] for name, value in match.groupdict().items() if value)
