"""PutEvents entries: their validation (per-entry errors as AWS reports them), their size as AWS
computes it, and the event envelope rules see
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html,
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from fogbank import clock
from fogbank.events.envelope_time import iso_seconds

MAX_REQUEST_SIZE = 262144  # 256 KB


def entry_size(entry: dict[str, Any]) -> int:
    """AWS's size: 14 bytes for a Time, plus the UTF-8 bytes of Source, DetailType, Detail and
    every Resource."""
    size = 14 if entry.get("Time") is not None else 0
    for member in ("Source", "DetailType", "Detail"):
        if entry.get(member):
            size += len(str(entry[member]).encode())
    return size + sum(len(resource.encode()) for resource in entry.get("Resources") or [])


def entry_error(entry: dict[str, Any]) -> tuple[str, str] | None:
    """(ErrorCode, ErrorMessage) for an entry AWS would refuse, else None."""
    for member in ("Source", "DetailType", "Detail"):
        if not entry.get(member):
            return (
                "InvalidArgument",
                f"Parameter {member} is not valid. Reason: {member} is a required argument.",
            )
    try:
        detail = json.loads(entry["Detail"])
    except ValueError:
        return "MalformedDetail", "Detail is malformed."
    if not isinstance(detail, dict):
        return "MalformedDetail", "Detail is malformed."
    return None


def timestamp_text(epoch: float) -> str:
    return iso_seconds(epoch)


def build(entry: dict[str, Any], account: str, region: str) -> dict[str, Any]:
    """The event as rules and targets see it, keys in AWS's order."""
    when = entry.get("Time")
    epoch = when.timestamp() if isinstance(when, datetime) else clock.now()
    return envelope(
        source=entry["Source"],
        detail_type=entry["DetailType"],
        detail=json.loads(entry["Detail"]),
        account=account,
        region=region,
        resources=list(entry.get("Resources") or []),
        epoch=epoch,
    )


def envelope(
    *,
    source: str,
    detail_type: str,
    detail: dict[str, Any],
    account: str,
    region: str,
    resources: list[str],
    epoch: float | None = None,
) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": source,
        "account": account,
        "time": timestamp_text(clock.now() if epoch is None else epoch),
        "region": region,
        "resources": resources,
        "detail": detail,
    }
