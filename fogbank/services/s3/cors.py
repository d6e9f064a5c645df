"""S3 CORS: validation of a bucket's CORS rules (PutBucketCors), and the data plane that answers
browser preflight requests (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) on S3 paths
per those rules, as https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html describes:
the first rule whose origin, method and every requested header match wins.

`decorate(exchange, response)` adds the `Access-Control-*` headers S3 puts on actual (non-preflight)
responses to requests with an `Origin`; it needs a response hook in the chain to be called from
(not there yet).
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any

from fogbank.gateway.exchange import Exchange
from fogbank.protocol.http import HttpRequest, HttpResponse
from fogbank.protocol.xml import escape

RULE_LIMIT = 100
METHODS = ("GET", "PUT", "HEAD", "POST", "DELETE")
# Virtual-hosted S3 names: <bucket>.s3[.-<region>].amazonaws.com, <bucket>.s3[.<region>].localhost[.localstack.cloud].
_VIRTUAL_HOST = re.compile(
    r"^(?P<bucket>[a-z0-9][a-z0-9.\-]*?)\.s3(?:[.-](?:dualstack\.)?[a-z0-9-]+)?\."
    r"(?:amazonaws\.com|localhost\.localstack\.cloud|localhost)$"
)
_NOT_ALLOWED = (
    "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, "
    "request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted "
    "by the resource's CORS spec."
)


# -- configuration --------------------------------------------------------------------------------


def validate_cors(configuration: dict[str, Any]) -> list[dict[str, Any]]:
    """The rules of a PutBucketCors request, or S3's error for the first rule it refuses."""
    from fogbank.services.s3.errors import InvalidRequest, MalformedXML

    rules = configuration.get("CORSRules") or []
    if not rules:
        raise MalformedXML(
            "The XML you provided was not well-formed or did not validate against our published schema"
        )
    if len(rules) > RULE_LIMIT:
        raise InvalidRequest(
            f"The number of CORS rules should not exceed allowed limit of {RULE_LIMIT} rules."
        )
    for rule in rules:
        for method in rule.get("AllowedMethods") or []:
            if method not in METHODS:
                raise InvalidRequest(
                    f"Found unsupported HTTP method in CORS config. Unsupported method is {method}"
                )
        for origin in rule.get("AllowedOrigins") or []:
            if origin.count("*") > 1:
                raise InvalidRequest(f'AllowedOrigin "{origin}" can not have more than one wildcard.')
        for header in rule.get("AllowedHeaders") or []:
            if header.count("*") > 1:
                raise InvalidRequest(f'AllowedHeader "{header}" can not have more than one wildcard.')
    return rules


def matching_rule(
    rules: list[dict[str, Any]], origin: str, method: str, headers: list[str]
) -> dict[str, Any] | None:
    for rule in rules:
        if not any(_wildcard(allowed, origin) for allowed in rule.get("AllowedOrigins") or []):
            continue
        if method not in (rule.get("AllowedMethods") or []):
            continue
        allowed_headers = [header.lower() for header in rule.get("AllowedHeaders") or []]
        if all(any(_wildcard(allowed, header.lower()) for allowed in allowed_headers) for header in headers):
            return rule
    return None


def _wildcard(pattern: str, value: str) -> bool:
    if "*" not in pattern:
        return pattern == value
    return fnmatch.fnmatchcase(value, pattern.replace("[", "[[]").replace("?", "[?]"))


def cors_headers(rule: dict[str, Any], origin: str) -> dict[str, str]:
    """The headers S3 adds for a matched rule (on preflights and on actual requests)."""
    headers: dict[str, str] = {}
    if "*" in (rule.get("AllowedOrigins") or []):
        headers["access-control-allow-origin"] = "*"
    else:
        headers["access-control-allow-origin"] = origin
        headers["access-control-allow-credentials"] = "true"
    headers["access-control-allow-methods"] = ", ".join(rule.get("AllowedMethods") or [])
    if rule.get("ExposeHeaders"):
        headers["access-control-expose-headers"] = ", ".join(rule["ExposeHeaders"])
    if rule.get("MaxAgeSeconds") is not None:
        headers["access-control-max-age"] = str(rule["MaxAgeSeconds"])
    headers["vary"] = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"
    return headers


