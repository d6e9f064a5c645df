"""Item writes and single-item operations: key checks, conditions, ReturnValues, and `write_item`,
the one function every item change goes through (PutItem, UpdateItem, DeleteItem, batches,
transactions, TTL), where change listeners (streams) attach through `WRITE_HOOKS`.

Key rules: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fogbank.services.dynamodb import legacy, updates
from fogbank.services.dynamodb import values as av
from fogbank.services.dynamodb.clauses import Clauses
from fogbank.services.dynamodb.conditions import matches, path_tree, project
from fogbank.services.dynamodb.errors import ConditionalCheckFailedException, ValidationException, invalid
from fogbank.services.dynamodb.storage import SIZE, entry_item
from fogbank.services.dynamodb.tables import Table
from fogbank.services.dynamodb.values import Item

MAX_ITEM_SIZE = 400 * 1024
MAX_HASH_KEY = 2048
MAX_RANGE_KEY = 1024
_NOT_SCHEMA = "The provided key element does not match the schema"

# Called as hook(table, old_item, new_item, origin) after every item change (None for absent);
# origin is None for a client's request and "ttl" for an expiry deletion (streams record that
# as the `dynamodb.amazonaws.com` service identity).
WriteHook = Callable[[Table, Item | None, Item | None, str | None], None]
WRITE_HOOKS: list[WriteHook] = []


def listen(hook: WriteHook) -> None:
    """Call `hook` after every item change (once, however often a service starts)."""
    if hook not in WRITE_HOOKS:
        WRITE_HOOKS.append(hook)


def unlisten(hook: WriteHook) -> None:
    if hook in WRITE_HOOKS:
        WRITE_HOOKS.remove(hook)


def write_item(
    table: Table, old: Item | None, new: Item | None, new_size: int | None = None, origin: str | None = None
) -> None:
    """Persist one item change (new None: delete) and tell the change listeners."""
    if new is not None:
        table.store.put(new, new_size)
    elif old is not None:
        table.store.delete(table.store.key_of(old))
    else:
        return
    for hook in WRITE_HOOKS:
        hook(table, old, new, origin)


# -- keys -------------------------------------------------------------------------------------


def check_key(table: Table, key: Any) -> tuple[Any, Any]:
    """A request's Key: exactly the table's key attributes, of the declared types."""
    spec = table.key
    if not isinstance(key, dict) or len(key) != len(spec.names):
        raise ValidationException(_NOT_SCHEMA)
    for name, kind in ((spec.hash_name, spec.hash_type), (spec.range_name, spec.range_type)):
        if name is None or kind is None:
            continue
        value = key.get(name)
        if value is None:
            raise ValidationException(_NOT_SCHEMA)
        av.check_value(value)
        if kind not in value:
            raise ValidationException(_NOT_SCHEMA)
        _check_key_value(name, value, kind, name == spec.hash_name)
    return table.store.key_of(key)


def _check_key_value(name: str, value: av.Value, kind: str, is_hash: bool) -> None:
    data = value[kind]
    if kind in ("S", "B") and not data:
        raise ValidationException(
            "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain "
            f"an empty {'string' if kind == 'S' else 'binary'} value. Key: {name}"
        )
    size = (len(data) if data.isascii() else len(data.encode())) if kind == "S" else av.value_size(value)
    if is_hash and size > MAX_HASH_KEY:
        raise invalid(f"Size of hashkey has exceeded the maximum size limit of{MAX_HASH_KEY} bytes")
    if not is_hash and size > MAX_RANGE_KEY:
        raise invalid(
            f"Aggregated size of all range keys has exceeded the size limit of {MAX_RANGE_KEY} bytes"
        )


def check_item_keys(table: Table, item: Item) -> None:
    """A whole item's table and index keys: present (table), typed, not empty, within size."""
    spec = table.key
    for name, kind in ((spec.hash_name, spec.hash_type), (spec.range_name, spec.range_type)):
        if name is None:
            continue
        value = item.get(name)
        if value is None:
            raise invalid(f"Missing the key {name} in the item")
        actual = av.kind_of(value)
        if actual != kind:
            raise invalid(f"Type mismatch for key {name} expected: {kind} actual: {actual}")
        _check_key_value(name, value, kind, name == spec.hash_name)
    for index in table.indexes.values():
        for name, kind in (
            (index.key.hash_name, index.key.hash_type),
            (index.key.range_name, index.key.range_type),
        ):
            value = item.get(name) if name else None
            if value is None or name is None or kind is None:
                continue
            actual = av.kind_of(value)
            if actual != kind:
                raise invalid(
                    f"Type mismatch for Index Key {name} Expected: {kind} Actual: {actual} IndexName: {index.name}"
                )
            if kind in ("S", "B") and not value[kind]:
                raise ValidationException(
                    "One or more parameter values are not valid. A value specified for a secondary index key is not "
                    "supported. The AttributeValue for a key attribute cannot contain an empty string value. "
                    f"IndexName: {index.name}, IndexKey: {name}"
                )
            limit = MAX_HASH_KEY if name == index.key.hash_name else MAX_RANGE_KEY
            if av.value_size(value) > limit:  # index keys follow the table key size rules
                _check_key_value(name, value, kind, name == index.key.hash_name)


