"""Writing objects: PutObject (body, digests, content headers, metadata, conditional writes) and
CopyObject (metadata directive, copy-source conditions), and the settings both accept or refuse.

See https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html and API_CopyObject.html.

PutObject is S3's hot path: imports stay at module level (a function-level import costs about
0.5 µs per call), and checks of optional members first ask whether the request names any of them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

from fogbank import clock, state
from fogbank.services.s3 import acl, bodies, checksums, conditions, objects
from fogbank.services.s3.buckets import find_bucket
from fogbank.services.s3.configuration import DEFAULT_ENCRYPTION, default_encryption, object_ownership
from fogbank.services.s3.errors import (
    EntityTooLarge,
    InvalidArgument,
    InvalidObjectState,
    InvalidRequest,
    InvalidStorageClass,
    InvalidTag,
    KeyTooLongError,
    NoSuchBucket,
    S3NotImplemented,
)
from fogbank.services.s3.subresources import may_be_configured, write_object_config
from fogbank.state import blobs

MAX_KEY_BYTES = 1024
MAX_PUT_SIZE = 5 * 1024**3  # a single PUT or copy: 5 GiB
DEFAULT_CONTENT_TYPE = "binary/octet-stream"


STORAGE_CLASSES = frozenset(
    [
        "STANDARD",
        "REDUCED_REDUNDANCY",
        "STANDARD_IA",
        "ONEZONE_IA",
        "INTELLIGENT_TIERING",
        "GLACIER",
        "DEEP_ARCHIVE",
        "OUTPOSTS",
        "GLACIER_IR",
        "SNOW",
        "EXPRESS_ONEZONE",
        "FSX_OPENZFS",
        "FSX_ONTAP",
    ]
)


def storage_class(request: dict[str, Any]) -> str:
    value = request.get("StorageClass") or "STANDARD"
    if value not in STORAGE_CLASSES:
        raise InvalidStorageClass("The storage class you specified is not valid", StorageClassRequested=value)
    return str(value)


def check_key(key: str) -> None:
    # A code point is at most 4 UTF-8 bytes: shorter keys need no encoding to be measured.
    if len(key) * 4 > MAX_KEY_BYTES and len(key.encode()) > MAX_KEY_BYTES:
        raise KeyTooLongError("Your key is too long", MaxSizeAllowed=MAX_KEY_BYTES, Size=len(key.encode()))


# Every request member `refuse_unsupported` looks at: most writes send none of them.
_UNSUPPORTED_MEMBERS = frozenset(
    [
        "SSECustomerAlgorithm",
        "SSECustomerKey",
        "CopySourceSSECustomerAlgorithm",
        "CopySourceSSECustomerKey",
        "ObjectLockMode",
        "ObjectLockLegalHoldStatus",
        "ObjectLockRetainUntilDate",
        "WriteOffsetBytes",
    ]
)


def refuse_unsupported(request: dict[str, Any]) -> None:
    """Settings fogbank does not honour yet fail clearly rather than being ignored."""
    if request.keys().isdisjoint(_UNSUPPORTED_MEMBERS):
        return
    if any(
        request.get(name)
        for name in (
            "SSECustomerAlgorithm",
            "SSECustomerKey",
            "CopySourceSSECustomerAlgorithm",
            "CopySourceSSECustomerKey",
        )
    ):
        raise S3NotImplemented(
            "Server-side encryption with customer-provided keys (SSE-C) is not supported by fogbank yet"
        )
    if (
        request.get("ObjectLockMode")
        or request.get("ObjectLockLegalHoldStatus")
        or request.get("ObjectLockRetainUntilDate")
    ):
        raise S3NotImplemented("Object Lock retention and legal holds are not supported by fogbank yet")
    if request.get("WriteOffsetBytes") is not None:
        raise S3NotImplemented(
            "Appending to objects (x-amz-write-offset-bytes) is not supported by fogbank yet"
        )


_STORED_MEMBERS = frozenset(objects.STORED_HEADERS)


def stored_headers(request: dict[str, Any], bucket: dict[str, Any]) -> dict[str, Any]:
    """Content headers and encryption settings to keep with the object (by member name)."""
    headers: dict[str, Any] = {}
    for name in () if request.keys().isdisjoint(_STORED_MEMBERS) else objects.STORED_HEADERS:
        value = request.get(name)
        if value is None:
            continue
        if name == "Expires":
            value = value.timestamp()
        elif name == "ContentEncoding":
            # aws-chunked is the upload's transfer coding, not the object's (S3 drops it).
            value = ",".join(p for p in (s.strip() for s in value.split(",")) if p and p != "aws-chunked")
            if not value:
                continue
        headers[name] = value
    if "ServerSideEncryption" not in headers:
        _apply_default_encryption(bucket, headers)
    sse = headers["ServerSideEncryption"]
    if sse not in ("AES256", "aws:kms", "aws:kms:dsse"):
        raise InvalidArgument(
            "The encryption method specified is not supported",
            ArgumentName="x-amz-server-side-encryption",
            ArgumentValue=sse,
        )
    return headers


def _apply_default_encryption(bucket: dict[str, Any], headers: dict[str, Any]) -> None:
    """A write naming no encryption gets the bucket's default (SSE-S3 unless configured: every
    new object is encrypted at rest since January 2023)."""
    configured = default_encryption(bucket)
    if configured is DEFAULT_ENCRYPTION:
        headers["ServerSideEncryption"] = "AES256"
        return
    rule = (configured.get("Rules") or [{}])[0]
    default = rule.get("ApplyServerSideEncryptionByDefault") or {}
    headers["ServerSideEncryption"] = default.get("SSEAlgorithm") or "AES256"
    if headers["ServerSideEncryption"] != "AES256":
        if default.get("KMSMasterKeyID"):
            headers.setdefault("SSEKMSKeyId", default["KMSMasterKeyID"])
        if rule.get("BucketKeyEnabled"):
            headers.setdefault("BucketKeyEnabled", True)


GRANT_MEMBERS = ("GrantFullControl", "GrantRead", "GrantReadACP", "GrantWrite", "GrantWriteACP")
_ACL_MEMBERS = frozenset(["ACL", *GRANT_MEMBERS])


def object_acl(bucket: dict[str, Any], request: dict[str, Any], account: str) -> dict[str, Any] | None:
    """An ACL sent with a write (canned or grant headers), checked against the bucket's Object
    Ownership before anything is stored. Returns the grant document to keep beside the object
    (a canned ACL is kept in the object record itself), or None."""
    if request.keys().isdisjoint(_ACL_MEMBERS) or (
        not request.get("ACL") and not any(request.get(name) for name in GRANT_MEMBERS)
    ):
        return None

    document = acl.acl_from_request(request, account)
    acl.check_acls_enabled(object_ownership(bucket), document)
    return None if request.get("ACL") else document


def keep_object_acl(bucket: dict[str, Any], version: dict[str, Any], document: dict[str, Any] | None) -> None:
    if document is not None:
        write_object_config(bucket["Name"], "acl", version, document)


def parse_tagging(text: str | None) -> dict[str, str]:
    """The x-amz-tagging header: URL-encoded `key=value&...` pairs."""
    if not text:
        return {}
    pairs = parse_qsl(text, keep_blank_values=True)
    tags = dict(pairs)
    if len(tags) != len(pairs):
        raise InvalidTag("Cannot provide multiple Tags with the same key")
    if len(tags) > 10:
        raise InvalidTag("Object tags cannot be greater than 10")
    return tags


@dataclass(slots=True)
class PutPlan:
    """What PutObject checked before taking the body (which may take a while for large ones)."""

    key: str
    headers: dict[str, Any]
    tags: dict[str, str]
    sent: dict[str, str]
    algorithms: list[str]
    grants: dict[str, Any] | None
    storage_class: str


# Every member `plan_put` checks besides the key and the checksums: most writes (SDK defaults)
# name none of them, and one set test then stands for the eight that would each find nothing.
_SETTING_MEMBERS = frozenset(
    [
        *_UNSUPPORTED_MEMBERS,
        *_STORED_MEMBERS,
        *_ACL_MEMBERS,
        "Tagging",
        "StorageClass",
        "IfMatch",
        "IfNoneMatch",
    ]
)


def plan_put(bucket: dict[str, Any], request: dict[str, Any], account: str) -> PutPlan:
    """PutObject's checks that need no body: key, settings, tags, checksums sent, conditions, ACL."""
    key = request["Key"]
    check_key(key)
    if _SETTING_MEMBERS.isdisjoint(request):
        # What the checks below would find (none can fail), in their order: the default encryption
        # (SSE-S3 without a lookup when the bucket holds no configuration), then the checksums.
        headers = (
            stored_headers({}, bucket) if may_be_configured(bucket) else {"ServerSideEncryption": "AES256"}
        )
        sent = checksums.requested_checksums(request)
        algorithms = list(sent) if sent else checksums.algorithms_to_compute(request, sent)
        return PutPlan(key, headers, {}, sent, algorithms, None, "STANDARD")
    refuse_unsupported(request)
    headers = stored_headers(request, bucket)
    tags = parse_tagging(request.get("Tagging"))
    sent = checksums.requested_checksums(request)
    algorithms = checksums.algorithms_to_compute(request, sent)
    kept_as = storage_class(request)
    check_write_conditions(request, bucket["Name"], key)
    grants = object_acl(bucket, request, account)
    return PutPlan(key, headers, tags, sent, algorithms, grants, kept_as)


