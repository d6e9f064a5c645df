"""PartiQL execution: ExecuteStatement, BatchExecuteStatement and ExecuteTransaction over the
same item store, conditions and update logic as the expression API.

A SELECT whose WHERE fixes the partition key (in a top-level AND) reads that partition; any other
SELECT scans. UPDATE and DELETE must name the whole primary key with equalities; the rest of their
WHERE is a condition (UPDATE also requires the item to exist). INSERT fails on an existing key.
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.statements.html
"""

from __future__ import annotations

import functools
from typing import Any

from fogbank.context import RequestContext
from fogbank.errors import AwsError
from fogbank.services import pagination
from fogbank.services.dynamodb import capacity, items, partiql, reads, transactions
from fogbank.services.dynamodb import values as av
from fogbank.services.dynamodb.catalog import Catalog
from fogbank.services.dynamodb.clauses import Clauses
from fogbank.services.dynamodb.conditions import Scope, matches, path_tree, project
from fogbank.services.dynamodb.errors import (
    DuplicateItemException,
    ValidationException,
)
from fogbank.services.dynamodb.expressions import And, Between, Call, Compare, Path, ValueRef
from fogbank.services.dynamodb.keyconditions import KeyCondition, SortCondition
from fogbank.services.dynamodb.storage import HASH_SPACE, KeySpec, entry_item, python_key
from fogbank.services.dynamodb.tables import Table

_CODES = {
    "ConditionalCheckFailedException": "ConditionalCheckFailed",
    "DuplicateItemException": "DuplicateItem",
    "ValidationException": "ValidationError",
    "ResourceNotFoundException": "ResourceNotFound",
    "TransactionConflictException": "TransactionConflict",
}


def _conjuncts(node: Any) -> list[Any]:
    if isinstance(node, And):
        return _conjuncts(node.left) + _conjuncts(node.right)
    return [] if node is None else [node]


def _equalities(statement: partiql.Statement, key: KeySpec) -> tuple[dict[str, Any], Any]:
    """The key equalities of a WHERE clause (name → value) and the rest of it, as one condition."""
    found: dict[str, Any] = {}
    rest: list[Any] = []
    for part in _conjuncts(statement.where):
        if (
            isinstance(part, Compare)
            and part.op == "="
            and isinstance(part.left, Path)
            and len(part.left.elements) == 1
            and isinstance(part.right, ValueRef)
        ):
            name = statement.names[str(part.left.elements[0])]
            if name in key.names and name not in found:
                found[name] = statement.values[part.right.name]
                continue
        rest.append(part)
    condition = None
    for part in rest:
        condition = part if condition is None else And(condition, part)
    return found, condition


def _scope(statement: partiql.Statement) -> Scope:
    return Scope(statement.names, statement.values, "ConditionExpression")


# -- ExecuteStatement -------------------------------------------------------------------------


