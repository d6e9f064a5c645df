"""Pagination of SNS list operations: 100 items a page, opaque NextToken values."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fogbank.services.sns.errors import invalid

PAGE_SIZE = 100


def page(items: list[dict[str, Any]], key: str, token: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """One page of 100 items sorted by `key`; tokens name the first item of the next page."""
    start = 0
    if token:
        try:
            after = base64.b64decode(token, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise invalid("NextToken") from None
        start = next((index for index, item in enumerate(items) if item[key] >= after), len(items))
    chosen = items[start : start + PAGE_SIZE]
    more = start + PAGE_SIZE < len(items)
    return chosen, base64.b64encode(items[start + PAGE_SIZE][key].encode()).decode() if more else None


def with_token(result: dict[str, Any], token: str | None) -> dict[str, Any]:
    if token:
        result["NextToken"] = token
    return result
