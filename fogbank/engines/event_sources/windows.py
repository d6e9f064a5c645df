"""Tumbling windows (`TumblingWindowInSeconds`) of a stream mapping: fixed, non-overlapping windows
by record arrival time, a `state` the function returns and gets back with the next batch of the
same window, and a final invocation (`isFinalInvokeForWindow`) once the window has closed on
fogbank's clock or a record of a later window arrives
(https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-windows.html).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson


@dataclass(slots=True)
class Window:
    width: float
    start: float | None = None
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def end(self) -> float:
        return (self.start or 0.0) + self.width

    def start_of(self, arrival: float) -> float:
        return math.floor(arrival / self.width) * self.width

    def is_open(self) -> bool:
        return self.start is not None

    def saved(self) -> dict[str, Any]:
        return {"window": self.start, "state": self.state}

    def open(self, arrival: float) -> None:
        if self.start is None:
            self.start = self.start_of(arrival)

    def close(self) -> None:
        self.start = None
        self.state = {}

    def fields(self, shard_id: str, source_arn: str, final: bool) -> dict[str, Any]:
        """What a windowed invocation carries besides `Records`, as AWS names it."""
        return {
            "window": {"start": _iso(self.start or 0.0), "end": _iso(self.end)},
            "state": self.state,
            "shardId": shard_id,
            "eventSourceARN": source_arn,
            "isFinalInvokeForWindow": final,
            "isWindowTerminatedEarly": False,
        }

    def take_state(self, payload: bytes) -> None:
        """The function's answer `{"state": {...}}` becomes the window's state."""
        try:
            document = orjson.loads(payload)
        except orjson.JSONDecodeError:
            return
        if isinstance(document, dict) and isinstance(document.get("state"), dict):
            self.state = document["state"]


def restored(width: float, saved: dict[str, Any] | None) -> Window:
    saved = saved or {}
    return Window(width, saved.get("window"), dict(saved.get("state") or {}))


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
