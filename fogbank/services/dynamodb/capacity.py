"""Consumed capacity as DynamoDB computes it: one write unit per started KB written (the larger of
the old and new item), one read unit per started 4 KB read (half for eventually consistent reads),
doubled inside transactions; ReturnItemCollectionMetrics for tables with local indexes.

https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html
"""

from __future__ import annotations

import math
from typing import Any

from fogbank.services.dynamodb.storage import SIZE
from fogbank.services.dynamodb.tables import Table
from fogbank.services.dynamodb.values import Item


def write_units(old_size: int, new_size: int) -> float:
    return float(max(1, math.ceil(max(old_size, new_size) / 1024)))


def read_units(size: int, consistent: bool) -> float:
    units = float(max(1, math.ceil(size / 4096)))
    return units if consistent else units / 2


def index_write_units(
    table: Table, old: Item | None, new: Item | None, old_size: int, new_size: int
) -> dict[str, float]:
    """Write units each secondary index spends: one write per index entry added, removed or changed."""
    spent: dict[str, float] = {}
    for name, index in table.store.indexes.items():
        before = old is not None and index.entry_of(old, (None, None)) is not None
        after = new is not None and index.entry_of(new, (None, None)) is not None
        if before or after:
            moved = before and after and any(old.get(k) != new.get(k) for k in index.spec.key.names)  # type: ignore[union-attr]
            spent[name] = write_units(old_size if before else 0, new_size if after else 0) * (
                2 if moved else 1
            )
    return spent


def consumed(
    table: Table,
    mode: str | None,
    units: float,
    *,
    kind: str,
    indexes: dict[str, float] | None = None,
    index_read: str | None = None,
) -> dict[str, Any] | None:
    """The ConsumedCapacity member for ReturnConsumedCapacity TOTAL or INDEXES (None for NONE)."""
    if mode not in ("TOTAL", "INDEXES"):
        return None
    indexes = indexes or {}
    table_units = 0.0 if index_read else units
    total = units + sum(indexes.values())
    result: dict[str, Any] = {"TableName": table.name, "CapacityUnits": total}
    member = "ReadCapacityUnits" if kind == "read" else "WriteCapacityUnits"
    result[member] = total
    if mode == "INDEXES":
        result["Table"] = {"CapacityUnits": table_units, member: table_units}
        if index_read:
            indexes = {index_read: units}
        gsis = {n: {"CapacityUnits": u, member: u} for n, u in indexes.items() if table.indexes[n].is_global}
        lsis = {
            n: {"CapacityUnits": u, member: u} for n, u in indexes.items() if not table.indexes[n].is_global
        }
        if gsis:
            result["GlobalSecondaryIndexes"] = gsis
        if lsis:
            result["LocalSecondaryIndexes"] = lsis
    return result


def item_collection_metrics(table: Table, item: Item | None, mode: str | None) -> dict[str, Any] | None:
    """ItemCollectionMetrics (tables with local secondary indexes only): the partition's size
    estimate in GB, as AWS's range [lower, upper]."""
    if mode != "SIZE" or item is None or not any(not spec.is_global for spec in table.indexes.values()):
        return None
    hash_name = table.key.hash_name
    partition = table.store.partitions.get(table.store.key_of(item)[0])
    size = sum(entry[SIZE] for entry in partition.entries.values()) if partition else 0
    gigabytes = size / 1024**3
    return {
        "ItemCollectionKey": {hash_name: item[hash_name]},
        "SizeEstimateRangeGB": [math.floor(gigabytes), math.floor(gigabytes) + 1.0],
    }
