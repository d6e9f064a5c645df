"""The store of bucket sub-resource documents (tagging, CORS, policy, ACL, lifecycle, encryption,
website, notifications, ...): one record per bucket and kind in the collection
("s3", "bucket-config", scope "global"), keyed `"<bucket>/<kind>"`; and of object sub-resource
documents (tags, ACL) set after an object was written, in ("s3", "object-config", "global") keyed
`"<bucket>/<kind>/<versionId>/<key>"`.

Each bucket record remembers the `CreationDate` of the bucket it belongs to, so a document left behind by a
deleted bucket never leaks into a new bucket of the same name (S3 drops sub-resources with the
bucket). Each object record remembers the ETag and LastModified of the object version it
belongs to: a document belongs to one write of the object, so overwriting the object drops it, as
in S3 (values given with the write itself live in the object record). Documents are stored JSON-shaped: timestamps become epoch seconds, which the rest-xml
serializer writes back as timestamps.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fogbank import state
from fogbank.state import Collection, database


def config_store() -> Collection[dict[str, Any]]:
    # Looked up on every use: a reset drops cached collections.
    return database().collection("s3", "bucket-config", "global")


def read_config(bucket: dict[str, Any], kind: str) -> Any | None:
    """The stored document of this kind for this bucket, or None."""
    record = config_store().get(f"{bucket['Name']}/{kind}")
    if record is None or record.get("Created") != bucket.get("CreationDate"):
        return None
    return record["Value"]


def write_config(bucket: dict[str, Any], kind: str, value: Any) -> None:
    record = {"Created": bucket.get("CreationDate"), "Value": to_json(value)}
    with state.atomic():
        config_store().put(f"{bucket['Name']}/{kind}", record)


def delete_config(bucket: dict[str, Any], kind: str) -> None:
    with state.atomic():
        config_store().delete(f"{bucket['Name']}/{kind}")


def buckets_with(kind: str) -> list[str]:
    """Names of the buckets that hold a document of this kind (for engines that sweep)."""
    suffix = f"/{kind}"
    return [key[: -len(suffix)] for key in list(config_store().keys()) if key.endswith(suffix)]


def to_json(value: Any) -> Any:
    """A parsed request document made storable: datetimes become epoch seconds."""
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_json(item) for item in value]
    if isinstance(value, datetime):
        return value.timestamp()
    return value


# -- object sub-resources --------------------------------------------------------------------------


def object_config_store() -> Collection[dict[str, Any]]:
    return database().collection("s3", "object-config", "global")


def _object_key(bucket: str, kind: str, version: dict[str, Any]) -> str:
    return f"{bucket}/{kind}/{version.get('VersionId') or 'null'}/{version['Key']}"


def _stamp(value: Any) -> float | None:
    if value is None:
        return None
    return float(value.timestamp()) if isinstance(value, datetime) else float(value)


def read_object_config(bucket: str, kind: str, version: dict[str, Any]) -> Any | None:
    """The document set on this object version after its write, or None."""
    record = object_config_store().get(_object_key(bucket, kind, version))
    if record is None:
        return None
    if record["ETag"] != version.get("ETag") or record["LastModified"] != _stamp(version.get("LastModified")):
        return None
    return record["Value"]


def write_object_config(bucket: str, kind: str, version: dict[str, Any], value: Any) -> None:
    record = {
        "ETag": version.get("ETag"),
        "LastModified": _stamp(version.get("LastModified")),
        "Value": value,
    }
    with state.atomic():
        object_config_store().put(_object_key(bucket, kind, version), record)
