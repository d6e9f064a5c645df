"""Objects and their versions: where object records live, how a new version takes its place under
each versioning state, deletes and delete markers, and how a version is described in responses.

One record per key in the collection ("s3", "objects", "bucket/<name>"): {"Versions": [...]},
newest first. A version is a dict: {"Key", "VersionId" ("null" when written unversioned),
"DeleteMarker", "LastModified" (epoch seconds), "Owner" (account)} and, for objects, "ETag",
"Size", "Blob" (a `fogbank.state.blobs` id; a tiny body in an unversioned bucket is embedded in
it), "ContentType", "StorageClass", "Headers" (content headers and SSE by member name),
"Metadata", "Checksum" ({"Algorithm", "Value", "Type"} or None), "PartsCount", "Tags".
See https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html
"""

from __future__ import annotations

import secrets
from bisect import insort
from typing import Any

from fogbank import clock
from fogbank.errors import AwsError
from fogbank.services.s3 import bodies
from fogbank.services.s3.errors import (
    InvalidArgument,
    MethodNotAllowed,
    NoSuchKey,
    NoSuchVersion,
)
from fogbank.state import Collection, database

NULL_VERSION = "null"
# Content headers stored with an object and returned by GetObject/HeadObject, by member name.
CONTENT_HEADERS = ("CacheControl", "ContentDisposition", "ContentEncoding", "ContentLanguage", "Expires")
STORED_HEADERS = (
    *CONTENT_HEADERS,
    "WebsiteRedirectLocation",
    "ServerSideEncryption",
    "SSEKMSKeyId",
    "SSEKMSEncryptionContext",
    "BucketKeyEnabled",
)


def object_store(bucket_name: str) -> Collection[dict[str, Any]]:
    return database().collection("s3", "objects", f"bucket/{bucket_name}")


# Each bucket's object collection, by bucket name, with the bucket record it was looked up for
# (finding a collection costs about 3k instructions, a tenth of PutObject's own Python work).
# A reset, an import or a rolled-back bucket write loads new bucket records and collections, so an
# entry for an older record is never used; the provider's `stop` (at every reset and import)
# empties the cache, so no replaced collection stays in memory.
_stores: dict[str, tuple[dict[str, Any], Collection[dict[str, Any]]]] = {}


def store_of(bucket: dict[str, Any]) -> Collection[dict[str, Any]]:
    """`object_store` of a bucket record."""
    name = bucket["Name"]
    cached = _stores.get(name)
    if cached is not None and cached[0] is bucket:
        return cached[1]
    store = object_store(name)
    _stores[name] = (bucket, store)
    return store


def forget_stores() -> None:
    _stores.clear()


# Each bucket's keys in order, for listings: (the collection they describe, its key-set
# generation, the sorted keys). Adding or removing a key bumps the generation; a reset or import
# replaces the collection. Rebuilt lazily, so a burst of writes costs one sort.
_generations: dict[str, int] = {}
_sorted: dict[str, tuple[Collection[dict[str, Any]], int, list[str]]] = {}


def _keys_changed(bucket_name: str) -> None:
    _generations[bucket_name] = _generations.get(bucket_name, 0) + 1


def _key_added(bucket_name: str, key: str) -> None:
    """A new key goes into a valid index in place (listing skips a key whose write was rolled
    back, so an extra one is harmless; removals rebuild, as a missing one would not be)."""
    cached = _sorted.get(bucket_name)
    if cached is None:
        return  # no index to keep or to invalidate: the first listing sorts every key
    if cached[1] == _generations.get(bucket_name, 0):
        insort(cached[2], key)
    else:
        _keys_changed(bucket_name)


def sorted_keys(bucket_name: str) -> list[str]:
    """The bucket's keys in UTF-8 binary order (Python orders str by code point, the same order)."""
    store = object_store(bucket_name)
    generation = _generations.get(bucket_name, 0)
    cached = _sorted.get(bucket_name)
    if cached is not None and cached[0] is store and cached[1] == generation:
        return cached[2]
    keys = sorted(store.keys())
    _sorted[bucket_name] = (store, generation, keys)
    return keys


