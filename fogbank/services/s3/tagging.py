"""Bucket tag sets validated by S3's rules, and tag matching for lifecycle filters.

Rules (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html and
https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/allocation-tag-restrictions.html):
up to 50 tags on a bucket, 10 on an object, keys 1-128 and values 0-256 Unicode characters of
letters, digits, spaces and `_ . : / = + - @`, unique keys, no `aws:` prefix.

Object tags live in the object's version record (`objects`, `object_tagging`).
"""

from __future__ import annotations

import re
from typing import Any

from fogbank.services.s3.errors import InvalidTag

BUCKET_TAG_LIMIT = 50
OBJECT_TAG_LIMIT = 10
_ALLOWED = re.compile(r"^[\w\s.:/=+\-@]*$", re.UNICODE)


def validate_tag_set(tags: list[dict[str, Any]], *, limit: int, kind: str) -> None:
    """Raise S3's InvalidTag for the first rule a tag set breaks (`kind` is "Bucket" or "Object")."""
    if len(tags) > limit:
        raise InvalidTag(f"{kind} tags cannot be greater than {limit}")
    seen: set[str] = set()
    for tag in tags:
        key, value = tag.get("Key", ""), tag.get("Value", "")
        if key in seen:
            raise InvalidTag("Cannot provide multiple Tags with the same key", TagKey=key)
        seen.add(key)
        if key.lower().startswith("aws:"):
            raise InvalidTag("System tags cannot be added/updated by requester")
        if not key or len(key) > 128 or not _ALLOWED.match(key):
            raise InvalidTag("The TagKey you have provided is invalid", TagKey=key)
        if len(value) > 256 or not _ALLOWED.match(value):
            raise InvalidTag("The TagValue you have provided is invalid", TagKey=key, TagValue=value)


def clean_tag_set(tags: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"Key": tag.get("Key", ""), "Value": tag.get("Value", "")} for tag in tags]


def object_tags(version: dict[str, Any]) -> list[dict[str, str]]:
    """The tag set of an object version record (`objects.find`'s)."""
    return [{"Key": key, "Value": value} for key, value in (version.get("Tags") or {}).items()]


def tags_match(required: list[dict[str, Any]], actual: list[dict[str, str]]) -> bool:
    """Whether every required tag (a lifecycle filter's) is on the object with the same value."""
    present = {tag["Key"]: tag["Value"] for tag in actual}
    return all(present.get(tag.get("Key", "")) == tag.get("Value", "") for tag in required)
