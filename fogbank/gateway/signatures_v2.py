"""S3's legacy Signature Version 2 (header `AWS key:signature` and presigned `AWSAccessKeyId` /
`Signature` / `Expires` URLs), verified against the key's secret ("Signing and authenticating REST
requests", Amazon S3 API reference, Signature Version 2).

The canonical resource always begins with the bucket: with virtual-hosted addressing the bucket
comes from the host name, so both readings of the host are tried.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import unquote

from botocore.auth import HmacV1Auth

from fogbank.gateway.signature_errors import ErrorStyle
from fogbank.protocol.http import HttpRequest

_SUBRESOURCES = frozenset(HmacV1Auth.QSAOfInterest)


def verify(request: HttpRequest, access_key: str, secret: str, style: ErrorStyle) -> None:
    provided = _provided_signature(request)
    for resource in _canonical_resources(request):
        string_to_sign = canonical_string(request, resource)
        if hmac.compare_digest(sign(secret, string_to_sign), provided):
            return
    string_to_sign = canonical_string(request, _canonical_resources(request)[0])
    raise style.signature_mismatch(access_key, string_to_sign, provided, string_to_sign)


def sign(secret: str, string_to_sign: str) -> str:
    digest = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _provided_signature(request: HttpRequest) -> str:
    auth = request.headers.get("authorization", "")
    if auth.startswith("AWS "):
        return auth.rpartition(":")[2]
    return request.query_value("Signature") or ""


def canonical_string(request: HttpRequest, resource: str) -> str:
    headers = request.headers
    presigned = "authorization" not in headers
    if presigned:
        date = request.query_value("Expires") or ""
    else:  # with x-amz-date, the date is signed among the amz headers instead
        date = "" if "x-amz-date" in headers else headers.get("date", "")
    lines = [
        request.method,
        headers.get("content-md5", "").strip(),
        headers.get("content-type", "").strip(),
        date,
    ]
    amz = sorted((name, value.strip()) for name, value in headers.items() if name.startswith("x-amz-"))
    lines += [f"{name}:{value}" for name, value in amz]
    return "\n".join(lines) + "\n" + resource


def _canonical_resources(request: HttpRequest) -> list[str]:
    """Path-style reading first; then with the bucket of a virtual-hosted name prepended."""
    query = _subresources(request.query_string)
    resources = [request.path + query]
    if request.path.count("/") == 1 and len(request.path) > 1:
        resources.append(request.path + "/" + query)  # botocore signs bucket requests as "/bucket/"
    host = request.host.split(":")[0]
    if ".s3." in host or ".s3-" in host or host.endswith(".localhost"):
        bucket = host.split(".s3", 1)[0] if ".s3" in host else host.removesuffix(".localhost")
        resources.append(f"/{bucket}{request.path}{query}")
    return resources


def _subresources(query_string: str) -> str:
    chosen = []
    for pair in query_string.split("&") if query_string else []:
        name, equals, value = pair.partition("=")
        if name in _SUBRESOURCES:
            chosen.append((name, f"{name}={unquote(value)}" if equals else name))
    if not chosen:
        return ""
    return "?" + "&".join(text for _, text in sorted(chosen, key=lambda item: item[0]))
