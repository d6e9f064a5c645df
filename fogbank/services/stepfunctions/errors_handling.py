"""Retry and Catch: which retrier or catcher an error matches, and how long to wait before the
next attempt (IntervalSeconds × BackoffRate^attempt, capped by MaxDelaySeconds, with FULL jitter).

`States.ALL` matches every error except `States.Runtime` and `States.DataLimitExceeded` (terminal),
`States.TaskFailed` matches every error except `States.Timeout`, and `States.Timeout` also matches
`States.HeartbeatTimeout`.
https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

_TERMINAL = {"States.Runtime", "States.DataLimitExceeded"}
_TIMEOUTS = {"States.Timeout", "States.HeartbeatTimeout"}


def matches(names: list[str], error: str) -> bool:
    for name in names:
        if name == error:
            return True
        if name == "States.ALL" and error not in _TERMINAL:
            return True
        if name == "States.TaskFailed" and error not in _TIMEOUTS and error not in _TERMINAL:
            return True
        if name == "States.Timeout" and error in _TIMEOUTS:
            return True
    return False


@dataclass(slots=True)
class Retries:
    """How many times each retrier of one state has retried in the current attempt sequence."""

    counts: dict[int, int] = field(default_factory=dict)

    def delay(
        self, retriers: list[dict[str, Any]], error: str, interval_override: Any = None
    ) -> float | None:
        """Seconds to wait before the next attempt, or None when no retrier applies any more."""
        for index, retrier in enumerate(retriers):
            if not matches(retrier.get("ErrorEquals", []), error):
                continue
            attempt = self.counts.get(index, 0)
            if attempt >= retrier.get("MaxAttempts", 3):
                return None
            self.counts[index] = attempt + 1
            interval = retrier.get("IntervalSeconds", 1) if interval_override is None else interval_override
            delay = float(interval) * float(retrier.get("BackoffRate", 2.0)) ** attempt
            if "MaxDelaySeconds" in retrier:
                delay = min(delay, float(retrier["MaxDelaySeconds"]))
            if retrier.get("JitterStrategy") == "FULL":
                delay = random.uniform(0, delay)
            return delay
        return None

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def find_catcher(catchers: list[dict[str, Any]], error: str) -> dict[str, Any] | None:
    for catcher in catchers:
        if matches(catcher.get("ErrorEquals", []), error):
            return catcher
    return None
