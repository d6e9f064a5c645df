"""Pipes input templates (`InputTemplate` of EnrichmentParameters and TargetParameters): free
text, a single `<$.path>`, or JSON with inline `<$.path>` references and the reserved variables
`<aws.pipes.pipe-arn>`, `<aws.pipes.pipe-name>`, `<aws.pipes.source-arn>`,
`<aws.pipes.enrichment-arn>`, `<aws.pipes.target-arn>`, `<aws.pipes.event.ingestion-time>`,
`<aws.pipes.event>` and `<aws.pipes.event.json>`, as AWS documents them
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-input-transformation.html).

Paths see the event with its encoded field decoded ("implicit body data parsing"): an SQS `body`
or a Kinesis `data` that holds JSON can be addressed inside (`<$.body.orderId>`). A reference
inside a JSON string is inserted as text; outside one, as a JSON value.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from fogbank import clock

_PLACEHOLDER = re.compile(r"<(\$(?:[.\[][^<>]*)?|aws\.pipes\.[a-z.\-]+)>")
_STEP = re.compile(r"\.([A-Za-z0-9_\-/]+|\*)|\[(\d+|\*)\]|\['([^']*)'\]")
MISSING = object()


@dataclass(slots=True)
class PipeNames:
    """The reserved variables' values for one pipe."""

    arn: str
    name: str
    source: str
    enrichment: str
    target: str


def expanded(event: Any) -> Any:
    """The event with an SQS `body` or Kinesis `data` holding JSON parsed in place."""
    if not isinstance(event, dict):
        return event
    if event.get("eventSource") == "aws:sqs" and isinstance(event.get("body"), str):
        return {**event, "body": _json_or_text(event["body"])}
    if event.get("eventSource") == "aws:kinesis" and isinstance(event.get("data"), str):
        try:
            decoded = base64.b64decode(event["data"], validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return event
        return {**event, "data": _json_or_text(decoded)}
    return event


def _json_or_text(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return text


def resolve(path: str, document: Any) -> Any:
    """The value at `path` (`$`, `$.a.b`, `$.a[3]`, `$.a[*].b`), a list where a wildcard is used,
    or MISSING."""
    values = [document]
    wild = False
    position = 1
    while position < len(path):
        match = _STEP.match(path, position)
        if match is None:
            return MISSING
        name, index, quoted = match.groups()
        key = name if name is not None else quoted
        if key == "*" or index == "*":
            wild = True
            values = [item for value in values for item in _children(value)]
        elif index is not None:
            values = [v[int(index)] for v in values if isinstance(v, list) and int(index) < len(v)]
        else:
            values = [v[key] for v in values if isinstance(v, dict) and key in v]
        position = match.end()
    if wild:
        return values
    return values[0] if values else MISSING


def _children(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return list(value.values())
    return list(value) if isinstance(value, list) else []


def _values(names: PipeNames, event: Any) -> dict[str, Any]:
    moment = datetime.fromtimestamp(clock.now(), UTC)
    return {
        "aws.pipes.pipe-arn": names.arn,
        "aws.pipes.pipe-name": names.name,
        "aws.pipes.source-arn": names.source,
        "aws.pipes.enrichment-arn": names.enrichment,
        "aws.pipes.target-arn": names.target,
        "aws.pipes.event.ingestion-time": moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "aws.pipes.event": orjson.dumps(event).decode(),
        "aws.pipes.event.json": expanded(event),
    }


def render(template: str, event: Any, names: PipeNames) -> Any:
    """What the enrichment or target receives for `event`: a JSON value when the template
    renders JSON (or is a single path), otherwise text."""
    view = expanded(event)
    reserved = _values(names, event)
    whole = _PLACEHOLDER.fullmatch(template.strip())
    if whole is not None:
        value = _lookup(whole.group(1), view, reserved)
        return None if value is MISSING else value
    is_json = template.lstrip()[:1] in ("{", "[")
    text = _substitute(template, view, reserved, is_json)
    if not is_json:
        return text
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return text


def _lookup(reference: str, view: Any, reserved: dict[str, Any]) -> Any:
    if reference.startswith("$"):
        return resolve(reference, view)
    return reserved.get(reference, MISSING)


def _substitute(template: str, view: Any, reserved: dict[str, Any], is_json: bool) -> str:
    out: list[str] = []
    in_string = escaped = False
    position = 0
    while position < len(template):
        char = template[position]
        match = _PLACEHOLDER.match(template, position) if char == "<" else None
        if match is not None:
            value = _lookup(match.group(1), view, reserved)
            out.append(_format(value, in_string, is_json))
            position = match.end()
            continue
        if in_string and escaped:
            escaped = False
        elif char == "\\" and in_string:
            escaped = True
        elif char == '"' and is_json:
            in_string = not in_string
        out.append(char)
        position += 1
    return "".join(out)


def _format(value: Any, in_string: bool, is_json: bool) -> str:
    if value is MISSING:
        return "" if in_string or not is_json else "null"
    if in_string or not is_json:
        text = value if isinstance(value, str) else orjson.dumps(value).decode()
        return orjson.dumps(text).decode()[1:-1] if in_string else text
    return orjson.dumps(value).decode()


def as_text(value: Any) -> str:
    """A rendered event as a message body: text as it is, anything else as JSON."""
    return value if isinstance(value, str) else orjson.dumps(value).decode()
