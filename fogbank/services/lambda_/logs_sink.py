"""Where a function's log lines go: one small function, `write`, that the CloudWatch Logs engine
will later connect to log groups `/aws/lambda/<name>` (or the function's LoggingConfig.LogGroup).

Until then the lines are kept in memory (a bounded tail per log stream) so that `LogType: Tail`,
tests and `fogbank logs` can read them back with `read`.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

# Per stream: enough for tests and the CLI, bounded so a chatty function cannot fill memory.
MAX_EVENTS_PER_STREAM = 10_000


@dataclass(slots=True)
class LogEvent:
    timestamp: int  # epoch milliseconds
    message: str


_streams: dict[tuple[str, str, str, str], deque[LogEvent]] = {}


def write(account: str, region: str, group: str, stream: str, events: list[LogEvent]) -> None:
    """Append events (in order) to a log stream of a log group."""
    key = (account, region, group, stream)
    found = _streams.get(key)
    if found is None:
        found = _streams[key] = deque(maxlen=MAX_EVENTS_PER_STREAM)
    found.extend(events)
    from fogbank.services.logs import ingestion  # CloudWatch Logs keeps them durably (its owner's API)

    ingestion.write_events(
        account, region, group, stream, [(event.timestamp, event.message) for event in events]
    )


def read(account: str, region: str, group: str) -> list[tuple[str, LogEvent]]:
    """Every kept event of a log group as (stream name, event), oldest first per stream."""
    found: list[tuple[str, LogEvent]] = []
    for (owner, where, name, stream), events in _streams.items():
        if owner == account and where == region and name == group:
            found.extend((stream, event) for event in events)
    found.sort(key=lambda item: item[1].timestamp)
    return found


def clear() -> None:
    _streams.clear()
