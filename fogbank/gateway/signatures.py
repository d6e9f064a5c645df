"""Signature verification (`--verify-signatures`): SigV4 in the Authorization header and in
presigned query parameters, and S3's SigV2, checked against the secret of the signing key.

Keys that can sign: those IAM issued (AKIA…), temporary credentials STS issued (ASIA…, with their
session token, until they expire on fogbank's clock), and the default pair `test`/`test` (a
12-digit key id with secret `test` acts as that account's root).

The canonical request follows "Create a canonical request for Signature Version 4" (IAM User
Guide): S3 signs its path as sent, other services the URI-encoded form of the normalized path. For
S3 the payload hash is the `x-amz-content-sha256` header (including `UNSIGNED-PAYLOAD` and the
`STREAMING-*` values, for which only the seed signature is checked here); presigned S3 URLs sign
`UNSIGNED-PAYLOAD`. The request time is not compared with the clock: fogbank's clock can be moved
by tests, and clients sign with the wall clock.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, unquote

from botocore.model import OperationNotFoundError
from botocore.utils import normalize_url_path

from fogbank.gateway.exchange import Exchange
from fogbank.gateway.signature_errors import ErrorStyle, style_for
from fogbank.iam import identity
from fogbank.protocol.http import HttpRequest
from fogbank.protocol.models import service_model
from fogbank.protocol.rest import router_for

UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
MAX_PRESIGN_EXPIRES = 604800  # seven days
_AUTH_PART = re.compile(r"(Credential|SignedHeaders|Signature)=([^,\s]*)")
_REQUIRED_PARTS = ("Credential", "SignedHeaders", "Signature")
# Links in SNS messages that AWS serves to anyone holding them (SNS Developer Guide).
_UNSIGNED_LINKS = frozenset({("sns", "ConfirmSubscription"), ("sns", "Unsubscribe")})


@dataclass(slots=True)
class SigV4:
    """The parts of a SigV4 signature, from the Authorization header or the query string."""

    access_key: str
    scope: str  # date/region/service/aws4_request
    service: str
    signed_headers: list[str]
    signature: str
    timestamp: str
    presigned: bool


async def verify(exchange: Exchange) -> None:
    """Raise the AWS error for a request whose signature does not verify. Unsigned requests pass only
    where AWS serves them anonymously (see `_anonymous_allowed`)."""
    request = exchange.request
    credentials = exchange.credentials
    style = style_for(exchange)
    if credentials is None or not credentials.access_key:
        if _carries_signature(request):
            raise style.incomplete(_unreadable_signature(request))
        if not _anonymous_allowed(exchange):
            raise style.missing_token()
        return
    principal = _signing_principal(request, credentials.access_key, style)
    secret = principal.secret_key or identity.DEFAULT_SECRET
    if credentials.signature_version.startswith("v2"):
        from fogbank.gateway import signatures_v2

        signatures_v2.verify(request, credentials.access_key, secret, style)
        return
    signature = _read_sigv4(request, style)
    payload_hash = await _payload_hash(exchange, signature)
    canonical = canonical_request(request, signature, payload_hash)
    string_to_sign = "\n".join(
        [
            "AWS4-HMAC-SHA256",
            signature.timestamp,
            signature.scope,
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )
    expected = hmac.new(
        signing_key(secret, signature.scope), string_to_sign.encode(), hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(expected, signature.signature):
        raise style.signature_mismatch(signature.access_key, string_to_sign, signature.signature, canonical)


def _unreadable_signature(request: HttpRequest) -> str:
    algorithm = request.headers.get("authorization", "").split(" ", 1)[0] or request.query_value(
        "X-Amz-Algorithm"
    )
    if algorithm == "AWS4-ECDSA-P256-SHA256":
        return "fogbank does not verify SigV4a (AWS4-ECDSA-P256-SHA256) signatures yet: sign with SigV4."
    return "The request signature could not be read: its credential scope is malformed."


def _carries_signature(request: HttpRequest) -> bool:
    return "authorization" in request.headers or "X-Amz-Signature=" in request.query_string


def _anonymous_allowed(exchange: Exchange) -> bool:
    """Unsigned requests are S3's anonymous access and the operations AWS serves without
    authentication (`auth: noAuth` in the model, e.g. AssumeRoleWithWebIdentity, Cognito sign-in;
    SNS's SubscribeURL and UnsubscribeURL links)."""
    service = exchange.service or ""
    if service == "s3":
        return True
    operation = _operation_name(exchange.request, service)
    if operation is None:
        return False
    if (service, operation) in _UNSIGNED_LINKS:
        return True
    try:
        return bool(service_model(service).operation_model(operation).auth_type == "none")
    except OperationNotFoundError:
        return False


def _operation_name(request: HttpRequest, service: str) -> str | None:
    target = request.headers.get("x-amz-target")
    if target:
        return target.rpartition(".")[2]
    action = request.query_value("Action")
    if action is None and request.headers.get("content-type", "").startswith(
        "application/x-www-form-urlencoded"
    ):
        actions = parse_qs(request.body.data.decode("utf-8", "replace")).get("Action")
        action = actions[0] if actions else None
    if action is not None:
        return action
    matched = router_for(service).match(request) if service else None
    return matched[0].name if matched else None


def _signing_principal(request: HttpRequest, access_key: str, style: ErrorStyle) -> identity.Principal:
    """The key's principal, after checking it exists, is active, and (for temporary credentials)
    came with its session token and has not expired."""
    if not identity.is_known_key(access_key):
        raise style.unknown_key(access_key)
    principal = identity.resolve(access_key)
    if not principal.active:
        raise style.unknown_key(access_key)
    if principal.session_token is not None:
        token = request.headers.get("x-amz-security-token") or request.query_value("X-Amz-Security-Token")
        if token != principal.session_token:
            raise style.invalid_token()
        if principal.is_expired():
            raise style.expired_token()
    return principal


def _read_sigv4(request: HttpRequest, style: ErrorStyle) -> SigV4:
    auth = request.headers.get("authorization", "")
    if auth.startswith("AWS4-HMAC-SHA256"):
        parts = dict(_AUTH_PART.findall(auth))
        missing = [name for name in _REQUIRED_PARTS if not parts.get(name)]
        if missing:
            message = " ".join(f"Authorization header requires '{name}' parameter." for name in missing)
            raise style.incomplete(f"{message} Authorization={auth}")
        timestamp = request.headers.get("x-amz-date") or request.headers.get("date", "")
        return _sigv4(
            parts["Credential"], parts["SignedHeaders"], parts["Signature"], timestamp, False, style
        )
    algorithm = request.query_value("X-Amz-Algorithm")
    if algorithm != "AWS4-HMAC-SHA256":
        raise style.incomplete(f"Unsupported signing algorithm: {algorithm or auth.split(' ', 1)[0]}")
    query = {
        name: request.query_value(name) or ""
        for name in ("X-Amz-Credential", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Date")
    }
    missing = [name for name, value in query.items() if not value]
    if missing:
        raise style.incomplete(
            " ".join(f"Query-string authentication requires the {name} parameter." for name in missing)
        )
    _check_expires_parameter(request.query_value("X-Amz-Expires"), style)
    return _sigv4(
        query["X-Amz-Credential"],
        query["X-Amz-SignedHeaders"],
        query["X-Amz-Signature"],
        query["X-Amz-Date"],
        True,
        style,
    )


def _check_expires_parameter(expires: str | None, style: ErrorStyle) -> None:
    """X-Amz-Expires is read before the signature: a number of seconds, at most seven days
    (Amazon S3 API reference, "Authenticating Requests: Using Query Parameters")."""
    if expires is None:
        return
    if not expires.lstrip("-").isdigit():
        raise style.incomplete("Query-string authentication: X-Amz-Expires should be a number")
    if int(expires) < 0:
        raise style.incomplete("Query-string authentication: X-Amz-Expires must be non-negative")
    if int(expires) > MAX_PRESIGN_EXPIRES:
        raise style.incomplete(
            "Query-string authentication: X-Amz-Expires must be less than a week (in seconds) that is; "
            "604800 seconds"
        )


def _sigv4(
    credential: str, signed: str, signature: str, timestamp: str, presigned: bool, style: ErrorStyle
) -> SigV4:
    pieces = credential.split("/")
    if len(pieces) != 5 or pieces[4] != "aws4_request":
        raise style.incomplete(
            f"Credential should be scoped to a valid region and service, not '{credential}'."
        )
    return SigV4(
        access_key=pieces[0],
        scope="/".join(pieces[1:]),
        service=pieces[3],
        signed_headers=signed.split(";"),
        signature=signature,
        timestamp=timestamp,
        presigned=presigned,
    )


async def _payload_hash(exchange: Exchange, signature: SigV4) -> str:
    """What the client put in the canonical request's last line."""
    request = exchange.request
    declared = request.headers.get("x-amz-content-sha256")
    if declared:
        return declared
    if signature.presigned and signature.service == "s3":
        return UNSIGNED_PAYLOAD
    # Other services sign the body itself; their bodies are small, so reading it now is fine.
    await exchange.read_body()
    return hashlib.sha256(request.body.read()).hexdigest()


def canonical_request(request: HttpRequest, signature: SigV4, payload_hash: str) -> str:
    headers = []
    for name in signature.signed_headers:
        value = request.headers.get(name, "")
        headers.append(f"{name}:{' '.join(value.split())}\n")
    return "\n".join(
        [
            request.method,
            canonical_path(request.path, signature.service),
            canonical_query(request.query_string, skip_signature=signature.presigned),
            "".join(headers),
            ";".join(signature.signed_headers),
            payload_hash,
        ]
    )


def canonical_path(raw_path: str, service: str) -> str:
    """S3 signs the path as sent; other services normalize it and URI-encode it once more."""
    if service == "s3":
        return raw_path or "/"
    return quote(normalize_url_path(raw_path), safe="/~")


def canonical_query(query_string: str, *, skip_signature: bool) -> str:
    pairs = []
    for pair in query_string.split("&") if query_string else []:
        name, _, value = pair.partition("=")
        if skip_signature and name == "X-Amz-Signature":
            continue
        pairs.append((quote(unquote(name), safe="-_.~"), quote(unquote(value), safe="-_.~")))
    return "&".join(f"{name}={value}" for name, value in sorted(pairs))


def signing_key(secret: str, scope: str) -> bytes:
    key = ("AWS4" + secret).encode()
    for part in scope.split("/"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key
