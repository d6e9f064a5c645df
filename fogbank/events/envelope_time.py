"""Timestamps as EventBridge and EventBridge Scheduler write them in events and context
attributes: ISO 8601, UTC, whole seconds (`2026-01-01T00:00:00Z`)."""

from __future__ import annotations

from datetime import UTC, datetime


def iso_seconds(epoch: float) -> str:
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
