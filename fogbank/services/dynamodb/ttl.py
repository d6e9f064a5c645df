"""Time to Live: the table setting (UpdateTimeToLive / DescribeTimeToLive) and the expiry of items
on fogbank's clock.

An item expires when its TTL attribute is a Number of epoch seconds at or before `clock.now()`;
items whose expiry lies more than five years in the past are left alone, as AWS does. Each table
with TTL enabled keeps a heap of (expiry, key); one clock timer fires at the earliest expiry and
deletes what is due through `items.write_item` (origin "ttl").
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html
"""

from __future__ import annotations

import heapq
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from fogbank import clock
from fogbank.services.dynamodb import items
from fogbank.services.dynamodb.errors import ValidationException
from fogbank.services.dynamodb.storage import entry_item
from fogbank.services.dynamodb.tables import Table
from fogbank.services.dynamodb.values import Item

if TYPE_CHECKING:
    from fogbank.services.dynamodb.catalog import Catalog

FIVE_YEARS = 5 * 365 * 86400

_heaps: dict[int, tuple[Table, list[tuple[float, Any]]]] = {}
_timer: clock.Timer | None = None


def update(table: Table, spec: dict[str, Any]) -> dict[str, Any]:
    current = table.record["TimeToLive"]
    enabled = spec["Enabled"]
    name = spec["AttributeName"]
    if enabled and current["TimeToLiveStatus"] == "ENABLED":
        raise ValidationException("TimeToLive is already enabled")
    if not enabled and current["TimeToLiveStatus"] == "DISABLED":
        raise ValidationException("TimeToLive is already disabled")
    if not enabled and current.get("AttributeName") != name:
        raise ValidationException(
            f"TimeToLive is active on a different AttributeName: current AttributeName is {current.get('AttributeName')}"
        )
    table.record["TimeToLive"] = {
        "TimeToLiveStatus": "ENABLED" if enabled else "DISABLED",
        "AttributeName": name,
    }
    if not enabled:
        del table.record["TimeToLive"]["AttributeName"]
        _heaps.pop(id(table), None)
    else:
        track(table)
    return {"Enabled": enabled, "AttributeName": name}


def attribute(table: Table) -> str | None:
    setting = table.record["TimeToLive"]
    return setting.get("AttributeName") if setting["TimeToLiveStatus"] == "ENABLED" else None


def expiry(item: Item, name: str) -> float | None:
    value = item.get(name)
    if value is None or "N" not in value:
        return None
    try:
        return float(Decimal(value["N"]))
    except (InvalidOperation, OverflowError):
        return None


def track(table: Table) -> None:
    """Start watching a table's items (TTL enabled, or the table loaded after a restart)."""
    name = attribute(table)
    if name is None:
        return
    heap: list[tuple[float, Any]] = []
    for entry in table.store.entries():
        item = entry_item(entry)
        due = expiry(item, name)
        if due is not None:
            heap.append((due, table.store.key_of(item)))
    heapq.heapify(heap)
    _heaps[id(table)] = (table, heap)
    _schedule()


def _on_write(table: Table, old: Item | None, new: Item | None, origin: str | None) -> None:
    found = _heaps.get(id(table))
    if found is None or new is None:
        return
    name = attribute(table)
    due = expiry(new, name) if name else None
    if due is not None:
        heapq.heappush(found[1], (due, table.store.key_of(new)))
        if _timer is None or due < _timer.due:
            _schedule()


def _schedule() -> None:
    global _timer
    earliest = min((heap[0][0] for _, heap in _heaps.values() if heap), default=None)
    if _timer is not None:
        _timer.cancel()
        _timer = None
    if earliest is not None:
        _timer = clock.call_at(earliest, sweep)


def sweep() -> None:
    """Delete every item whose expiry is due."""
    global _timer
    _timer = None
    now = clock.now()
    for table, heap in list(_heaps.values()):
        name = attribute(table)
        while heap and heap[0][0] <= now:
            due, key = heapq.heappop(heap)
            entry = table.store.get(key)
            item = entry_item(entry) if entry is not None else None
            if item is None or name is None or expiry(item, name) != due or due < now - FIVE_YEARS:
                continue
            items.write_item(table, item, None, origin="ttl")
    _schedule()


def forget(table: Table) -> None:
    _heaps.pop(id(table), None)


def start(catalog: Catalog) -> None:
    items.listen(_on_write)
    catalog.attach_expiring()


def stop() -> None:
    global _timer
    items.unlisten(_on_write)
    if _timer is not None:
        _timer.cancel()
        _timer = None
    _heaps.clear()
