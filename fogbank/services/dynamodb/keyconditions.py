"""KeyConditionExpression (and legacy KeyConditions) analysis: the partition key equality and the
optional sort key condition (=, <, <=, >, >=, BETWEEN, begins_with) a Query reads by.

https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.KeyConditionExpressions.html
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fogbank.services.dynamodb import values as av
from fogbank.services.dynamodb.conditions import Scope, operand_value
from fogbank.services.dynamodb.errors import ValidationException, invalid
from fogbank.services.dynamodb.expressions import And, Between, Call, Compare, Path, ValueRef
from fogbank.services.dynamodb.storage import KeySpec, python_key
from fogbank.services.dynamodb.values import Value


@dataclass(slots=True)
class SortCondition:
    op: str  # = < <= > >= BETWEEN begins_with
    values: tuple[Any, ...]  # Python key values (begins_with: the raw prefix str/bytes)


@dataclass(slots=True)
class KeyCondition:
    hash_value: Any
    hash_item: Value
    sort: SortCondition | None


def _error(detail: str) -> ValidationException:
    return ValidationException(f"Invalid KeyConditionExpression: {detail}")


def _flatten(node: Any) -> list[Any]:
    if isinstance(node, And):
        return _flatten(node.left) + _flatten(node.right)
    if isinstance(node, Compare | Between) or (isinstance(node, Call) and node.name == "begins_with"):
        return [node]
    operator = {"Or": "OR", "Not": "NOT", "In": "IN"}.get(type(node).__name__)
    if operator is None and isinstance(node, Call):
        operator = node.name
    # AWS words this one without the "Invalid KeyConditionExpression: " prefix.
    raise ValidationException(f"Invalid operator used in KeyConditionExpression: {operator}")


def _attribute(node: Any, scope: Scope) -> tuple[str, list[Any]]:
    """The key attribute a condition names and its value operands."""
    if isinstance(node, Compare):
        left, right = node.left, node.right
        if isinstance(right, Path) and not isinstance(left, Path):
            left, right = right, left
        operands = [left, right]
    elif isinstance(node, Between):
        operands = [node.operand, node.low, node.high]
    else:
        operands = list(node.args)
    path, rest = operands[0], operands[1:]
    if not isinstance(path, Path) or any(isinstance(o, Path) for o in rest):
        raise _error(
            "Invalid condition in KeyConditionExpression: multiple attribute names used in one condition"
        )
    if len(path.elements) != 1:
        raise _error(
            "Nested attributes are not supported in KeyConditionExpression"
        )  # key attributes are top-level
    return scope.resolve(path)[0], rest  # type: ignore[return-value]


def analyse(root: Any, scope: Scope, key: KeySpec) -> KeyCondition:
    scope.kind = "KeyConditionExpression"
    conditions = _flatten(root)
    if len(conditions) > 2:
        raise _error("Conditions can be of length 1 or 2 only")
    by_name: dict[str, tuple[Any, list[Any]]] = {}
    for node in conditions:
        name, operands = _attribute(node, scope)
        if name in by_name:
            raise _error("KeyConditionExpressions must only contain one condition per key")
        by_name[name] = (node, operands)
    if key.hash_name not in by_name:
        raise ValidationException(f"Query condition missed key schema element: {key.hash_name}")
    extra = [name for name in by_name if name not in key.names]
    if extra:
        raise ValidationException(
            f"Query condition missed key schema element: {key.range_name or key.hash_name}"
        )
    node, operands = by_name[key.hash_name]
    if not isinstance(node, Compare) or node.op != "=":
        raise ValidationException("Query key condition not supported")
    hash_item = _typed(operand_value(operands[0], {}, scope), key.hash_type)
    sort = None
    if key.range_name in by_name:
        sort = _sort(*by_name[key.range_name], scope, key.range_type)  # type: ignore[arg-type]
    return KeyCondition(python_key(hash_item, key.hash_type), hash_item, sort)


def _typed(value: Value | None, kind: str) -> Value:
    if value is None or kind not in value:
        raise invalid("Condition parameter type does not match schema type")
    return value


def _sort(node: Any, operands: list[Any], scope: Scope, kind: str) -> SortCondition:
    values = [_typed(operand_value(o, {}, scope), kind) for o in operands]
    if isinstance(node, Compare):
        if node.op == "<>":
            raise ValidationException("Invalid operator used in KeyConditionExpression: <>")
        op = node.op
        if isinstance(node.left, ValueRef):  # `:v < sk` means `sk > :v`
            op = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}.get(op, op)
        return SortCondition(op, (python_key(values[0], kind),))
    if isinstance(node, Between):
        low, high = (python_key(v, kind) for v in values)
        if low > high:
            raise _error(
                "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
                f"lower bound operand: AttributeValue: {av.describe(values[0])}, "
                f"upper bound operand: AttributeValue: {av.describe(values[1])}"
            )
        return SortCondition("BETWEEN", (low, high))
    if kind == "N":
        raise _error(
            "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"
        )
    return SortCondition("begins_with", (python_key(values[0], kind),))
