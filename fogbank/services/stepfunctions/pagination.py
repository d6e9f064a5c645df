"""nextToken pagination of the Step Functions List* and GetExecutionHistory operations."""

from __future__ import annotations

from typing import Any

from fogbank.services.pagination import offset_token, read_offset
from fogbank.services.stepfunctions.errors import InvalidToken


def page(items: list[Any], request: dict[str, Any], default: int = 100) -> tuple[list[Any], str | None]:
    """One page of `items`; maxResults 0 or absent means the default page size."""
    size = request.get("maxResults") or default
    start = 0
    token = request.get("nextToken")
    if token:
        try:
            start = read_offset(token)
        except ValueError:
            raise InvalidToken(f"Invalid Token: '{token}'") from None
    end = start + size
    following = offset_token(end) if end < len(items) else None
    return items[start:end], following
