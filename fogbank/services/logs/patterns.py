"""CloudWatch Logs filter patterns, compiled once into a matcher
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html):

- terms: `ERROR`, `"quoted phrase"` (all must occur, case-sensitive), `-term` (must not occur),
  `?term` (at least one of the `?` terms must occur);
- JSON: `{ $.a.b[0] = "x*" && ($.n > 5 || $.flag IS TRUE) }`, with `=`, `!=`, `<`, `<=`, `>`,
  `>=`, `IS TRUE|FALSE|NULL`, `NOT EXISTS` and `*` wildcards in strings;
- space-delimited: `[ip, user, ..., status = 4* || status = 5*, bytes > 1000]`, fields split on
  spaces with `"..."` and `[...]` kept whole, `...` matching any number of fields;
- regular expressions: `%ERROR [0-9]+%`.

A matcher answers None when the message does not match, else the extracted values (named fields of
space-delimited patterns as `$name`, as TestMetricFilter reports them).
"""

from __future__ import annotations

import fnmatch
import functools
import json
import re
from collections.abc import Callable
from typing import Any

Matcher = Callable[[str], dict[str, str] | None]
Condition = Callable[[Any], bool]

_MISSING = object()


class PatternError(ValueError):
    """The pattern is not valid filter pattern syntax."""


@functools.lru_cache(maxsize=256)
def compile_pattern(pattern: str) -> Matcher:
    text = pattern.strip()
    if not text or text == '""':
        return lambda message: {}
    if text.startswith("{"):
        return _json_matcher(text)
    if text.startswith("["):
        return _delimited_matcher(text)
    if len(text) > 1 and text.startswith("%") and text.endswith("%"):
        try:
            regex = re.compile(text[1:-1])
        except re.error:
            raise PatternError(pattern) from None
        return lambda message: {} if regex.search(message) else None
    return _term_matcher(text)


# -- terms -------------------------------------------------------------------------------------

_TERM = re.compile(r'([-?]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))')


def _term_matcher(text: str) -> Matcher:
    required: list[str] = []
    excluded: list[str] = []
    optional: list[str] = []
    position = 0
    while position < len(text):
        if text[position].isspace():
            position += 1
            continue
        match = _TERM.match(text, position)
        if match is None:
            raise PatternError(text)
        prefix, quoted, bare = match.groups()
        term = re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else bare
        {"": required, "-": excluded, "?": optional}[prefix].append(term)
        position = match.end()

    def match_terms(message: str) -> dict[str, str] | None:
        if any(term not in message for term in required) or any(term in message for term in excluded):
            return None
        if optional and not any(term in message for term in optional):
            return None
        return {}

    return match_terms


# -- expressions shared by JSON and space-delimited patterns -------------------------------------

_TOKEN = re.compile(
    r'\s*(?:(?P<op>&&|\|\||!=|<=|>=|=|<|>|\(|\)|,)|"(?P<string>(?:[^"\\]|\\.)*)"|(?P<word>[^\s()=!<>,&|"]+))'
)


