"""Multipart uploads: create, upload part (and copy part), list parts, complete (with S3's ETag and
part rules), abort, list uploads.

Uploads live in ("s3", "uploads", "bucket/<name>") keyed by upload id; parts in
("s3", "parts", "upload/<id>") keyed by zero-padded part number, each with its own blob until
completion concatenates them into the object's blob.
See https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html
"""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Any

from fogbank import clock, state
from fogbank.services.s3 import bodies, buckets, checksums, conditions, objects, writes
from fogbank.services.s3.buckets import find_bucket
from fogbank.services.s3.errors import (
    EntityTooSmall,
    InvalidArgument,
    InvalidPart,
    InvalidPartOrder,
    InvalidRequest,
    MalformedXML,
    NoSuchBucket,
    NoSuchUpload,
)
from fogbank.state import Collection, database

MIN_PART_SIZE = 5 * 1024 * 1024
MAX_PART_NUMBER = 10000
_COPY_RANGE = re.compile(r"^bytes=(\d+)-(\d+)$")


def upload_store(bucket_name: str) -> Collection[dict[str, Any]]:
    return database().collection("s3", "uploads", f"bucket/{bucket_name}")


def part_store(upload_id: str) -> Collection[dict[str, Any]]:
    return database().collection("s3", "parts", f"upload/{upload_id}")


def require_upload(bucket_name: str, upload_id: str, key: str | None = None) -> dict[str, Any]:
    upload = upload_store(bucket_name).get(upload_id)
    if upload is None or (key is not None and upload["Key"] != key):
        raise NoSuchUpload(
            "The specified upload does not exist. The upload ID may be invalid, or the upload may have been "
            "aborted or completed.",
            UploadId=upload_id,
        )
    return upload


def create(bucket: dict[str, Any], request: dict[str, Any], account: str) -> dict[str, Any]:
    key = request["Key"]
    writes.check_key(key)
    writes.refuse_unsupported(request)
    algorithm = request.get("ChecksumAlgorithm")
    checksum_type = request.get("ChecksumType") or (
        "FULL_OBJECT" if algorithm == "CRC64NVME" else "COMPOSITE"
    )
    if algorithm and checksum_type == "FULL_OBJECT" and algorithm not in ("CRC32", "CRC32C", "CRC64NVME"):
        raise InvalidRequest(
            f"The FULL_OBJECT checksum type cannot be used with the {algorithm.lower()} checksum algorithm."
        )
    upload_id = secrets.token_urlsafe(48)
    upload = {
        "UploadId": upload_id,
        "Key": key,
        "Initiated": clock.now(),
        "Owner": account,
        "ContentType": request.get("ContentType") or writes.DEFAULT_CONTENT_TYPE,
        "StorageClass": writes.storage_class(request),
        "Headers": writes.stored_headers(request, bucket),
        "Metadata": request.get("Metadata") or {},
        "Tags": writes.parse_tagging(request.get("Tagging")),
        "ACL": request.get("ACL"),
        "Grants": writes.object_acl(bucket, request, account),
        "ChecksumAlgorithm": algorithm,
        "ChecksumType": checksum_type if algorithm else None,
    }
    upload_store(bucket["Name"]).put(upload_id, upload)
    result: dict[str, Any] = {"Bucket": bucket["Name"], "Key": key, "UploadId": upload_id}
    result["ServerSideEncryption"] = upload["Headers"]["ServerSideEncryption"]
    if algorithm:
        result["ChecksumAlgorithm"] = algorithm
        result["ChecksumType"] = checksum_type
    return result


def _check_part_number(number: int) -> None:
    if not 1 <= number <= MAX_PART_NUMBER:
        raise InvalidArgument(
            "Part number must be an integer between 1 and 10000, inclusive",
            ArgumentName="partNumber",
            ArgumentValue=number,
        )