def versions_of(bucket_name: str, key: str) -> list[dict[str, Any]]:
    entry = object_store(bucket_name).get(key)
    return entry["Versions"] if entry else []


def current(bucket_name: str, key: str) -> dict[str, Any] | None:
    """The latest version of a key (possibly a delete marker), or None."""
    entry = object_store(bucket_name).get(key)
    return entry["Versions"][0] if entry else None


def new_version_id() -> str:
    return secrets.token_urlsafe(24)


def no_such_key(key: str) -> NoSuchKey:
    return NoSuchKey("The specified key does not exist.", Key=key)


def find(bucket_name: str, key: str, version_id: str | None) -> dict[str, Any]:
    """The version a read names (latest when no id). Delete markers answer as S3 does: 404 for
    the latest, 405 when named by id, each with the x-amz-delete-marker header."""
    versions = versions_of(bucket_name, key)
    if version_id is None:
        if not versions:
            raise no_such_key(key)
        latest = versions[0]
        if latest["DeleteMarker"]:
            raise NoSuchKey("The specified key does not exist.", Key=key, headers=_marker_headers(latest))
        return latest
    for version in versions:
        if version["VersionId"] == version_id:
            if version["DeleteMarker"]:
                raise MethodNotAllowed(
                    "The specified method is not allowed against this resource.",
                    Method="GET",
                    ResourceType="DeleteMarker",
                    headers=_marker_headers(version),
                )
            return version
    _check_version_id(version_id)
    raise NoSuchVersion("The specified version does not exist.", Key=key, VersionId=version_id)


def _check_version_id(version_id: str) -> None:
    if version_id != NULL_VERSION and len(version_id) != 32:
        raise InvalidArgument(
            "Invalid version id specified", ArgumentName="versionId", ArgumentValue=version_id
        )


def _marker_headers(marker: dict[str, Any]) -> dict[str, str]:
    from email.utils import formatdate

    return {
        "x-amz-delete-marker": "true",
        "x-amz-version-id": marker["VersionId"],
        "last-modified": formatdate(marker["LastModified"], usegmt=True),
    }


def place(bucket: dict[str, Any], version: dict[str, Any]) -> None:
    """Make `version` the key's latest, following the bucket's versioning state: unversioned
    buckets keep one version, Enabled adds one, Suspended replaces the "null" version.
    Blobs of replaced versions are freed once the records are written."""
    name, key = bucket["Name"], version["Key"]
    store = store_of(bucket)
    entry = store.get(key)
    versioning = bucket.get("Versioning")
    if not versioning:
        # Unversioned (most buckets): the version replaces whatever the key held.
        version["VersionId"] = NULL_VERSION
        if entry is None:
            _key_added(name, key)
        store.put(key, {"Versions": [version]})
        if entry is not None:
            for old in entry["Versions"]:
                bodies.discard(old.get("Blob"))
        return
    existing = entry["Versions"] if entry else []
    if versioning == "Enabled":
        version["VersionId"] = new_version_id()
        kept, dropped = existing, []
    else:
        version["VersionId"] = NULL_VERSION
        kept = [v for v in existing if v["VersionId"] != NULL_VERSION]
        dropped = [v for v in existing if v["VersionId"] == NULL_VERSION]
    if entry is None:
        _key_added(name, key)
    store.put(key, {"Versions": [version, *kept]})
    for old in dropped:
        bodies.discard(old.get("Blob"))


