"""Listing objects: ListObjects (v1), ListObjectsV2 and ListObjectVersions with prefix, delimiter
(CommonPrefixes), MaxKeys, markers / continuation tokens / StartAfter and EncodingType=url.

Keys are listed in UTF-8 binary order, as S3 does; with a delimiter, each common prefix counts
once towards MaxKeys. See https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
"""

from __future__ import annotations

import base64
import re
from bisect import bisect_left
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote_plus

from fogbank.services.s3 import buckets, objects
from fogbank.services.s3.errors import InvalidArgument

DEFAULT_MAX_KEYS = 1000
_TOKEN = re.compile(r"^[A-Za-z0-9_-]+=*$")


def _encoder(request: dict[str, Any]) -> Any:
    if request.get("EncodingType") not in (None, "url"):
        raise InvalidArgument(
            "Invalid Encoding Method specified in Request",
            ArgumentName="encoding-type",
            ArgumentValue=request["EncodingType"],
        )
    if request.get("EncodingType") == "url":
        return lambda text: quote_plus(text, safe="/")
    return lambda text: text


def _successor(group: str) -> str:
    """The smallest string after every string that starts with `group`."""
    return group[:-1] + chr(min(ord(group[-1]) + 1, 0x10FFFF))


def _scan(
    bucket_name: str, prefix: str, delimiter: str | None, start: str, include_start: bool
) -> Iterator[tuple[str, bool]]:
    """(key, False) for keys and (common prefix, True) for rolled-up groups, in order, from
    `start` on. Jumps by binary search: to the prefix, and past each group, so a page costs
    what it returns, not the size of the bucket."""
    keys = objects.sorted_keys(bucket_name)
    index = bisect_left(keys, max(prefix, start))
    while index < len(keys):
        key = keys[index]
        if not key.startswith(prefix):
            break
        if delimiter:
            cut = key.find(delimiter, len(prefix))
            if cut >= 0:
                group = key[: cut + len(delimiter)]
                if group > start:
                    yield group, True
                index = max(bisect_left(keys, _successor(group), index + 1), index + 1)
                continue
        if include_start or key != start:
            yield key, False
        index += 1


def _walk(
    bucket_name: str, prefix: str, delimiter: str | None, after: str
) -> Iterator[tuple[str, dict[str, Any] | None]]:
    """(key, latest version) for listed keys and (common prefix, None) for rolled-up groups, in
    order, strictly after `after`; keys whose latest version is a delete marker are skipped."""
    store = objects.object_store(bucket_name)
    for name, is_group in _scan(bucket_name, prefix, delimiter, after, False):
        if is_group:
            yield name, None
            continue
        entry = store.get(name)
        if entry is not None and not entry["Versions"][0]["DeleteMarker"]:
            yield name, entry["Versions"][0]


def _page(
    bucket_name: str, request: dict[str, Any], after: str
) -> tuple[list[dict[str, Any]], list[str], bool, str | None]:
    """Up to MaxKeys entries: (contents, common prefixes, truncated, last entry returned)."""
    limit = request.get("MaxKeys")
    limit = DEFAULT_MAX_KEYS if limit is None else min(limit, DEFAULT_MAX_KEYS)
    contents: list[dict[str, Any]] = []
    prefixes: list[str] = []
    last = None
    truncated = False
    for name, version in _walk(bucket_name, request.get("Prefix") or "", request.get("Delimiter"), after):
        if len(contents) + len(prefixes) >= limit:
            truncated = True
            break
        if version is None:
            prefixes.append(name)
        else:
            contents.append(version)
        last = name
    return contents, prefixes, truncated, last


def _object_entry(version: dict[str, Any], encode: Any, with_owner: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "Key": encode(version["Key"]),
        "LastModified": version["LastModified"],
        "ETag": version["ETag"],
        "Size": version["Size"],
        "StorageClass": version["StorageClass"],
    }
    if version.get("Checksum"):
        entry["ChecksumAlgorithm"] = [version["Checksum"]["Algorithm"]]
        entry["ChecksumType"] = version["Checksum"]["Type"]
    if with_owner:
        entry["Owner"] = buckets.owner(version["Owner"])
    return entry


def _common(bucket_name: str, request: dict[str, Any], encode: Any) -> dict[str, Any]:
    result: dict[str, Any] = {
        "Name": bucket_name,
        "Prefix": encode(request.get("Prefix") or ""),
        "MaxKeys": DEFAULT_MAX_KEYS if request.get("MaxKeys") is None else request["MaxKeys"],
    }
    if request.get("Delimiter"):
        result["Delimiter"] = encode(request["Delimiter"])
    if request.get("EncodingType"):
        result["EncodingType"] = request["EncodingType"]
    return result


