"""IAM's list pagination: `Marker` and `MaxItems` in, `IsTruncated` and `Marker` out.

The marker is the sort key of the first item of the next page, so pages stay correct when items
are added or removed between calls. MaxItems defaults to 100 (IAM API reference).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from fogbank.services.iam.errors import InvalidInput

T = TypeVar("T")
DEFAULT_MAX_ITEMS = 100


def _encode(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode()


def _decode(marker: str) -> str:
    try:
        return base64.urlsafe_b64decode(marker.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("Invalid Marker.") from None


def paginate(
    items: Iterable[T], request: dict[str, Any], sort_key: Callable[[T], str], member: str
) -> dict[str, Any]:
    """One page of `items` sorted by `sort_key`, as `{member: [...], "IsTruncated", "Marker"?}`."""
    ordered = sorted(items, key=sort_key)
    marker = request.get("Marker")
    if marker:
        start_key = _decode(marker)
        ordered = [item for item in ordered if sort_key(item) >= start_key]
    limit = request.get("MaxItems") or DEFAULT_MAX_ITEMS
    page = ordered[:limit]
    result: dict[str, Any] = {member: page, "IsTruncated": len(ordered) > limit}
    if len(ordered) > limit:
        result["Marker"] = _encode(sort_key(ordered[limit]))
    return result
