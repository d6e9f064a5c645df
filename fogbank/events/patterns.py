"""Event patterns: validation (with AWS's `InvalidEventPatternException` texts), compilation and
matching, shared by EventBridge buses, archives, Pipes, Lambda event filters and SNS filter
policies (AWS runs one matcher for all of them; a `Dialect` says where a caller's rules differ:
its error prefix and the operators it offers).

Semantics follow https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html and
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html:
a pattern is a JSON object whose leaves are arrays of alternatives (an OR); fields AND together;
`$or` offers alternative sub-patterns. Operators: exact values (strings, numbers, `null`, booleans,
`""`), `prefix`, `suffix` (both optionally `{"equals-ignore-case": ...}`), `equals-ignore-case`,
`anything-but` (values, lists, `prefix`, `suffix`, `wildcard`, `equals-ignore-case`), `numeric`
ranges, `exists`, `cidr` (IPv4 and IPv6) and `wildcard`.

Event arrays match when any element matches. When a nested pattern meets an array of objects,
all its fields must match within one element (AWS's "array consistency"). `exists` looks at leaves
only: a field whose value is an object counts as absent
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html#eb-filtering-exists-matching).

A pattern is compiled once (`compile_pattern`) into closures and sets, then matched many times.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PREFIX = "Event pattern is not valid. Reason: "
MAX_PATTERN_LENGTH = 4096 * 5  # AWS raised the 4,096-character limit on request; checks are done by the model
MAX_OR_COMBINATIONS = 1000  # "Filter is too complex" beyond this many expanded alternatives
NUMERIC_OPERATORS = ("<", "<=", "=", ">", ">=")
STRING_OPERATORS = ("prefix", "suffix", "equals-ignore-case", "wildcard")
Matcher = Callable[[Any], bool]


class InvalidPattern(ValueError):
    """An invalid event pattern; `str(error)` is AWS's full message (`prefix` + `reason`)."""

    def __init__(self, reason: str, prefix: str = PREFIX) -> None:
        super().__init__(prefix + reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Dialect:
    """How one caller's patterns differ from EventBridge's: the prefix of its error messages, the
    operators it accepts, the string operators `anything-but` may hold, whether `prefix` and
    `suffix` take `{"equals-ignore-case": ...}`, and its limit on expanded `$or` alternatives."""

    prefix: str = PREFIX
    operators: frozenset[str] = frozenset(
        ("prefix", "suffix", "equals-ignore-case", "wildcard", "exists", "anything-but", "numeric", "cidr")
    )
    anything_but_operators: frozenset[str] = frozenset(("prefix", "suffix", "wildcard", "equals-ignore-case"))
    folded_affixes: bool = True
    max_or_combinations: int = MAX_OR_COMBINATIONS


EVENTBRIDGE = Dialect()


# -- parsing and validation ---------------------------------------------------------------------


def parse(document: str) -> dict[str, Any]:
    """Parse and validate the JSON text of a pattern."""
    try:
        pattern = json.loads(document)
    except json.JSONDecodeError as error:
        raise InvalidPattern(
            f"Unrecognized token: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None
    if not isinstance(pattern, dict):
        raise InvalidPattern("Filter is not an object")
    validate(pattern)
    return pattern


def validate(pattern: dict[str, Any], dialect: Dialect = EVENTBRIDGE) -> None:
    """Raise `InvalidPattern` with AWS's reason (after the dialect's prefix) when the pattern is
    not acceptable."""
    try:
        if _count_alternatives(pattern) > dialect.max_or_combinations:
            raise InvalidPattern("Filter is too complex")
        _validate_object(pattern, dialect)
    except InvalidPattern as problem:
        if dialect.prefix == PREFIX:
            raise
        raise InvalidPattern(problem.reason, dialect.prefix) from None


def _validate_object(node: dict[str, Any], dialect: Dialect) -> None:
    if not node:
        raise InvalidPattern("Empty objects are not allowed")
    for key, value in node.items():
        if key == "$or":
            _validate_or(value, dialect)
        elif isinstance(value, dict):
            _validate_object(value, dialect)
        elif isinstance(value, list):
            if not value:
                raise InvalidPattern("Empty arrays are not allowed")
            for rule in value:
                _validate_rule(rule, dialect)
        else:
            raise InvalidPattern(f'"{key}" must be an object or an array')


def _validate_or(value: Any, dialect: Dialect) -> None:
    if not isinstance(value, list):
        raise InvalidPattern('"$or" must be an object or an array')
    if len(value) < 2 or not all(isinstance(item, dict) for item in value):
        raise InvalidPattern("Or relationship must be an array of at least 2 objects")
    for alternative in value:
        _validate_object(alternative, dialect)


def _validate_rule(rule: Any, dialect: Dialect) -> None:
    if rule is None or isinstance(rule, str | bool | int | float):
        return
    if not isinstance(rule, dict):
        raise InvalidPattern("Match value must be String, number, true, false, or null")
    if len(rule) != 1:
        raise InvalidPattern("Only one key allowed in match expression")
    operator, operand = next(iter(rule.items()))
    check = _CHECKS.get(operator) if operator in dialect.operators else None
    if check is None:
        raise InvalidPattern(f"Unrecognized match type {operator}")
    check(operator, operand, dialect)


def _check_string(operator: str, operand: Any, dialect: Dialect) -> None:
    if operator in ("prefix", "suffix") and isinstance(operand, dict) and dialect.folded_affixes:
        if list(operand) != ["equals-ignore-case"]:
            raise InvalidPattern(f"Unsupported {operator} pattern: {next(iter(operand), '')}")
        operand = operand["equals-ignore-case"]
    if not isinstance(operand, str):
        raise InvalidPattern(f"{operator} match pattern must be a string")
    if operator == "wildcard":
        _check_wildcard(operand)


def _check_wildcard(text: str) -> None:
    """AWS refuses `**`: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html#eb-filtering-wildcard-matching"""
    escaped = False
    for position, char in enumerate(text):
        if escaped:
            if char not in "*\\":
                raise InvalidPattern(f"Invalid escape character at pos {position}")
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "*" and position > 0 and text[position - 1] == "*":
            raise InvalidPattern(f"Consecutive wildcard characters at pos {position}")
    if escaped:
        raise InvalidPattern(f"Invalid escape character at pos {len(text)}")


def _check_exists(operator: str, operand: Any, dialect: Dialect) -> None:
    if not isinstance(operand, bool):
        raise InvalidPattern("exists match pattern must be either true or false.")


def _check_anything_but(operator: str, operand: Any, dialect: Dialect) -> None:
    if isinstance(operand, dict):
        if len(operand) != 1 or next(iter(operand)) not in dialect.anything_but_operators:
            raise InvalidPattern(f"Unsupported anything-but pattern: {next(iter(operand), '')}")
        inner, value = next(iter(operand.items()))
        values = value if isinstance(value, list) and inner in ("wildcard", "equals-ignore-case") else [value]
        if not values:
            raise InvalidPattern("Empty arrays are not allowed")
        for item in values:
            if not isinstance(item, str):
                raise InvalidPattern(f"{inner} match pattern must be a string")
            if inner == "wildcard":
                _check_wildcard(item)
        return
    values = operand if isinstance(operand, list) else [operand]
    if not values:
        raise InvalidPattern("Empty arrays are not allowed")
    for item in values:
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            raise InvalidPattern("Inside anything but list, start|null|boolean is not supported.")


def _check_numeric(operator: str, operand: Any, dialect: Dialect) -> None:
    if not isinstance(operand, list):
        raise InvalidPattern("Value of numeric must be an array.")
    if not operand:  # the parser meets the closing bracket where it wants an operator
        raise InvalidPattern("Invalid member in numeric match: ]")
    first = operand[0]
    if not isinstance(first, str):
        raise InvalidPattern(f"Invalid member in numeric match: {json.dumps(first)}")
    if first not in NUMERIC_OPERATORS:
        raise InvalidPattern(f"Unrecognized numeric range operator: {first}")
    if len(operand) < 2 or not _is_number(operand[1]):
        raise InvalidPattern(f"Value of {'equals' if first == '=' else first} must be numeric")
    if len(operand) == 2:
        return
    if first not in (">", ">="):
        raise InvalidPattern("Too many elements in numeric expression")
    second = operand[2]
    if not isinstance(second, str):
        raise InvalidPattern(f"Bad value in numeric range: {json.dumps(second)}")
    if second not in ("<", "<="):
        raise InvalidPattern(f"Bad numeric range operator: {second}")
    if len(operand) < 4 or not _is_number(operand[3]):
        raise InvalidPattern(f"Value of {second} must be numeric")
    if operand[3] <= operand[1]:
        raise InvalidPattern("Bottom must be less than top")
    if len(operand) > 4:
        raise InvalidPattern("Too many terms in numeric range expression")


def _check_cidr(operator: str, operand: Any, dialect: Dialect) -> None:
    """Checked in AWS's order (Event Ruler's CIDR parser); a non-string says `prefix`, as AWS's does."""
    if not isinstance(operand, str):
        raise InvalidPattern("prefix match pattern must be a string")
    address, _, mask = operand.partition("/")
    if operand.count("/") != 1 or not mask:
        raise InvalidPattern("Malformed CIDR, one '/' required")
    if not mask.isdigit():
        raise InvalidPattern("Malformed CIDR, mask bits must be an integer")
    try:
        ipaddress.ip_network(operand, strict=False)
    except ValueError:
        raise InvalidPattern(f"Nonstandard IP address: {address}") from None


_CHECKS: dict[str, Callable[[str, Any, Dialect], None]] = {
    "prefix": _check_string,
    "suffix": _check_string,
    "equals-ignore-case": _check_string,
    "wildcard": _check_string,
    "exists": _check_exists,
    "anything-but": _check_anything_but,
    "numeric": _check_numeric,
    "cidr": _check_cidr,
}


def _count_alternatives(node: dict[str, Any]) -> int:
    """How many AND-branches the `$or`s expand into (each `$or` multiplies its siblings)."""
    total = 1
    for key, value in node.items():
        if key == "$or" and isinstance(value, list):
            total *= sum(_count_alternatives(item) for item in value if isinstance(item, dict)) or 1
        elif isinstance(value, dict):
            total *= _count_alternatives(value)
    return total


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# -- compilation --------------------------------------------------------------------------------

_MISSING: Any = object()


def _tag(value: Any) -> tuple[Any, ...]:
    """A key that keeps JSON types apart (`true` is not `1`; `5` equals `5.0`)."""
    if value is None:
        return ("null",)
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int | float):
        return ("number", float(value))
    return ("string", value)


@dataclass(slots=True)
class Leaf:
    """The alternatives for one field: exact values in a set, operators as closures."""

    exact: set[tuple[Any, ...]] = field(default_factory=set)
    matchers: list[Matcher] = field(default_factory=list)
    if_present: bool = False  # `{"exists": true}`
    if_absent: bool = False  # `{"exists": false}`

    def accepts(self, value: Any) -> bool:
        values = _leaf_values(value)
        if not values:
            return self.if_absent
        if self.if_present:
            return True
        exact, matchers = self.exact, self.matchers
        return any(_tag(item) in exact or any(matcher(item) for matcher in matchers) for item in values)

    def exact_strings(self) -> set[str] | None:
        """The exact string values when that is all this leaf accepts (for indexing)."""
        if self.matchers or self.if_present or self.if_absent or not self.exact:
            return None
        if any(tag[0] != "string" for tag in self.exact):
            return None
        return {tag[1] for tag in self.exact}


def _leaf_values(value: Any) -> list[Any]:
    """The scalar values at a field: none when absent or an object; arrays flattened."""
    if value is _MISSING or isinstance(value, dict):
        return []
    if not isinstance(value, list):
        return [value]
    found: list[Any] = []
    for item in value:
        if isinstance(item, list):
            found.extend(_leaf_values(item))
        elif not isinstance(item, dict):
            found.append(item)
    return found


@dataclass(slots=True)
class Pattern:
    """A compiled pattern (or sub-pattern): it matches when any alternative has every field satisfied."""

    alternatives: list[list[tuple[str, Leaf | Pattern]]]

    def matches(self, event: dict[str, Any]) -> bool:
        return any(_all_fields(fields, event) for fields in self.alternatives)

    def index_keys(self, name: str) -> set[str] | None:
        """The exact strings the top-level field `name` must equal in every alternative, if any."""
        found: set[str] = set()
        for fields in self.alternatives:
            leaf = next((child for key, child in fields if key == name and isinstance(child, Leaf)), None)
            values = leaf.exact_strings() if leaf is not None else None
            if values is None:
                return None
            found |= values
        return found


def _all_fields(fields: list[tuple[str, Leaf | Pattern]], event: dict[str, Any]) -> bool:
    for key, child in fields:
        value = event.get(key, _MISSING)
        if isinstance(child, Leaf):
            if not child.accepts(value):
                return False
        elif not _nested_matches(child, value):
            return False
    return True


def _nested_matches(pattern: Pattern, value: Any) -> bool:
    """A nested pattern applies to an object, or to any one object of an array (array consistency)."""
    if isinstance(value, dict):
        return pattern.matches(value)
    if isinstance(value, list):
        objects = [item for item in value if isinstance(item, dict)]
        if objects:
            return any(pattern.matches(item) for item in objects)
    return pattern.matches({})


def compile_pattern(pattern: dict[str, Any]) -> Pattern:
    """Compile a validated pattern; `$or` expands into alternatives at its own level."""
    alternatives: list[list[tuple[str, Leaf | Pattern]]] = [[]]
    for key, value in pattern.items():
        options: list[list[tuple[str, Leaf | Pattern]]]
        if key == "$or":
            options = [fields for item in value for fields in compile_pattern(item).alternatives]
        elif isinstance(value, dict):
            options = [[(key, compile_pattern(value))]]
        else:
            options = [[(key, _compile_leaf(value))]]
        alternatives = [existing + option for existing in alternatives for option in options]
    return Pattern(alternatives)


def compile_text(document: str) -> Pattern:
    return compile_pattern(parse(document))


def _compile_leaf(rules: list[Any]) -> Leaf:
    leaf = Leaf()
    for rule in rules:
        if not isinstance(rule, dict):
            leaf.exact.add(_tag(rule))
            continue
        operator, operand = next(iter(rule.items()))
        if operator == "exists":
            if operand:
                leaf.if_present = True
            else:
                leaf.if_absent = True
        else:
            leaf.matchers.append(_COMPILERS[operator](operand))
    return leaf


def _ignore_case(operand: Any) -> tuple[str, bool]:
    if isinstance(operand, dict):
        return str(operand["equals-ignore-case"]).lower(), True
    return str(operand), False


def _prefix(operand: Any) -> Matcher:
    text, folded = _ignore_case(operand)
    if folded:
        return lambda value: isinstance(value, str) and value.lower().startswith(text)
    return lambda value: isinstance(value, str) and value.startswith(text)


def _suffix(operand: Any) -> Matcher:
    text, folded = _ignore_case(operand)
    if folded:
        return lambda value: isinstance(value, str) and value.lower().endswith(text)
    return lambda value: isinstance(value, str) and value.endswith(text)


def _equals_ignore_case(operand: Any) -> Matcher:
    text = str(operand).lower()
    return lambda value: isinstance(value, str) and value.lower() == text


def wildcard_regex(text: str) -> re.Pattern[str]:
    """`*` matches any run of characters; `\\*` is a literal star."""
    parts: list[str] = []
    literal: list[str] = []
    escaped = False
    for char in text:
        if escaped:
            literal.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "*":
            parts.append(re.escape("".join(literal)))
            literal = []
        else:
            literal.append(char)
    parts.append(re.escape("".join(literal)))
    return re.compile(".*".join(parts), re.DOTALL)


def _wildcard(operand: Any) -> Matcher:
    regex = wildcard_regex(str(operand))
    return lambda value: isinstance(value, str) and regex.fullmatch(value) is not None


def _numeric(operand: list[Any]) -> Matcher:
    comparisons = [(operand[index], float(operand[index + 1])) for index in range(0, len(operand), 2)]
    tests = [_NUMERIC_TESTS[operator] for operator, _ in comparisons]
    bounds = [bound for _, bound in comparisons]

    def matches(value: Any) -> bool:
        if not _is_number(value):
            return False
        return all(test(float(value), bound) for test, bound in zip(tests, bounds, strict=True))

    return matches


_NUMERIC_TESTS: dict[str, Callable[[float, float], bool]] = {
    "<": lambda value, bound: value < bound,
    "<=": lambda value, bound: value <= bound,
    "=": lambda value, bound: value == bound,
    ">": lambda value, bound: value > bound,
    ">=": lambda value, bound: value >= bound,
}


def _cidr(operand: Any) -> Matcher:
    network = ipaddress.ip_network(str(operand), strict=False)

    def matches(value: Any) -> bool:
        if not isinstance(value, str):
            return False
        try:
            return ipaddress.ip_address(value) in network
        except ValueError:
            return False

    return matches


def _anything_but(operand: Any) -> Matcher:
    """Anything but the given values; the string forms (`prefix`, `suffix`, `wildcard`,
    `equals-ignore-case`) only match string values that escape them."""
    if isinstance(operand, dict):
        inner, value = next(iter(operand.items()))
        values = value if isinstance(value, list) else [value]
        excluded = [_COMPILERS[inner](item) for item in values]
        return lambda candidate: isinstance(candidate, str) and not any(test(candidate) for test in excluded)
    tags = {_tag(item) for item in (operand if isinstance(operand, list) else [operand])}
    return lambda candidate: _tag(candidate) not in tags


_COMPILERS: dict[str, Callable[[Any], Matcher]] = {
    "prefix": _prefix,
    "suffix": _suffix,
    "equals-ignore-case": _equals_ignore_case,
    "wildcard": _wildcard,
    "numeric": _numeric,
    "cidr": _cidr,
    "anything-but": _anything_but,
}


def matches(pattern_text: str, event: dict[str, Any]) -> bool:
    """Whether an event (parsed JSON) matches a pattern given as JSON text."""
    return compile_text(pattern_text).matches(event)
