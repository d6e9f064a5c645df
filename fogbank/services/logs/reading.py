"""Reading log events: GetLogEvents with AWS's forward/backward tokens, and FilterLogEvents across
streams with filter patterns and pagination.

GetLogEvents tokens are `f/<position>` and `b/<position>` (56 digits: timestamp and arrival
sequence). A forward read returns the events after the position, a backward read those before it;
when there is nothing more in that direction the same token comes back, which is how clients know
they reached the end (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogEvents.html).
"""

from __future__ import annotations

import bisect
import heapq
from typing import Any

from fogbank.services import pagination
from fogbank.services.logs.errors import InvalidParameterException
from fogbank.services.logs.events import Event, GroupEvents
from fogbank.services.logs.patterns import PatternError, compile_pattern

MAX_EVENTS = 10_000
MAX_BYTES = 1_048_576
_FIRST = (-1, -1)


def _encode(direction: str, position: tuple[int, int]) -> str:
    return f"{direction}/{max(position[0], 0):020d}{max(position[1], 0):036d}"


def _decode(token: str) -> tuple[str, tuple[int, int]]:
    direction, _, digits = token.partition("/")
    if direction not in ("f", "b") or len(digits) != 56 or not digits.isdigit():
        raise InvalidParameterException("The specified nextToken is invalid.")
    return direction, (int(digits[:20]), int(digits[20:]))


def _size(event: Event) -> int:
    return len(event.message.encode()) + 26


def _capped(events: list[Event], limit: int, *, from_end: bool = False) -> list[Event]:
    """At most `limit` events and 1 MB of messages, counted from the start or the end."""
    ordered = reversed(events) if from_end else iter(events)
    taken: list[Event] = []
    total = 0
    for event in ordered:
        total += _size(event)
        if len(taken) >= limit or (taken and total > MAX_BYTES):
            break
        taken.append(event)
    return taken[::-1] if from_end else taken


def get_log_events(events: list[Event], request: dict[str, Any]) -> dict[str, Any]:
    """One page of a stream's events (already limited to the start/end time window)."""
    limit = request.get("limit", MAX_EVENTS)
    token = request.get("nextToken")
    if token:
        direction, position = _decode(token)
    else:
        direction = "f" if request.get("startFromHead") else "b"
        position = _FIRST if direction == "f" else (2**62, 2**62)
    if direction == "f":
        start = bisect.bisect_right(events, position, key=lambda event: event.position)
        page = _capped(events[start:], limit)
    else:
        end = bisect.bisect_left(events, position, key=lambda event: event.position)
        page = _capped(events[:end], limit, from_end=True)
    if page:
        forward, backward = _encode("f", page[-1].position), _encode("b", page[0].position)
    else:
        anchor = position if token else (events[-1].position if direction == "f" and events else _FIRST)
        forward = token if token and direction == "f" else _encode("f", anchor)
        backward = token if token and direction == "b" else _encode("b", anchor)
    return {
        "events": [
            {"timestamp": e.timestamp, "message": e.message, "ingestionTime": e.ingestion} for e in page
        ],
        "nextForwardToken": forward,
        "nextBackwardToken": backward,
    }


def filter_log_events(store: GroupEvents, streams: list[str], request: dict[str, Any]) -> dict[str, Any]:
    try:
        matcher = compile_pattern(request.get("filterPattern") or "")
    except PatternError:
        raise InvalidParameterException("Invalid filter pattern") from None
    after = _read_filter_token(request.get("nextToken"))
    start, end = request.get("startTime"), request.get("endTime")
    merged = heapq.merge(
        *(store.window(name, start, end + 1 if end is not None else None) for name in streams),
        key=lambda e: e.position,
    )
    limit = request.get("limit", MAX_EVENTS)
    found: list[Event] = []
    total = 0
    more = False
    for event in merged:
        if event.position <= after or matcher(event.message) is None:
            continue
        total += _size(event)
        if len(found) >= limit or (found and total > MAX_BYTES):
            more = True
            break
        found.append(event)
    result: dict[str, Any] = {
        "events": [
            {
                "logStreamName": e.stream,
                "timestamp": e.timestamp,
                "message": e.message,
                "ingestionTime": e.ingestion,
                "eventId": e.event_id,
            }
            for e in found
        ],
    }
    if more:
        result["nextToken"] = pagination.json_token(list(found[-1].position))
    return result


def _read_filter_token(token: str | None) -> tuple[int, int]:
    if not token:
        return _FIRST
    try:
        timestamp, sequence = pagination.read_json_token(token)
        return int(timestamp), int(sequence)
    except (ValueError, TypeError):
        raise InvalidParameterException("The specified nextToken is invalid.") from None
