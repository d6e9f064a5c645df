"""Which service a request is for, and the caller's access key and region.

Evidence, in the order it is consulted: `X-Amz-Target`, `Smithy-Protocol` paths, the SigV4
credential scope (header or presigned query; SigV2 means S3), the host's endpoint prefix (AWS and
`*.localhost.localstack.cloud` names), the form `Action` of unsigned query requests; anything else
unsigned is S3's. Several services can share one signing name (`dynamodb` signs DynamoDB Streams
too); the request's shape then decides among them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fogbank.context import DEFAULT_REGION
from fogbank.protocol.http import HttpRequest
from fogbank.protocol.models import ServiceInfo, service_index, service_model
from fogbank.services import registry

_CREDENTIAL = re.compile(r"Credential=([^/,\s]*)/\d{8}/([^/]+)/([^/]+)/aws4_request")
_SIGV2_HEADER = re.compile(r"^AWS ([^:]+):")
# `[bucket.]service.region.amazonaws.com`, then the regionless form (`sts.amazonaws.com`,
# `sqs.localhost.localstack.cloud`, `bucket.s3.localhost.localstack.cloud`): LocalStack's host names
# route like AWS's, so `awslocal` and friends work unchanged.
_HOST_SERVICES = (
    re.compile(
        r"^(?:[^.]+\.)?(?P<prefix>[a-z0-9-]+)\.(?P<region>[a-z]{2}(?:-gov)?-[a-z]+-\d)\."
        r"(?:amazonaws\.com|localhost\.localstack\.cloud)$"
    ),
    re.compile(r"^(?:[^.]+\.)?(?P<prefix>[a-z0-9-]+)\.(?:amazonaws\.com|localhost\.localstack\.cloud)$"),
)
# Signing names that mean S3 although no model declares them.
_S3_SCOPES = ("", "s3", "s3-object-lambda", "s3express")
_CBOR_PATH = re.compile(r"^/service/([^/]+)/operation/([^/]+)$")


@dataclass(frozen=True, slots=True)
class Credentials:
    access_key: str = ""
    region: str = DEFAULT_REGION
    scope_service: str = ""
    signature_version: str = ""


# SigV4 credentials by the Authorization header's first field (`AWS4-HMAC-SHA256 Credential=…`),
# which a client repeats on every request of a day: a lookup instead of a regular expression and
# a new record (read_credentials 1.0 -> 0.4 µs, 2026-11-26). Bounded: clients choose the text.
_v4_by_field: dict[str, Credentials] = {}
_V4_CACHE_LIMIT = 1024


def read_credentials(request: HttpRequest) -> Credentials:
    """The access key, region and signing service a request was signed with (empty if unsigned)."""
    auth = request.headers.get("authorization", "")
    if auth.startswith("AWS4-"):
        first = auth.partition(",")[0]
        known = _v4_by_field.get(first)
        if known is not None:
            return known
        match = _CREDENTIAL.search(first)
        if match:
            if len(_v4_by_field) >= _V4_CACHE_LIMIT:
                _v4_by_field.clear()
            known = _v4_by_field[first] = Credentials(match.group(1), match.group(2), match.group(3), "v4")
            return known
        match = _CREDENTIAL.search(auth)  # the Credential field elsewhere than first
        if match:
            return Credentials(match.group(1), match.group(2), match.group(3), "v4")
    elif auth.startswith("AWS "):
        match = _SIGV2_HEADER.match(auth)
        return Credentials(match.group(1) if match else "", DEFAULT_REGION, "s3", "v2")
    if "X-Amz-Credential" in request.query_string:
        credential = request.query_value("X-Amz-Credential") or ""
        parts = credential.split("/")
        if len(parts) >= 5:
            return Credentials(parts[0], parts[2], parts[3], "v4-presigned")
    if "AWSAccessKeyId=" in request.query_string:
        return Credentials(request.query_value("AWSAccessKeyId") or "", DEFAULT_REGION, "s3", "v2-presigned")
    # Unsigned: the region a regional host name carries (`sqs.eu-west-1.localhost.localstack.cloud`).
    return Credentials(region=_host_region(request) or DEFAULT_REGION)


def _host_region(request: HttpRequest) -> str | None:
    host = request.host
    if "." not in host:
        return None
    match = _HOST_SERVICES[0].match(host.rpartition(":")[0] if ":" in host else host)
    return match.group("region") if match else None


def detect_service(request: HttpRequest, credentials: Credentials) -> str | None:
    """botocore's name of the service a request is for, or None when nothing identifies one."""
    target = request.headers.get("x-amz-target")
    if target:
        info = service_index().by_target_prefix.get(target.rpartition(".")[0])
        if info is not None:
            return info.name
    cbor = _CBOR_PATH.match(request.path) if "smithy-protocol" in request.headers else None
    if cbor:
        return _service_by_id(cbor.group(1))
    if credentials.scope_service:
        found = _by_signing_name(request, credentials.scope_service)
        if found:
            return found
    # The host names the service more surely than an unsigned form's action, which several query
    # services share (SNS and SQS both have AddPermission).
    found = _service_by_host(request)
    if found:
        return found
    action = _form_action(request)
    if action:
        found = _query_service_for_action(request, action)
        if found:
            return found
    # Unsigned requests with nothing else to go by are S3's (public objects, browser uploads); a
    # request signed for a service nobody knows is not.
    if request.headers.get("x-amz-target") or credentials.scope_service not in _S3_SCOPES:
        return None
    return "s3"