def check_write_conditions(request: dict[str, Any], bucket_name: str, key: str) -> None:
    """Conditional writes against the key's current version, looked up only when the request
    names a condition (most writes do not)."""
    if request.get("IfNoneMatch") is not None or request.get("IfMatch") is not None:
        conditions.check_write(request, key, objects.current(bucket_name, key))


def finish_put(
    bucket: dict[str, Any],
    request: dict[str, Any],
    account: str,
    plan: PutPlan,
    body: bodies.StoredBody,
    waited: bool = True,
) -> dict[str, Any]:
    """Verify the stored body's digests and make it the key's latest version (or discard it).
    `waited`: other requests may have run since `plan_put` (a spooled body was hashed in a
    worker thread), so the bucket and the write conditions are checked again."""
    try:
        if body.size > MAX_PUT_SIZE:
            raise EntityTooLarge(
                "Your proposed upload exceeds the maximum allowed size", MaxSizeAllowed=MAX_PUT_SIZE
            )
        content_md5 = request.get("ContentMD5")
        if content_md5 is not None:
            checksums.verify_content_md5(content_md5, body.md5)
        if plan.sent:
            checksums.verify(plan.sent, body.digests)
        version = _new_version(request, account, plan, body)
        if waited or plan.grants:
            _place_put(bucket, request, plan, version, waited)
        else:
            objects.place(bucket, version)  # nothing to check again, no ACL document to keep
    except BaseException:
        bodies.discard(body.blob)
        raise
    return _write_result(bucket, version)


