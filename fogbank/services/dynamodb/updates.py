"""UpdateExpression application: SET (with `+`/`-`, `if_not_exists`, `list_append`), REMOVE
(attributes, map keys, list elements), ADD (numbers and sets) and DELETE (sets).

Every operand reads the item as it was before the update (so `SET a = b, b = a` swaps); the new
item is built copy-on-write, never mutating the stored one.
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fogbank.services.dynamodb import values as av
from fogbank.services.dynamodb.conditions import Resolved, Scope, lookup, operand_value, path_tree
from fogbank.services.dynamodb.errors import ValidationException, invalid
from fogbank.services.dynamodb.expressions import Action, Arithmetic, Call
from fogbank.services.dynamodb.values import Item, Value

_TYPE_WORDS = {
    "S": "STRING",
    "N": "NUMBER",
    "B": "BINARY",
    "SS": "STRING_SET",
    "NS": "NUMBER_SET",
    "BS": "BINARY_SET",
    "M": "MAP",
    "L": "LIST",
    "BOOL": "BOOLEAN",
    "NULL": "NULL",
}
_INVALID_PATH = "The document path provided in the update expression is invalid for update"
_WRONG_TYPE = "An operand in the update expression has an incorrect data type"


def plan(
    actions: tuple[Action, ...], scope: Scope, key_names: tuple[str, ...]
) -> list[tuple[Action, Resolved]]:
    """The actions with resolved paths, after AWS's static checks (overlaps, keys, operand types)."""
    resolved = [(action, scope.resolve(action.path)) for action in actions]
    path_tree((path for _, path in resolved), scope)
    for action, path in resolved:
        if path[0] in key_names:
            raise invalid(f"Cannot update attribute {path[0]}. This attribute is part of the key")
        if action.kind in ("ADD", "DELETE"):
            _check_operand_type(action, scope)
    return resolved


def _check_operand_type(action: Action, scope: Scope) -> None:
    value = operand_value(action.value, {}, scope)
    kind = av.kind_of(value) if value else "NULL"
    allowed = ("N", "SS", "NS", "BS") if action.kind == "ADD" else ("SS", "NS", "BS")
    if kind not in allowed:
        raise scope.error(
            f"Incorrect operand type for operator or function; operator: {action.kind}, operand type: "
            f"{_TYPE_WORDS[kind]}, typeSet: ALLOWED_FOR_{action.kind}_OPERAND"
        )


def apply(item: Item, actions: list[tuple[Action, Resolved]], scope: Scope) -> Item:
    """The item after the actions (`item` is the old item, `{}` when there was none)."""
    new: Item = dict(item)
    copied: set[int] = set()
    computed = [
        (action, path, _set_value(action.value, item, scope) if action.kind == "SET" else None)
        for action, path in actions
    ]
    removals: list[Resolved] = []
    for action, path, value in computed:
        if action.kind == "SET":
            _assign(new, path, value, copied)  # type: ignore[arg-type]
        elif action.kind == "REMOVE":
            removals.append(path)
        elif action.kind == "ADD":
            _add(new, path, scope.values[action.value.name], copied)  # type: ignore[union-attr]
        else:
            _delete(new, path, scope.values[action.value.name], copied)  # type: ignore[union-attr]
    # List elements go from the highest index down: indexes name the elements before the update.
    for path in sorted(removals, key=lambda p: p[-1] if isinstance(p[-1], int) else -1, reverse=True):
        _remove(new, path, copied)
    return new


def _set_value(operand: Any, item: Item, scope: Scope) -> Value:
    if isinstance(operand, Arithmetic):
        left = _required(operand.left, item, scope)
        right = _required(operand.right, item, scope)
        if "N" not in left or "N" not in right:
            raise ValidationException(_WRONG_TYPE)
        a, b = Decimal(left["N"]), Decimal(right["N"])
        total = av.NUMBERS.add(a, b) if operand.op == "+" else av.NUMBERS.subtract(a, b)
        return {"N": av.format_number(av.checked(total))}
    return _required(operand, item, scope)