def _service_by_host(request: HttpRequest) -> str | None:
    host = request.host.rpartition(":")[0] if ":" in request.host else request.host
    for pattern in _HOST_SERVICES:
        match = pattern.match(host)
        if match:
            candidates = service_index().by_endpoint_prefix.get(match.group("prefix"), [])
            if candidates:
                return _choose(request, candidates)
    return None


def _by_signing_name(request: HttpRequest, name: str) -> str | None:
    index = service_index()
    candidates = index.by_signing_name.get(name) or index.by_endpoint_prefix.get(name)
    if not candidates:
        info = index.services.get(name)
        return info.name if info else None
    return _choose(request, candidates)


def _choose(request: HttpRequest, candidates: list[ServiceInfo]) -> str:
    """Among services sharing a signing name, the one whose protocol and operations fit."""
    if len(candidates) == 1:
        return candidates[0].name
    action = _form_action(request)
    if not action:
        order, default = _rest_order(candidates)
        for name in order:
            if _rest_path_matches(name, request):
                return name
        return default
    fitting = [
        info
        for info in candidates
        if ("query" in info.protocols or "ec2" in info.protocols)
        and action in service_model(info.name).operation_names
    ]
    pool = fitting or candidates
    implemented = [info for info in pool if registry.is_implemented(info.name)]
    return (implemented or pool)[0].name


# `_rest_candidates` of each candidate list of the service index, by the list's identity (checked).
_rest_orders: dict[int, tuple[list[ServiceInfo], tuple[tuple[str, ...], str]]] = {}


def _rest_order(candidates: list[ServiceInfo]) -> tuple[tuple[str, ...], str]:
    known = _rest_orders.get(id(candidates))
    if known is None or known[0] is not candidates:
        known = _rest_orders[id(candidates)] = (candidates, _rest_candidates(candidates))
    return known[1]


def _rest_candidates(candidates: list[ServiceInfo]) -> tuple[tuple[str, ...], str]:
    """For a request without a form action: the services whose REST routes to try, in order
    (implemented ones first; none when only one fits), and the answer when no route fits."""
    fitting = [info for info in candidates if any(p.startswith("rest") for p in info.protocols)]
    pool = fitting or candidates
    implemented = [info for info in pool if registry.is_implemented(info.name)]
    default = (implemented or pool)[0].name
    if len(pool) == 1:
        return (), default
    ordered = [*implemented, *(info for info in pool if info not in implemented)]
    return tuple(info.name for info in ordered), default


def _rest_path_matches(service: str, request: HttpRequest) -> bool:
    return _router_for()(service).match(request) is not None


@functools.cache
def _router_for() -> Callable[[str], Any]:
    """`fogbank.protocol.rest.router_for`, imported with the first REST request (an import
    statement run per request cost 0.6 µs, 2026-11-26)."""
    from fogbank.protocol.rest import router_for

    return router_for


def _form_action(request: HttpRequest) -> str | None:
    if "Action=" in request.query_string or (
        request.method == "POST"
        and request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded")
    ):
        # Parsed once and kept: the query codec reads the same form.
        return request.form().get("Action") or None
    return None


@functools.cache
def _query_actions() -> dict[str, str]:
    """Operation name → implemented query-protocol service, for unsigned requests (STS web identity)."""
    actions: dict[str, str] = {}
    for name in ("sts", "iam", "sns", "sqs"):
        if registry.is_implemented(name):
            for operation in service_model(name).operation_names:
                actions.setdefault(operation, name)
    return actions


def _query_service_for_action(request: HttpRequest, action: str) -> str | None:
    return _query_actions().get(action)


@functools.cache
def _ids() -> dict[str, str]:
    index = service_index()
    return {info.service_id.replace(" ", ""): info.name for info in index.services.values()}


def _service_by_id(sdk_id: str) -> str | None:
    # The CBOR path names the service by its Smithy shape name (e.g. GraniteServiceVersion20100801).
    index = service_index()
    for info in index.services.values():
        if info.target_prefix == sdk_id:
            return info.name
    return _ids().get(sdk_id)
