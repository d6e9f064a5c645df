"""The expression parameters of one request, read once: parsed (cached) expressions or their
legacy equivalents, the placeholders' scope, and AWS's checks of how they are combined.

https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.html
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from fogbank.services.dynamodb import legacy
from fogbank.services.dynamodb.conditions import (
    Scope,
    check_attribute_names,
    check_attribute_values,
    check_placeholders,
    path_tree,
)
from fogbank.services.dynamodb.errors import ValidationException
from fogbank.services.dynamodb.expressions import Action, Parsed, parse

# Expression parameter → the legacy parameter it replaces.
_LEGACY = {
    "ConditionExpression": "Expected",
    "FilterExpression": "QueryFilter",
    "KeyConditionExpression": "KeyConditions",
    "ProjectionExpression": "AttributesToGet",
    "UpdateExpression": "AttributeUpdates",
}


@dataclass(slots=True)
class Clauses:
    scope: Scope
    condition: Any = None
    filter: Any = None
    key_condition: Any = None
    projection: dict[Any, Any] | None = None
    update: tuple[Action, ...] | None = None
    attribute_updates: dict[str, Any] | None = None


def read(request: dict[str, Any], kinds: tuple[str, ...], filter_legacy: str = "QueryFilter") -> Clauses:
    """The clauses of `request` among `kinds` (e.g. ("ConditionExpression", "UpdateExpression"))."""
    if request.keys().isdisjoint(_parameters(kinds, filter_legacy)):
        # No expression parameter at all (most PutItem and GetItem calls): nothing to read.
        return Clauses(Scope(None, None))
    legacy_names = {kind: (filter_legacy if kind == "FilterExpression" else _LEGACY[kind]) for kind in kinds}
    expressions = [kind for kind in kinds if request.get(kind) is not None]
    legacies = [legacy_names[kind] for kind in kinds if request.get(legacy_names[kind]) is not None]
    if expressions and legacies:
        raise ValidationException(
            "Can not use both expression and non-expression parameters in the same request: "
            f"Non-expression parameters: {{{', '.join(legacies)}}} Expression parameters: {{{', '.join(expressions)}}}"
        )
    names = request.get("ExpressionAttributeNames")
    values = request.get("ExpressionAttributeValues")
    if not expressions:
        if names is not None:
            raise ValidationException("ExpressionAttributeNames can only be specified when using expressions")
        if values is not None:
            raise ValidationException(
                "ExpressionAttributeValues can only be specified when using expressions"
            )
        return _read_legacy(request, kinds, legacy_names)
    check_attribute_names(names)
    check_attribute_values(values)
    parsed: list[tuple[str, Parsed]] = [(kind, parse(request[kind], kind)) for kind in expressions]
    check_placeholders(parsed, names, values)
    clauses = Clauses(Scope(names, values))
    for kind, found in parsed:
        if kind == "ConditionExpression":
            clauses.condition = found.root
        elif kind == "FilterExpression":
            clauses.filter = found.root
        elif kind == "KeyConditionExpression":
            clauses.key_condition = found.root
        elif kind == "UpdateExpression":
            clauses.update = found.root  # type: ignore[assignment]
        else:
            clauses.scope.kind = kind
            clauses.projection = path_tree((clauses.scope.resolve(p) for p in found.root), clauses.scope)  # type: ignore[attr-defined]
    return clauses


@functools.cache
def _parameters(kinds: tuple[str, ...], filter_legacy: str) -> frozenset[str]:
    """Every request member that `read` looks at for these kinds."""
    legacies = {filter_legacy if kind == "FilterExpression" else _LEGACY[kind] for kind in kinds}
    return frozenset(
        {*kinds, *legacies, "ExpressionAttributeNames", "ExpressionAttributeValues", "ConditionalOperator"}
    )


def _read_legacy(request: dict[str, Any], kinds: tuple[str, ...], legacy_names: dict[str, str]) -> Clauses:
    holders = legacy.Placeholders()
    clauses = Clauses(Scope(holders.names, holders.values))
    operator = request.get("ConditionalOperator")
    used_operator = False
    for kind in kinds:
        spec = request.get(legacy_names[kind])
        if spec is None:
            continue
        if kind == "ConditionExpression":
            clauses.condition = legacy.conditions(spec, operator, holders, "Expected")
            used_operator = True
        elif kind == "FilterExpression":
            clauses.filter = legacy.conditions(spec, operator, holders, legacy_names[kind])
            used_operator = True
        elif kind == "KeyConditionExpression":
            clauses.key_condition = legacy.conditions(spec, "AND", holders, "KeyConditions")
        elif kind == "ProjectionExpression":
            clauses.projection = {name: None for name in spec}
        else:
            clauses.attribute_updates = spec
    if operator is not None and not used_operator:
        raise ValidationException(
            "ConditionalOperator can only be used when Filter or Expected conditions are specified"
        )
    return clauses
