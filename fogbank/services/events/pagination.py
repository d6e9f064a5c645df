"""NextToken paging for EventBridge list operations (the token is an opaque offset)."""

from __future__ import annotations

import base64
from typing import Any

from fogbank.services.events.errors import ValidationException

DEFAULT_LIMIT = 100


def page(items: list[Any], request: dict[str, Any], key: str) -> dict[str, Any]:
    start = 0
    token = request.get("NextToken")
    if token:
        try:
            start = int(base64.urlsafe_b64decode(token.encode()).decode())
        except ValueError:
            raise ValidationException("The NextToken is not valid.") from None
    limit = request.get("Limit") or DEFAULT_LIMIT
    out: dict[str, Any] = {key: items[start : start + limit]}
    if start + limit < len(items):
        out["NextToken"] = base64.urlsafe_b64encode(str(start + limit).encode()).decode()
    return out
