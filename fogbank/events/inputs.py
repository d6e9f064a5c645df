"""What a target receives: the matched event, `Input` (constant JSON), `InputPath` (a JSONPath
into the event) or `InputTransformer` (values picked by `InputPathsMap`, substituted into
`InputTemplate`), following
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html.

In a template, a `<var>` inside a JSON string is replaced by the value's text (strings unquoted,
escaped for JSON); elsewhere by the value as JSON. Paths that match nothing give `null` (or the
empty text inside a string). Predefined variables: `<aws.events.rule-arn>`,
`<aws.events.rule-name>`, `<aws.events.event.ingestion-time>`, `<aws.events.event>` and
`<aws.events.event.json>`.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_PATHS = 100
_MISSING: Any = object()
_STEP = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")
_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.\-]+)>")


class InvalidInput(ValueError):
    """A JSONPath or template AWS would refuse; the text is AWS's message."""


def check_path(path: str) -> None:
    if path == "$":
        return
    if not path.startswith("$") or _split(path) is None:
        raise InvalidInput(f"Invalid InputPath: {path}")


def _split(path: str) -> list[str | int] | None:
    steps: list[str | int] = []
    position = 1
    while position < len(path):
        match = _STEP.match(path, position)
        if match is None:
            return None
        name, index, single, double = match.groups()
        steps.append(int(index) if index is not None else (name or single or double or ""))
        position = match.end()
    return steps


def resolve(path: str, document: Any) -> Any:
    """The value at a JSONPath (`$.detail.a`, `$.resources[0]`, `$.detail['x-y']`), or _MISSING."""
    value = document
    for step in _split(path) or []:
        if isinstance(step, int):
            if not isinstance(value, list) or step >= len(value):
                return _MISSING
            value = value[step]
        elif isinstance(value, dict) and step in value:
            value = value[step]
        else:
            return _MISSING
    return value


def check_transformer(transformer: dict[str, Any]) -> None:
    paths = transformer.get("InputPathsMap") or {}
    if len(paths) > MAX_PATHS:
        raise InvalidInput(f"InputPathsMap can have at most {MAX_PATHS} entries.")
    for name, path in paths.items():
        if name.startswith("aws."):
            raise InvalidInput(f"InputTransformer key {name} is reserved: keys may not start with 'aws.'.")
        try:
            check_path(path)
        except InvalidInput:
            raise InvalidInput(f"Invalid InputPathsMap[{name}]: {path}") from None


def render(target: dict[str, Any], event: dict[str, Any], rule: dict[str, str]) -> str:
    """The text a target receives for this event."""
    if target.get("Input") is not None:
        return str(target["Input"])
    if target.get("InputPath"):
        value = resolve(target["InputPath"], event)
        return "null" if value is _MISSING else json.dumps(value, separators=(",", ":"))
    transformer = target.get("InputTransformer")
    if transformer:
        return transform(transformer, event, rule)
    return json.dumps(event, separators=(",", ":"))


def transform(transformer: dict[str, Any], event: dict[str, Any], rule: dict[str, str]) -> str:
    values: dict[str, Any] = {
        name: resolve(path, event) for name, path in (transformer.get("InputPathsMap") or {}).items()
    }
    values["aws.events.rule-arn"] = rule.get("arn", "")
    values["aws.events.rule-name"] = rule.get("name", "")
    values["aws.events.event.ingestion-time"] = rule.get("ingestion_time", event.get("time", ""))
    values["aws.events.event"] = event
    values["aws.events.event.json"] = event
    return _substitute(transformer["InputTemplate"], values)


def _substitute(template: str, values: dict[str, Any]) -> str:
    out: list[str] = []
    in_string = escaped = False
    position = 0
    while position < len(template):
        char = template[position]
        match = _PLACEHOLDER.match(template, position) if char == "<" else None
        if match and match.group(1) in values:
            out.append(_format(values[match.group(1)], in_string))
            position = match.end()
            continue
        if in_string and escaped:
            escaped = False
        elif char == "\\" and in_string:
            escaped = True
        elif char == '"':
            in_string = not in_string
        out.append(char)
        position += 1
    return "".join(out)


def _format(value: Any, in_string: bool) -> str:
    if in_string:
        if value is _MISSING or value is None:
            return ""
        text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
        return json.dumps(text)[1:-1]
    if value is _MISSING:
        return "null"
    return json.dumps(value, separators=(",", ":"))