def list_objects(bucket_name: str, request: dict[str, Any]) -> dict[str, Any]:
    encode = _encoder(request)
    marker = request.get("Marker") or ""
    contents, prefixes, truncated, last = _page(bucket_name, request, marker)
    result = _common(bucket_name, request, encode)
    result["Marker"] = encode(marker)
    result["IsTruncated"] = truncated
    # S3 returns NextMarker only with a delimiter; clients use the last key otherwise.
    if truncated and request.get("Delimiter") and last is not None:
        result["NextMarker"] = encode(last)
    if contents:
        result["Contents"] = [_object_entry(v, encode, True) for v in contents]
    if prefixes:
        result["CommonPrefixes"] = [{"Prefix": encode(p)} for p in prefixes]
    return result


def list_objects_v2(bucket_name: str, request: dict[str, Any]) -> dict[str, Any]:
    encode = _encoder(request)
    token = request.get("ContinuationToken")
    after = decode_token(token) if token is not None else request.get("StartAfter") or ""
    contents, prefixes, truncated, last = _page(bucket_name, request, after)
    result = _common(bucket_name, request, encode)
    result["IsTruncated"] = truncated
    result["KeyCount"] = len(contents) + len(prefixes)
    if token is not None:
        result["ContinuationToken"] = token
    if request.get("StartAfter"):
        result["StartAfter"] = encode(request["StartAfter"])
    if truncated and last is not None:
        result["NextContinuationToken"] = encode_token(last)
    if contents:
        result["Contents"] = [_object_entry(v, encode, bool(request.get("FetchOwner"))) for v in contents]
    if prefixes:
        result["CommonPrefixes"] = [{"Prefix": encode(p)} for p in prefixes]
    return result


def encode_token(last: str) -> str:
    return base64.urlsafe_b64encode(last.encode()).decode()


def decode_token(token: str) -> str:
    try:
        if not _TOKEN.match(token):
            raise ValueError(token)
        return base64.urlsafe_b64decode(token.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        raise InvalidArgument(
            "The continuation token provided is incorrect", ArgumentName="continuation-token"
        ) from None


def _version_entry(version: dict[str, Any], is_latest: bool, encode: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "Key": encode(version["Key"]),
        "VersionId": version["VersionId"],
        "IsLatest": is_latest,
        "LastModified": version["LastModified"],
        "Owner": buckets.owner(version["Owner"]),
    }
    if not version["DeleteMarker"]:
        entry.update(
            {"ETag": version["ETag"], "Size": version["Size"], "StorageClass": version["StorageClass"]}
        )
        if version.get("Checksum"):
            entry["ChecksumAlgorithm"] = [version["Checksum"]["Algorithm"]]
            entry["ChecksumType"] = version["Checksum"]["Type"]
    return entry


def _all_versions(
    bucket_name: str, prefix: str, delimiter: str | None, key_marker: str, version_marker: str | None
) -> Iterator[tuple[str, dict[str, Any] | None, bool]]:
    """(key, version, is_latest) newest first per key, or (common prefix, None, False)."""
    store = objects.object_store(bucket_name)
    for name, is_group in _scan(bucket_name, prefix, delimiter, key_marker, True):
        if is_group:
            yield name, None, False
            continue
        entry = store.get(name)
        if entry is None:
            continue
        versions = entry["Versions"]
        start = 0
        if name == key_marker:
            ids = [v["VersionId"] for v in versions]
            if not version_marker or version_marker not in ids:
                continue
            start = ids.index(version_marker) + 1
        for index in range(start, len(versions)):
            yield name, versions[index], index == 0


def list_object_versions(bucket_name: str, request: dict[str, Any]) -> dict[str, Any]:
    encode = _encoder(request)
    limit = request.get("MaxKeys")
    limit = DEFAULT_MAX_KEYS if limit is None else min(limit, DEFAULT_MAX_KEYS)
    key_marker = request.get("KeyMarker") or ""
    walk = _all_versions(
        bucket_name,
        request.get("Prefix") or "",
        request.get("Delimiter"),
        key_marker,
        request.get("VersionIdMarker"),
    )
    versions: list[dict[str, Any]] = []
    markers: list[dict[str, Any]] = []
    prefixes: list[str] = []
    truncated = False
    last: tuple[str, str | None] | None = None
    for name, version, is_latest in walk:
        if len(versions) + len(markers) + len(prefixes) >= limit:
            truncated = True
            break
        if version is None:
            prefixes.append(name)
            last = (name, None)
            continue
        (markers if version["DeleteMarker"] else versions).append(_version_entry(version, is_latest, encode))
        last = (name, version["VersionId"])
    result = _common(bucket_name, request, encode)
    result.update({"KeyMarker": encode(key_marker), "IsTruncated": truncated})
    if request.get("VersionIdMarker"):
        result["VersionIdMarker"] = request["VersionIdMarker"]
    if truncated and last is not None:
        result["NextKeyMarker"] = encode(last[0])
        if last[1]:
            result["NextVersionIdMarker"] = last[1]
    if versions:
        result["Versions"] = versions
    if markers:
        result["DeleteMarkers"] = markers
    if prefixes:
        result["CommonPrefixes"] = [{"Prefix": encode(p)} for p in prefixes]
    return result
