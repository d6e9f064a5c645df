"""FilterCriteria: a record reaches the function only when it matches at least one filter pattern
(EventBridge pattern syntax, through the shared matcher in `fogbank.events.patterns`).

What a pattern is matched against, as AWS documents
(https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html): the whole SQS
record with `body` parsed when it is JSON, the `kinesis` object of a Kinesis record with `data`
decoded and parsed when it is JSON, the whole DynamoDB Streams record.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson

from fogbank.events import patterns
from fogbank.services.lambda_.errors import InvalidParameterValueException

MAX_FILTERS = 5


class Filters:
    """Compiled filter patterns of one mapping; no pattern means every record passes."""

    def __init__(self, criteria: dict[str, Any] | None) -> None:
        documents = [item.get("Pattern") or "" for item in (criteria or {}).get("Filters") or []]
        self.patterns = [patterns.compile_text(document) for document in documents]

    def accepts(self, shaped: dict[str, Any]) -> bool:
        return not self.patterns or any(pattern.matches(shaped) for pattern in self.patterns)


def check(criteria: dict[str, Any] | None) -> None:
    filters = (criteria or {}).get("Filters") or []
    if len(filters) > MAX_FILTERS:
        raise InvalidParameterValueException(
            f"The number of filters in FilterCriteria exceeds the limit of {MAX_FILTERS}."
        )
    for item in filters:
        try:
            patterns.compile_text(item.get("Pattern") or "")
        except patterns.InvalidPattern:
            raise InvalidParameterValueException("Invalid filter pattern definition.") from None


def _parsed(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return text


def sqs_view(record: dict[str, Any]) -> dict[str, Any]:
    return {**record, "body": _parsed(record["body"])}


def kinesis_view(record: dict[str, Any]) -> dict[str, Any]:
    inner = dict(record["kinesis"])
    try:
        decoded = base64.b64decode(inner["data"]).decode()
        inner["data"] = _parsed(decoded)
    except (binascii.Error, UnicodeDecodeError):
        pass
    return inner
