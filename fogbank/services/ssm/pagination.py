"""NextToken for SSM listings: an opaque token carrying the offset into a sorted listing."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any, TypeVar

from fogbank.services.ssm.errors import InvalidNextToken

T = TypeVar("T")


def page(items: Sequence[T], request: dict[str, Any], default_size: int) -> tuple[list[T], str | None]:
    """One page of `items` and the token of the next page (None on the last page)."""
    start = _offset(request.get("NextToken"))
    size = request.get("MaxResults") or default_size
    chosen = list(items[start : start + size])
    following = start + size
    token = base64.urlsafe_b64encode(f"ssm:{following}".encode()).decode() if following < len(items) else None
    return chosen, token


def _offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        prefix, _, number = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
        if prefix != "ssm":
            raise ValueError(prefix)
        return int(number)
    except ValueError:
        raise InvalidNextToken("The specified token isn't valid.") from None
