"""ListSecrets and BatchGetSecretValue filters, sorting and pagination.

https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_Filter.html — prefix matches;
`description` and `all` ignore case; a value starting with '!' negates.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, TypeVar

from fogbank.services.pagination import offset_page
from fogbank.services.secretsmanager.errors import InvalidNextTokenException

T = TypeVar("T")
Record = dict[str, Any]

_SORT_FIELDS = {
    "created-date": "CreatedDate",
    "last-accessed-date": "LastAccessedDate",
    "last-changed-date": "LastChangedDate",
    "name": "Name",
}


def _fields(record: Record, key: str) -> list[str]:
    tags = record["Tags"]
    if key == "name":
        return [record["Name"]]
    if key == "description":
        return [record.get("Description") or ""]
    if key == "tag-key":
        return [tag["Key"] for tag in tags]
    if key == "tag-value":
        return [tag["Value"] for tag in tags]
    if key == "primary-region":
        return []  # fogbank has no replicated secrets: no secret has a primary region set
    if key == "owning-service":
        return [record["OwningService"]] if record.get("OwningService") else []
    words = (
        [record["Name"], record.get("Description") or ""]
        + _fields(record, "tag-key")
        + _fields(record, "tag-value")
    )
    return [word for text in words for word in re.split(r"[\s/_\-.]+", text) if word] + words


def _matches_value(record: Record, key: str, value: str) -> bool:
    negate = value.startswith("!")
    wanted = value[1:] if negate else value
    fold = key in ("description", "all")
    found = any(
        (field.lower() if fold else field).startswith(wanted.lower() if fold else wanted)
        for field in _fields(record, key)
    )
    return found != negate


def matches(record: Record, filters: list[Record]) -> bool:
    """Every filter must match; within a filter, any of its values."""
    return all(
        any(_matches_value(record, f["Key"], value) for value in f.get("Values") or []) for f in filters
    )


def sort(records: list[Record], sort_by: str | None, order: str | None) -> list[Record]:
    field = _SORT_FIELDS[sort_by or "created-date"]
    return sorted(
        records, key=lambda record: (record.get(field) or 0, record["Name"]), reverse=order == "desc"
    )


def page(items: Sequence[T], token: str | None, size: int) -> tuple[list[T], str | None]:
    try:
        return offset_page(items, token, size, "sm")
    except ValueError:
        raise InvalidNextTokenException("The NextToken value is invalid.") from None