async def upload_part(bucket: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    upload = require_upload(bucket["Name"], request["UploadId"], request["Key"])
    number = request["PartNumber"]
    _check_part_number(number)
    sent = checksums.requested_checksums(request)
    algorithms = list(
        dict.fromkeys([*sent, *([upload["ChecksumAlgorithm"]] if upload["ChecksumAlgorithm"] else [])])
    )
    body = await bodies.ingest_async(request.get("Body"), algorithms)
    try:
        checksums.verify_content_md5(request.get("ContentMD5"), body.md5)
        checksums.verify(sent, body.digests)
        _store_part(upload, number, body)
    except BaseException:
        bodies.discard(body.blob)
        raise
    result: dict[str, Any] = {
        "ETag": body.etag,
        "ServerSideEncryption": upload["Headers"]["ServerSideEncryption"],
    }
    for algorithm, digest in body.digests.items():
        result[checksums.MEMBERS[algorithm]] = checksums.encode(digest)
    return result


def _store_part(upload: dict[str, Any], number: int, body: bodies.StoredBody) -> None:
    store = part_store(upload["UploadId"])
    key = f"{number:05d}"
    previous = store.get(key)
    record = {
        "PartNumber": number,
        "ETag": body.etag,
        "MD5": body.md5.hex(),
        "Size": body.size,
        "LastModified": int(clock.now()),
        "Blob": body.blob,
        "Checksums": {algorithm: checksums.encode(digest) for algorithm, digest in body.digests.items()},
    }
    store.put(key, record)
    if previous is not None:
        bodies.discard(previous["Blob"])


def upload_part_copy(
    bucket: dict[str, Any], source_bucket: dict[str, Any], request: dict[str, Any]
) -> dict[str, Any]:
    upload = require_upload(bucket["Name"], request["UploadId"], request["Key"])
    number = request["PartNumber"]
    _check_part_number(number)
    _, source_key, source_version_id = writes.parse_copy_source(request["CopySource"])
    source = objects.find(source_bucket["Name"], source_key, source_version_id)
    writes.check_readable_source(source)
    conditions.check_copy_source(request, source)
    start, length = _copy_range(request.get("CopySourceRange"), source["Size"])
    algorithms = [upload["ChecksumAlgorithm"]] if upload["ChecksumAlgorithm"] else []
    spooled = bodies.concatenate([(source["Blob"], start, length)] if source.get("Blob") else [])
    body = bodies.ingest(spooled, algorithms)
    try:
        _store_part(upload, number, body)
    except BaseException:
        bodies.discard(body.blob)
        raise
    copied: dict[str, Any] = {"ETag": body.etag, "LastModified": int(clock.now())}
    for algorithm, digest in body.digests.items():
        copied[checksums.MEMBERS[algorithm]] = checksums.encode(digest)
    result: dict[str, Any] = {"CopyPartResult": copied}
    if source_bucket.get("Versioning"):
        result["CopySourceVersionId"] = source["VersionId"]
    return result


def _copy_range(header: str | None, size: int) -> tuple[int, int]:
    if header is None:
        return 0, size
    match = _COPY_RANGE.match(header.strip())
    if match is None:
        raise InvalidArgument(
            "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are "
            "the zero-based offsets of the first and last bytes to copy",
            ArgumentName="x-amz-copy-source-range",
            ArgumentValue=header,
        )
    first, last = int(match.group(1)), int(match.group(2))
    if first > last or last >= size:
        raise InvalidArgument(
            f"Range specified is not valid for source object of size: {size}",
            ArgumentName="x-amz-copy-source-range",
            ArgumentValue=header,
        )
    return first, last - first + 1


async def complete(bucket: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    name, key, upload_id = bucket["Name"], request["Key"], request["UploadId"]
    upload = require_upload(name, upload_id, key)
    chosen = _chosen_parts(upload, (request.get("MultipartUpload") or {}).get("Parts") or [])
    _check_object_size(request.get("MpuObjectSize"), chosen)
    conditions.check_write(request, key, objects.current(name, key))
    full_object = upload["ChecksumAlgorithm"] if upload["ChecksumType"] == "FULL_OBJECT" else None
    body = await bodies.assemble_async(
        [(part["Blob"], 0, part["Size"]) for part in chosen], [full_object] if full_object else []
    )
    version = _completed_version(upload, chosen, body)
    try:
        # Assembling took a while: the upload may have been completed or aborted meanwhile, or
        # the bucket deleted.
        require_upload(name, upload_id, key)
        if (find_bucket(name) or {}).get("CreationDate") != bucket["CreationDate"]:
            raise NoSuchBucket("The specified bucket does not exist", BucketName=name)
        with state.atomic():
            objects.place(bucket, version)
            writes.keep_object_acl(bucket, version, upload.get("Grants"))
            freed = _forget(name, upload_id)
    except BaseException:
        bodies.discard(body.blob)
        raise
    for blob in freed:
        bodies.discard(blob)
    return _completed(bucket, version)


def _check_object_size(declared: int | None, chosen: list[dict[str, Any]]) -> None:
    """x-amz-mp-object-size, when sent, must be the size of the parts named."""
    total = sum(part["Size"] for part in chosen)
    if declared is not None and declared != total:
        raise InvalidRequest(
            f"The provided 'x-amz-mp-object-size' header value {declared} does not match what was computed: {total}"
        )


def _completed_version(
    upload: dict[str, Any], chosen: list[dict[str, Any]], body: bodies.StoredBody
) -> dict[str, Any]:
    """The object a completion makes: its ETag is the MD5 of the parts' MD5s, then -N."""
    etag_md5 = hashlib.md5(b"".join(bytes.fromhex(part["MD5"]) for part in chosen)).hexdigest()
    return {
        "Key": upload["Key"],
        "DeleteMarker": False,
        "LastModified": int(clock.now()),
        "Owner": upload["Owner"],
        "ETag": f'"{etag_md5}-{len(chosen)}"',
        "Size": body.size,
        "Blob": body.blob,
        "ContentType": upload["ContentType"],
        "StorageClass": upload["StorageClass"],
        "Headers": upload["Headers"],
        "Metadata": upload["Metadata"],
        "Checksum": _final_checksum(upload, chosen, body),
        "PartsCount": len(chosen),
        "PartSizes": [part["Size"] for part in chosen],
        "Tags": upload["Tags"],
        "ACL": upload["ACL"],
    }


def _chosen_parts(upload: dict[str, Any], requested: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stored parts the completion names, checked with S3's rules (order, ETags, sizes)."""
    upload_id = upload["UploadId"]
    if not requested:
        raise MalformedXML(
            "The XML you provided was not well-formed or did not validate against our published schema"
        )
    store = part_store(upload_id)
    chosen = []
    previous = 0
    for entry in requested:
        number = entry.get("PartNumber") or 0
        if number <= previous:
            raise InvalidPartOrder(
                "The list of parts was not in ascending order. Parts must be ordered by part number.",
                UploadId=upload_id,
            )
        previous = number
        part = store.get(f"{number:05d}")
        etag = (entry.get("ETag") or "").strip('"')
        if part is None or etag != part["ETag"].strip('"') or not _checksums_match(entry, part):
            raise InvalidPart(
                "One or more of the specified parts could not be found.  The part may not have been uploaded, "
                "or the specified entity tag may not have matched the part's entity tag.",
                UploadId=upload_id,
                PartNumber=number,
                ETag=entry.get("ETag") or "",
            )
        chosen.append(part)
    for part in chosen[:-1]:
        if part["Size"] < MIN_PART_SIZE:
            raise EntityTooSmall(
                "Your proposed upload is smaller than the minimum allowed object size.",
                ProposedSize=part["Size"],
                MinSizeAllowed=MIN_PART_SIZE,
                PartNumber=part["PartNumber"],
                ETag=part["ETag"].strip('"'),
            )
    return chosen


def _checksums_match(entry: dict[str, Any], part: dict[str, Any]) -> bool:
    for algorithm, member in checksums.MEMBERS.items():
        sent = entry.get(member)
        if sent and part["Checksums"].get(algorithm) not in (None, sent):
            return False
    return True


def _final_checksum(
    upload: dict[str, Any], chosen: list[dict[str, Any]], body: bodies.StoredBody
) -> dict[str, Any] | None:
    algorithm = upload["ChecksumAlgorithm"]
    if not algorithm:
        return None
    if upload["ChecksumType"] == "FULL_OBJECT":
        value = checksums.encode(body.digests[algorithm])
    else:
        import base64

        value = checksums.composite(
            algorithm, [base64.b64decode(part["Checksums"][algorithm]) for part in chosen]
        )
    return {"Algorithm": algorithm, "Value": value, "Type": upload["ChecksumType"]}


def _completed(bucket: dict[str, Any], version: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "Location": f"/{bucket['Name']}/{version['Key']}",
        "Bucket": bucket["Name"],
        "Key": version["Key"],
        "ETag": version["ETag"],
        "ServerSideEncryption": version["Headers"]["ServerSideEncryption"],
        "Size": version["Size"],  # for the provider's event notification, not an output member
    }
    checksum = version["Checksum"]
    if checksum:
        result[checksums.MEMBERS[checksum["Algorithm"]]] = checksum["Value"]
        result["ChecksumType"] = checksum["Type"]
    if bucket.get("Versioning") == "Enabled":
        result["VersionId"] = version["VersionId"]
    return result


def _forget(bucket_name: str, upload_id: str) -> list[str]:
    """Remove an upload and its part records; returns the part blobs to free after the commit."""
    store = part_store(upload_id)
    blobs_to_free = [part["Blob"] for part in store.values()]
    store.clear()
    upload_store(bucket_name).delete(upload_id)
    return blobs_to_free


def abort(bucket: dict[str, Any], key: str, upload_id: str) -> None:
    require_upload(bucket["Name"], upload_id, key)
    with state.atomic():
        freed = _forget(bucket["Name"], upload_id)
    for blob in freed:
        bodies.discard(blob)


def abort_all(bucket_name: str) -> None:
    """Discard every upload of a bucket being deleted (S3 drops them with the bucket)."""
    freed = []
    with state.atomic():
        for upload_id in list(upload_store(bucket_name)):
            freed += _forget(bucket_name, upload_id)
    for blob in freed:
        bodies.discard(blob)


def list_parts(bucket: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    upload = require_upload(bucket["Name"], request["UploadId"], request["Key"])
    marker = request.get("PartNumberMarker") or 0
    limit = min(request.get("MaxParts") or 1000, 1000)
    parts = sorted(
        (p for p in part_store(upload["UploadId"]).values() if p["PartNumber"] > marker),
        key=lambda p: p["PartNumber"],
    )
    page = parts[:limit]
    result: dict[str, Any] = {
        "Bucket": bucket["Name"],
        "Key": upload["Key"],
        "UploadId": upload["UploadId"],
        "PartNumberMarker": marker,
        "MaxParts": limit,
        "IsTruncated": len(parts) > limit,
        "Parts": [_part_entry(p) for p in page],
        "Initiator": buckets.owner(upload["Owner"]),
        "Owner": buckets.owner(upload["Owner"]),
        "StorageClass": upload["StorageClass"],
    }
    if page:
        result["NextPartNumberMarker"] = page[-1]["PartNumber"]
    if upload["ChecksumAlgorithm"]:
        result["ChecksumAlgorithm"] = upload["ChecksumAlgorithm"]
        result["ChecksumType"] = upload["ChecksumType"]
    return result


def _part_entry(part: dict[str, Any]) -> dict[str, Any]:
    entry = {
        "PartNumber": part["PartNumber"],
        "LastModified": part["LastModified"],
        "ETag": part["ETag"],
        "Size": part["Size"],
    }
    for algorithm, value in part["Checksums"].items():
        entry[checksums.MEMBERS[algorithm]] = value
    return entry


def list_uploads(bucket: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    prefix = request.get("Prefix") or ""
    delimiter = request.get("Delimiter")
    key_marker = request.get("KeyMarker") or ""
    id_marker = request.get("UploadIdMarker")
    limit = min(request.get("MaxUploads") or 1000, 1000)
    if request.get("EncodingType") not in (None, "url"):
        raise InvalidArgument(
            "Invalid Encoding Method specified in Request",
            ArgumentName="encoding-type",
            ArgumentValue=request["EncodingType"],
        )
    ordered = sorted(upload_store(bucket["Name"]).values(), key=lambda u: (u["Key"], u["Initiated"]))
    uploads: list[dict[str, Any]] = []
    prefixes: list[str] = []
    truncated = False
    for upload in _after_markers(ordered, key_marker, id_marker):
        key = upload["Key"]
        if not key.startswith(prefix):
            continue
        group = _group(key, prefix, delimiter)
        if group is not None and prefixes and prefixes[-1] == group:
            continue
        if len(uploads) + len(prefixes) >= limit:
            truncated = True
            break
        if group is not None:
            prefixes.append(group)
        else:
            uploads.append(_upload_entry(upload))
    result = _uploads_result(bucket["Name"], request, uploads, prefixes, truncated, limit)
    return _url_encoded(result) if request.get("EncodingType") == "url" else result


def _url_encoded(result: dict[str, Any]) -> dict[str, Any]:
    """EncodingType=url: keys, markers, prefix and delimiter URL-encoded, as in object listings."""
    from urllib.parse import quote_plus

    def encode(text: str) -> str:
        return quote_plus(text, safe="/")

    for name in ("KeyMarker", "NextKeyMarker", "Prefix", "Delimiter"):
        if name in result:
            result[name] = encode(result[name])
    for upload in result.get("Uploads", []):
        upload["Key"] = encode(upload["Key"])
    for group in result.get("CommonPrefixes", []):
        group["Prefix"] = encode(group["Prefix"])
    result["EncodingType"] = "url"
    return result


def _after_markers(
    ordered: list[dict[str, Any]], key_marker: str, id_marker: str | None
) -> list[dict[str, Any]]:
    """Uploads after KeyMarker (and, for the marker's key, after UploadIdMarker)."""
    if not key_marker:
        return ordered
    after: list[dict[str, Any]] = []
    seen_marker = False
    for upload in ordered:
        if upload["Key"] < key_marker:
            continue
        if upload["Key"] == key_marker and (id_marker is None or not seen_marker):
            seen_marker = seen_marker or upload["UploadId"] == id_marker
            continue
        after.append(upload)
    return after


def _group(key: str, prefix: str, delimiter: str | None) -> str | None:
    if not delimiter:
        return None
    cut = key.find(delimiter, len(prefix))
    return key[: cut + len(delimiter)] if cut >= 0 else None


def _upload_entry(upload: dict[str, Any]) -> dict[str, Any]:
    entry = {
        "UploadId": upload["UploadId"],
        "Key": upload["Key"],
        "Initiated": upload["Initiated"],
        "StorageClass": upload["StorageClass"],
        "Owner": buckets.owner(upload["Owner"]),
        "Initiator": buckets.owner(upload["Owner"]),
    }
    if upload["ChecksumAlgorithm"]:
        entry["ChecksumAlgorithm"] = upload["ChecksumAlgorithm"]
        entry["ChecksumType"] = upload["ChecksumType"]
    return entry


def _uploads_result(
    bucket_name: str,
    request: dict[str, Any],
    uploads: list[dict[str, Any]],
    prefixes: list[str],
    truncated: bool,
    limit: int,
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "Bucket": bucket_name,
        "KeyMarker": request.get("KeyMarker") or "",
        "UploadIdMarker": request.get("UploadIdMarker") or "",
        "Prefix": request.get("Prefix") or "",
        "MaxUploads": limit,
        "IsTruncated": truncated,
    }
    if request.get("Delimiter"):
        result["Delimiter"] = request["Delimiter"]
    if truncated and uploads:
        result["NextKeyMarker"] = uploads[-1]["Key"]
        result["NextUploadIdMarker"] = uploads[-1]["UploadId"]
    if uploads:
        result["Uploads"] = uploads
    if prefixes:
        result["CommonPrefixes"] = [{"Prefix": p} for p in prefixes]
    return result
