"""The legacy (pre-expression) parameters, translated into expression ASTs: Expected,
KeyConditions, QueryFilter and ScanFilter with ConditionalOperator, AttributesToGet; and
AttributeUpdates applied directly.

https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LegacyConditionalParameters.html
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fogbank.services.dynamodb import values as av
from fogbank.services.dynamodb.errors import ValidationException
from fogbank.services.dynamodb.expressions import And, Between, Call, Compare, In, Not, Or, Path, ValueRef
from fogbank.services.dynamodb.values import Item

_COMPARE = {"EQ": "=", "NE": "<>", "LE": "<=", "LT": "<", "GE": ">=", "GT": ">"}
_ARITY = {"NULL": 0, "NOT_NULL": 0, "IN": None, "BETWEEN": 2}


class Placeholders:
    """Synthetic `#legacyN` / `:legacyN` placeholders for names and values of legacy conditions."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}

    def path(self, name: str) -> Path:
        key = f"#legacy{len(self.names)}"
        self.names[key] = name
        return Path((key,))

    def value(self, value: Any) -> ValueRef:
        av.check_value(value)
        key = f":legacy{len(self.values)}"
        self.values[key] = value
        return ValueRef(key)


def conditions(spec: dict[str, Any], operator: str | None, holders: Placeholders, parameter: str) -> Any:
    """Expected/QueryFilter/ScanFilter/KeyConditions as one condition AST."""
    parts = [_condition(name, entry, holders, parameter) for name, entry in spec.items()]
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined = Or(combined, part) if operator == "OR" else And(combined, part)
    return combined


def _condition(name: str, entry: dict[str, Any], holders: Placeholders, parameter: str) -> Any:
    operator = entry.get("ComparisonOperator")
    values = entry.get("AttributeValueList")
    if operator is None:  # Expected's short form: Value and/or Exists
        exists = entry.get("Exists", True)
        if "Value" in entry:
            if not exists:
                raise ValidationException(
                    "One or more parameter values were invalid: Value cannot be used when Exists is false for Attribute: "
                    + name
                )
            return Compare("=", holders.path(name), holders.value(entry["Value"]))
        if exists:
            raise ValidationException(
                "One or more parameter values were invalid: Value must be provided when Exists is true for Attribute: "
                + name
            )
        return Call("attribute_not_exists", (holders.path(name),))
    if "Value" in entry and values is None:
        values = [entry["Value"]]
    values = values or []
    _check_count(operator, values, parameter)
    path = holders.path(name)
    refs = [holders.value(value) for value in values]
    if operator in _COMPARE:
        return Compare(_COMPARE[operator], path, refs[0])
    if operator == "NULL":
        return Call("attribute_not_exists", (path,))
    if operator == "NOT_NULL":
        return Call("attribute_exists", (path,))
    if operator == "CONTAINS":
        return Call("contains", (path, refs[0]))
    if operator == "NOT_CONTAINS":
        return Not(Call("contains", (path, refs[0])))
    if operator == "BEGINS_WITH":
        return Call("begins_with", (path, refs[0]))
    if operator == "IN":
        return In(path, tuple(refs))
    return Between(path, refs[0], refs[1])


def _check_count(operator: str, values: list[Any], parameter: str) -> None:
    wanted = _ARITY.get(operator, 1)
    if wanted is None:
        if not values:
            raise ValidationException(
                f"One or more parameter values were invalid: Invalid number of argument(s) for the {operator} ComparisonOperator"
            )
        return
    if len(values) != wanted:
        raise ValidationException(
            f"One or more parameter values were invalid: Invalid number of argument(s) for the {operator} ComparisonOperator"
        )


def apply_attribute_updates(item: Item, updates: dict[str, Any], key_names: tuple[str, ...]) -> Item:
    """AttributeUpdates (PUT, DELETE, ADD per attribute) applied to a copy of `item`."""
    new = dict(item)
    for name, update in updates.items():
        if name in key_names:
            raise ValidationException(
                f"One or more parameter values were invalid: Cannot update attribute {name}. This attribute is part of the key"
            )
        action = update.get("Action", "PUT")
        value = update.get("Value")
        if value is not None:
            av.check_value(value)
        if action == "PUT":
            if value is None:
                raise ValidationException(
                    "One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified"
                )
            new[name] = value
        elif action == "DELETE":
            _legacy_delete(new, name, value)
        else:
            _legacy_add(new, name, value)
    return new


def _legacy_delete(new: Item, name: str, value: Any) -> None:
    if value is None:
        new.pop(name, None)
        return
    kind = av.kind_of(value)
    current = new.get(name)
    if kind not in ("SS", "NS", "BS"):
        raise ValidationException(
            "One or more parameter values were invalid: DELETE action with value is not supported for the type "
            + kind
        )
    if current is None:
        return
    if av.kind_of(current) != kind:
        raise ValidationException("Type mismatch for attribute to update")
    removed = {av.scalar({kind[0]: element}) for element in value[kind]}
    kept = [element for element in current[kind] if av.scalar({kind[0]: element}) not in removed]
    if kept:
        new[name] = {kind: kept}
    else:
        del new[name]


def _legacy_add(new: Item, name: str, value: Any) -> None:
    if value is None:
        raise ValidationException("One or more parameter values were invalid: ADD action requires a value")
    kind = av.kind_of(value)
    current = new.get(name)
    if kind not in ("N", "SS", "NS", "BS", "L"):
        raise ValidationException(
            "One or more parameter values were invalid: ADD action is not supported for the type " + kind
        )
    if current is None:
        new[name] = value
        return
    if av.kind_of(current) != kind:
        raise ValidationException("Type mismatch for attribute to update")
    if kind == "N":
        total = av.NUMBERS.add(Decimal(current["N"]), Decimal(value["N"]))
        new[name] = {"N": av.format_number(av.checked(total))}
    elif kind == "L":
        new[name] = {"L": current["L"] + value["L"]}
    else:
        present = {av.scalar({kind[0]: element}) for element in current[kind]}
        merged = list(current[kind]) + [e for e in value[kind] if av.scalar({kind[0]: e}) not in present]
        new[name] = {kind: merged}
