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


# Whether a bucket holds any document, asked on every object write (default encryption, event
# notifications) before either is looked up: most buckets hold none. Two answers are kept:
# `_named`, the names of the buckets that have held a document since the store was loaded, tied
# to the store object (a reset or an import loads a new one, and the set is rebuilt); and
# `_unconfigured`, name -> the bucket record found in no set (a reset, an import, or a rolled-back
# bucket write loads a new record, so an entry for an older one is never trusted). Names are added
# before a document is written or deleted and never removed, so a rolled-back write or delete can
# only leave a bucket that holds nothing among the named (then the full lookups answer), never the
# reverse. In-process 1 KiB PutObject: two lookups cost about 10k instructions, this about 1k.
_named: tuple[Collection[dict[str, Any]], set[str]] | None = None
_unconfigured: dict[str, dict[str, Any]] = {}


def may_be_configured(bucket: dict[str, Any]) -> bool:
    """False when the bucket surely holds no configuration document (of any kind)."""
    name = bucket["Name"]
    if _unconfigured.get(name) is bucket:
        return False
    if name in _names_for(config_store()):
        return True
    _unconfigured[name] = bucket
    return False


def _names_for(store: Collection[dict[str, Any]]) -> set[str]:
    global _named
    if _named is None or _named[0] is not store:
        _unconfigured.clear()
        _named = (store, {key.partition("/")[0] for key in store})
    return _named[1]


def _touch(bucket: dict[str, Any]) -> Collection[dict[str, Any]]:
    """The store, with the bucket counted among those that may hold documents (before a change)."""
    store = config_store()
    _names_for(store).add(bucket["Name"])
    _unconfigured.pop(bucket["Name"], None)
    return store


def read_config(bucket: dict[str, Any], kind: str) -> Any | None:
    """The stored document of this kind for this bucket, or None."""
    record = config_store().get(f"{bucket['Name']}/{kind}")
    if record is None or record.get("Created") != bucket.get("CreationDate"):
        return None
    return record["Value"]


def write_config(bucket: dict[str, Any], kind: str, value: Any) -> None:
    record = {"Created": bucket.get("CreationDate"), "Value": to_json(value)}
    with state.atomic():
        _touch(bucket).put(f"{bucket['Name']}/{kind}", record)


def delete_config(bucket: dict[str, Any], kind: str) -> None:
    with state.atomic():
        _touch(bucket).delete(f"{bucket['Name']}/{kind}")


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
