"""NextToken paging for EventBridge list operations (the token is an opaque offset)."""

from __future__ import annotations

from typing import Any

from fogbank.services.events.errors import ValidationException
from fogbank.services.pagination import offset_page

DEFAULT_LIMIT = 100


def page(items: list[Any], request: dict[str, Any], key: str) -> dict[str, Any]:
    try:
        chosen, token = offset_page(items, request.get("NextToken"), request.get("Limit") or DEFAULT_LIMIT)
    except ValueError:
        raise ValidationException("The NextToken is not valid.") from None
    out: dict[str, Any] = {key: chosen}
    if token:
        out["NextToken"] = token
    return out
