"""Subscription filter policies: validation (with AWS's error texts), compilation and matching.

Standalone on purpose: it knows nothing of topics or subscriptions, so that EventBridge event
patterns, Pipes and Lambda event filters can grow from it. A policy is validated once, compiled into
`Policy` (an OR of branches, each an AND of key paths with their rules) and matched many times.

Semantics follow https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html:
exact strings, numbers, booleans and null; `prefix`, `suffix`, `equals-ignore-case`,
`anything-but` (values, `prefix`, `suffix`), `numeric` ranges, `exists`, `cidr`, `$or`; nested
keys for the message-body scope; arrays in the message match when any element matches.
Limits: https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html
"""

from __future__ import annotations

import ipaddress
import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

Scope = Literal["MessageAttributes", "MessageBody"]
MAX_KEYS = 5
MAX_COMBINATIONS = 150
NUMERIC_OPERATORS = ("<", "<=", "=", ">", ">=")
_MISSING = object()


class FilterPolicyError(ValueError):
    """An invalid policy. `str(error)` is AWS's text after the `Invalid parameter: ` prefix."""


# -- validation ---------------------------------------------------------------------------------


def parse(document: str) -> dict[str, Any]:
    """Parse the JSON text of a policy (SNS takes policies as strings)."""
    try:
        policy = json.loads(document)
    except ValueError:
        raise FilterPolicyError("FilterPolicy: failed to parse JSON.") from None
    if not isinstance(policy, dict):
        raise FilterPolicyError("FilterPolicy: Filter policy must be a JSON object")
    return policy


def validate(policy: dict[str, Any], scope: Scope = "MessageAttributes") -> None:
    """Raise `FilterPolicyError` with AWS's message when the policy is not acceptable."""
    if len(policy) > MAX_KEYS:
        raise FilterPolicyError(f"FilterPolicy: Filter policy can not have more than {MAX_KEYS} keys")
    rules, combinations = _walk(policy, scope, depth=1, combinations=1)
    if combinations > MAX_COMBINATIONS:
        raise FilterPolicyError("FilterPolicy: Filter policy is too complex")
    for rule in rules:
        _validate_rule(rule)


def _walk(node: dict[str, Any], scope: Scope, depth: int, combinations: int) -> tuple[list[Any], int]:
    """Collect every rule of the policy and count its combinations as AWS does: the product of
    the array sizes, each weighted by its nesting depth; `$or` alternatives add up."""
    rules: list[Any] = []
    for key, value in node.items():
        if key == "$or" and isinstance(value, list):
            if len(value) < 2 or not all(isinstance(item, dict) for item in value):
                raise FilterPolicyError("FilterPolicy: $or must contain at least two objects")
            total = 0
            for alternative in value:
                found, count = _walk(alternative, scope, depth, combinations)
                rules.extend(found)
                total += count
            combinations = total
        elif isinstance(value, dict):
            if scope == "MessageAttributes":
                raise FilterPolicyError(
                    "Filter policy scope MessageAttributes does not support nested filter policy"
                )
            found, combinations = _walk(value, scope, depth + 1, combinations)
            rules.extend(found)
        elif isinstance(value, list):
            if not value:
                raise FilterPolicyError("FilterPolicy: Empty arrays are not allowed")
            rules.extend(value)
            combinations *= len(value) * depth
        else:
            raise FilterPolicyError(f'FilterPolicy: "{key}" must be an object or an array')
    return rules, combinations


def _validate_rule(rule: Any) -> None:
    if rule is None or isinstance(rule, str | bool | int | float):
        return
    if not isinstance(rule, dict):
        raise FilterPolicyError("FilterPolicy: Match value must be String, number, true, false, or null")
    if len(rule) != 1:
        raise FilterPolicyError("FilterPolicy: Only one key allowed in match expression")
    operator, value = next(iter(rule.items()))
    check = _OPERATOR_CHECKS.get(operator)
    if check is None:
        raise FilterPolicyError(f"FilterPolicy: Unrecognized match type {operator}")
    check(operator, value)


def _check_string_operand(operator: str, value: Any) -> None:
    if not isinstance(value, str):
        raise FilterPolicyError(f"FilterPolicy: {operator} match pattern must be a string")


