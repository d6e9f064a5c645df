"""Browser-based uploads (POST Object, what `generate_presigned_post` prepares): the
multipart/form-data body read into PutObject's parameters, and the POST policy (expiration on
fogbank's clock, conditions, content-length range) checked.

The form is split by offsets over a memory map of the spooled body, so a large file field is
copied to its own temporary file, never read into memory.
See https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html and
https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html
"""

from __future__ import annotations

import base64
import binascii
import mmap
import os
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from fogbank import clock
from fogbank.protocol.http import HttpRequest, Payload
from fogbank.services.s3.errors import (
    AccessDenied,
    EntityTooLarge,
    EntityTooSmall,
    InvalidAccessKeyId,
    InvalidArgument,
    MalformedPOSTRequest,
    SignatureDoesNotMatch,
)

# Form fields that map to PutObject members (the rest: x-amz-meta-*, policy and signing fields).
FIELD_MEMBERS = {
    "content-type": "ContentType",
    "cache-control": "CacheControl",
    "content-disposition": "ContentDisposition",
    "content-encoding": "ContentEncoding",
    "content-language": "ContentLanguage",
    "acl": "ACL",
    "x-amz-storage-class": "StorageClass",
    "x-amz-server-side-encryption": "ServerSideEncryption",
    "x-amz-server-side-encryption-aws-kms-key-id": "SSEKMSKeyId",
    "x-amz-website-redirect-location": "WebsiteRedirectLocation",
    "x-amz-checksum-algorithm": "ChecksumAlgorithm",
    "x-amz-checksum-crc32": "ChecksumCRC32",
    "x-amz-checksum-crc32c": "ChecksumCRC32C",
    "x-amz-checksum-sha1": "ChecksumSHA1",
    "x-amz-checksum-sha256": "ChecksumSHA256",
}
# Fields a policy need not name (AWS: the signature, the file, the policy, x-ignore-*).
_UNCHECKED = {"file", "policy", "x-amz-signature", "signature", "awsaccesskeyid"}


@dataclass(slots=True)
class PostForm:
    fields: dict[str, str] = field(default_factory=dict)  # lower-case names
    filename: str = ""
    file: Payload | None = None


def is_post_object(request: HttpRequest, path: str) -> bool:
    return (
        request.method == "POST"
        and path.count("/") == 1
        and len(path) > 1
        and not request.query_string
        and request.headers.get("content-type", "").startswith("multipart/form-data")
    )


def _malformed(
    message: str = "The body of your POST request is not well-formed multipart/form-data.",
) -> MalformedPOSTRequest:
    return MalformedPOSTRequest(message)


def read_form(request: HttpRequest) -> PostForm:
    boundary = _boundary(request.headers.get("content-type", ""))
    body = request.body
    if body.path is None:
        return _split(body.data, boundary)
    with open(body.path, "rb") as handle:
        if body.length == 0:
            raise _malformed()
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            return _split(mapped, boundary)


def _boundary(content_type: str) -> bytes:
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "boundary" and value:
            return b"--" + value.strip('"').encode("latin-1")
    raise _malformed()


def _split(data: Any, boundary: bytes) -> PostForm:
    form = PostForm()
    position = data.find(boundary)
    if position < 0:
        raise _malformed()
    while True:
        start = position + len(boundary)
        if bytes(data[start : start + 2]) == b"--":
            return form
        header_end = data.find(b"\r\n\r\n", start)
        following = data.find(b"\r\n" + boundary, header_end)
        if header_end < 0 or following < 0:
            raise _malformed()
        headers = bytes(data[start:header_end]).decode("utf-8", "replace")
        name, filename = _disposition(headers)
        if filename is not None:
            # S3 ignores every field after the file.
            form.filename = filename
            form.file = _file_payload(data, header_end + 4, following)
            return form
        form.fields[name.lower()] = bytes(data[header_end + 4 : following]).decode("utf-8")
        position = following + 2


