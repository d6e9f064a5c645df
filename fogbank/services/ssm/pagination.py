"""NextToken for SSM listings: an opaque token carrying the offset into a sorted listing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from fogbank.services.pagination import offset_page
from fogbank.services.ssm.errors import InvalidNextToken

T = TypeVar("T")


def page(items: Sequence[T], request: dict[str, Any], default_size: int) -> tuple[list[T], str | None]:
    """One page of `items` and the token of the next page (None on the last page)."""
    try:
        return offset_page(items, request.get("NextToken"), request.get("MaxResults") or default_size, "ssm")
    except ValueError:
        raise InvalidNextToken("The specified token isn't valid.") from None