# -- data plane -----------------------------------------------------------------------------------


def matches(request: HttpRequest) -> bool:
    headers = request.headers
    return request.method == "OPTIONS" and "origin" in headers and "access-control-request-method" in headers


def bucket_and_key(request: HttpRequest) -> tuple[str, str] | None:
    """The bucket (and key) an S3 request addresses, virtual-host or path style."""
    from urllib.parse import unquote

    host = request.host.rsplit(":", 1)[0] if not request.host.endswith("]") else request.host
    virtual = _VIRTUAL_HOST.match(host.lower())
    path = unquote(request.path)
    if virtual and not host.lower().startswith("s3."):
        return virtual.group("bucket"), path.lstrip("/")
    bucket, _, key = path.lstrip("/").partition("/")
    return (bucket, key) if bucket else None


async def serve(exchange: Exchange) -> HttpResponse | None:
    """Answer a preflight for an S3 bucket; leave other OPTIONS requests to the rest of the chain."""
    from fogbank.services.s3.buckets import find_bucket

    request = exchange.request
    target = bucket_and_key(request)
    if target is None:
        return None
    bucket = find_bucket(target[0])
    if bucket is None:
        if _VIRTUAL_HOST.match(request.host.rsplit(":", 1)[0].lower()) is None:
            return None  # not an S3 bucket path: another service's preflight
        return _error(
            exchange, 404, "NoSuchBucket", "The specified bucket does not exist", BucketName=target[0]
        )
    return answer_preflight(exchange, bucket, target[1])


def answer_preflight(exchange: Exchange, bucket: dict[str, Any], key: str) -> HttpResponse:
    """The preflight answer per the bucket's CORS rules (also used by website endpoints)."""
    from fogbank.services.s3.subresources import read_config

    request = exchange.request
    method = request.headers["access-control-request-method"]
    kind = "OBJECT" if key else "BUCKET"
    rules = read_config(bucket, "cors")
    if not rules:
        return _error(
            exchange,
            403,
            "AccessForbidden",
            "CORSResponse: CORS is not enabled for this bucket.",
            Method=method,
            ResourceType=kind,
        )
    header_list = request.headers.get("access-control-request-headers", "")
    requested = [header.strip() for header in header_list.split(",") if header.strip()]
    rule = matching_rule(rules, request.headers["origin"], method, requested)
    if rule is None:
        return _error(exchange, 403, "AccessForbidden", _NOT_ALLOWED, Method=method, ResourceType=kind)
    headers = cors_headers(rule, request.headers["origin"])
    if requested:
        headers["access-control-allow-headers"] = ", ".join(header.lower() for header in requested)
    headers["x-amz-request-id"] = exchange.request_id
    headers["content-length"] = "0"
    return HttpResponse(200, headers, b"")


def decorate(exchange: Exchange, response: HttpResponse) -> None:
    """Add the matching rule's headers to an S3 response to a cross-origin request."""
    from fogbank.services.s3.buckets import find_bucket
    from fogbank.services.s3.subresources import read_config

    request = exchange.request
    origin = request.headers.get("origin")
    if not origin or exchange.service != "s3" or request.method == "OPTIONS":
        return
    name = (exchange.params or {}).get("Bucket")
    if name is None:
        target = bucket_and_key(request)
        name = target[0] if target else None
    bucket = find_bucket(name) if name else None
    rules = read_config(bucket, "cors") if bucket else None
    rule = matching_rule(rules, origin, request.method, []) if rules else None
    if rule is not None:
        response.headers.update(cors_headers(rule, origin))


def _error(exchange: Exchange, status: int, code: str, message: str, **fields: str) -> HttpResponse:
    extra = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in fields.items())
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{escape(message)}</Message>'
        f"{extra}<RequestId>{exchange.request_id}</RequestId></Error>"
    )
    headers = {"content-type": "application/xml", "x-amz-request-id": exchange.request_id}
    return HttpResponse(status, headers, body.encode())
