"""Writing log events: PutLogEvents' rules, and the entry point other fogbank services use to write
their logs (Lambda's function logs).

PutLogEvents (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html):
events in a batch must be in chronological order and span at most 24 hours; a batch holds at most
10,000 events and 1,048,576 bytes counted as the UTF-8 message plus 26 bytes per event; events more
than 2 hours in the future, older than 14 days or older than the group's retention are not stored
and reported in `rejectedLogEventsInfo`. Sequence tokens are accepted and ignored, as AWS now does.
"""

from __future__ import annotations

from typing import Any

from fogbank.services.logs import subscriptions
from fogbank.services.logs.errors import InvalidParameterException
from fogbank.services.logs.events import EVENT_OVERHEAD
from fogbank.services.logs.groups import Group, new_stream, now_ms

MAX_BATCH_BYTES = 1_048_576
MAX_SPAN_MS = 24 * 3_600_000
MAX_FUTURE_MS = 2 * 3_600_000
MAX_AGE_MS = 14 * 86_400_000


def check_batch(events: list[dict[str, Any]]) -> None:
    size = 0
    previous: int | None = None
    for event in events:
        if previous is not None and event["timestamp"] < previous:
            raise InvalidParameterException(
                "Log events in a single PutLogEvents request must be in chronological order."
            )
        previous = event["timestamp"]
        size += len(event["message"].encode()) + EVENT_OVERHEAD
    if events[-1]["timestamp"] - events[0]["timestamp"] > MAX_SPAN_MS:
        raise InvalidParameterException(
            "The batch of log events in a single PutLogEvents request cannot span more than 24 hours."
        )
    if size > MAX_BATCH_BYTES:
        raise InvalidParameterException(f"Upload too large: {size} bytes exceeds limit of {MAX_BATCH_BYTES}")


def put_log_events(group: Group, stream_name: str, events: list[dict[str, Any]]) -> dict[str, Any]:
    """Store the acceptable events of a checked batch; answers the PutLogEvents output."""
    stream = group.stream(stream_name)
    now = now_ms()
    retention = group.cutoff_ms()
    too_old = now - MAX_AGE_MS
    rejected: dict[str, int] = {}
    accepted = []
    for index, event in enumerate(events):
        stamp = event["timestamp"]
        if stamp > now + MAX_FUTURE_MS:
            rejected.setdefault("tooNewLogEventStartIndex", index)
        elif stamp < too_old:
            rejected["tooOldLogEventEndIndex"] = index + 1
        elif retention is not None and stamp < retention:
            rejected["expiredLogEventEndIndex"] = index + 1
        else:
            accepted.append(event)
    store(group, stream, [(event["timestamp"], event["message"]) for event in accepted], now)
    result: dict[str, Any] = {"nextSequenceToken": stream["uploadSequenceToken"]}
    if rejected:
        result["rejectedLogEventsInfo"] = rejected
    return result


def store(group: Group, stream: dict[str, Any], events: list[tuple[int, str]], now: int) -> None:
    """Append events to a stream and update its first/last event times and upload token."""
    events_store = group.expire()
    added = [
        events_store.add(stream["logStreamName"], timestamp, message, now) for timestamp, message in events
    ]
    if added and group.record.get("subscriptionFilters"):
        subscriptions.deliver(
            group.account, group.name, stream["logStreamName"], group.record["subscriptionFilters"], added
        )
    if events:
        first = min(timestamp for timestamp, _ in events)
        last = max(timestamp for timestamp, _ in events)
        stream["firstEventTimestamp"] = min(stream.get("firstEventTimestamp") or first, first)
        stream["lastEventTimestamp"] = max(stream.get("lastEventTimestamp") or last, last)
        stream["lastIngestionTime"] = now
    stream["uploadSequenceToken"] = f"{int(stream['uploadSequenceToken']) + 1:056d}"
    group.streams().put(stream["logStreamName"], stream)


def ensure_stream(group: Group, name: str) -> dict[str, Any]:
    found = group.streams().get(name)
    if found is None:
        found = new_stream(name)
        group.streams().put(name, found)
    return found
