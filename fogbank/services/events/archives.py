"""Archives (events captured from a bus, optionally filtered by a pattern, kept for RetentionDays
on fogbank's clock) and replays (archived events sent back to a bus, marked with `replay-name`)
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-archive.html)."""

from __future__ import annotations

import json
from typing import Any

from fogbank import clock, state
from fogbank.services.events import rules

DAY = 86400


def collection(account: str, region: str) -> state.Collection[dict[str, Any]]:
    return state.collection("events", "archives", account, region)


def events(account: str, region: str) -> state.Collection[dict[str, Any]]:
    return state.collection("events", "archive-events", account, region)


def replays(account: str, region: str) -> state.Collection[dict[str, Any]]:
    return state.collection("events", "replays", account, region)


def capture(account: str, region: str, bus_arn: str, event: dict[str, Any]) -> None:
    """File the event in every enabled archive of the bus whose pattern (if any) matches."""
    store = collection(account, region)
    if not len(store):
        return
    now = clock.now()
    for archive in store.values():
        if archive["EventSourceArn"] != bus_arn or archive["State"] != "ENABLED":
            continue
        pattern = archive.get("EventPattern")
        if pattern and not rules.compiled(pattern).matches(event):
            continue
        events(account, region).put(
            f"{archive['ArchiveName']}/{now:017.6f}/{event['id']}",
            {"epoch": now, "size": len(json.dumps(event)), "event": event},
        )


def kept(account: str, region: str, archive: dict[str, Any]) -> list[dict[str, Any]]:
    """The archive's events still within retention, oldest first (expired ones are deleted)."""
    store = events(account, region)
    prefix = archive["ArchiveName"] + "/"
    days = archive.get("RetentionDays") or 0
    horizon = clock.now() - days * DAY if days else None
    found: list[tuple[str, dict[str, Any]]] = []
    for key in [k for k in store if k.startswith(prefix)]:
        record = store[key]
        if horizon is not None and record["epoch"] < horizon:
            store.delete(key)
        else:
            found.append((key, record))
    return [record for _, record in sorted(found, key=lambda item: item[0])]


def drop_events(account: str, region: str, name: str) -> None:
    store = events(account, region)
    for key in [k for k in store if k.startswith(name + "/")]:
        store.delete(key)


def describe(account: str, region: str, archive: dict[str, Any], *, listing: bool = False) -> dict[str, Any]:
    held = kept(account, region, archive)
    fields = ["ArchiveName", "EventSourceArn", "State", "StateReason", "RetentionDays", "CreationTime"]
    if not listing:
        fields += ["ArchiveArn", "Description", "EventPattern", "KmsKeyIdentifier"]
    out = {name: archive[name] for name in fields if archive.get(name) is not None}
    out["SizeBytes"] = sum(record["size"] for record in held)
    out["EventCount"] = len(held)
    return out
