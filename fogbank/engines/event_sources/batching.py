"""Gathering records into batches: BatchSize, MaximumBatchingWindowInSeconds (timed on fogbank's
clock, so advancing the clock closes a window at once) and the 6 MB invocation payload limit
(https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventsourcemapping.html#invocation-eventsourcemapping-batching)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable
from typing import Any

import orjson

from fogbank import clock

MAX_PAYLOAD = 6 * 1024 * 1024
# The {"Records":[...]} envelope and the separators between records.
ENVELOPE = len(b'{"Records":[]}')


def record_size(record: Any) -> int:
    return len(orjson.dumps(record)) + 1


def payload(records: list[Any], **extra: Any) -> bytes:
    return orjson.dumps({"Records": records, **extra})


class Batch:
    """Records gathered for one invocation, within BatchSize and the payload limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.records: list[Any] = []
        self.size = ENVELOPE

    def fits(self, record: Any) -> bool:
        """Whether `record` may join (the first record always may: AWS then fails the invoke)."""
        return not self.records or self.size + record_size(record) <= MAX_PAYLOAD

    def add(self, record: Any) -> None:
        self.records.append(record)
        self.size += record_size(record)

    @property
    def full(self) -> bool:
        return len(self.records) >= self.limit or self.size >= MAX_PAYLOAD

    def __len__(self) -> int:
        return len(self.records)


def clock_alarm(deadline: float) -> tuple[asyncio.Future[None], clock.Timer]:
    """A future that completes once fogbank's clock reads `deadline`."""
    future: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def ring() -> None:
        if not future.done():
            future.set_result(None)

    return future, clock.call_at(deadline, ring)


async def until(deadline: float, wake: Awaitable[Any] | None = None) -> bool:
    """Wait until the clock reads `deadline` (True) or `wake` completes first (False)."""
    if clock.now() >= deadline:
        return True
    alarm, timer = clock_alarm(deadline)
    waiting: set[asyncio.Future[Any]] = {alarm}
    woken: asyncio.Future[Any] | None = asyncio.ensure_future(wake) if wake is not None else None
    if woken is not None:
        waiting.add(woken)
    try:
        await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        return alarm.done()
    finally:
        timer.cancel()
        if woken is not None and not woken.done():
            woken.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await woken
