"""An execution's event history, with AWS's event types, ids and previous-event ids.

Events are numbered from 1 in the order they happen. `previousEventId` is the event before it on
the same path of the workflow: within a Parallel branch or a Map iteration, events chain inside
their lane, whose first event points at the `ParallelStateStarted` / `MapIterationStarted` event.
https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from fogbank import clock

MAX_DATA = 262144

# Event types whose details live under the shared entered/exited members.
_SHARED_DETAILS = {"StateEntered": "stateEnteredEventDetails", "StateExited": "stateExitedEventDetails"}
_DETAILED = {
    "activityFailed",
    "activityScheduleFailed",
    "activityScheduled",
    "activityStarted",
    "activitySucceeded",
    "activityTimedOut",
    "taskFailed",
    "taskScheduled",
    "taskStartFailed",
    "taskStarted",
    "taskSubmitFailed",
    "taskSubmitted",
    "taskSucceeded",
    "taskTimedOut",
    "executionFailed",
    "executionStarted",
    "executionSucceeded",
    "executionAborted",
    "executionTimedOut",
    "executionRedriven",
    "mapStateStarted",
    "mapIterationStarted",
    "mapIterationSucceeded",
    "mapIterationFailed",
    "mapIterationAborted",
    "lambdaFunctionFailed",
    "lambdaFunctionScheduleFailed",
    "lambdaFunctionScheduled",
    "lambdaFunctionStartFailed",
    "lambdaFunctionSucceeded",
    "lambdaFunctionTimedOut",
    "mapRunStarted",
    "mapRunFailed",
    "mapRunRedriven",
    "evaluationFailed",
}


@functools.cache
def details_key(event_type: str) -> str | None:
    for suffix, key in _SHARED_DETAILS.items():
        if event_type.endswith(suffix):
            return key
    name = event_type[0].lower() + event_type[1:]
    return f"{name}EventDetails" if name in _DETAILED else None


@dataclass(slots=True)
class Lane:
    """One path of events: the execution's main line, a Parallel branch or a Map iteration."""

    last: int = 0


class History:
    """The events of one execution; `unsaved` counts events not yet written to the store."""

    __slots__ = ("events", "unsaved")

    def __init__(self, events: list[dict[str, Any]] | None = None) -> None:
        self.events: list[dict[str, Any]] = events if events is not None else []
        self.unsaved = 0

    def add(self, lane: Lane, event_type: str, details: dict[str, Any] | None = None) -> int:
        event_id = len(self.events) + 1
        event: dict[str, Any] = {
            "timestamp": clock.now(),
            "type": event_type,
            "id": event_id,
            "previousEventId": lane.last,
        }
        key = details_key(event_type)
        if key is not None:
            event[key] = details or {}
        self.events.append(event)
        self.unsaved += 1
        lane.last = event_id
        return event_id


def data_details(text: str, name: str) -> dict[str, Any]:
    """`input`/`output` text plus its `…Details.truncated` flag (AWS truncates at 256 KB)."""
    truncated = len(text.encode()) > MAX_DATA
    return {name: text[:MAX_DATA] if truncated else text, f"{name}Details": {"truncated": truncated}}


def without_data(event: dict[str, Any]) -> dict[str, Any]:
    """An event as GetExecutionHistory returns it with includeExecutionData=false."""
    key = details_key(event["type"])
    if key is None or key not in event:
        return event
    kept = {
        name: value
        for name, value in event[key].items()
        if name not in ("input", "output", "inputDetails", "outputDetails", "parameters", "error", "cause")
    }
    return {**event, key: kept}
