"""The log events of one log group: per stream, a list ordered by (timestamp, arrival sequence) in
memory and one SQLite row per event (service `logs`, kind `events/<group id>`), so that events
survive restarts and roll back with `state.atomic()`.

Retention is applied on fogbank's clock: `trim(cutoff)` drops the events whose timestamp is older
than the log group's retention, and every read trims first, so expired events are never seen.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import orjson

from fogbank.state import Database

SERVICE = "logs"
EVENT_OVERHEAD = 26  # bytes counted per event in PutLogEvents' 1 MiB batch limit


@dataclass(slots=True)
class Event:
    timestamp: int  # epoch milliseconds, as the client stamped it
    sequence: int  # order of arrival within the group
    ingestion: int  # epoch milliseconds on fogbank's clock
    message: str
    stream: str

    @property
    def position(self) -> tuple[int, int]:
        return self.timestamp, self.sequence

    @property
    def row(self) -> str:
        return f"{self.timestamp:016d}{self.sequence:012d}{self.stream}"

    @property
    def event_id(self) -> str:
        """A 56-digit id, unique in the group, like AWS's eventId."""
        return f"{self.timestamp:020d}{self.sequence:036d}"


def _position(event: Event) -> tuple[int, int]:
    return event.timestamp, event.sequence


class GroupEvents:
    def __init__(self, db: Database, scope: str, group_id: str) -> None:
        self.db = db
        self.scope = scope
        self.kind = f"events/{group_id}"
        self.streams: dict[str, list[Event]] = {}
        self.next_sequence = 0
        self.stored_bytes = 0

    def load(self) -> None:
        for key, raw in self.db.load(SERVICE, self.scope, self.kind):
            self._insert(self._decode(key, raw))

    def _decode(self, key: str, raw: bytes) -> Event:
        row = orjson.loads(raw)
        return Event(int(key[:16]), int(key[16:28]), row["i"], row["m"], key[28:])

    def _insert(self, event: Event) -> None:
        bisect.insort(self.streams.setdefault(event.stream, []), event, key=_position)
        self.next_sequence = max(self.next_sequence, event.sequence + 1)
        self.stored_bytes += len(event.message.encode())

    # -- writes --------------------------------------------------------------------------------

    def add(self, stream: str, timestamp: int, message: str, ingestion: int) -> Event:
        event = Event(timestamp, self.next_sequence, ingestion, message, stream)
        self.db.journal(self, event.row)  # type: ignore[arg-type]
        self._insert(event)
        self.db.write(SERVICE, self.scope, self.kind, event.row, orjson.dumps({"m": message, "i": ingestion}))
        return event

    def trim(self, cutoff_ms: int | None) -> None:
        """Forget the events older than `cutoff_ms` (None: the group keeps events forever)."""
        if cutoff_ms is None:
            return
        for events in self.streams.values():
            count = bisect.bisect_left(events, (cutoff_ms, -1), key=_position)
            for event in events[:count]:
                self.db.journal(self, event.row)  # type: ignore[arg-type]
                self.db.remove(SERVICE, self.scope, self.kind, event.row)
                self.stored_bytes -= len(event.message.encode())
            del events[:count]

    def drop_stream(self, stream: str) -> None:
        for event in self.streams.pop(stream, []):
            self.db.journal(self, event.row)  # type: ignore[arg-type]
            self.db.remove(SERVICE, self.scope, self.kind, event.row)
            self.stored_bytes -= len(event.message.encode())

    def drop(self) -> None:
        self.db.remove_kind(SERVICE, self.scope, self.kind)
        self.streams.clear()
        self.stored_bytes = 0

    # -- reads ---------------------------------------------------------------------------------

    def window(self, stream: str, start: int | None, end: int | None) -> list[Event]:
        """A stream's events with start <= timestamp < end, oldest first."""
        events = self.streams.get(stream, [])
        low = 0 if start is None else bisect.bisect_left(events, (start, -1), key=_position)
        high = len(events) if end is None else bisect.bisect_left(events, (end, -1), key=_position)
        return events[low:high]

    def find(self, event_id: str) -> Event | None:
        """An event by its eventId (timestamp and arrival sequence), in whichever stream it is."""
        if len(event_id) != 56:
            return None
        position = (int(event_id[:20]), int(event_id[20:]))
        for events in self.streams.values():
            index = bisect.bisect_left(events, position, key=_position)
            if index < len(events) and events[index].position == position:
                return events[index]
        return None

    # -- rollback ------------------------------------------------------------------------------

    def _reload(self, key: str) -> None:
        """After a rollback: make memory match the row SQLite holds again."""
        stream = key[28:]
        position = (int(key[:16]), int(key[16:28]))
        events = self.streams.get(stream, [])
        index = bisect.bisect_left(events, position, key=_position)
        if index < len(events) and events[index].position == position:
            self.stored_bytes -= len(events[index].message.encode())
            del events[index]
        raw = self.db.load_one(SERVICE, self.scope, self.kind, key)
        if raw is not None:
            self._insert(self._decode(key, raw))
