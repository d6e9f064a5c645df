"""A subset of CloudWatch Logs Insights query language, run at StartQuery time over the events of
the queried log groups (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax.html).

Supported commands: `fields a, b`, `display a, b`, `filter <condition>` (`=`, `!=`, `<`, `<=`, `>`,
`>=`, `like "text"`, `like /regex/`, `=~ /regex/`, `not`, `and`, `or`, parentheses),
`sort <field> [asc|desc]`, `limit <n>`, `parse <field> "glob * pattern" as a, b`, and
`stats count(*)|count(f)|sum(f)|avg(f)|min(f)|max(f) [as name], ... [by f, ...]`.
Fields: `@timestamp`, `@message`, `@logStream`, `@log`, `@ingestionTime`, `@ptr` and the members of
JSON messages (nested ones as `a.b`). Anything else is refused with MalformedQueryException rather
than answered wrongly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fogbank.services.logs.events import Event

Row = dict[str, Any]
DEFAULT_LIMIT = 10_000


class QueryError(ValueError):
    """The query uses syntax this subset does not understand."""


def _format_time(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def row_of(event: Event, group: str, account: str) -> Row:
    row: Row = {
        "@timestamp": event.timestamp,
        "@message": event.message,
        "@logStream": event.stream,
        "@log": f"{account}:{group}",
        "@ingestionTime": event.ingestion,
        "@ptr": f"{group}/{event.event_id}",
    }
    text = event.message.strip()
    if text.startswith("{"):
        try:
            document = json.loads(text)
        except ValueError:
            document = None
        if isinstance(document, dict):
            _flatten(document, "", row)
    return row


def _flatten(document: dict[str, Any], prefix: str, row: Row) -> None:
    for key, value in document.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            _flatten(value, f"{name}.", row)
        else:
            row.setdefault(name, value)


# -- conditions --------------------------------------------------------------------------------

_TOKEN = re.compile(
    r'\s*(?:(?P<regex>/(?:[^/\\]|\\.)*/)|"(?P<dq>(?:[^"\\]|\\.)*)"|\'(?P<sq>(?:[^\'\\]|\\.)*)\''
    r"|(?P<op>=~|!=|<=|>=|=|<|>|\(|\)|,)|(?P<word>[A-Za-z0-9_@.$*\-]+))"
)


def _tokens(text: str) -> list[tuple[str, str]]:
    found = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise QueryError(f"unexpected text: {text[position:]}")
        kind = match.lastgroup or "word"
        value = match.group(kind)
        found.append(("string" if kind in ("dq", "sq") else kind, value))
        position = match.end()
    return found


class _Condition:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.position = 0

    def parse(self) -> Callable[[Row], bool]:
        condition = self._or()
        if self.position != len(self.tokens):
            raise QueryError("unexpected text after the condition")
        return condition

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _take(self) -> tuple[str, str]:
        token = self._peek()
        if token is None:
            raise QueryError("the condition ends too early")
        self.position += 1
        return token

    def _keyword(self, word: str) -> bool:
        token = self._peek()
        if token is not None and token[0] == "word" and token[1].lower() == word:
            self.position += 1
            return True
        return False

    def _or(self) -> Callable[[Row], bool]:
        left = self._and()
        while self._keyword("or"):
            left = _either(left, self._and())
        return left

    def _and(self) -> Callable[[Row], bool]:
        left = self._not()
        while self._keyword("and"):
            left = _both(left, self._not())
        return left

    def _not(self) -> Callable[[Row], bool]:
        if self._keyword("not"):
            inner = self._not()
            return lambda row: not inner(row)
        if self._peek() == ("op", "("):
            self._take()
            inner = self._or()
            if self._take() != ("op", ")"):
                raise QueryError("unbalanced parentheses")
            return inner
        return self._comparison()

    def _comparison(self) -> Callable[[Row], bool]:
        kind, field = self._take()
        if kind != "word":
            raise QueryError(f"expected a field name, found {field}")
        if self._keyword("like"):
            return _like(field, self._take())
        kind, operator = self._take()
        if operator == "=~":
            return _like(field, self._take())
        if kind != "op" or operator not in ("=", "!=", "<", "<=", ">", ">="):
            raise QueryError(f"unsupported operator {operator}")
        value_kind, value = self._take()
        return _compare(field, operator, value, value_kind)


def _either(left: Callable[[Row], bool], right: Callable[[Row], bool]) -> Callable[[Row], bool]:
    return lambda row: left(row) or right(row)


def _both(left: Callable[[Row], bool], right: Callable[[Row], bool]) -> Callable[[Row], bool]:
    return lambda row: left(row) and right(row)


def _like(field: str, token: tuple[str, str]) -> Callable[[Row], bool]:
    kind, value = token
    if kind == "regex":
        pattern = re.compile(value[1:-1])
        return lambda row: field in row and pattern.search(str(row[field])) is not None
    if kind == "string":
        return lambda row: field in row and value in str(row[field])
    raise QueryError('like needs a "string" or a /regular expression/')


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _compare(field: str, operator: str, value: str, kind: str) -> Callable[[Row], bool]:
    expected = None if kind == "string" else _number(value)
    tests: dict[str, Callable[[Any, Any], bool]] = {
        "=": lambda a, b: a == b,
        "!=": lambda a, b: a != b,
        "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b,
    }
    test = tests[operator]

    def compare(row: Row) -> bool:
        if field not in row:
            return False
        found = row[field]
        number = _number(found)
        if expected is not None and number is not None:
            return test(number, expected)
        return test(str(found), value)

    return compare


# -- commands ----------------------------------------------------------------------------------


def _names(text: str) -> list[str]:
    names = [part.strip() for part in text.split(",")]
    if not all(re.fullmatch(r"[A-Za-z0-9_@.$\-]+", name) for name in names):
        raise QueryError(f"unsupported field list: {text}")
    return names


def _parse_command(field: str, pattern: str, names: list[str]) -> Callable[[Row], Row]:
    """`parse` with a glob pattern: each `*` captures one named field."""
    parts = [re.escape(part) for part in pattern.split("*")]
    if len(parts) - 1 != len(names):
        raise QueryError("parse needs one name per * in its pattern")
    groups = ["(.*?)"] * (len(parts) - 2) + ["(.*)"] if len(parts) > 1 else []
    regex = re.compile(
        parts[0] + "".join(group + part for group, part in zip(groups, parts[1:], strict=True)), re.DOTALL
    )

    def parse(row: Row) -> Row:
        match = regex.search(str(row.get(field, "")))
        if match is None:
            return row
        return {**row, **dict(zip(names, match.groups(), strict=True))}

    return parse


_AGGREGATE = re.compile(r"(count|sum|avg|min|max)\(\s*([^)]*)\s*\)(?:\s+as\s+([A-Za-z0-9_]+))?", re.I)


def _stats(text: str) -> Callable[[list[Row]], list[Row]]:
    body, *by = re.split(r"\s+by\s+", text, maxsplit=1, flags=re.I)
    groups = _names(by[0]) if by else []
    aggregates = []
    for part in body.split(","):
        match = _AGGREGATE.fullmatch(part.strip())
        if match is None:
            raise QueryError(f"unsupported stats function: {part.strip()}")
        function, argument, alias = match.group(1).lower(), match.group(2).strip(), match.group(3)
        aggregates.append((function, argument, alias or f"{function}({argument})"))

    def run(rows: list[Row]) -> list[Row]:
        buckets: dict[tuple[Any, ...], list[Row]] = {}
        for row in rows:
            buckets.setdefault(tuple(row.get(name) for name in groups), []).append(row)
        results = []
        for key, members in buckets.items():
            result: Row = dict(zip(groups, key, strict=True))
            for function, argument, alias in aggregates:
                result[alias] = _aggregate(function, argument, members)
            results.append(result)
        return results

    return run


def _aggregate(function: str, argument: str, rows: list[Row]) -> Any:
    if function == "count":
        return len(rows) if argument in ("*", "") else sum(1 for row in rows if argument in row)
    values = [number for row in rows if (number := _number(row.get(argument))) is not None]
    if not values:
        return None
    if function == "avg":
        return sum(values) / len(values)
    return {"sum": sum(values), "min": min(values), "max": max(values)}[function]


def run(query: str, rows: list[Row], limit: int | None) -> list[Row]:
    """The result rows of a query (each a dict of field → value, in the query's field order)."""
    shown: list[str] | None = None
    count = limit or DEFAULT_LIMIT
    for command in [part.strip() for part in query.split("|") if part.strip()]:
        verb, _, rest = command.partition(" ")
        verb, rest = verb.lower(), rest.strip()
        if verb in ("fields", "display"):
            shown = _names(rest)
        elif verb == "filter":
            condition = _Condition(rest).parse()
            rows = [row for row in rows if condition(row)]
        elif verb == "sort":
            rows = _sorted(rows, rest)
        elif verb == "limit":
            if not rest.isdigit():
                raise QueryError("limit needs a number")
            count = min(int(rest), count)
        elif verb == "parse":
            match = re.fullmatch(r'([A-Za-z0-9_@.\-]+)\s+"((?:[^"\\]|\\.)*)"\s+as\s+(.+)', rest)
            if match is None:
                raise QueryError('parse needs: parse <field> "pattern with *" as a, b')
            pattern = re.sub(r"\\(.)", r"\1", match.group(2))
            parse = _parse_command(match.group(1), pattern, _names(match.group(3)))
            rows = [parse(row) for row in rows]
        elif verb == "stats":
            rows = _stats(rest)(rows)
            shown = list(rows[0]) if rows else []
        else:
            raise QueryError(f"unsupported command: {verb}")
    fields = shown or ["@timestamp", "@message"]
    return [{name: row[name] for name in fields if name in row} for row in rows[:count]]


def _sorted(rows: list[Row], spec: str) -> list[Row]:
    parts = spec.split()
    if not parts or len(parts) > 2 or (len(parts) == 2 and parts[1].lower() not in ("asc", "desc")):
        raise QueryError(f"unsupported sort: {spec}")
    field, descending = parts[0], len(parts) == 2 and parts[1].lower() == "desc"

    def key(row: Row) -> tuple[int, Any]:
        value = row.get(field)
        number = _number(value)
        return (0, number) if number is not None else (1, str(value))

    return sorted(rows, key=key, reverse=descending)


def result_fields(row: Row) -> list[dict[str, str]]:
    """A result row as GetQueryResults lists it (`@timestamp` formatted as Insights shows it)."""
    fields = []
    for name, value in row.items():
        if name == "@timestamp" and isinstance(value, int):
            text = _format_time(value)
        elif isinstance(value, float) and value.is_integer():
            text = str(int(value))
        else:
            text = value if isinstance(value, str) else json.dumps(value)
        fields.append({"field": name, "value": text})
    return fields