def _disposition(headers: str) -> tuple[str, str | None]:
    name, filename = "", None
    for line in headers.split("\r\n"):
        if line.lower().startswith("content-disposition:"):
            for item in line.split(";")[1:]:
                key, _, value = item.strip().partition("=")
                if key.lower() == "name":
                    name = value.strip('"')
                elif key.lower() == "filename":
                    filename = value.strip('"')
    if not name:
        raise _malformed()
    return name, filename if name.lower() == "file" else None


def _file_payload(data: Any, start: int, end: int) -> Payload:
    length = end - start
    if length <= 1024 * 1024:
        return Payload(data=bytes(data[start:end]), length=length)
    from fogbank.services.s3.bodies import temporary_file

    handle, path = temporary_file()
    with os.fdopen(handle, "wb") as sink:
        for offset in range(start, end, 1024 * 1024):
            sink.write(data[offset : min(offset + 1024 * 1024, end)])
    return Payload(path=path, length=length)


def put_parameters(bucket: str, form: PostForm) -> dict[str, Any]:
    """PutObject's parameters from the form (after the policy was checked)."""
    fields = form.fields
    if "key" not in fields:
        raise InvalidArgument(
            "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
            ArgumentName="key",
            ArgumentValue="",
        )
    if form.file is None:
        raise InvalidArgument(
            "POST requires exactly one file upload per request.", ArgumentName="file", ArgumentValue="0"
        )
    params: dict[str, Any] = {
        "Bucket": bucket,
        "Key": fields["key"].replace("${filename}", form.filename),
        "Body": form.file,
    }
    for name, member in FIELD_MEMBERS.items():
        if fields.get(name):
            params[member] = fields[name]
    if fields.get("expires"):
        from fogbank.protocol.values import parse_timestamp

        params["Expires"] = parse_timestamp(fields["expires"])
    metadata = {
        name[len("x-amz-meta-") :]: value for name, value in fields.items() if name.startswith("x-amz-meta-")
    }
    if metadata:
        params["Metadata"] = metadata
    return params


def check_policy(bucket: str, form: PostForm) -> None:
    """The POST policy's expiration and conditions; a form with credentials must carry one."""
    fields = form.fields
    encoded = fields.get("policy")
    if encoded is None:
        if "x-amz-credential" in fields or "awsaccesskeyid" in fields:
            raise InvalidArgument(
                "Bucket POST must contain a field named 'policy'.", ArgumentName="policy", ArgumentValue=""
            )
        return
    try:
        policy = orjson.loads(base64.b64decode(encoded, validate=True))
        expiration = datetime.fromisoformat(str(policy["expiration"]).replace("Z", "+00:00")).timestamp()
        conditions = policy.get("conditions") or []
    except (binascii.Error, ValueError, KeyError, TypeError, orjson.JSONDecodeError):
        raise InvalidArgument(
            "Invalid Policy: Invalid JSON.", ArgumentName="policy", ArgumentValue=encoded
        ) from None
    if clock.now() > expiration:
        raise AccessDenied("Invalid according to Policy: Policy expired.")
    values = {**fields, "bucket": bucket, "key": fields.get("key", "").replace("${filename}", form.filename)}
    covered = {"bucket"}
    for condition in conditions:
        covered |= _check_condition(condition, values, form)
    extra = sorted(
        name
        for name in fields
        if name not in covered and name not in _UNCHECKED and not name.startswith("x-ignore-")
    )
    if extra:
        raise AccessDenied(f"Invalid according to Policy: Extra input fields: {', '.join(extra)}")