def _place_put(
    bucket: dict[str, Any], request: dict[str, Any], plan: PutPlan, version: dict[str, Any], waited: bool
) -> None:
    # One record unless an ACL document goes with it (a transaction costs two more SQLite
    # statements on the hot path).
    with state.atomic() if plan.grants else contextlib.nullcontext():
        if waited:
            _check_again(bucket, request, plan.key)
        objects.place(bucket, version)
        keep_object_acl(bucket, version, plan.grants)


def _check_again(bucket: dict[str, Any], request: dict[str, Any], key: str) -> None:
    """Checked again at the write: a large body took a while, and meanwhile another request may
    have written the key or deleted the bucket."""
    if (find_bucket(bucket["Name"]) or {}).get("CreationDate") != bucket["CreationDate"]:
        raise NoSuchBucket("The specified bucket does not exist", BucketName=bucket["Name"])
    check_write_conditions(request, bucket["Name"], key)


def _new_version(
    request: dict[str, Any], account: str, plan: PutPlan, body: bodies.StoredBody
) -> dict[str, Any]:
    checksum = None
    if plan.algorithms:  # at most one, the digest computed (`body.digests`)
        algorithm = plan.algorithms[0]
        # A checksum the client sent was verified equal to the digest's encoding: kept as sent.
        value = plan.sent.get(algorithm) or checksums.encode(body.digests[algorithm])
        checksum = {"Algorithm": algorithm, "Value": value, "Type": "FULL_OBJECT"}
    return {
        "Key": plan.key,
        "DeleteMarker": False,
        "LastModified": int(clock.now()),
        "Owner": account,
        "ETag": body.etag,
        "Size": body.size,
        "Blob": body.blob,
        "ContentType": request.get("ContentType") or DEFAULT_CONTENT_TYPE,
        "StorageClass": plan.storage_class,
        "Headers": plan.headers,
        "Metadata": request.get("Metadata") or {},
        "Checksum": checksum,
        "Tags": plan.tags,
        "ACL": request.get("ACL"),
    }