def _tokens(text: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise PatternError(text)
        kind = match.lastgroup or "op"
        found.append((kind, match.group(kind)))
        position = match.end()
    return found


class _Parser:
    """Recursive descent over `a op value` conditions joined by && and || with parentheses."""

    def __init__(self, tokens: list[tuple[str, str]], lookup: Callable[[str], Any]) -> None:
        self.tokens = tokens
        self.position = 0
        self.lookup = lookup

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise PatternError("unexpected end of pattern")
        self.position += 1
        return token

    def expression(self) -> Condition:
        left = self.conjunction()
        while self.peek() == ("op", "||"):
            self.take()
            right = self.conjunction()
            left = _either(left, right)
        return left

    def conjunction(self) -> Condition:
        left = self.unary()
        while self.peek() == ("op", "&&"):
            self.take()
            right = self.unary()
            left = _both(left, right)
        return left

    def unary(self) -> Condition:
        if self.peek() == ("op", "("):
            self.take()
            inner = self.expression()
            if self.take() != ("op", ")"):
                raise PatternError("unbalanced parentheses")
            return inner
        kind, selector = self.take()
        if kind != "word":
            raise PatternError(selector)
        return self.comparison(selector)

    def comparison(self, selector: str) -> Condition:
        read = self.lookup(selector)
        kind, operator = self.take()
        if kind == "word" and operator.upper() in ("IS", "NOT"):
            return _special(read, operator.upper(), self.take()[1].upper())
        if kind != "op" or operator not in ("=", "!=", "<", "<=", ">", ">="):
            raise PatternError(operator)
        value_kind, value = self.take()
        if value_kind == "op":
            raise PatternError(value)
        return _compare(read, operator, value, quoted=value_kind == "string")


def _either(left: Condition, right: Condition) -> Condition:
    return lambda subject: left(subject) or right(subject)


def _both(left: Condition, right: Condition) -> Condition:
    return lambda subject: left(subject) and right(subject)


def _special(read: Callable[[Any], Any], keyword: str, what: str) -> Condition:
    if keyword == "NOT" and what == "EXISTS":
        return lambda subject: read(subject) is _MISSING
    if keyword == "IS" and what in ("TRUE", "FALSE"):
        expected = what == "TRUE"
        return lambda subject: read(subject) is expected
    if keyword == "IS" and what == "NULL":
        return lambda subject: read(subject) is None
    raise PatternError(f"{keyword} {what}")


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _compare(read: Callable[[Any], Any], operator: str, value: str, *, quoted: bool) -> Condition:
    expected_number = None if quoted else _number(value)
    if operator in ("<", "<=", ">", ">="):
        if expected_number is None:
            raise PatternError(f"{operator} needs a number")
        limit = expected_number
        test = {"<": limit.__gt__, "<=": limit.__ge__, ">": limit.__lt__, ">=": limit.__le__}[operator]

        def ordered(subject: Any) -> bool:
            found = _number(read(subject))
            return found is not None and test(found)

        return ordered

    def equal(subject: Any) -> bool:
        found = read(subject)
        if found is _MISSING or found is None or isinstance(found, dict | list):
            return False
        if expected_number is not None and not isinstance(found, bool):
            number = _number(found)
            if number is not None:
                return number == expected_number
        text = json.dumps(found) if isinstance(found, bool) else str(found)
        return fnmatch.fnmatchcase(text, value) if "*" in value else text == value

    if operator == "=":
        return equal
    return lambda subject: read(subject) is not _MISSING and not equal(subject)


# -- JSON --------------------------------------------------------------------------------------

_PATH_PART = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")


def _json_selector(selector: str) -> Callable[[Any], Any]:
    if not selector.startswith("$"):
        raise PatternError(selector)
    steps: list[str | int] = []
    rest = selector[1:]
    position = 0
    while position < len(rest):
        match = _PATH_PART.match(rest, position)
        if match is None:
            raise PatternError(selector)
        steps.append(match.group(1) if match.group(1) is not None else int(match.group(2)))
        position = match.end()

    def read(document: Any) -> Any:
        for step in steps:
            if isinstance(step, int):
                if not isinstance(document, list) or step >= len(document):
                    return _MISSING
            elif not isinstance(document, dict) or step not in document:
                return _MISSING
            document = document[step]
        return document

    return read


def _json_matcher(text: str) -> Matcher:
    if not text.endswith("}"):
        raise PatternError(text)
    parser = _Parser(_tokens(text[1:-1]), _json_selector)
    condition = parser.expression()
    if parser.peek() is not None:
        raise PatternError(text)

    def match_json(message: str) -> dict[str, str] | None:
        try:
            document = json.loads(message)
        except ValueError:
            return None
        if not isinstance(document, dict):
            return None
        return {} if condition(document) else None

    return match_json


# -- space-delimited ---------------------------------------------------------------------------

_FIELD = re.compile(r'"([^"]*)"|\[([^\]]*)\]|(\S+)')


def split_fields(message: str) -> list[str]:
    return [
        next(group for group in match.groups() if group is not None) for match in _FIELD.finditer(message)
    ]


def _delimited_matcher(text: str) -> Matcher:
    if not text.endswith("]"):
        raise PatternError(text)
    names: list[str] = []
    conditions: list[Condition] = []
    for part in _split_top_level(text[1:-1]):
        tokens = _tokens(part)
        if not tokens or tokens[0][0] != "word":
            raise PatternError(text)
        names.append(tokens[0][1])
        if len(tokens) > 1:
            parser = _Parser(tokens, lambda field: lambda values: values.get(field, _MISSING))
            conditions.append(parser.expression())
            if parser.peek() is not None:
                raise PatternError(text)

    def match_fields(message: str) -> dict[str, str] | None:
        values = _bind(names, split_fields(message))
        if values is None or not all(condition(values) for condition in conditions):
            return None
        return {f"${name}": value for name, value in values.items()}

    return match_fields


def _split_top_level(text: str) -> list[str]:
    """Split a space-delimited pattern's fields on commas outside quotes."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return [part for part in parts if part]


def _bind(names: list[str], fields: list[str]) -> dict[str, str] | None:
    """Assign fields to names, `...` taking any number of fields (first fit, left to right)."""
    if not names:
        return {} if not fields else None
    head, rest = names[0], names[1:]
    if head == "...":
        for taken in range(len(fields) + 1):
            bound = _bind(rest, fields[taken:])
            if bound is not None:
                return bound
        return None
    if not fields:
        return None
    bound = _bind(rest, fields[1:])
    if bound is None:
        return None
    return {head: fields[0], **bound}
