"""Property-based tests: the compiled matcher agrees with a straightforward reference evaluation
of the documented semantics, on random patterns and events (arrays of scalars, nested objects)."""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from fogbank.events import patterns

KEYS = ["a", "b", "c"]
WORDS = ["", "x", "xy", "yx", "Xy", "abc", "10.0.0.1", "10.0.1.9"]
_MISSING = object()

scalars = st.one_of(
    st.sampled_from(WORDS), st.integers(-3, 3), st.sampled_from([0.5, 2.0]), st.booleans(), st.none()
)
leaf_values = st.one_of(scalars, st.lists(scalars, max_size=3))
events = st.recursive(
    st.dictionaries(st.sampled_from(KEYS), leaf_values, max_size=3),
    lambda inner: st.dictionaries(st.sampled_from(KEYS), st.one_of(leaf_values, inner), max_size=3),
    max_leaves=8,
)
words = st.sampled_from([w for w in WORDS if w])
operators = st.one_of(
    scalars,
    st.builds(lambda w: {"prefix": w}, words),
    st.builds(lambda w: {"suffix": w}, words),
    st.builds(lambda w: {"prefix": {"equals-ignore-case": w}}, words),
    st.builds(lambda w: {"equals-ignore-case": w}, words),
    st.builds(lambda w: {"wildcard": w}, st.sampled_from(["x*", "*y", "*", "a*c", "x"])),
    st.builds(lambda v: {"anything-but": v}, st.one_of(words, st.lists(words, min_size=1, max_size=2))),
    st.builds(lambda w: {"anything-but": {"prefix": w}}, words),
    st.builds(lambda low: {"numeric": [">=", low, "<", low + 2]}, st.integers(-3, 2)),
    st.builds(lambda v: {"exists": v}, st.booleans()),
    st.just({"cidr": "10.0.0.0/24"}),
)
rules = st.lists(operators, min_size=1, max_size=3)
pattern_objects = st.recursive(
    st.dictionaries(st.sampled_from(KEYS), rules, min_size=1, max_size=3),
    lambda inner: st.one_of(
        st.dictionaries(st.sampled_from(KEYS), st.one_of(rules, inner), min_size=1, max_size=3),
        st.builds(lambda alts, base: {**base, "$or": alts}, st.lists(inner, min_size=2, max_size=2), inner),
    ),
    max_leaves=6,
)


# -- the reference: a direct reading of the documentation, no compilation -------------------------


def reference(pattern: dict[str, Any], event: dict[str, Any]) -> bool:
    for key, rule in pattern.items():
        if key == "$or":
            if not any(reference(alternative, event) for alternative in rule):
                return False
        elif isinstance(rule, dict):
            value = event.get(key)
            if not reference(rule, value if isinstance(value, dict) else {}):
                return False
        elif not any(_rule_holds(item, _scalars(event.get(key, _MISSING))) for item in rule):
            return False
    return True


def _scalars(value: Any) -> list[Any]:
    if value is _MISSING or isinstance(value, dict):
        return []
    return [item for item in value if not isinstance(item, dict)] if isinstance(value, list) else [value]


def _rule_holds(rule: Any, values: list[Any]) -> bool:
    if isinstance(rule, dict) and "exists" in rule:
        return bool(values) is rule["exists"]
    return any(_value_holds(rule, value) for value in values)


def _same(left: Any, right: Any) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, int | float) and isinstance(right, int | float):
        return float(left) == float(right)
    return type(left) is type(right) and left == right


def _value_holds(rule: Any, value: Any) -> bool:  # noqa: PLR0911 - one branch per operator
    if not isinstance(rule, dict):
        return _same(rule, value)
    (operator, operand), text = next(iter(rule.items())), value if isinstance(value, str) else None
    if operator == "prefix" and isinstance(operand, dict):
        return text is not None and text.lower().startswith(operand["equals-ignore-case"].lower())
    if operator == "prefix":
        return text is not None and text.startswith(operand)
    if operator == "suffix":
        return text is not None and text.endswith(operand)
    if operator == "equals-ignore-case":
        return text is not None and text.lower() == operand.lower()
    if operator == "wildcard":
        return (
            text is not None
            and re.fullmatch(".*".join(map(re.escape, operand.split("*"))), text, re.S) is not None
        )
    if operator == "numeric":
        number = isinstance(value, int | float) and not isinstance(value, bool)
        return number and operand[1] <= value < operand[3]
    if operator == "cidr":
        return text is not None and _in_network(text, operand)
    if isinstance(operand, dict):
        return text is not None and not text.startswith(operand["prefix"])
    excluded = operand if isinstance(operand, list) else [operand]
    return not any(_same(item, value) for item in excluded)


def _in_network(text: str, network: str) -> bool:
    try:
        return ipaddress.ip_address(text) in ipaddress.ip_network(network)
    except ValueError:
        return False


@settings(max_examples=400, deadline=None)
@given(pattern=pattern_objects, event=events)
def test_compiled_matcher_agrees_with_reference(pattern: dict[str, Any], event: dict[str, Any]) -> None:
    patterns.validate(pattern)
    assert patterns.compile_text(json.dumps(pattern)).matches(event) is reference(pattern, event)


@settings(max_examples=200, deadline=None)
@given(pattern=pattern_objects)
def test_generated_patterns_are_valid_and_round_trip(pattern: dict[str, Any]) -> None:
    assert patterns.parse(json.dumps(pattern)) == pattern