def _required(operand: Any, item: Item, scope: Scope) -> Value:
    if isinstance(operand, Call):
        if operand.name == "if_not_exists":
            found = operand_value(operand.args[0], item, scope)
            return found if found is not None else _required(operand.args[1], item, scope)
        first = _required(operand.args[0], item, scope)
        second = _required(operand.args[1], item, scope)
        if "L" not in first or "L" not in second:
            raise ValidationException(_WRONG_TYPE)
        return {"L": first["L"] + second["L"]}
    value = operand_value(operand, item, scope)
    if value is None:
        raise ValidationException(
            "The provided expression refers to an attribute that does not exist in the item"
        )
    return value


def _writable(container: Any, copied: set[int]) -> Any:
    """A private copy of a map's or list's data (copied once per update)."""
    if id(container) in copied:
        return container
    fresh = dict(container) if isinstance(container, dict) else list(container)
    copied.add(id(fresh))
    return fresh


def _parent(new: Item, path: Resolved, copied: set[int]) -> Any:
    """The writable data (dict or list) holding the last element of `path`, or None."""
    data: Any = new
    for element in path[:-1]:
        if isinstance(element, int):
            value = data[element] if isinstance(data, list) and element < len(data) else None
        else:
            value = data.get(element) if isinstance(data, dict) else None
        if value is None:
            return None
        inner = value.get("M") if "M" in value else value.get("L")
        if inner is None:
            return None
        fresh = _writable(inner, copied)
        replacement = {"M": fresh} if "M" in value else {"L": fresh}
        data[element] = replacement
        data = fresh
    return data


def _assign(new: Item, path: Resolved, value: Value, copied: set[int]) -> None:
    data = _parent(new, path, copied)
    last = path[-1]
    if isinstance(last, int):
        if not isinstance(data, list):
            raise ValidationException(_INVALID_PATH)
        if last >= len(data):
            data.append(value)
        else:
            data[last] = value
    else:
        if not isinstance(data, dict):
            raise ValidationException(_INVALID_PATH)
        data[last] = value


def _remove(new: Item, path: Resolved, copied: set[int]) -> None:
    data = _parent(new, path, copied)
    last = path[-1]
    if isinstance(last, int):
        if isinstance(data, list) and last < len(data):
            del data[last]
    elif isinstance(data, dict):
        data.pop(last, None)


def _add(new: Item, path: Resolved, operand: Value, copied: set[int]) -> None:
    current = lookup(new, path)
    kind = av.kind_of(operand)
    if current is None:
        _assign(new, path, operand, copied)
        return
    if av.kind_of(current) != kind:
        raise ValidationException(_WRONG_TYPE)
    if kind == "N":
        total = av.NUMBERS.add(Decimal(current["N"]), Decimal(operand["N"]))
        _assign(new, path, {"N": av.format_number(av.checked(total))}, copied)
        return
    elements = list(current[kind])
    present = av_set(current)
    for element in operand[kind]:
        token = _member(kind, element)
        if token not in present:
            present.add(token)
            elements.append(element)
    _assign(new, path, {kind: elements}, copied)


def _delete(new: Item, path: Resolved, operand: Value, copied: set[int]) -> None:
    current = lookup(new, path)
    if current is None:
        return
    kind = av.kind_of(operand)
    if av.kind_of(current) != kind:
        raise ValidationException(_WRONG_TYPE)
    removed = {_member(kind, element) for element in operand[kind]}
    kept = [element for element in current[kind] if _member(kind, element) not in removed]
    if kept:
        _assign(new, path, {kind: kept}, copied)
    else:
        _remove(new, path, copied)


def _member(kind: str, element: str) -> Any:
    if kind == "NS":
        return Decimal(element)
    if kind == "BS":
        return av.decode_binary(element)
    return element


def av_set(value: Value) -> set[Any]:
    kind, data = next(iter(value.items()))
    return {_member(kind, element) for element in data}
