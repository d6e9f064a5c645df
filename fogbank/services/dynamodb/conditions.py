"""Evaluation of parsed expressions against items: document paths, operands, conditions
(ConditionExpression, FilterExpression) and projections, with ExpressionAttributeNames/Values.

Comparison rules: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html
(values of different types never compare; `<`, `<=`, `>`, `>=` and BETWEEN order S, N and B only).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fogbank.services.dynamodb import values as av
from fogbank.services.dynamodb.errors import ValidationException
from fogbank.services.dynamodb.expressions import (
    And,
    Between,
    Call,
    Compare,
    ExpressionError,
    In,
    Not,
    Or,
    Parsed,
    Path,
    ValueRef,
)
from fogbank.services.dynamodb.values import Item, Value

Resolved = tuple[str | int, ...]
_TYPE_NAMES = ("S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M")


class Scope:
    """The placeholders of one request and the expression kind used in error messages."""

    __slots__ = ("names", "values", "kind")

    def __init__(self, names: dict[str, str] | None, values: dict[str, Value] | None, kind: str = "") -> None:
        self.names = names if names is not None else {}
        self.values = values if values is not None else {}
        self.kind = kind

    def error(self, detail: str) -> ValidationException:
        return ValidationException(f"Invalid {self.kind}: {detail}")

    def name(self, element: str) -> str:
        if element[0] == "#":
            return self.names[element]
        return element

    def resolve(self, path: Path) -> Resolved:
        return tuple(self.name(e) if isinstance(e, str) else e for e in path.elements)


def check_placeholders(used: Iterable[tuple[str, Parsed]], names: Any, values: Any) -> None:
    """AWS's checks of ExpressionAttributeNames/Values against the expressions that use them:
    every placeholder used must be defined, and every one defined must be used."""
    all_names: set[str] = set()
    all_values: set[str] = set()
    for kind, parsed in used:
        for name in sorted(parsed.names):
            if not names or name not in names:
                raise ValidationException(
                    f"Invalid {kind}: An expression attribute name used in the document path is not defined; "
                    f"attribute name: {name}"
                )
        for value in sorted(parsed.values):
            if not values or value not in values:
                raise ValidationException(
                    f"Invalid {kind}: An expression attribute value used in expression is not defined; "
                    f"attribute value: {value}"
                )
        all_names |= parsed.names
        all_values |= parsed.values
    unused_names = [name for name in (names or {}) if name not in all_names]
    if unused_names:
        raise ValidationException(
            f"Value provided in ExpressionAttributeNames unused in expressions: keys: {{{', '.join(unused_names)}}}"
        )
    unused_values = [value for value in (values or {}) if value not in all_values]
    if unused_values:
        raise ValidationException(
            f"Value provided in ExpressionAttributeValues unused in expressions: keys: {{{', '.join(unused_values)}}}"
        )


def check_attribute_values(values: Any) -> None:
    """Each ExpressionAttributeValues entry is a valid attribute value (numbers normalised)."""
    if values is None:
        return
    if not values:
        raise ValidationException("ExpressionAttributeValues must not be empty")
    for key, value in values.items():
        if not key.startswith(":") or len(key) < 2:
            raise ValidationException(
                f'ExpressionAttributeValues contains invalid key: Syntax error; key: "{key}"'
            )
        try:
            av.check_value(value)
        except ValidationException as problem:
            raise ValidationException(
                f"ExpressionAttributeValues contains invalid value: {problem.message} for key {key}"
            ) from None


def check_attribute_names(names: Any) -> None:
    if names is None:
        return
    if not names:
        raise ValidationException("ExpressionAttributeNames must not be empty")
    for key in names:
        if not key.startswith("#") or len(key) < 2:
            raise ValidationException(
                f'ExpressionAttributeNames contains invalid key: Syntax error; key: "{key}"'
            )


# -- document paths -------------------------------------------------------------------------


def lookup(item: Item, path: Resolved) -> Value | None:
    """The value at a resolved path, or None when any step is missing or of another type."""
    value: Any = item.get(path[0])  # type: ignore[arg-type]
    for element in path[1:]:
        if value is None:
            return None
        if isinstance(element, int):
            data = value.get("L")
            value = data[element] if data is not None and element < len(data) else None
        else:
            data = value.get("M")
            value = data.get(element) if data is not None else None
    return value  # type: ignore[no-any-return]


def show_path(path: Resolved) -> str:
    return "[" + ", ".join(f"[{e}]" if isinstance(e, int) else e for e in path) + "]"


def operand_value(operand: Any, item: Item, scope: Scope) -> Value | None:
    if isinstance(operand, Path):
        return lookup(item, scope.resolve(operand))
    if isinstance(operand, ValueRef):
        return scope.values[operand.name]
    if isinstance(operand, Call) and operand.name == "size":
        return _size(operand_value(operand.args[0], item, scope))
    raise scope.error(
        f"The function is not allowed to be used this way in an expression; function: {operand.name}"
    )


def _size(value: Value | None) -> Value | None:
    if value is None:
        return None
    kind, data = next(iter(value.items()))
    if kind == "S":
        return {"N": str(len(data))}
    if kind == "B":
        return {"N": str(len(av.decode_binary(data)))}
    if kind in ("SS", "NS", "BS", "L", "M"):
        return {"N": str(len(data))}
    return None


# -- conditions -----------------------------------------------------------------------------


def matches(condition: Any, item: Item, scope: Scope) -> bool:
    """Whether `item` (empty when absent) satisfies a parsed condition."""
    kind = type(condition)
    if kind is Compare:
        return _compare(condition, item, scope)
    if kind is And:
        return matches(condition.left, item, scope) and matches(condition.right, item, scope)
    if kind is Or:
        return matches(condition.left, item, scope) or matches(condition.right, item, scope)
    if kind is Not:
        return not matches(condition.inner, item, scope)
    if kind is Between:
        return _between(condition, item, scope)
    if kind is In:
        value = operand_value(condition.operand, item, scope)
        return any(av.equal(value, operand_value(choice, item, scope)) for choice in condition.choices)
    return _function(condition, item, scope)


def _compare(condition: Compare, item: Item, scope: Scope) -> bool:
    left = operand_value(condition.left, item, scope)
    right = operand_value(condition.right, item, scope)
    op = condition.op
    if op == "=":
        return av.equal(left, right)
    if op == "<>":
        return not av.equal(left, right)
    result = av.order(left, right)
    if result is None:
        return False
    if op == "<":
        return result < 0
    if op == "<=":
        return result <= 0
    if op == ">":
        return result > 0
    return result >= 0


def _between(condition: Between, item: Item, scope: Scope) -> bool:
    low = operand_value(condition.low, item, scope)
    high = operand_value(condition.high, item, scope)
    bounds = av.order(low, high)
    if (
        bounds is not None
        and bounds > 0
        and isinstance(condition.low, ValueRef)
        and isinstance(condition.high, ValueRef)
    ):
        raise scope.error(
            "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
            f"lower bound operand: AttributeValue: {av.describe(low)}, "  # type: ignore[arg-type]
            f"upper bound operand: AttributeValue: {av.describe(high)}"  # type: ignore[arg-type]
        )
    value = operand_value(condition.operand, item, scope)
    above = av.order(value, low)
    below = av.order(value, high)
    return above is not None and below is not None and above >= 0 and below <= 0


def _function(call: Call, item: Item, scope: Scope) -> bool:
    name = call.name
    target = operand_value(call.args[0], item, scope)
    if name == "attribute_exists":
        return target is not None
    if name == "attribute_not_exists":
        return target is None
    argument = operand_value(call.args[1], item, scope)
    if name == "attribute_type":
        return _attribute_type(target, argument, scope)
    if name == "begins_with":
        return _begins_with(target, argument, scope)
    return _contains(target, argument)


def _attribute_type(target: Value | None, argument: Value | None, scope: Scope) -> bool:
    if argument is None or "S" not in argument:
        kind = av.kind_of(argument) if argument else "NULL"
        raise scope.error(
            f"Incorrect operand type for operator or function; operator or function: attribute_type, operand type: {kind}"
        )
    wanted = argument["S"]
    if wanted not in _TYPE_NAMES:
        raise scope.error(
            f"Invalid attribute type name found; type: {wanted}, valid types: {{B,NULL,SS,BOOL,L,BS,N,NS,S,M}}"
        )
    return target is not None and av.kind_of(target) == wanted


def _begins_with(target: Value | None, prefix: Value | None, scope: Scope) -> bool:
    if prefix is not None and av.kind_of(prefix) not in ("S", "B"):
        raise scope.error(
            "Incorrect operand type for operator or function; operator or function: begins_with, "
            f"operand type: {av.kind_of(prefix)}"
        )
    if target is None or prefix is None or av.kind_of(target) != av.kind_of(prefix):
        return False
    return bool(av.scalar(target).startswith(av.scalar(prefix)))


def _contains(target: Value | None, operand: Value | None) -> bool:
    if target is None or operand is None:
        return False
    kind, data = next(iter(target.items()))
    wanted = av.kind_of(operand)
    if kind == "S":
        return wanted == "S" and operand["S"] in data
    if kind == "B":
        return wanted == "B" and av.scalar(operand) in av.decode_binary(data)
    if kind in ("SS", "NS", "BS"):
        if wanted != kind[0]:
            return False
        return any(av.equal({wanted: element}, operand) for element in data)
    if kind == "L":
        return any(av.equal(element, operand) for element in data)
    return False


# -- projections ------------------------------------------------------------------------------


def path_tree(paths: Iterable[Resolved], scope: Scope) -> dict[Any, Any]:
    """The requested paths as a tree (a leaf is None); AWS refuses overlapping paths."""
    tree: dict[Any, Any] = {}
    seen: list[Resolved] = []
    for path in paths:
        for other in seen:
            _check_overlap(other, path, scope)
        seen.append(path)
        node = tree
        for element in path[:-1]:
            node = node.setdefault(element, {})
        node[path[-1]] = None
    return tree


def _check_overlap(one: Resolved, two: Resolved, scope: Scope) -> None:
    for a, b in zip(one, two, strict=False):
        if a != b:
            if isinstance(a, int) != isinstance(b, int):
                raise scope.error(
                    "Two document paths conflict with each other; must remove or rewrite one of these paths; "
                    f"path one: {show_path(one)}, path two: {show_path(two)}"
                )
            return
    raise scope.error(
        "Two document paths overlap with each other; must remove or rewrite one of these paths; "
        f"path one: {show_path(one)}, path two: {show_path(two)}"
    )


def project(item: Item, tree: dict[Any, Any]) -> Item:
    result: Item = {}
    for name, subtree in tree.items():
        value = item.get(name)
        if value is None:
            continue
        if subtree is None:
            result[name] = value
        else:
            found = _project_value(value, subtree)
            if found is not None:
                result[name] = found
    return result


def _project_value(value: Value, tree: dict[Any, Any]) -> Value | None:
    if "M" in value:
        data = value["M"]
        picked = {}
        for key, subtree in tree.items():
            if isinstance(key, str) and key in data:
                found = data[key] if subtree is None else _project_value(data[key], subtree)
                if found is not None:
                    picked[key] = found
        return {"M": picked} if picked else None
    if "L" in value:
        elements = value["L"]
        chosen = []
        for index in sorted(key for key in tree if isinstance(key, int)):
            if index < len(elements):
                subtree = tree[index]
                found = elements[index] if subtree is None else _project_value(elements[index], subtree)
                if found is not None:
                    chosen.append(found)
        return {"L": chosen} if chosen else None
    return None


def expression_error(kind: str, problem: ExpressionError) -> ValidationException:
    return ValidationException(f"Invalid {kind}: {problem}")
