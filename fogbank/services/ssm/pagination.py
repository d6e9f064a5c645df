"""NextToken for SSM listings: an opaque token carrying the offset into a sorted listing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from fogbank.services.pagination import offset_token, read_offset
from fogbank.services.ssm.errors import InvalidNextToken

T = TypeVar("T")


def page(items: Sequence[T], request: dict[str, Any], default_size: int) -> tuple[list[T], str | None]:
    """One page of `items` and the token of the next page (None on the last page)."""
    start = _offset(request.get("NextToken"))
    size = request.get("MaxResults") or default_size
    chosen = list(items[start : start + size])
    following = start + size
    token = offset_token(following, "ssm") if following < len(items) else None
    return chosen, token


def _offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        return read_offset(token, "ssm")
    except ValueError:
        raise InvalidNextToken("The specified token isn't valid.") from None