def delete(bucket: dict[str, Any], key: str, version_id: str | None, account: str) -> dict[str, Any]:
    """DeleteObject: removes a version by id, or (no id) the object itself or, in a versioned
    bucket, adds a delete marker. Deleting what does not exist succeeds, as in S3."""
    name = bucket["Name"]
    store = object_store(name)
    entry = store.get(key)
    versions = entry["Versions"] if entry else []
    if version_id is not None:
        return _delete_version(name, key, versions, version_id)
    if bucket.get("Versioning"):
        marker = {"Key": key, "DeleteMarker": True, "LastModified": int(clock.now()), "Owner": account}
        place(bucket, marker)
        return {"DeleteMarker": True, "VersionId": marker["VersionId"]}
    if versions:
        _keys_changed(name)
        store.delete(key)
        for version in versions:
            bodies.discard(version.get("Blob"))
    return {}


def _delete_version(
    bucket_name: str, key: str, versions: list[dict[str, Any]], version_id: str
) -> dict[str, Any]:
    store = object_store(bucket_name)
    target = next((v for v in versions if v["VersionId"] == version_id), None)
    if target is None:
        _check_version_id(version_id)
        return {"VersionId": version_id}
    rest = [v for v in versions if v is not target]
    if rest:
        store.put(key, {"Versions": rest})
    else:
        _keys_changed(bucket_name)
        store.delete(key)
    bodies.discard(target.get("Blob"))
    result: dict[str, Any] = {"VersionId": version_id}
    if target["DeleteMarker"]:
        result["DeleteMarker"] = True
    return result


def is_empty(bucket_name: str) -> bool:
    return len(object_store(bucket_name)) == 0


def drop_all(bucket_name: str) -> None:
    """Forget every object of a deleted bucket (only delete markers can remain by then)."""
    store = object_store(bucket_name)
    _keys_changed(bucket_name)
    for key in list(store):
        for version in store[key]["Versions"]:
            bodies.discard(version.get("Blob"))
        store.delete(key)


def describe(bucket: dict[str, Any], version: dict[str, Any], checksum_mode: str | None) -> dict[str, Any]:
    """The GetObject / HeadObject members describing a version (without body and range)."""
    result: dict[str, Any] = {
        "ETag": version["ETag"],
        "LastModified": version["LastModified"],
        "ContentLength": version["Size"],
        "ContentType": version["ContentType"],
        "AcceptRanges": "bytes",
    }
    headers = version.get("Headers")
    if headers:
        result.update(headers)
    if version.get("Metadata"):
        result["Metadata"] = version["Metadata"]
    if version["StorageClass"] != "STANDARD":
        result["StorageClass"] = version["StorageClass"]
    if bucket.get("Versioning"):
        result["VersionId"] = version["VersionId"]
    if version.get("PartsCount"):
        result["PartsCount"] = version["PartsCount"]
    if version.get("Tags"):
        result["TagCount"] = len(version["Tags"])
    checksum = version.get("Checksum")
    if checksum and checksum_mode == "ENABLED":
        result[f"Checksum{checksum['Algorithm']}"] = checksum["Value"]
        result["ChecksumType"] = checksum["Type"]
    return result


def delete_many(
    bucket: dict[str, Any], entries: list[dict[str, Any]], quiet: bool, account: str
) -> dict[str, Any]:
    """DeleteObjects: each key deleted like DeleteObject; failures reported per key."""
    deleted: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for entry in entries:
        key, version_id = entry["Key"], entry.get("VersionId")
        try:
            outcome = delete(bucket, key, version_id, account)
        except AwsError as error:
            failure = {"Key": key, "Code": error.code, "Message": error.message}
            if version_id:
                failure["VersionId"] = version_id
            errors.append(failure)
            continue
        if quiet:
            continue
        done: dict[str, Any] = {"Key": key}
        if version_id:
            done["VersionId"] = version_id
        if outcome.get("DeleteMarker"):
            done["DeleteMarker"] = True
            done["DeleteMarkerVersionId"] = outcome["VersionId"]
        deleted.append(done)
    result: dict[str, Any] = {}
    if deleted:
        result["Deleted"] = deleted
    if errors:
        result["Errors"] = errors
    return result
