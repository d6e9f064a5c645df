"""BatchGetItem and BatchWriteItem: up to 100 keys read / 25 writes across tables, checked whole
before anything is written; reads beyond the 16 MB response limit come back as UnprocessedKeys.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
"""

from __future__ import annotations

from typing import Any

from fogbank.context import RequestContext
from fogbank.services.dynamodb import capacity, clauses, items
from fogbank.services.dynamodb.catalog import Catalog
from fogbank.services.dynamodb.conditions import project
from fogbank.services.dynamodb.errors import ValidationException
from fogbank.services.dynamodb.storage import SIZE, entry_item
from fogbank.services.dynamodb.tables import Table
from fogbank.services.dynamodb.values import Item

MAX_GET = 100
MAX_WRITE = 25
MAX_RESPONSE_BYTES = 16 * 1024 * 1024
_DUPLICATES = "Provided list of item keys contains duplicates"


def get(catalog: Catalog, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    requested = request["RequestItems"]
    if sum(len(spec.get("Keys") or ()) for spec in requested.values()) > MAX_GET:
        raise ValidationException("Too many items requested for the BatchGetItem call")
    plans = []
    for name, spec in requested.items():
        found = clauses.read(spec, ("ProjectionExpression",))
        table = catalog.get(ctx.account, ctx.region, name)
        keys = [items.check_key(table, key) for key in spec["Keys"]]
        if len(set(keys)) != len(keys):
            raise ValidationException(_DUPLICATES)
        plans.append((name, spec, table, keys, found))
    responses: dict[str, list[Any]] = {}
    unprocessed: dict[str, Any] = {}
    spent: list[dict[str, Any]] = []
    total = 0
    mode = request.get("ReturnConsumedCapacity")
    for name, spec, table, keys, found in plans:
        responses[name] = []
        units = 0.0
        for position, key in enumerate(keys):
            if total > MAX_RESPONSE_BYTES:
                left = {k: v for k, v in spec.items() if k != "Keys"}
                unprocessed[name] = {**left, "Keys": spec["Keys"][position:]}
                break
            entry = table.store.get(key)
            units += capacity.read_units(entry[SIZE] if entry else 0, bool(spec.get("ConsistentRead")))
            if entry is not None:
                total += entry[SIZE]
                responses[name].append(
                    entry_item(entry)
                    if found.projection is None
                    else project(entry_item(entry), found.projection)
                )
        usage = capacity.consumed(table, mode, units, kind="read")
        if usage:
            spent.append(usage)
    result: dict[str, Any] = {"Responses": responses, "UnprocessedKeys": unprocessed}
    if spent:
        result["ConsumedCapacity"] = spent
    return result


Planned = tuple[Table, tuple[Any, Any], Item | None, int]


def _plan(catalog: Catalog, ctx: RequestContext, requested: dict[str, Any]) -> list[Planned]:
    """Every write request checked (values, keys, sizes, duplicates) before anything is written."""
    plans: list[Planned] = []
    for name, entries in requested.items():
        table = catalog.get(ctx.account, ctx.region, name)
        seen = set()
        for entry in entries:
            put, delete = entry.get("PutRequest"), entry.get("DeleteRequest")
            if (put is None) == (delete is None):
                # The model cannot say "exactly one of"; AWS refuses it as a malformed request.
                raise ValidationException(
                    "A WriteRequest must contain exactly one of PutRequest or DeleteRequest"
                )
            if put is not None:
                item = put["Item"]
                size = items.check_new_item(table, item)
                key = table.store.key_of(item)
                plans.append((table, key, item, size))
            else:
                key = items.check_key(table, delete["Key"])
                plans.append((table, key, None, 0))
            if key in seen:
                raise ValidationException(_DUPLICATES)
            seen.add(key)
    return plans


def write(catalog: Catalog, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    """BatchWriteItem (the caller holds `state.atomic()`)."""
    requested = request["RequestItems"]
    if sum(len(entries) for entries in requested.values()) > MAX_WRITE:
        raise ValidationException("Too many items requested for the BatchWriteItem call")
    plans = _plan(catalog, ctx, requested)
    spent: dict[str, float] = {}
    metrics: dict[str, list[Any]] = {}
    for table, key, item, size in plans:
        found = table.store.get(key)
        old = entry_item(found) if found else None
        if item is not None or old is not None:
            items.write_item(table, old, item, size if item is not None else None)
        spent[table.name] = spent.get(table.name, 0.0) + capacity.write_units(
            found[SIZE] if found else 0, size
        )
        metric = capacity.item_collection_metrics(
            table, item or old, request.get("ReturnItemCollectionMetrics")
        )
        if metric:
            metrics.setdefault(table.name, []).append(metric)
    result: dict[str, Any] = {"UnprocessedItems": {}}
    mode = request.get("ReturnConsumedCapacity")
    if mode in ("TOTAL", "INDEXES"):
        tables = {table.name: table for table, *_ in plans}
        result["ConsumedCapacity"] = [
            capacity.consumed(tables[n], mode, u, kind="write") for n, u in spent.items()
        ]
    if metrics:
        result["ItemCollectionMetrics"] = metrics
    return result
