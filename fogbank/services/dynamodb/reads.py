"""Query and Scan: reading a key range (or the whole table) of a table or a secondary index,
page by page (Limit and the 1 MB page size), with FilterExpression, projections, Select and
ExclusiveStartKey/LastEvaluatedKey; parallel scans split the partition-key hash space.

https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.Pagination.html
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Scan.html#Scan.ParallelScan
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterator
from operator import itemgetter
from typing import Any

from fogbank.services.dynamodb import capacity
from fogbank.services.dynamodb.clauses import Clauses
from fogbank.services.dynamodb.conditions import matches, project
from fogbank.services.dynamodb.errors import ValidationException, invalid
from fogbank.services.dynamodb.expressions import And, Between, Call, Compare, In, Not, Or, Path
from fogbank.services.dynamodb.keyconditions import KeyCondition, SortCondition, analyse
from fogbank.services.dynamodb.storage import (
    HASH_SPACE,
    SIZE,
    Entry,
    IndexSpec,
    KeySpec,
    SecondaryIndex,
    entry_item,
    key_hash,
    python_key,
)
from fogbank.services.dynamodb.tables import Table
from fogbank.services.dynamodb.values import Item, item_size

PAGE_BYTES = 1024 * 1024
_FIRST = itemgetter(0)
# One item read: (the item as the read sees it, its size, the table key).
Read = tuple[Item, int, tuple[Any, Any]]


class Source:
    """The table or index a request reads, and how it shapes the items it yields."""

    def __init__(self, table: Table, request: dict[str, Any]) -> None:
        self.table = table
        name = request.get("IndexName")
        self.spec: IndexSpec | None = None
        self.index: SecondaryIndex | None = None
        if name is not None:
            self.spec = table.index(name)
            self.index = table.store.indexes.get(name)
            if self.spec is None or self.index is None:
                raise ValidationException(f"The table does not have the specified index: {name}")
            if self.spec.is_global and request.get("ConsistentRead"):
                raise ValidationException("Consistent reads are not supported on global secondary indexes")
        self.key: KeySpec = self.spec.key if self.spec else table.key
        self.whole_items = self.spec is None or self.spec.projection == "ALL"
        select = request.get("Select")
        if select == "ALL_ATTRIBUTES" and self.spec is not None and not self.whole_items:
            if self.spec.is_global:
                raise invalid(
                    f"Select type ALL_ATTRIBUTES is not supported for global secondary index {self.spec.name} "
                    "because its projection type is not ALL"
                )
            self.whole_items = True  # a local index fetches the rest from the table
        names = set(table.key.names) | set(self.key.names)
        self.projected = (
            None
            if self.whole_items
            else names | set(self.spec.non_key if self.spec and self.spec.projection == "INCLUDE" else ())
        )
        self.key_names = tuple(dict.fromkeys(table.key.names + self.key.names))

    def shape(self, entry: Entry) -> tuple[Item, int]:
        if self.projected is None:
            return entry_item(entry), entry[SIZE]
        item = {name: value for name, value in entry_item(entry).items() if name in self.projected}
        return item, item_size(item)

    def start_key(self, request: dict[str, Any]) -> tuple[Any, ...] | None:
        """ExclusiveStartKey as (index key parts..., table hash, table range)."""
        start = request.get("ExclusiveStartKey")
        if start is None:
            return None
        wanted = set(self.key_names)
        if set(start) != wanted:
            raise ValidationException(
                "The provided starting key is invalid: The provided key element does not match the schema"
            )
        try:
            table_key = self.table.store.key_of(start)
            if self.index is None:
                return table_key
            parts = [python_key(start[self.key.hash_name], self.key.hash_type)]
            if self.key.range_name:
                parts.append(python_key(start[self.key.range_name], self.key.range_type))  # type: ignore[arg-type]
            return (*parts, *table_key)
        except (KeyError, TypeError, ValueError, ArithmeticError):
            raise ValidationException(
                "The provided starting key is invalid: The provided key element does not match the schema"
            ) from None

    def last_key(self, item: Item) -> Item:
        return {name: item[name] for name in self.key_names if name in item}


# -- Query ------------------------------------------------------------------------------------


def query(table: Table, request: dict[str, Any], clauses: Clauses) -> dict[str, Any]:
    if clauses.key_condition is None:
        raise ValidationException(
            "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."
        )
    source = Source(table, request)
    _check_select(request, clauses, source)
    condition = analyse(clauses.key_condition, clauses.scope, source.key)
    if clauses.filter is not None:
        _check_filter_keys(clauses, source.key)
    start = source.start_key(request)
    forward = request.get("ScanIndexForward", True)
    reads = query_reads(source, condition, start, forward)
    return page(source, reads, request, clauses)


def _check_filter_keys(clauses: Clauses, key: KeySpec) -> None:
    for path in _paths(clauses.filter):
        name = clauses.scope.resolve(path)[0]
        if name in key.names:
            raise ValidationException(
                f"Filter Expression can only contain non-primary key attributes: Primary key attribute: {name}"
            )


def _paths(node: Any) -> Iterator[Path]:
    if isinstance(node, Path):
        yield node
    elif isinstance(node, And | Or):
        yield from _paths(node.left)
        yield from _paths(node.right)
    elif isinstance(node, Not):
        yield from _paths(node.inner)
    elif isinstance(node, Compare):
        yield from _paths(node.left)
        yield from _paths(node.right)
    elif isinstance(node, Between):
        for part in (node.operand, node.low, node.high):
            yield from _paths(part)
    elif isinstance(node, In):
        for part in (node.operand, *node.choices):
            yield from _paths(part)
    elif isinstance(node, Call):
        for part in node.args:
            yield from _paths(part)


def _bounds(keys: list[Any], sort: SortCondition | None, key: Any) -> tuple[int, int]:
    if sort is None:
        return 0, len(keys)
    op, values = sort.op, sort.values
    if op == "=":
        return bisect.bisect_left(keys, values[0], key=key), bisect.bisect_right(keys, values[0], key=key)
    if op == "<":
        return 0, bisect.bisect_left(keys, values[0], key=key)
    if op == "<=":
        return 0, bisect.bisect_right(keys, values[0], key=key)
    if op == ">":
        return bisect.bisect_right(keys, values[0], key=key), len(keys)
    if op == ">=":
        return bisect.bisect_left(keys, values[0], key=key), len(keys)
    if op == "BETWEEN":
        return bisect.bisect_left(keys, values[0], key=key), bisect.bisect_right(keys, values[1], key=key)
    low = bisect.bisect_left(keys, values[0], key=key)
    high = low
    prefix = values[0]
    while high < len(keys) and (key(keys[high]) if key else keys[high]).startswith(prefix):
        high += 1
    return low, high


def query_reads(
    source: Source, condition: KeyCondition, start: tuple[Any, ...] | None, forward: bool
) -> Iterator[Read]:
    store = source.table.store
    if source.index is None:
        partition = store.partitions.get(condition.hash_value)
        if partition is None:
            return
        if store.key.range_name is None:
            entry = partition.entries.get(None)
            if entry is not None and start is None:
                item, size = source.shape(entry)
                yield item, size, (condition.hash_value, None)
            return
        keys = partition.keys
        low, high = _bounds(keys, condition.sort, None)
        if start is not None:
            low, high = _after(keys, start[1], low, high, forward, None)
        positions = range(low, high) if forward else range(high - 1, low - 1, -1)
        for position in positions:
            range_key = keys[position]
            item, size = source.shape(partition.entries[range_key])
            yield item, size, (condition.hash_value, range_key)
        return
    rows = source.index.partitions.get(condition.hash_value)
    if not rows:
        return
    ranged = source.key.range_name is not None
    low, high = _bounds(rows, condition.sort if ranged else None, _FIRST)
    if start is not None:
        low, high = _after(rows, start[1:], low, high, forward, None)
    positions = range(low, high) if forward else range(high - 1, low - 1, -1)
    for position in positions:
        row = rows[position]
        table_key = (row[-2], row[-1])
        entry = store.get(table_key)
        if entry is not None:
            item, size = source.shape(entry)
            yield item, size, table_key


def _after(keys: list[Any], start: Any, low: int, high: int, forward: bool, key: Any) -> tuple[int, int]:
    if forward:
        return max(low, bisect.bisect_right(keys, start, key=key)), high
    return low, min(high, bisect.bisect_left(keys, start, key=key))


# -- Scan -------------------------------------------------------------------------------------


def scan(table: Table, request: dict[str, Any], clauses: Clauses) -> dict[str, Any]:
    segment, total = request.get("Segment"), request.get("TotalSegments")
    if segment is not None and total is None:
        raise ValidationException(
            "The TotalSegments parameter is required but was not present in the request when Segment parameter is present"
        )
    if total is not None and segment is None:
        raise ValidationException(
            "The Segment parameter is required but was not present in the request when parameter TotalSegments is present"
        )
    if segment is not None and segment >= total:
        raise ValidationException(
            f"The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: {segment} "
            f"is not less than TotalSegments: {total}"
        )
    source = Source(table, request)
    _check_select(request, clauses, source)
    start = source.start_key(request)
    low_hash, high_hash = (0, HASH_SPACE)
    if segment is not None and total is not None:
        low_hash, high_hash = segment * HASH_SPACE // total, (segment + 1) * HASH_SPACE // total
    reads = scan_reads(source, start, low_hash, high_hash)
    return page(source, reads, request, clauses)


def scan_reads(
    source: Source, start: tuple[Any, ...] | None, low_hash: int, high_hash: int
) -> Iterator[Read]:
    store = source.table.store
    container = source.index if source.index is not None else store
    order = container.scan_order()
    first = bisect.bisect_left(order, (low_hash,))
    last = bisect.bisect_left(order, (high_hash,))
    resume = None
    if start is not None:
        hash_key = start[0]
        first = max(first, bisect.bisect_left(order, (key_hash(hash_key), hash_key)))
        resume = start
    for position in range(first, last):
        hash_key = order[position][1]
        if source.index is None:
            yield from _table_partition(source, hash_key, resume)
        else:
            yield from _index_partition(source, hash_key, resume)
        resume = None


def _table_partition(source: Source, hash_key: Any, resume: tuple[Any, ...] | None) -> Iterator[Read]:
    store = source.table.store
    partition = store.partitions.get(hash_key)
    if partition is None:
        return
    if store.key.range_name is None:
        if resume is None or resume[0] != hash_key:
            entry = partition.entries.get(None)
            if entry is not None:
                item, size = source.shape(entry)
                yield item, size, (hash_key, None)
        return
    # A page is read within one request (no write can interleave), so no copy of the keys.
    keys = partition.keys
    first = bisect.bisect_right(keys, resume[1]) if resume is not None and resume[0] == hash_key else 0
    for position in range(first, len(keys)):
        range_key = keys[position]
        entry = partition.entries.get(range_key)
        if entry is not None:
            item, size = source.shape(entry)
            yield item, size, (hash_key, range_key)


def _index_partition(source: Source, hash_key: Any, resume: tuple[Any, ...] | None) -> Iterator[Read]:
    rows = source.index.partitions.get(hash_key) or []  # type: ignore[union-attr]
    first = bisect.bisect_right(rows, resume[1:]) if resume is not None and resume[0] == hash_key else 0
    for position in range(first, len(rows)):
        row = rows[position]
        table_key = (row[-2], row[-1])
        entry = source.table.store.get(table_key)
        if entry is not None:
            item, size = source.shape(entry)
            yield item, size, table_key


# -- pages ------------------------------------------------------------------------------------


def _check_select(request: dict[str, Any], clauses: Clauses, source: Source) -> None:
    select = request.get("Select")
    projection = "AttributesToGet" if request.get("AttributesToGet") is not None else "ProjectionExpression"
    if select == "SPECIFIC_ATTRIBUTES" and clauses.projection is None:
        raise ValidationException(
            "One or more parameter values were invalid: Select type SPECIFIC_ATTRIBUTES requires either "
            "AttributesToGet or ProjectionExpression"
        )  # AWS wording
    if select in ("ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "COUNT") and clauses.projection is not None:
        raise ValidationException(f"Cannot specify the {projection} when choosing to get {select}")
    if select == "ALL_PROJECTED_ATTRIBUTES" and source.spec is None:
        raise ValidationException(
            "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"
        )


def page(source: Source, reads: Iterator[Read], request: dict[str, Any], clauses: Clauses) -> dict[str, Any]:
    limit = request.get("Limit")
    count_only = request.get("Select") == "COUNT"
    condition, scope, projection = clauses.filter, clauses.scope, clauses.projection
    scope.kind = "FilterExpression"
    found: list[Item] = []
    scanned = read_bytes = count = 0
    last: Item | None = None
    for item, size, _ in reads:
        scanned += 1
        read_bytes += size
        if condition is None or matches(condition, item, scope):
            count += 1
            if not count_only:
                found.append(item if projection is None else project(item, projection))
        if (limit is not None and scanned >= limit) or read_bytes >= PAGE_BYTES:
            last = item
            break
    result: dict[str, Any] = {"Count": count, "ScannedCount": scanned}
    if not count_only:
        result["Items"] = found
    if last is not None:
        result["LastEvaluatedKey"] = source.last_key(last)
    mode = request.get("ReturnConsumedCapacity")
    if mode in ("TOTAL", "INDEXES"):
        units = float(max(1, math.ceil(read_bytes / 4096)))
        units = units if request.get("ConsistentRead") else units / 2
        index = source.spec.name if source.spec else None
        result["ConsumedCapacity"] = capacity.consumed(
            source.table, mode, units, kind="read", index_read=index
        )
    return result