def _write_result(bucket: dict[str, Any], version: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {"ETag": version["ETag"], "Size": version["Size"]}
    headers = version["Headers"]
    if len(headers) == 1 and "ServerSideEncryption" in headers:
        # SSE-S3 and nothing else (most writes): the loop below would find this one member.
        result["ServerSideEncryption"] = headers["ServerSideEncryption"]
    else:
        for name in ("ServerSideEncryption", "SSEKMSKeyId", "BucketKeyEnabled"):
            if name in headers:
                result[name] = headers[name]
    checksum = version.get("Checksum")
    if checksum:
        result[f"Checksum{checksum['Algorithm']}"] = checksum["Value"]
        result["ChecksumType"] = checksum["Type"]
    if bucket.get("Versioning") == "Enabled":
        result["VersionId"] = version["VersionId"]
    return result


def parse_copy_source(copy_source: str) -> tuple[str, str, str | None]:
    """`bucket/key[?versionId=...]` (URL-encoded, optionally with a leading slash)."""
    source, _, query = copy_source.partition("?")
    source = unquote(source).lstrip("/")
    bucket, _, key = source.partition("/")
    if not bucket or not key:
        raise InvalidArgument(
            "Invalid copy source object key", ArgumentName="x-amz-copy-source", ArgumentValue=copy_source
        )
    version_id = None
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name == "versionId":
            version_id = value
    return bucket, key, version_id


def copy_object(
    bucket: dict[str, Any], source_bucket: dict[str, Any], request: dict[str, Any], account: str
) -> dict[str, Any]:
    key = request["Key"]
    check_key(key)
    refuse_unsupported(request)
    _, source_key, source_version_id = parse_copy_source(request["CopySource"])
    source = objects.find(source_bucket["Name"], source_key, source_version_id)
    check_readable_source(source)
    conditions.check_copy_source(request, source)
    check_write_conditions(request, bucket["Name"], key)
    directive = _copy_directive(request)
    to_itself = source_bucket["Name"] == bucket["Name"] and source_key == key
    if to_itself and directive == "COPY" and not _changes_anything(request):
        raise InvalidRequest(
            "This copy request is illegal because it is trying to copy an object to itself without "
            "changing the object's metadata, storage class, website redirect location or encryption "
            "attributes."
        )
    if source["Size"] > MAX_PUT_SIZE:
        raise InvalidRequest(
            "The specified copy source is larger than the maximum allowable size for a copy source: 5368709120"
        )
    grants = object_acl(bucket, request, account)
    version = _copied_version(bucket, source, request, account, directive)
    with state.atomic() if grants else contextlib.nullcontext():
        objects.place(bucket, version)
        keep_object_acl(bucket, version, grants)
    return _copy_result(bucket, source_bucket, source, version)


def check_readable_source(source: dict[str, Any]) -> None:
    """An archived source must be restored before it can be copied."""
    from fogbank.services.s3 import restore

    if not restore.is_readable(source):
        raise InvalidObjectState(
            "The operation is not valid for the object's storage class", StorageClass=source["StorageClass"]
        )


def _copy_directive(request: dict[str, Any]) -> str:
    """The metadata directive (COPY or REPLACE), with the tagging directive checked as well."""
    for member, header in (
        ("MetadataDirective", "x-amz-metadata-directive"),
        ("TaggingDirective", "x-amz-tagging-directive"),
    ):
        value = request.get(member) or "COPY"
        if value not in ("COPY", "REPLACE"):
            raise InvalidArgument(
                f"Unknown {header[6:].replace('-', ' ')}.", ArgumentName=header, ArgumentValue=value
            )
    return str(request.get("MetadataDirective") or "COPY")


def _copy_result(
    bucket: dict[str, Any], source_bucket: dict[str, Any], source: dict[str, Any], version: dict[str, Any]
) -> dict[str, Any]:
    copied = {"ETag": version["ETag"], "LastModified": version["LastModified"]}
    if version.get("Checksum"):
        copied[f"Checksum{version['Checksum']['Algorithm']}"] = version["Checksum"]["Value"]
        copied["ChecksumType"] = version["Checksum"]["Type"]
    result = _write_result(bucket, version)
    out: dict[str, Any] = {"CopyObjectResult": copied}
    out.update({k: v for k, v in result.items() if k in ("VersionId", "ServerSideEncryption", "SSEKMSKeyId")})
    if source_bucket.get("Versioning"):
        out["CopySourceVersionId"] = source["VersionId"]
    return out


def _changes_anything(request: dict[str, Any]) -> bool:
    return any(
        request.get(name)
        for name in ("StorageClass", "WebsiteRedirectLocation", "ServerSideEncryption", "SSEKMSKeyId")
    )


def _copied_version(
    bucket: dict[str, Any], source: dict[str, Any], request: dict[str, Any], account: str, directive: str
) -> dict[str, Any]:
    key = request["Key"]
    if directive == "REPLACE":
        headers = stored_headers(request, bucket)
        metadata = request.get("Metadata") or {}
        content_type = request.get("ContentType") or DEFAULT_CONTENT_TYPE
    else:
        # Content headers come from the source; encryption and redirect from the request or the
        # destination bucket's defaults.
        headers = {k: v for k, v in source["Headers"].items() if k in objects.CONTENT_HEADERS}
        new = stored_headers(request, bucket)
        headers.update({k: v for k, v in new.items() if k not in objects.CONTENT_HEADERS})
        metadata = source.get("Metadata") or {}
        content_type = source["ContentType"]
    tagging = request.get("TaggingDirective") or "COPY"
    tags = parse_tagging(request.get("Tagging")) if tagging == "REPLACE" else dict(source.get("Tags") or {})
    version = dict(source)
    version.update(
        {
            "Key": key,
            "LastModified": int(clock.now()),
            "Owner": account,
            "Blob": bodies.copy_blob(source.get("Blob"), not bucket.get("Versioning")),
            "ContentType": content_type,
            "StorageClass": storage_class(request),
            "Headers": headers,
            "Metadata": metadata,
            "Tags": tags,
            "ACL": request.get("ACL"),
        }
    )
    version.pop("VersionId", None)
    version["Checksum"] = _copied_checksum(source, request)
    return version


def _copied_checksum(source: dict[str, Any], request: dict[str, Any]) -> dict[str, Any] | None:
    """A copy keeps the source's checksum, or gets a new full-object one when the request names
    another algorithm (S3 computes it over the copied data)."""
    wanted = checksums.algorithms_to_compute(request, {})
    current = source.get("Checksum")
    if not wanted or (current and current["Algorithm"] == wanted[0] and current["Type"] == "FULL_OBJECT"):
        return current
    blob = source.get("Blob")
    if not blob:
        data: Iterable[bytes] = (b"",)
    elif blobs.is_inline(blob):
        data = (blobs.read(blob),)
    else:
        data = checksums.chunks_of_file(blobs.path_of(blob))
    digest = checksums.digest_all(data, wanted)[wanted[0]]
    return {"Algorithm": wanted[0], "Value": checksums.encode(digest), "Type": "FULL_OBJECT"}


def refuse_delete_conditions(request: dict[str, Any]) -> None:
    """Conditional deletes are for directory buckets only in S3; fogbank has none."""
    for name, header in (
        ("IfMatch", "If-Match"),
        ("IfMatchLastModifiedTime", "x-amz-if-match-last-modified-time"),
        ("IfMatchSize", "x-amz-if-match-size"),
    ):
        if request.get(name) is not None:
            raise S3NotImplemented(
                "A header you provided implies functionality that is not implemented", Header=header
            )
    if request.get("MFA"):
        raise S3NotImplemented("MFA delete is not supported by fogbank yet")
