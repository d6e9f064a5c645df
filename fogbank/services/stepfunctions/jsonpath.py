"""JSONPath as the Amazon States Language uses it: paths (InputPath, OutputPath, ItemsPath, `.$`
fields), reference paths (ResultPath), payload templates (Parameters, ResultSelector, ItemSelector,
Assign) and the ResultPath merge.

A path starting with `$$` reads the context object, `$name` a workflow variable, `$` the state's
input. Supported syntax (the Jayway subset AWS documents): `.name`, `['name']`, `[n]`, `[-n]`,
`[a:b]`, `[n,m]`, `[*]`, `.*`, `..name` and filters `[?(@.field <op> literal)]`.
https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import orjson

from fogbank.services.stepfunctions.errors import StatesError

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
_FILTER = re.compile(r"@((?:\.[A-Za-z0-9_\-]+|\['[^']*'\])*)\s*(==|!=|<=|>=|<|>)\s*(.+)")
_NOT_FOUND = object()


class PathNotFound(Exception):
    """A definite path with no match (callers turn it into the right ASL error)."""


@dataclass(slots=True)
class Step:
    kind: str  # key | index | slice | wildcard | deep | union | filter
    value: Any = None


@dataclass(slots=True)
class Path:
    root: str  # "$" input, "$$" context, or a variable name
    steps: list[Step] = field(default_factory=list)
    definite: bool = True  # selects one node (no wildcards, slices, unions, filters or deep scans)

    def __post_init__(self) -> None:
        self.definite = all(step.kind in ("key", "index") for step in self.steps)


@lru_cache(maxsize=4096)
def parse(text: str) -> Path:
    """Parse a path; raises ValueError with a readable reason when it is malformed."""
    if not text.startswith("$"):
        raise ValueError(f"The path '{text}' must start with '$'")
    if text.startswith("$$"):
        root, rest = "$$", text[2:]
    else:
        match = _NAME.match(text, 1)
        root, rest = ("$" + match.group(0), text[match.end() :]) if match else ("$", text[1:])
    return Path(root, _steps(text, rest))


def _steps(text: str, rest: str) -> list[Step]:
    steps: list[Step] = []
    position = 0
    while position < len(rest):
        char = rest[position]
        if rest.startswith("..", position):
            match = _NAME.match(rest, position + 2)
            if not match:
                raise ValueError(f"The path '{text}' has an invalid deep scan")
            steps.append(Step("deep", match.group(0)))
            position = match.end()
        elif char == "." and rest.startswith(".*", position):
            steps.append(Step("wildcard"))
            position += 2
        elif char == ".":
            match = re.compile(r"[^.\[\]]+").match(rest, position + 1)
            if not match:
                raise ValueError(f"The path '{text}' has an empty field name")
            steps.append(Step("key", match.group(0)))
            position = match.end()
        elif char == "[":
            end = _bracket_end(text, rest, position)
            steps.append(_bracket(text, rest[position + 1 : end]))
            position = end + 1
        else:
            raise ValueError(f"The path '{text}' has an unexpected character '{char}'")
    return steps


def _bracket_end(text: str, rest: str, start: int) -> int:
    quote = None
    for index in range(start + 1, len(rest)):
        char = rest[index]
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "]":
            return index
    raise ValueError(f"The path '{text}' has an unclosed '['")


def _bracket(text: str, inner: str) -> Step:
    inner = inner.strip()
    if inner == "*":
        return Step("wildcard")
    if len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "'\"":
        return Step("key", inner[1:-1])
    if inner.startswith("?(") and inner.endswith(")"):
        match = _FILTER.fullmatch(inner[2:-1].strip())
        if not match:
            raise ValueError(f"The path '{text}' has an unsupported filter '{inner}'")
        return Step("filter", (_steps(text, match.group(1)), match.group(2), _literal(match.group(3))))
    if re.fullmatch(r"-?\d*:-?\d*", inner):
        start, _, stop = inner.partition(":")
        return Step("slice", (int(start) if start else None, int(stop) if stop else None))
    if re.fullmatch(r"-?\d+(\s*,\s*-?\d+)+", inner):
        return Step("union", [int(part) for part in inner.split(",")])
    if re.fullmatch(r"-?\d+", inner):
        return Step("index", int(inner))
    raise ValueError(f"The path '{text}' has an invalid bracket expression '[{inner}]'")


def _literal(text: str) -> Any:
    text = text.strip()
    if text.startswith("'") and text.endswith("'"):
        return text[1:-1]
    try:
        return json.loads(text)
    except ValueError as error:
        raise ValueError(f"unsupported filter literal {text}") from error


def _child(value: Any, step: Step) -> list[Any]:
    kind = step.kind
    if kind == "key":
        return [value[step.value]] if isinstance(value, dict) and step.value in value else []
    if kind == "index":
        if isinstance(value, list) and -len(value) <= step.value < len(value):
            return [value[step.value]]
        return []
    if kind == "wildcard":
        return (
            list(value.values())
            if isinstance(value, dict)
            else list(value)
            if isinstance(value, list)
            else []
        )
    if kind == "slice":
        return value[step.value[0] : step.value[1]] if isinstance(value, list) else []
    if kind == "union":
        return [value[i] for i in step.value if isinstance(value, list) and -len(value) <= i < len(value)]
    if kind == "deep":
        return _deep(value, step.value)
    return [item for item in _child(value, Step("wildcard")) if _matches_filter(item, step.value)]


def _deep(value: Any, name: str) -> list[Any]:
    found: list[Any] = []
    if isinstance(value, dict):
        if name in value:
            found.append(value[name])
        for item in value.values():
            found.extend(_deep(item, name))
    elif isinstance(value, list):
        for item in value:
            found.extend(_deep(item, name))
    return found


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _matches_filter(item: Any, spec: tuple[list[Step], str, Any]) -> bool:
    steps, operator, literal = spec
    values = [item]
    for step in steps:
        values = [child for value in values for child in _child(value, step)]
    if not values:
        return False
    try:
        return _COMPARE[operator](values[0], literal)
    except TypeError:
        return False


def select(path: Path, document: Any) -> Any:
    """The value a path selects: one value for a definite path (PathNotFound when missing), the
    list of matches otherwise."""
    values = [document]
    for step in path.steps:
        values = [child for value in values for child in _child(value, step)]
        if path.definite and not values:
            raise PathNotFound()
    return values[0] if path.definite else values


@dataclass(slots=True)
class Scope:
    """What paths can read: the state input, the context object and the visible variables."""

    input: Any
    context: Mapping[str, Any]
    variables: Mapping[str, Any]


def resolve(text: str, scope: Scope) -> Any:
    """Evaluate a path string against a scope; raises PathNotFound or ValueError."""
    path = parse(text)
    if path.root == "$":
        return select(path, scope.input)
    if path.root == "$$":
        return select(path, scope.context)
    name = path.root[1:]
    if name not in scope.variables:
        raise PathNotFound()
    return select(path, scope.variables[name])


def apply_template(
    template: Any, scope: Scope, intrinsic: Callable[[str, Scope], Any], field_name: str = "Parameters"
) -> Any:
    """Build a payload template: keys ending in `.$` take the value of a path or intrinsic.
    https://docs.aws.amazon.com/step-functions/latest/dg/input-output-inputpath-params.html"""
    if isinstance(template, list):
        return [apply_template(item, scope, intrinsic, field_name) for item in template]
    if not isinstance(template, dict):
        return template
    built: dict[str, Any] = {}
    for key, value in template.items():
        if key.endswith(".$") and isinstance(value, str):
            built[key[:-2]] = _dynamic(key, value, scope, intrinsic)
        else:
            built[key] = apply_template(value, scope, intrinsic, field_name)
    return built