def _check_exists(operator: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise FilterPolicyError("FilterPolicy: exists match pattern must be either true or false.")


def _check_anything_but(operator: str, value: Any) -> None:
    if isinstance(value, dict):
        if len(value) != 1 or next(iter(value)) not in ("prefix", "suffix"):
            inner = next(iter(value), "")
            raise FilterPolicyError(f"FilterPolicy: Unsupported anything-but pattern: {inner}")
        inner_operator, operand = next(iter(value.items()))
        _check_string_operand(inner_operator, operand)
        return
    values = value if isinstance(value, list) else [value]
    if isinstance(value, list) and not value:
        raise FilterPolicyError("FilterPolicy: Empty arrays are not allowed")
    for item in values:
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            raise FilterPolicyError(
                "FilterPolicy: Inside anything but list, start|null|boolean is not supported."
            )


def _check_cidr(operator: str, value: Any) -> None:
    if not isinstance(value, str):
        raise FilterPolicyError("FilterPolicy: prefix match pattern must be a string")
    address, slash, mask = value.partition("/")
    if not slash or "/" in mask:
        raise FilterPolicyError("FilterPolicy: Malformed CIDR, one '/' required")
    if not mask.isdigit():
        raise FilterPolicyError("FilterPolicy: Malformed CIDR, mask bits must be an integer")
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise FilterPolicyError(f"FilterPolicy: Nonstandard IP address: {address}") from None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_numeric(operator: str, value: Any) -> None:
    if not isinstance(value, list) or not value:
        raise FilterPolicyError("FilterPolicy: Invalid member in numeric match: ]")
    first = value[0]
    if not isinstance(first, str):
        raise FilterPolicyError(f"FilterPolicy: Invalid member in numeric match: {first}")
    if first not in NUMERIC_OPERATORS:
        raise FilterPolicyError(f"FilterPolicy: Unrecognized numeric range operator: {first}")
    if len(value) < 2 or not _is_number(value[1]):
        raise FilterPolicyError(
            f"FilterPolicy: Value of {'equals' if first == '=' else first} must be numeric"
        )
    if len(value) == 2:
        return
    if first not in (">", ">="):
        raise FilterPolicyError("FilterPolicy: Too many elements in numeric expression")
    second = value[2]
    if not isinstance(second, str):
        raise FilterPolicyError(f"FilterPolicy: Bad value in numeric range: {second}")
    if second not in ("<", "<="):
        raise FilterPolicyError(f"FilterPolicy: Bad numeric range operator: {second}")
    if len(value) < 4 or not _is_number(value[3]):
        raise FilterPolicyError(f"FilterPolicy: Value of {second} must be numeric")
    if value[3] <= value[1]:
        raise FilterPolicyError("FilterPolicy: Bottom must be less than top")
    if len(value) > 4:
        raise FilterPolicyError("FilterPolicy: Too many terms in numeric range expression")


_OPERATOR_CHECKS: dict[str, Callable[[str, Any], None]] = {
    "prefix": _check_string_operand,
    "suffix": _check_string_operand,
    "equals-ignore-case": _check_string_operand,
    "exists": _check_exists,
    "anything-but": _check_anything_but,
    "numeric": _check_numeric,
    "cidr": _check_cidr,
}


# -- compilation --------------------------------------------------------------------------------

Matcher = Callable[[Any], bool]


@dataclass(slots=True)
class KeyRules:
    """The rules for one key path: it is satisfied when any rule matches any of its values."""

    path: tuple[str, ...]
    matchers: list[Matcher] = field(default_factory=list)
    exists: bool | None = None  # an `exists` rule: True (must be present) / False (must be absent)
    also_absent: bool = False  # `{"exists": false}` next to value rules: absence satisfies too

    def satisfied(self, present: bool, values: list[Any]) -> bool:
        if not present:
            return self.exists is False or self.also_absent
        if self.exists is True:
            return True
        return any(matcher(value) for matcher in self.matchers for value in values)


@dataclass(slots=True)
class Policy:
    """A compiled policy: it matches when any branch has every key satisfied."""

    branches: list[list[KeyRules]]
    scope: Scope

    def matches_attributes(self, attributes: dict[str, dict[str, Any]]) -> bool:
        """Match SNS message attributes (`{"name": {"DataType": ..., "StringValue": ...}}`)."""
        return any(all(_check_attribute(rules, attributes) for rules in branch) for branch in self.branches)

    def matches_body(self, body: str) -> bool:
        """Match a message body; a body that is not a JSON object never matches a policy."""
        if not self.branches:
            return True
        try:
            document = json.loads(body)
        except ValueError:
            return False
        return isinstance(document, dict) and self.matches_document(document)

    def matches_document(self, document: dict[str, Any]) -> bool:
        return any(all(_check_document(rules, document) for rules in branch) for branch in self.branches)


def compile_policy(policy: dict[str, Any], scope: Scope = "MessageAttributes") -> Policy:
    """Compile a validated policy into branches (`$or` expands into alternatives)."""
    return Policy(_branches(policy, ()), scope)


def _branches(node: dict[str, Any], prefix: tuple[str, ...]) -> list[list[KeyRules]]:
    branches: list[list[KeyRules]] = [[]]
    for key, value in node.items():
        if key == "$or" and isinstance(value, list):
            options = [branch for alternative in value for branch in _branches(alternative, prefix)]
        elif isinstance(value, dict):
            options = _branches(value, prefix + (key,))
        else:
            options = [[_key_rules(prefix + (key,), value)]]
        branches = [existing + option for existing in branches for option in options]
    return branches


def _key_rules(path: tuple[str, ...], rules: list[Any]) -> KeyRules:
    compiled = KeyRules(path)
    for rule in rules:
        if isinstance(rule, dict) and "exists" in rule:
            if rule["exists"] is False and len(rules) > 1:
                compiled.also_absent = True
            else:
                compiled.exists = bool(rule["exists"])
        else:
            compiled.matchers.append(_matcher(rule))
    return compiled


def _matcher(rule: Any) -> Matcher:
    if not isinstance(rule, dict):
        return _exact(rule)
    operator, operand = next(iter(rule.items()))
    if operator == "prefix":
        return lambda value: isinstance(value, str) and value.startswith(operand)
    if operator == "suffix":
        return lambda value: isinstance(value, str) and value.endswith(operand)
    if operator == "equals-ignore-case":
        folded = operand.casefold()
        return lambda value: isinstance(value, str) and value.casefold() == folded
    if operator == "anything-but":
        return _anything_but(operand)
    if operator == "numeric":
        return _numeric(operand)
    return _cidr(operand)


def _exact(expected: Any) -> Matcher:
    if _is_number(expected):
        return lambda value: _is_number(value) and math.isclose(value, expected, rel_tol=0, abs_tol=1e-9)
    if isinstance(expected, bool) or expected is None:
        return lambda value: value is expected
    return lambda value: isinstance(value, str) and value == expected


def _anything_but(operand: Any) -> Matcher:
    if isinstance(operand, dict):
        operator, text = next(iter(operand.items()))
        if operator == "prefix":
            return lambda value: isinstance(value, str) and not value.startswith(text)
        return lambda value: isinstance(value, str) and not value.endswith(text)
    excluded = [_exact(item) for item in (operand if isinstance(operand, list) else [operand])]
    return lambda value: value is not None and not any(match(value) for match in excluded)


def _numeric(terms: list[Any]) -> Matcher:
    checks = [(terms[index], float(terms[index + 1])) for index in range(0, len(terms), 2)]

    def match(value: Any) -> bool:
        if not _is_number(value):
            return False
        return all(_compare(float(value), operator, bound) for operator, bound in checks)

    return match


def _compare(value: float, operator: str, bound: float) -> bool:
    if operator == "=":
        return math.isclose(value, bound, rel_tol=0, abs_tol=1e-9)
    if operator == "<":
        return value < bound
    if operator == "<=":
        return value <= bound
    if operator == ">":
        return value > bound
    return value >= bound


def _cidr(operand: str) -> Matcher:
    network = ipaddress.ip_network(operand, strict=False)

    def match(value: Any) -> bool:
        if not isinstance(value, str):
            return False
        try:
            return ipaddress.ip_address(value) in network
        except ValueError:
            return False

    return match


# -- reading values out of messages -----------------------------------------------------------


def attribute_values(attribute: dict[str, Any]) -> list[Any] | None:
    """The values an SNS message attribute offers to the policy (None: SNS ignores it).

    `String` gives its text, `Number` a number, `String.Array` its JSON elements; `Binary` is ignored.
    """
    data_type = str(attribute.get("DataType") or attribute.get("Type") or "")
    text = attribute.get("StringValue", attribute.get("Value"))
    base = data_type.split(".", 1)[0]
    if data_type == "String.Array":
        try:
            items = json.loads(text) if isinstance(text, str) else text
        except ValueError:
            return []
        return (
            [item for item in items if not isinstance(item, dict | list)] if isinstance(items, list) else []
        )
    if base == "Number":
        try:
            return [float(str(text))]
        except (TypeError, ValueError):
            return []
    if base == "String":
        return [text]
    return None


def _check_attribute(rules: KeyRules, attributes: dict[str, dict[str, Any]]) -> bool:
    attribute = attributes.get(rules.path[0])
    values = attribute_values(attribute) if attribute is not None else None
    return rules.satisfied(values is not None, values or [])


def document_values(document: Any, path: Iterable[str]) -> tuple[bool, list[Any]]:
    """Whether the path reaches a leaf in a JSON document, and the leaf values found there
    (arrays along the way are flattened: any element can match)."""
    nodes = [document]
    for key in path:
        found = []
        for node in nodes:
            for item in node if isinstance(node, list) else [node]:
                if isinstance(item, dict) and key in item:
                    found.append(item[key])
        if not found:
            return False, []
        nodes = found
    leaves: list[Any] = []
    for node in nodes:
        for item in node if isinstance(node, list) else [node]:
            if not isinstance(item, dict | list):
                leaves.append(item)
    return bool(leaves) or any(node == [] for node in nodes), leaves


def _check_document(rules: KeyRules, document: dict[str, Any]) -> bool:
    present, values = document_values(document, rules.path)
    return rules.satisfied(present, values)
