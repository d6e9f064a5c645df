"""Object tags (GetObjectTagging / PutObjectTagging / DeleteObjectTagging): up to 10 tags kept on
each object version. https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html"""

from __future__ import annotations

from typing import Any

from fogbank.services.s3 import objects
from fogbank.services.s3.errors import InvalidTag

MAX_TAGS = 10


def get_tags(bucket: dict[str, Any], key: str, version_id: str | None) -> dict[str, Any]:
    version = objects.find(bucket["Name"], key, version_id)
    result: dict[str, Any] = {
        "TagSet": [{"Key": k, "Value": v} for k, v in (version.get("Tags") or {}).items()]
    }
    if bucket.get("Versioning"):
        result["VersionId"] = version["VersionId"]
    return result


def _validate(tag_set: list[dict[str, Any]]) -> dict[str, str]:
    tags: dict[str, str] = {}
    for tag in tag_set:
        key, value = tag.get("Key") or "", tag.get("Value") or ""
        if key in tags:
            raise InvalidTag("Cannot provide multiple Tags with the same key", TagKey=key)
        if not key or len(key) > 128:
            raise InvalidTag("The TagKey you have provided is invalid", TagKey=key)
        if len(value) > 256:
            raise InvalidTag("The TagValue you have provided is invalid", TagKey=key, TagValue=value)
        tags[key] = value
    if len(tags) > MAX_TAGS:
        raise InvalidTag("Object tags cannot be greater than 10")
    return tags


def set_tags(
    bucket: dict[str, Any], key: str, version_id: str | None, tag_set: list[dict[str, Any]]
) -> dict[str, Any]:
    """Replace a version's tags (an empty set deletes them)."""
    tags = _validate(tag_set)
    version = objects.find(bucket["Name"], key, version_id)
    version["Tags"] = tags
    store = objects.object_store(bucket["Name"])
    store.put(key, store[key])
    return {"VersionId": version["VersionId"]} if bucket.get("Versioning") else {}