def _dynamic(key: str, expression: str, scope: Scope, intrinsic: Callable[[str, Scope], Any]) -> Any:
    if expression.startswith("States."):
        return intrinsic(expression, scope)
    try:
        return resolve(expression, scope)
    except PathNotFound:
        document = scope.context if expression.startswith("$$") else scope.input
        raise StatesError(
            "States.Runtime",
            f"The JSONPath '{expression}' specified for the field '{key}' could not be found in the input "
            f"'{dumps(document)}'",
        ) from None


def merge_result(input_value: Any, result: Any, result_path: str | None) -> Any:
    """Place a state's result into its input as ResultPath says (null discards the result).
    https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html"""
    if result_path is None:
        return input_value
    path = parse(result_path)
    if not path.steps:
        return result
    merged = copy.deepcopy(input_value)
    target = merged
    for index, step in enumerate(path.steps):
        last = index == len(path.steps) - 1
        if step.kind != "key" or not isinstance(target, dict):
            raise StatesError(
                "States.ResultPathMatchFailure",
                f'Unable to apply ResultPath "{result_path}" to input "{dumps(input_value)}"',
            )
        if last:
            target[step.value] = result
        else:
            if not isinstance(target.get(step.value), dict):
                target[step.value] = {}
            target = target[step.value]
    return merged


def dumps(value: Any) -> str:
    """JSON text as Step Functions writes it in histories and outputs (compact, unicode kept)."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # integers beyond 64 bits: the standard library writes them
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def is_reference_path(text: str) -> bool:
    """Reference paths (ResultPath, Choice Variable) only name single nodes."""
    try:
        return parse(text).definite
    except ValueError:
        return False


def get_or_missing(text: str, scope: Scope) -> Any:
    try:
        return resolve(text, scope)
    except PathNotFound:
        return _NOT_FOUND


def is_missing(value: Any) -> bool:
    return value is _NOT_FOUND
