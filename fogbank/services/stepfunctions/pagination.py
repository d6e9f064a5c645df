"""nextToken pagination of the Step Functions List* and GetExecutionHistory operations."""

from __future__ import annotations

from typing import Any

from fogbank.services.pagination import offset_page
from fogbank.services.stepfunctions.errors import InvalidToken


def page(items: list[Any], request: dict[str, Any], default: int = 100) -> tuple[list[Any], str | None]:
    """One page of `items`; maxResults 0 or absent means the default page size."""
    token = request.get("nextToken")
    try:
        return offset_page(items, token, request.get("maxResults") or default)
    except ValueError:
        raise InvalidToken(f"Invalid Token: '{token}'") from None
