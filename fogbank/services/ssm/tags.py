"""Tags on parameters: the tag rules of AddTagsToResource / PutParameter and the 50-tag limit.

https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_AddTagsToResource.html
"""

from __future__ import annotations

from typing import Any

from fogbank.services.ssm.errors import InvalidResourceId, TooManyTagsError, ValidationException

MAX_TAGS = 50


def check_tags(tags: list[dict[str, Any]], current: dict[str, str]) -> dict[str, str]:
    """`current` with `tags` added (a key given again takes the new value)."""
    merged = dict(current)
    for tag in tags:
        key = tag["Key"]
        if key.lower().startswith("aws:"):
            raise InvalidResourceId('Tag keys beginning with "aws:" are reserved for AWS use.')
        merged[key] = tag["Value"]
    if len(merged) > MAX_TAGS:
        raise TooManyTagsError("The Tags request parameter contained too many items.")
    return merged


def check_resource_type(resource_type: str) -> None:
    """Parameters are the only SSM resources fogbank has; the others fail clearly."""
    if resource_type != "Parameter":
        raise ValidationException(
            f"fogbank does not support tags on SSM resources of type {resource_type} yet: only Parameter."
        )


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in sorted(tags.items())]
