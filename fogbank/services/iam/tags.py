"""Tags on users, roles, managed policies and instance profiles (Tag*/Untag*/List*Tags).

IAM allows 50 tags per resource; tagging with an existing key replaces its value, and keys are
compared without regard to case (IAM User Guide, "Tagging IAM resources").
"""

from __future__ import annotations

from typing import Any

from fogbank.services.iam.errors import InvalidInput, LimitExceeded
from fogbank.services.iam.pagination import paginate

MAX_TAGS = 50


def merged(existing: list[dict[str, str]], new: list[dict[str, str]]) -> list[dict[str, str]]:
    """`existing` with `new` applied. IAM tag keys are case-insensitive: a new value for an existing
    key (in any case) replaces it, and one request may not name a key twice."""
    lowered = [tag["Key"].lower() for tag in new]
    if len(lowered) != len(set(lowered)):
        raise InvalidInput("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
    by_key = {tag["Key"].lower(): (tag["Key"], tag["Value"]) for tag in existing}
    for tag in new:
        by_key[tag["Key"].lower()] = (tag["Key"], tag.get("Value", ""))
    if len(by_key) > MAX_TAGS:
        raise LimitExceeded(f"The number of tags has reached the maximum limit of {MAX_TAGS}.")
    return [{"Key": key, "Value": value} for key, value in by_key.values()]


def tag(record: dict[str, Any], new: list[dict[str, str]]) -> None:
    record["Tags"] = merged(record.get("Tags") or [], new)


def untag(record: dict[str, Any], keys: list[str]) -> None:
    removed = {key.lower() for key in keys}
    record["Tags"] = [tag for tag in record.get("Tags") or [] if tag["Key"].lower() not in removed]


def page(record: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    tags = list(record.get("Tags") or [])
    order = {id(tag): index for index, tag in enumerate(tags)}
    return paginate(tags, request, lambda tag: f"{order[id(tag)]:06d}", "Tags")