def check_size(item: Item, message: str = "Item size has exceeded the maximum allowed size") -> int:
    size = av.item_size(item)
    if size > MAX_ITEM_SIZE:
        raise ValidationException(message)
    return size


def check_new_item(table: Table, item: Any) -> int:
    """A whole item from a request (PutItem, batch and transaction puts): values, keys, size."""
    size = av.check_item(item)
    check_item_keys(table, item)
    if size > MAX_ITEM_SIZE:
        raise ValidationException("Item size has exceeded the maximum allowed size")
    return size


# -- conditions and return values -------------------------------------------------------------


def check_condition(clauses: Clauses, old: Item | None, request: dict[str, Any]) -> None:
    """Raise ConditionalCheckFailedException when the condition does not hold for `old`."""
    if clauses.condition is None:
        return
    clauses.scope.kind = "ConditionExpression"
    if matches(clauses.condition, old or {}, clauses.scope):
        return
    if old is not None and request.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD":
        raise ConditionalCheckFailedException(Item=old)
    raise ConditionalCheckFailedException()


def check_return_values(request: dict[str, Any], allowed: tuple[str, ...]) -> str:
    wanted = request.get("ReturnValues") or "NONE"
    if wanted not in allowed:
        raise ValidationException("Return values set to invalid value")
    return str(wanted)


@dataclass(slots=True)
class Change:
    """What a write did: the old and new item and their sizes (for capacity and return values)."""

    old: Item | None
    new: Item | None
    old_size: int
    new_size: int
    updated_paths: dict[Any, Any] | None = None


def put(table: Table, request: dict[str, Any], clauses: Clauses) -> Change:
    item = request["Item"]
    size = check_new_item(table, item)
    table_key = table.store.key_of(item)
    found = table.store.get(table_key)
    old = entry_item(found) if found else None
    check_condition(clauses, old, request)
    write_item(table, old, item, size)
    return Change(old, item, found[SIZE] if found else 0, size)


def delete(table: Table, request: dict[str, Any], clauses: Clauses) -> Change:
    table_key = check_key(table, request["Key"])
    found = table.store.get(table_key)
    old = entry_item(found) if found else None
    check_condition(clauses, old, request)
    if old is not None:
        write_item(table, old, None)
    return Change(old, None, found[SIZE] if found else 0, 0)


def update(table: Table, request: dict[str, Any], clauses: Clauses) -> Change:
    key = request["Key"]
    table_key = check_key(table, key)
    found = table.store.get(table_key)
    old = entry_item(found) if found else None
    base = old if old is not None else dict(key)
    paths = None
    if clauses.update is not None:
        clauses.scope.kind = "UpdateExpression"
        planned = updates.plan(clauses.update, clauses.scope, table.key.names)
        paths = path_tree((path for _, path in planned), clauses.scope)
        check_condition(clauses, old, request)
        clauses.scope.kind = "UpdateExpression"
        new = updates.apply(base, planned, clauses.scope)
    elif clauses.attribute_updates is not None:
        check_condition(clauses, old, request)
        new = legacy.apply_attribute_updates(base, clauses.attribute_updates, table.key.names)
        paths = {name: None for name in clauses.attribute_updates}
    else:
        check_condition(clauses, old, request)
        new = dict(base)
    check_item_keys(table, new)
    size = check_size(new, "Item size to update has exceeded the maximum allowed size")
    write_item(table, old, new, size)
    return Change(old, new, found[SIZE] if found else 0, size, paths)


def returned_attributes(change: Change, wanted: str) -> Item | None:
    """The Attributes member for ReturnValues."""
    if wanted == "ALL_OLD":
        return change.old
    if wanted == "ALL_NEW":
        return change.new
    if wanted in ("UPDATED_OLD", "UPDATED_NEW"):
        source = change.old if wanted == "UPDATED_OLD" else change.new
        if source is None or change.updated_paths is None:
            return None
        return project(source, change.updated_paths) or None
    return None
