"""The records of one shard: an ordered log kept in memory, one SQLite row per record, trimmed by the
stream's retention period on fogbank's clock, and the reader API that GetRecords, SubscribeToShard
and event source mappings use.

Positions are *ticks*: the number after a sequence number's shard part. A sequence number is 56
digits like AWS's: `49`, the shard's index (6 digits) and the tick (48 digits), so that numbers of
one shard increase and a number names the shard it came from (AWS refuses a sequence number of
another shard with the shard it encodes). A tick is the arrival millisecond times 10^34, raised past
the previous record's tick when records arrive in the same millisecond.

Readers that must not poll register a callback with `on_append` or await `wait_for(tick)`: both fire
as soon as a record at or after the awaited tick is appended, and when the shard is closed by
resharding.
"""

from __future__ import annotations

import asyncio
import base64
import bisect
import contextlib
from collections.abc import Callable
from dataclasses import dataclass

import orjson

from fogbank.state import Database

SERVICE = "kinesis"
TICKS_PER_MS = 10**34
MAX_TICK = 10**48 - 1


def sequence_number(shard_index: int, tick: int) -> str:
    return f"49{shard_index:06d}{tick:048d}"


def parse_sequence_number(text: str) -> tuple[int, int] | None:
    """(shard index, tick) of a sequence number, or None when it is not one of ours."""
    if len(text) != 56 or not text.isdigit() or not text.startswith("49"):
        return None
    return int(text[2:8]), int(text[8:])


def tick_at(epoch_seconds: float) -> int:
    return int(epoch_seconds * 1000) * TICKS_PER_MS


@dataclass(slots=True)
class Record:
    """One record as stored: `arrival` is the ApproximateArrivalTimestamp in epoch seconds."""

    sequence_number: str
    tick: int
    arrival: float
    data: bytes
    partition_key: str

    @property
    def size(self) -> int:
        return len(self.data) + len(self.partition_key.encode())


def _tick_of(record: Record) -> int:
    return record.tick


class ShardLog:
    """The ordered records of one shard (oldest first) and the readers waiting for more."""

    def __init__(
        self, db: Database, scope: str, stream_id: str, shard_id: str, shard_index: int, start_tick: int
    ):
        self.db = db
        self.scope = scope
        self.kind = f"records/{stream_id}/{shard_id}"
        self.shard_id = shard_id
        self.shard_index = shard_index
        self.records: list[Record] = []
        self.last_tick = start_tick - 1
        self._listeners: list[Callable[[], None]] = []
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []

    # -- writing -------------------------------------------------------------------------------

    def append(self, data: bytes, partition_key: str, now: float) -> Record:
        """Store one record arriving at `now` (one SQLite row) and wake the readers."""
        tick = max(tick_at(now), self.last_tick + 1)
        record = Record(sequence_number(self.shard_index, tick), tick, round(now, 3), data, partition_key)
        self.db.journal(self, record.sequence_number)  # type: ignore[arg-type]
        self.records.append(record)
        self.last_tick = tick
        row = {"d": base64.b64encode(data).decode(), "k": partition_key, "t": record.arrival}
        self.db.write(SERVICE, self.scope, self.kind, record.sequence_number, orjson.dumps(row))
        self._notify()
        return record

    def trim(self, horizon: float) -> None:
        """Drop the records that arrived before `horizon` (the retention period has passed)."""
        count = 0
        for record in self.records:
            if record.arrival >= horizon:
                break
            count += 1
        if not count:
            return
        for record in self.records[:count]:
            self.db.journal(self, record.sequence_number)  # type: ignore[arg-type]
            self.db.remove(SERVICE, self.scope, self.kind, record.sequence_number)
        del self.records[:count]

    def drop(self) -> None:
        """Forget every record (the stream is deleted)."""
        self.db.remove_kind(SERVICE, self.scope, self.kind)
        self.records.clear()

    # -- reading -------------------------------------------------------------------------------

    @property
    def end_tick(self) -> int:
        """The position just after the newest record (LATEST)."""
        return self.last_tick + 1

    def first_tick(self) -> int:
        """The position of the oldest retained record (TRIM_HORIZON)."""
        return self.records[0].tick if self.records else self.end_tick

    def tick_at_time(self, epoch_seconds: float) -> int:
        """The position of the first record that arrived at or after `epoch_seconds` (AT_TIMESTAMP)."""
        for record in self.records:
            if record.arrival >= epoch_seconds:
                return record.tick
        return self.end_tick

    def read(self, from_tick: int, limit: int, max_bytes: int = 10 * 1024 * 1024) -> list[Record]:
        """Up to `limit` records at or after `from_tick`, at most `max_bytes` of data (at least one)."""
        start = bisect.bisect_left(self.records, from_tick, key=_tick_of)
        found: list[Record] = []
        total = 0
        for record in self.records[start : start + limit]:
            total += record.size
            if found and total > max_bytes:
                break
            found.append(record)
        return found

    def has_after(self, tick: int) -> bool:
        return self.last_tick >= tick and bool(self.records) and self.records[-1].tick >= tick

    def first_after(self, tick: int) -> Record | None:
        start = bisect.bisect_left(self.records, tick, key=_tick_of)
        return self.records[start] if start < len(self.records) else None

    # -- notification --------------------------------------------------------------------------

    def on_append(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call `callback` after every append; answers a function that unregisters it."""
        self._listeners.append(callback)
        return lambda: self._listeners.remove(callback) if callback in self._listeners else None

    async def wait_for(self, tick: int, timeout: float | None = None) -> bool:
        """Wait until a record at or after `tick` exists or the shard closes (True), or until
        `timeout` real seconds pass (False)."""
        if self.last_tick >= tick:
            return True
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (tick, future)
        self._waiters.append(entry)
        try:
            await asyncio.wait_for(future, timeout)
            return True
        except TimeoutError:
            return False
        finally:
            with contextlib.suppress(ValueError):
                self._waiters.remove(entry)

    def wake(self) -> None:
        """Wake every reader (the shard was closed: readers at its end move on to its children)."""
        for callback in list(self._listeners):
            callback()
        for _, future in list(self._waiters):
            if not future.done():
                future.get_loop().call_soon_threadsafe(_resolve, future)

    def _notify(self) -> None:
        for callback in list(self._listeners):
            callback()
        for tick, future in list(self._waiters):
            if tick <= self.last_tick and not future.done():
                future.get_loop().call_soon_threadsafe(_resolve, future)

    # -- loading and rollback ------------------------------------------------------------------

    def load(self) -> None:
        rows = sorted(self.db.load(SERVICE, self.scope, self.kind))
        self.records = [self._decode(key, raw) for key, raw in rows]
        if self.records:
            self.last_tick = max(self.last_tick, self.records[-1].tick)

    def _decode(self, key: str, raw: bytes) -> Record:
        row = orjson.loads(raw)
        parsed = parse_sequence_number(key)
        tick = parsed[1] if parsed else 0
        return Record(key, tick, row["t"], base64.b64decode(row["d"]), row["k"])

    def _reload(self, key: str) -> None:
        """After a rollback: make memory match the row SQLite holds again."""
        position = bisect.bisect_left(self.records, key, key=lambda record: record.sequence_number)
        present = position < len(self.records) and self.records[position].sequence_number == key
        raw = self.db.load_one(SERVICE, self.scope, self.kind, key)
        if raw is None and present:
            del self.records[position]
        elif raw is not None and not present:
            self.records.insert(position, self._decode(key, raw))


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
