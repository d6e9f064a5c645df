"""Choice rules of JSONPath states: every comparison operator (and its `…Path` variant), the type
tests (`IsPresent`, `IsNull`, …), `StringMatches` wildcards and the And/Or/Not combinators.

A comparison between values of different types is false, as AWS documents; a `Variable` that
does not resolve fails the execution with `States.Runtime` (except under `IsPresent`).
https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any

from fogbank.services.stepfunctions import jsonpath
from fogbank.services.stepfunctions.errors import StatesError

_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": operator.eq,
    "LessThan": operator.lt,
    "GreaterThan": operator.gt,
    "LessThanEquals": operator.le,
    "GreaterThanEquals": operator.ge,
}
_TYPES = ("String", "Numeric", "Boolean", "Timestamp")
COMPARISONS: set[str] = {
    f"{kind}{name}{suffix}"
    for kind in _TYPES
    for name in _ORDER
    for suffix in ("", "Path")
    if kind != "Boolean" or name == "Equals"
}
COMPARISONS |= {"StringMatches", "IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"}


def parse_timestamp(value: Any) -> datetime | None:
    """An RFC 3339 timestamp with a time zone (as ASL requires), or None."""
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@lru_cache(maxsize=1024)
def _wildcard(pattern: str) -> re.Pattern[str]:
    parts: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            parts.append(re.escape(pattern[index + 1]))
            index += 2
            continue
        parts.append(".*" if char == "*" else re.escape(char))
        index += 1
    return re.compile("".join(parts), re.DOTALL)


def _typed(kind: str, value: Any) -> Any:
    """The value as the operator's type, or None when it is not of that type."""
    if kind == "String":
        return value if isinstance(value, str) else None
    if kind == "Numeric":
        return value if _is_number(value) else None
    if kind == "Boolean":
        return value if isinstance(value, bool) else None
    return parse_timestamp(value)


def _compare(name: str, value: Any, expected: Any) -> bool:
    kind = next(kind for kind in _TYPES if name.startswith(kind))
    left, right = _typed(kind, value), _typed(kind, expected)
    if left is None or right is None:
        return False
    return _ORDER[name[len(kind) :]](left, right)


def _type_test(name: str, value: Any, expected: bool) -> bool:
    if name == "IsPresent":
        return (not jsonpath.is_missing(value)) == expected
    if jsonpath.is_missing(value):
        return False
    tests: dict[str, Callable[[Any], bool]] = {
        "IsNull": lambda v: v is None,
        "IsNumeric": _is_number,
        "IsString": lambda v: isinstance(v, str),
        "IsBoolean": lambda v: isinstance(v, bool),
        "IsTimestamp": lambda v: parse_timestamp(v) is not None,
    }
    return tests[name](value) == expected


def _operator_of(rule: dict[str, Any]) -> str:
    for key in rule:
        if key in COMPARISONS:
            return key
    raise StatesError("States.Runtime", f"The choice rule {jsonpath.dumps(rule)} has no comparison operator")


def evaluate(rule: dict[str, Any], scope: jsonpath.Scope) -> bool:
    """Whether one choice rule (possibly nested) matches."""
    if "And" in rule:
        return all(evaluate(child, scope) for child in rule["And"])
    if "Or" in rule:
        return any(evaluate(child, scope) for child in rule["Or"])
    if "Not" in rule:
        return not evaluate(rule["Not"], scope)
    name = _operator_of(rule)
    variable = rule["Variable"]
    value = jsonpath.get_or_missing(variable, scope)
    if name.startswith("Is"):
        return _type_test(name, value, rule[name])
    if jsonpath.is_missing(value):
        raise StatesError(
            "States.Runtime",
            f"Invalid path '{variable}': The choice state's condition path references an invalid value.",
        )
    expected = rule[name]
    if name.endswith("Path"):
        name = name[:-4]
        try:
            expected = jsonpath.resolve(rule[name + "Path"], scope)
        except jsonpath.PathNotFound:
            raise StatesError(
                "States.Runtime",
                f"Invalid path '{rule[name + 'Path']}': The choice state's condition path references an invalid value.",
            ) from None
    if name == "StringMatches":
        return isinstance(value, str) and _wildcard(expected).fullmatch(value) is not None
    return _compare(name, value, expected)