def _check_condition(condition: Any, values: dict[str, str], form: PostForm) -> set[str]:
    """Check one condition; returns the field names it covers."""
    failed = AccessDenied(
        f"Invalid according to Policy: Policy Condition failed: {orjson.dumps(condition).decode()}"
    )
    if isinstance(condition, dict):
        covered = set()
        for name, expected in condition.items():
            if values.get(name.lower()) != expected:
                raise failed
            covered.add(name.lower())
        return covered
    if not isinstance(condition, list) or len(condition) != 3:
        raise InvalidArgument("Invalid Policy: Invalid Condition.", ArgumentName="policy", ArgumentValue="")
    operator = str(condition[0]).lower()
    if operator == "content-length-range":
        _check_length(form, int(condition[1]), int(condition[2]))
        return set()
    name = str(condition[1]).lstrip("$").lower()
    actual = values.get(name, "")
    if (operator == "eq" and actual != condition[2]) or (
        operator == "starts-with" and not actual.startswith(str(condition[2]))
    ):
        raise failed
    if operator not in ("eq", "starts-with"):
        raise InvalidArgument("Invalid Policy: Invalid Condition.", ArgumentName="policy", ArgumentValue="")
    return {name}


def _check_length(form: PostForm, low: int, high: int) -> None:
    size = form.file.length if form.file is not None else 0
    if size > high:
        raise EntityTooLarge(
            "Your proposed upload exceeds the maximum allowed size", ProposedSize=size, MaxSizeAllowed=high
        )
    if size < low:
        raise EntityTooSmall(
            "Your proposed upload is smaller than the minimum allowed size",
            ProposedSize=size,
            MinSizeAllowed=low,
        )


def success_response(
    fields: dict[str, str], bucket: str, key: str, etag: str, location: str
) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body S3 answers a successful POST: success_action_redirect (303),
    success_action_status 200 / 201 (a PostResponse document) or 204 (the default)."""
    from urllib.parse import urlencode

    headers = {"etag": etag, "location": location}
    redirect = fields.get("success_action_redirect") or fields.get("redirect")
    if redirect:
        query = urlencode({"bucket": bucket, "key": key, "etag": etag})
        headers["location"] = redirect + ("&" if "?" in redirect else "?") + query
        return 303, headers, b""
    status = fields.get("success_action_status")
    if status == "201":
        from fogbank.protocol.xml import escape

        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse>'
            f"<Location>{escape(location)}</Location><Bucket>{escape(bucket)}</Bucket>"
            f"<Key>{escape(key)}</Key><ETag>{escape(etag)}</ETag></PostResponse>"
        )
        headers["content-type"] = "application/xml"
        return 201, headers, body.encode()
    return (200 if status == "200" else 204), headers, b""


_MISMATCH = "The request signature we calculated does not match the signature you provided. Check your key and signing method."


def check_signature(form: PostForm) -> None:
    """With --verify-signatures: the policy's SigV4 (x-amz-signature, hex HMAC-SHA256 with the
    scope's signing key) or SigV2 (signature, base64 HMAC-SHA1) signature, by the key's secret.
    https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-post-example.html"""
    import hashlib
    import hmac

    from fogbank.gateway.signatures import signing_key
    from fogbank.iam import identity

    fields = form.fields
    policy = fields.get("policy")
    if policy is None:
        return  # an anonymous upload (no credentials either: check_policy refused those)
    credential = fields.get("x-amz-credential")
    access_key = credential.split("/", 1)[0] if credential else fields.get("awsaccesskeyid", "")
    if not identity.is_known_key(access_key):
        raise InvalidAccessKeyId(
            "The AWS Access Key Id you provided does not exist in our records.", AWSAccessKeyId=access_key
        )
    secret = identity.resolve(access_key).secret_key or ""
    if credential:
        scope = credential.split("/", 1)[1] if "/" in credential else ""
        expected = hmac.new(signing_key(secret, scope), policy.encode(), hashlib.sha256).hexdigest()
        provided = fields.get("x-amz-signature", "")
    else:
        expected = base64.b64encode(
            hmac.new(secret.encode(), policy.encode(), hashlib.sha1).digest()
        ).decode()
        provided = fields.get("signature", "")
    if not hmac.compare_digest(expected, provided):
        raise SignatureDoesNotMatch(_MISMATCH)
