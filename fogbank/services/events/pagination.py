"""NextToken paging for EventBridge list operations (the token is an opaque offset)."""

from __future__ import annotations

from typing import Any

from fogbank.services.events.errors import ValidationException
from fogbank.services.pagination import offset_token, read_offset

DEFAULT_LIMIT = 100


def page(items: list[Any], request: dict[str, Any], key: str) -> dict[str, Any]:
    start = 0
    token = request.get("NextToken")
    if token:
        try:
            start = read_offset(token)
        except ValueError:
            raise ValidationException("The NextToken is not valid.") from None
    limit = request.get("Limit") or DEFAULT_LIMIT
    out: dict[str, Any] = {key: items[start : start + limit]}
    if start + limit < len(items):
        out["NextToken"] = offset_token(start + limit)
    return out
