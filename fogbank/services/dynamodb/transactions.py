"""TransactWriteItems and TransactGetItems: all-or-nothing over up to 100 items, with per-item
cancellation reasons, one operation per item, and ClientRequestToken idempotency for ten minutes
on fogbank's clock.

https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from fogbank import clock, state
from fogbank.context import RequestContext
from fogbank.errors import AwsError
from fogbank.services.dynamodb import capacity, clauses, items
from fogbank.services.dynamodb.catalog import Catalog
from fogbank.services.dynamodb.conditions import project
from fogbank.services.dynamodb.errors import (
    ConditionalCheckFailedException,
    IdempotentParameterMismatchException,
    TransactionCanceledException,
    ValidationException,
)
from fogbank.services.dynamodb.storage import SIZE, entry_item
from fogbank.services.dynamodb.tables import Table

TOKEN_LIFETIME = 600.0
_MULTIPLE = "Transaction request cannot include multiple operations on one item"
_KINDS = ("ConditionCheck", "Put", "Delete", "Update")


class TokenCache:
    """ClientRequestToken → (request fingerprint, result, expiry) for ten minutes."""

    def __init__(self) -> None:
        self._tokens: dict[tuple[str, str, str], tuple[bytes, dict[str, Any], float]] = {}

    def find(self, ctx: RequestContext, token: str, fingerprint: bytes) -> dict[str, Any] | None:
        now = clock.now()
        for key in [k for k, (_, _, expiry) in self._tokens.items() if expiry <= now]:
            del self._tokens[key]
        found = self._tokens.get((ctx.account, ctx.region, token))
        if found is None:
            return None
        if found[0] != fingerprint:
            raise IdempotentParameterMismatchException(
                "Specified idempotent token was used with different request parameters within the last 10 minutes"
            )
        return found[1]

    def remember(self, ctx: RequestContext, token: str, fingerprint: bytes, result: dict[str, Any]) -> None:
        self._tokens[(ctx.account, ctx.region, token)] = (fingerprint, result, clock.now() + TOKEN_LIFETIME)


@dataclass(slots=True)
class Operation:
    kind: str
    spec: dict[str, Any]
    table: Table
    key: tuple[Any, Any]
    clauses: clauses.Clauses


def _operation(catalog: Catalog, ctx: RequestContext, entry: dict[str, Any]) -> Operation:
    present = [kind for kind in _KINDS if entry.get(kind) is not None]
    if len(present) != 1:
        raise ValidationException("TransactItems can only contain one of Check, Put, Update or Delete")
    kind = present[0]
    spec = entry[kind]
    wanted = {
        "ConditionCheck": ("ConditionExpression",),
        "Put": ("ConditionExpression",),
        "Delete": ("ConditionExpression",),
        "Update": ("UpdateExpression", "ConditionExpression"),
    }[kind]
    found = clauses.read(spec, wanted)
    table = catalog.get(ctx.account, ctx.region, spec["TableName"])
    if kind == "Put":
        items.check_new_item(table, spec["Item"])
        key = table.store.key_of(spec["Item"])
    else:
        key = items.check_key(table, spec["Key"])
    if kind == "ConditionCheck" and found.condition is None:
        raise ValidationException(
            "The ConditionExpression parameter is required for a ConditionCheck"
        )  # model: required
    return Operation(kind, spec, table, key, found)


def write(
    catalog: Catalog, tokens: TokenCache, ctx: RequestContext, request: dict[str, Any]
) -> dict[str, Any]:
    token = request.get("ClientRequestToken")
    fingerprint = orjson.dumps(request, option=orjson.OPT_SORT_KEYS)
    if token:
        earlier = tokens.find(ctx, token, fingerprint)
        if earlier is not None:
            return earlier
    operations = [_operation(catalog, ctx, entry) for entry in request["TransactItems"]]
    seen = set()
    for operation in operations:
        ident = (id(operation.table), operation.key)
        if ident in seen:
            raise ValidationException(_MULTIPLE)
        seen.add(ident)
    changes = _run(operations)
    result = _write_result(operations, changes, request)
    if token:
        tokens.remember(ctx, token, fingerprint, result)
    return result


def _run(operations: list[Operation]) -> list[items.Change | None]:
    """Apply every operation inside one atomic block; any failure cancels them all."""
    writes = [functools.partial(_apply, operation) for operation in operations]
    return run_all_or_nothing(writes, (ConditionalCheckFailedException, ValidationException), _reason)


def _reason(problem: AwsError) -> dict[str, Any]:
    if isinstance(problem, ValidationException):
        return {"Code": "ValidationError", "Message": problem.message}
    return {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}


def run_all_or_nothing(
    writes: Sequence[Callable[[], items.Change | None]],
    cancelling: tuple[type[AwsError], ...],
    reason: Callable[[AwsError], dict[str, Any]],
) -> list[items.Change | None]:
    """Run the writes inside one atomic block. One failing with an error in `cancelling` rolls them
    all back (the others still run, to give every item its reason) and raises
    TransactionCanceledException with a reason per item, in order ("None" for those that passed);
    the failing item itself comes back when the error carries it (ReturnValuesOnConditionCheckFailure)."""
    reasons: list[dict[str, Any]] = []
    changes: list[items.Change | None] = []
    failed = False
    try:
        with state.atomic():
            for write in writes:
                try:
                    changes.append(write())
                    reasons.append({"Code": "None"})
                except cancelling as problem:
                    failed = True
                    found = reason(problem)
                    if "Item" in problem.fields:
                        found["Item"] = problem.fields["Item"]
                    reasons.append(found)
            if failed:
                raise _Cancelled()
    except _Cancelled:
        codes = ", ".join(found["Code"] for found in reasons)
        raise TransactionCanceledException(
            f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]",
            CancellationReasons=reasons,
        ) from None
    return changes


class _Cancelled(Exception):
    """Rolls the atomic block back; turned into TransactionCanceledException outside it."""


def _apply(operation: Operation) -> items.Change | None:
    table, spec = operation.table, operation.spec
    if operation.kind == "ConditionCheck":
        entry = table.store.get(operation.key)
        items.check_condition(operation.clauses, entry_item(entry) if entry else None, spec)
        return None
    if operation.kind == "Put":
        return items.put(table, spec, operation.clauses)
    if operation.kind == "Delete":
        return items.delete(table, spec, operation.clauses)
    return items.update(table, spec, operation.clauses)


def _write_result(
    operations: list[Operation], changes: list[items.Change | None], request: dict[str, Any]
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    mode = request.get("ReturnConsumedCapacity")
    if mode in ("TOTAL", "INDEXES"):
        spent: dict[str, tuple[Table, float]] = {}
        for operation, change in zip(operations, changes, strict=True):
            # Transactions cost two units per KB (prepare and commit).
            units = 2 * capacity.write_units(
                change.old_size if change else 0, change.new_size if change else 0
            )
            table, total = spent.get(operation.table.name, (operation.table, 0.0))
            spent[operation.table.name] = (table, total + units)
        result["ConsumedCapacity"] = [capacity.consumed(t, mode, u, kind="write") for t, u in spent.values()]
    metrics: dict[str, list[Any]] = {}
    for operation, change in zip(operations, changes, strict=True):
        item = (change.new or change.old) if change else None
        metric = capacity.item_collection_metrics(
            operation.table, item, request.get("ReturnItemCollectionMetrics")
        )
        if metric:
            metrics.setdefault(operation.table.name, []).append(metric)
    if metrics:
        result["ItemCollectionMetrics"] = metrics
    return result


def get(catalog: Catalog, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    reads = []
    seen = set()
    for entry in request["TransactItems"]:
        spec = entry["Get"]
        found = clauses.read(spec, ("ProjectionExpression",))
        table = catalog.get(ctx.account, ctx.region, spec["TableName"])
        key = items.check_key(table, spec["Key"])
        if (id(table), key) in seen:
            raise ValidationException(_MULTIPLE)
        seen.add((id(table), key))
        reads.append((table, key, found))
    responses = []
    spent: dict[str, tuple[Table, float]] = {}
    for table, key, found in reads:
        entry = table.store.get(key)
        response: dict[str, Any] = {}
        if entry is not None:
            response["Item"] = (
                entry_item(entry)
                if found.projection is None
                else project(entry_item(entry), found.projection)
            )
        responses.append(response)
        units = 2 * capacity.read_units(entry[SIZE] if entry else 0, True)
        known, total = spent.get(table.name, (table, 0.0))
        spent[table.name] = (known, total + units)
    result: dict[str, Any] = {"Responses": responses}
    mode = request.get("ReturnConsumedCapacity")
    if mode in ("TOTAL", "INDEXES"):
        result["ConsumedCapacity"] = [capacity.consumed(t, mode, u, kind="read") for t, u in spent.values()]
    return result
