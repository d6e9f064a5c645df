"""Conditional requests: If-Match / If-None-Match / If-Modified-Since / If-Unmodified-Since on reads
(304 / 412), the x-amz-copy-source-if-* family on copies (412 only), and conditional writes
(PutObject and CompleteMultipartUpload with If-None-Match: * or If-Match).

Precedence follows https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html (RFC 7232):
a true If-Match overrides a false If-Unmodified-Since; a present If-None-Match overrides
If-Modified-Since.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import formatdate
from typing import Any

from fogbank.services.s3.errors import NoSuchKey, NotModified, PreconditionFailed, S3NotImplemented


def _etag_matches(condition: str, etag: str) -> bool:
    bare = etag.strip('"')
    for candidate in condition.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/").strip('"') == bare:
            return True
    return False


def _seconds(value: datetime | None) -> float | None:
    return None if value is None else value.timestamp()


def _failed(condition: str) -> PreconditionFailed:
    return PreconditionFailed(
        "At least one of the pre-conditions you specified did not hold", Condition=condition
    )


def check_read(request: dict[str, Any], version: dict[str, Any]) -> None:
    """GetObject / HeadObject conditions against the version about to be returned."""
    etag = version["ETag"]
    modified = version["LastModified"]
    if_match = request.get("IfMatch")
    if if_match is not None and not _etag_matches(if_match, etag):
        raise _failed("If-Match")
    unmodified_since = _seconds(request.get("IfUnmodifiedSince"))
    if if_match is None and unmodified_since is not None and modified > unmodified_since:
        raise _failed("If-Unmodified-Since")
    if_none_match = request.get("IfNoneMatch")
    if if_none_match is not None:
        if _etag_matches(if_none_match, etag):
            raise _not_modified(version)
        return
    modified_since = _seconds(request.get("IfModifiedSince"))
    if modified_since is not None and modified <= modified_since:
        raise _not_modified(version)


def _not_modified(version: dict[str, Any]) -> NotModified:
    headers = {"etag": version["ETag"], "last-modified": formatdate(version["LastModified"], usegmt=True)}
    return NotModified("Not Modified", headers=headers)


def check_copy_source(request: dict[str, Any], version: dict[str, Any]) -> None:
    """CopyObject / UploadPartCopy source conditions: every failure is a 412."""
    etag = version["ETag"]
    modified = version["LastModified"]
    if_match = request.get("CopySourceIfMatch")
    if if_match is not None and not _etag_matches(if_match, etag):
        raise _failed("x-amz-copy-source-If-Match")
    unmodified_since = _seconds(request.get("CopySourceIfUnmodifiedSince"))
    if if_match is None and unmodified_since is not None and modified > unmodified_since:
        raise _failed("x-amz-copy-source-If-Unmodified-Since")
    if_none_match = request.get("CopySourceIfNoneMatch")
    if if_none_match is not None and _etag_matches(if_none_match, etag):
        raise _failed("x-amz-copy-source-If-None-Match")
    modified_since = _seconds(request.get("CopySourceIfModifiedSince"))
    if if_none_match is None and modified_since is not None and modified <= modified_since:
        raise _failed("x-amz-copy-source-If-Modified-Since")


def check_write(request: dict[str, Any], key: str, current: dict[str, Any] | None) -> None:
    """Conditional writes: If-None-Match: * refuses to overwrite; If-Match requires the ETag.
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html"""
    exists = current is not None and not current.get("DeleteMarker")
    if_none_match = request.get("IfNoneMatch")
    if if_none_match is not None:
        if if_none_match.strip() != "*":
            raise S3NotImplemented(
                "A header you provided implies functionality that is not implemented", Header="If-None-Match"
            )
        if exists:
            raise _failed("If-None-Match")
    if_match = request.get("IfMatch")
    if if_match is not None:
        if not exists:
            raise NoSuchKey("The specified key does not exist.", Key=key)
        assert current is not None
        if not _etag_matches(if_match, current["ETag"]):
            raise _failed("If-Match")
