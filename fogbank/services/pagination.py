"""Opaque pagination tokens (NextToken / nextToken) as the services here write and read them:
an offset into a sorted listing (and the page it starts), or a small JSON value (the last name or
position a page held).

AWS documents these tokens only as opaque strings; each service keeps its own error code and
message for a token it cannot read, so the readers here raise `ValueError` and the caller maps it.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any, TypeVar

import orjson

T = TypeVar("T")


def offset_page(
    items: Sequence[T], token: str | None, size: int, prefix: str | None = None
) -> tuple[list[T], str | None]:
    """One page of `items`, from the offset the token carries (the start without one), and the
    token of the next page (None on the last page); `ValueError` for a token it did not write."""
    start = read_offset(token, prefix) if token else 0
    end = start + size
    return list(items[start:end]), offset_token(end, prefix) if end < len(items) else None


def offset_token(offset: int, prefix: str | None = None) -> str:
    """The token of the page starting at `offset` (`prefix:` ahead of it, if given)."""
    text = str(offset) if prefix is None else f"{prefix}:{offset}"
    return base64.urlsafe_b64encode(text.encode()).decode()


def read_offset(token: str, prefix: str | None = None) -> int:
    """The offset an `offset_token` carries; `ValueError` if it is not one (or has another prefix)."""
    text = base64.urlsafe_b64decode(token.encode()).decode()
    if prefix is not None:
        found, _, text = text.partition(":")
        if found != prefix:
            raise ValueError(found)
    return int(text)


def json_token(value: Any) -> str:
    return base64.b64encode(orjson.dumps(value)).decode()


def read_json_token(token: str, *, validate: bool = True) -> Any:
    """The value a `json_token` carries; `ValueError` if the token is not base64 or not JSON
    (`validate=False` skips characters outside the base64 alphabet instead of refusing them)."""
    return orjson.loads(base64.b64decode(token, validate=validate))