def execute(catalog: Catalog, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    statement = partiql.parse(request["Statement"], request.get("Parameters"))
    table = catalog.get(ctx.account, ctx.region, statement.table)
    if statement.kind == "SELECT":
        return _select(table, statement, request)
    change = _write(table, statement, request)
    answer: dict[str, Any] = {"Items": []}
    mode = request.get("ReturnConsumedCapacity")
    if mode in ("TOTAL", "INDEXES"):
        units = capacity.write_units(change.old_size, change.new_size) if change else 1.0
        answer["ConsumedCapacity"] = capacity.consumed(table, mode, units, kind="write")
    return answer


def _select(table: Table, statement: partiql.Statement, request: dict[str, Any]) -> dict[str, Any]:
    source = reads.Source(
        table,
        {"IndexName": statement.index, "ConsistentRead": request.get("ConsistentRead")}
        if statement.index
        else {},
    )
    scope = _scope(statement)
    equal, _ = _equalities(statement, source.key)
    paging: dict[str, Any] = {
        "ReturnConsumedCapacity": request.get("ReturnConsumedCapacity"),
        "ConsistentRead": request.get("ConsistentRead"),
    }
    if request.get("Limit"):
        paging["Limit"] = request["Limit"]
    if request.get("NextToken"):
        paging["ExclusiveStartKey"] = _decode_token(request["NextToken"])
    start = source.start_key(paging)
    hash_value = equal.get(source.key.hash_name)
    if hash_value is not None and source.key.hash_type in hash_value:
        sort = _sort_condition(statement, source.key)
        condition = KeyCondition(python_key(hash_value, source.key.hash_type), hash_value, sort)
        found = reads.query_reads(source, condition, start, True)
    else:
        found = reads.scan_reads(source, start, 0, HASH_SPACE)
    projection = None
    if statement.projection:
        projection = path_tree((scope.resolve(path) for path in statement.projection), scope)
    result = reads.page(source, found, paging, Clauses(scope, filter=statement.where, projection=projection))
    answer: dict[str, Any] = {"Items": result["Items"]}
    if "ConsumedCapacity" in result:
        answer["ConsumedCapacity"] = result["ConsumedCapacity"]
    if "LastEvaluatedKey" in result:
        answer["NextToken"] = _encode_token(result["LastEvaluatedKey"])
        answer["LastEvaluatedKey"] = result["LastEvaluatedKey"]
    return answer


def _sort_condition(statement: partiql.Statement, key: KeySpec) -> SortCondition | None:
    """A sort key range from the WHERE clause's top-level AND, so that reads (and Limit) start
    there; the whole WHERE is still applied to every item read."""
    if key.range_name is None or key.range_type is None:
        return None
    kind = key.range_type
    for part in _conjuncts(statement.where):
        operands: tuple[Any, ...] = ()
        if isinstance(part, Compare) and part.op != "<>":
            operands, op = (part.left, part.right), part.op
        elif isinstance(part, Between):
            operands, op = (part.operand, part.low, part.high), "BETWEEN"
        elif isinstance(part, Call) and part.name == "begins_with" and kind != "N":
            operands, op = part.args, "begins_with"
        if not operands or not isinstance(operands[0], Path) or len(operands[0].elements) != 1:
            continue
        if statement.names[str(operands[0].elements[0])] != key.range_name:
            continue
        found = [statement.values[o.name] for o in operands[1:] if isinstance(o, ValueRef)]
        if len(found) == len(operands) - 1 and all(kind in value for value in found):
            return SortCondition(op, tuple(python_key(value, kind) for value in found))
    return None


def _encode_token(key: dict[str, Any]) -> str:
    return pagination.json_token(key)


def _decode_token(token: str) -> dict[str, Any]:
    try:
        key = pagination.read_json_token(token, validate=False)
    except (ValueError, TypeError):
        raise ValidationException("Invalid NextToken") from None
    if not isinstance(key, dict):
        raise ValidationException("Invalid NextToken")
    return key


def _write(table: Table, statement: partiql.Statement, request: dict[str, Any]) -> items.Change | None:
    if statement.kind == "INSERT":
        item = statement.item or {}
        size = items.check_new_item(table, item)
        if table.store.get(table.store.key_of(item)) is not None:
            raise DuplicateItemException("Duplicate primary key exists in table")
        items.write_item(table, None, item, size)
        return items.Change(None, item, 0, size)
    equal, rest = _equalities(statement, table.key)
    if set(equal) != set(table.key.names):
        raise ValidationException("Where clause does not contain a mandatory equality on all key attributes")
    scope = _scope(statement)
    spec = {
        "Key": dict(equal),
        "ReturnValuesOnConditionCheckFailure": request.get("ReturnValuesOnConditionCheckFailure"),
    }
    if statement.kind == "DELETE":
        return items.delete(table, spec, Clauses(scope, condition=rest))
    exists = Call("attribute_exists", (Path((_name_ref(statement, table.key.hash_name),)),))
    condition = exists if rest is None else And(exists, rest)
    return items.update(table, spec, Clauses(scope, condition=condition, update=tuple(statement.actions)))


def _name_ref(statement: partiql.Statement, name: str) -> str:
    key = f"#pq{len(statement.names)}"
    statement.names[key] = name
    return key


# -- BatchExecuteStatement --------------------------------------------------------------------


class Spending:
    """Capacity units per table for the ConsumedCapacity list of batches and transactions."""

    def __init__(self, mode: str | None, factor: float = 1.0) -> None:
        self.mode = mode
        self.factor = factor  # transactions spend twice
        self.tables: dict[str, tuple[Table, float, str]] = {}

    def add(self, table: Table, units: float, kind: str) -> None:
        known = self.tables.get(table.name)
        self.tables[table.name] = (table, (known[1] if known else 0.0) + units * self.factor, kind)

    def result(self) -> list[dict[str, Any]] | None:
        if self.mode not in ("TOTAL", "INDEXES"):
            return None
        return [capacity.consumed(t, self.mode, u, kind=k) or {} for t, u, k in self.tables.values()]


def batch(catalog: Catalog, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    responses = []
    spending = Spending(request.get("ReturnConsumedCapacity"))
    for entry in request["Statements"]:
        response: dict[str, Any] = {}
        try:
            statement = partiql.parse(entry["Statement"], entry.get("Parameters"))
            table = catalog.get(ctx.account, ctx.region, statement.table)
            response["TableName"] = table.name
            if statement.kind == "SELECT":
                item = _get_one(table, statement)
                if item is not None:
                    response["Item"] = item
                spending.add(
                    table,
                    capacity.read_units(av.item_size(item or {}), bool(entry.get("ConsistentRead"))),
                    "read",
                )
            else:
                change = _write(table, statement, entry)
                spending.add(
                    table, capacity.write_units(change.old_size, change.new_size) if change else 1.0, "write"
                )
        except AwsError as problem:
            error: dict[str, Any] = {
                "Code": _CODES.get(problem.code, problem.code),
                "Message": problem.message,
            }
            if "Item" in problem.fields:
                error["Item"] = problem.fields["Item"]
            response["Error"] = error
        responses.append(response)
    spent = spending.result()
    return {"Responses": responses, **({"ConsumedCapacity": spent} if spent is not None else {})}


def _get_one(table: Table, statement: partiql.Statement) -> dict[str, Any] | None:
    """A SELECT that names one whole primary key (batches and transactions only read those)."""
    equal, rest = _equalities(statement, table.key)
    if statement.index or set(equal) != set(table.key.names):
        raise ValidationException(
            "Select statements within BatchExecuteStatement or ExecuteTransaction must specify the full primary key"
        )
    entry = table.store.get(items.check_key(table, equal))
    if entry is None:
        return None
    item = entry_item(entry)
    scope = _scope(statement)
    if rest is not None and not matches(rest, item, scope):
        return None
    if statement.projection:
        item = project(item, path_tree((scope.resolve(p) for p in statement.projection), scope))
    return item


# -- ExecuteTransaction -----------------------------------------------------------------------


def transaction(catalog: Catalog, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    parsed = []
    for entry in request["TransactStatements"]:
        statement = partiql.parse(entry["Statement"], entry.get("Parameters"))
        parsed.append((statement, catalog.get(ctx.account, ctx.region, statement.table), entry))
    kinds = {statement.kind == "SELECT" for statement, _, _ in parsed}
    if len(kinds) > 1:
        raise ValidationException(
            "Transaction must contain either all reads or all writes"
        )  # AWS refuses a mix
    spending = Spending(request.get("ReturnConsumedCapacity"), factor=2.0)
    result: dict[str, Any] = {}
    if kinds == {True}:
        responses = []
        for statement, table, _ in parsed:
            item = _get_one(table, statement)
            responses.append({"Item": item} if item is not None else {})
            spending.add(table, capacity.read_units(av.item_size(item or {}), True), "read")
        result["Responses"] = responses
    else:
        for (_, table, _), change in zip(parsed, _run_writes(parsed), strict=True):
            spending.add(
                table, capacity.write_units(change.old_size, change.new_size) if change else 1.0, "write"
            )
    spent = spending.result()
    if spent is not None:
        result["ConsumedCapacity"] = spent
    return result


def _run_writes(parsed: list[tuple[partiql.Statement, Table, dict[str, Any]]]) -> list[items.Change | None]:
    writes = [functools.partial(_write, table, statement, entry) for statement, table, entry in parsed]
    return transactions.run_all_or_nothing(writes, (AwsError,), _reason)


def _reason(problem: AwsError) -> dict[str, Any]:
    return {"Code": _CODES.get(problem.code, problem.code), "Message": problem.message}
