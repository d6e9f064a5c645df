"""Calling an API destination: one HTTP request carrying an event, with its connection's
authorization and invocation parameters, shared by EventBridge rule targets and Pipes.

https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-api-destinations.html: the event (as
transformed) is the request body; the connection adds an API key header, Basic authorization or an
OAuth bearer token obtained with the client-credentials grant, plus its header, query-string and
body parameters; a target adds PathParameterValues (each filling one `*` of the endpoint),
HeaderParameters and QueryStringParameters. Responses 429 and 5xx are retried, other 4xx are not
(https://repost.aws/knowledge-center/eventbridge-resolve-failedinvocation-errors).

The HTTP exchange runs in a worker thread (`asyncio.to_thread`) so that it never blocks fogbank's
event loop. OAuth tokens are cached per connection (and per connection version) until their
`expires_in` has passed on fogbank's clock. An API destination's InvocationRateLimitPerSecond holds
calls beyond the limit until the next second of fogbank's clock (AWS queues them likewise).
"""

from __future__ import annotations

import asyncio
import base64
import functools
import json
import math
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from fogbank import clock
from fogbank.errors import AwsError
from fogbank.events import delivery
from fogbank.services.events import api_destinations, connections

TIMEOUT = 5.0  # AWS: an API destination call times out after 5 seconds
USER_AGENT = "Amazon/EventBridge/ApiDestinations"
_tokens: dict[str, tuple[str, float | None]] = {}
_windows: dict[str, tuple[int, int]] = {}  # destination ARN → (second of the clock, calls in it)
_lock = threading.Lock()


@dataclass(slots=True)
class Call:
    """One prepared HTTP request, and the OAuth grant it needs (if any)."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None
    oauth: dict[str, Any] | None = None
    token_key: str = ""
    owner: tuple[str, str, str] = ("", "", "")  # account, region, connection name
    query: dict[str, str] = field(default_factory=dict)


def prepare(arn: str, text: str, http: dict[str, Any]) -> Call:
    """Build the request for API destination `arn` (on the event loop: reads state and secrets)."""
    destination = api_destinations.find(arn)
    if destination is None:
        raise AwsError(f"API destination {arn} does not exist.", code="ResourceNotFoundException", status=404)
    account, region = arn.split(":")[4], arn.split(":")[3]
    name = connections.name_of(destination["ConnectionArn"])
    connection = connections.collection(account, region).get(name)
    if connection is None:
        raise AwsError(f"Connection {name} does not exist.", code="ResourceNotFoundException", status=404)
    if connection["ConnectionState"] == "DEAUTHORIZED":
        raise AwsError(f"Connection {name} is not authorized.", code="AccessDeniedException", status=403)
    auth = connections.credentials(account, region, connection)["AuthParameters"]
    call = Call(destination["HttpMethod"], _endpoint(destination["InvocationEndpoint"], http), {}, None)
    call.headers.update({"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT})
    invocation = auth.get("InvocationHttpParameters") or {}
    _apply(call, invocation.get("HeaderParameters"), invocation.get("QueryStringParameters"))
    _apply(call, _pairs(http.get("HeaderParameters")), _pairs(http.get("QueryStringParameters")))
    call.body = _body(text, invocation.get("BodyParameters"))
    _authorize(call, auth, connection, (account, region, name))
    return call


def _endpoint(endpoint: str, http: dict[str, Any]) -> str:
    values = list(http.get("PathParameterValues") or [])
    if endpoint.count("*") != len(values):
        raise AwsError(
            f"The number of PathParameterValues ({len(values)}) does not match the number of path "
            f"parameters in the endpoint {endpoint}.",
            code="InvalidParameterException",
            status=400,
        )
    for value in values:
        endpoint = endpoint.replace("*", value, 1)
    return endpoint


def _pairs(mapping: dict[str, str] | None) -> list[dict[str, Any]]:
    return [{"Key": key, "Value": value} for key, value in (mapping or {}).items()]


def _apply(call: Call, headers: list[dict[str, Any]] | None, query: list[dict[str, Any]] | None) -> None:
    call.headers.update({item["Key"]: item.get("Value", "") for item in headers or []})
    call.query.update({item["Key"]: item.get("Value", "") for item in query or []})


def _body(text: str, parameters: list[dict[str, Any]] | None) -> bytes:
    """The event text; a connection's body parameters are added as members of a JSON object body."""
    if not parameters:
        return text.encode()
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise AwsError(
            "Connection BodyParameters can only be added to a JSON object body.",
            code="InvalidParameterException",
        )
    document.update({item["Key"]: item.get("Value", "") for item in parameters})
    return json.dumps(document, separators=(",", ":")).encode()


def _authorize(
    call: Call, auth: dict[str, Any], connection: dict[str, Any], owner: tuple[str, str, str]
) -> None:
    kind = connection["AuthorizationType"]
    if kind == "API_KEY":
        key = auth["ApiKeyAuthParameters"]
        call.headers[key["ApiKeyName"]] = key["ApiKeyValue"]
    elif kind == "BASIC":
        basic = auth["BasicAuthParameters"]
        pair = f"{basic['Username']}:{basic['Password']}".encode()
        call.headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
    else:
        call.oauth = auth["OAuthParameters"]
        call.token_key = f"{connection['ConnectionArn']}@{connection['LastModifiedTime']}"
        call.owner = owner


async def invoke(call: Call) -> bytes:
    """Send the request off the event loop; the response body, or an AwsError for a failure."""
    return await asyncio.to_thread(_perform, call)


def _perform(call: Call) -> bytes:
    if call.oauth is not None:
        call.headers["Authorization"] = "Bearer " + _token(call)
    split = urlsplit(call.url)
    query = "&".join(part for part in (split.query, urlencode(call.query)) if part)
    url = urlunsplit((split.scheme, split.netloc, split.path, query, split.fragment))
    status, payload = _exchange(call.method, url, call.headers, call.body)
    if status == 429:
        raise AwsError(_failure_text(status, payload), code="TooManyRequestsException", status=429)
    if status >= 500:
        raise AwsError(_failure_text(status, payload), code="ThirdPartyFailure", status=status)
    if status >= 400:
        raise AwsError(_failure_text(status, payload), code="SDK_CLIENT_ERROR", status=status)
    return payload


def _failure_text(status: int, payload: bytes) -> str:
    return f"Received a {status} response from the API destination endpoint: {payload[:256].decode(errors='replace')}"


def _exchange(method: str, url: str, headers: dict[str, str], body: bytes | None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (endpoint checked)
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as error:
        return int(error.code), bytes(error.read())
    except (
        urllib.error.URLError,
        TimeoutError,
        OSError,
    ) as error:  # CONNECTION_FAILURE: a DLQ code AWS lists
        raise AwsError(
            f"The API destination endpoint could not be reached: {error}",
            code="CONNECTION_FAILURE",
            status=503,
        ) from None


def _token(call: Call) -> str:
    """A cached bearer token, or a new one from the authorization endpoint."""
    with _lock:
        cached = _tokens.get(call.token_key)
    if cached is not None and (cached[1] is None or cached[1] > clock.now()):
        return cached[0]
    token, expires = _fetch_token(call)
    with _lock:
        _tokens[call.token_key] = (token, expires)
    return token


def _fetch_token(call: Call) -> tuple[str, float | None]:
    oauth = call.oauth or {}
    client = oauth.get("ClientParameters") or {}
    extra = oauth.get("OAuthHttpParameters") or {}
    pair = f"{client.get('ClientID', '')}:{client.get('ClientSecret', '')}".encode()
    headers = {"Authorization": "Basic " + base64.b64encode(pair).decode(), "User-Agent": USER_AGENT}
    headers.update({item["Key"]: item.get("Value", "") for item in extra.get("HeaderParameters") or []})
    query = urlencode(
        {item["Key"]: item.get("Value", "") for item in extra.get("QueryStringParameters") or []}
    )
    form = {item["Key"]: item.get("Value", "") for item in extra.get("BodyParameters") or []}
    body = urlencode(form).encode() if form and oauth.get("HttpMethod") != "GET" else None
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    url = oauth["AuthorizationEndpoint"] + (
        ("&" if "?" in oauth["AuthorizationEndpoint"] else "?") + query if query else ""
    )
    status, payload = _exchange(oauth.get("HttpMethod") or "POST", url, headers, body)
    try:
        answer = json.loads(payload) if status < 300 else {}
    except ValueError:
        answer = {}
    if not isinstance(answer, dict) or not answer.get("access_token"):
        reason = f"Failed to obtain an OAuth token from {oauth['AuthorizationEndpoint']}: HTTP {status}"
        delivery.soon(connections.set_authorized, *call.owner, reason)
        raise AwsError(reason, code="AccessDeniedException", status=401)
    delivery.soon(connections.set_authorized, *call.owner, None)
    expires_in = answer.get("expires_in")
    expires = (
        clock.now() + float(expires_in)
        if isinstance(expires_in, int | float | str) and str(expires_in).isdigit()
        else None
    )
    return str(answer["access_token"]), expires


async def deliver(arn: str, text: str, http: dict[str, Any]) -> bytes:
    """Call the API destination once its rate limit allows: prepare on the loop, send in a thread."""
    destination = api_destinations.find(arn)
    if destination is not None:
        await _within_rate(arn, int(destination.get("InvocationRateLimitPerSecond") or 0))
    return await invoke(prepare(arn, text, http))


async def _within_rate(arn: str, limit: int) -> None:
    while limit > 0:
        second = math.floor(clock.now())
        used, count = _windows.get(arn, (second, 0))
        if used != second:
            count = 0
        if count < limit:
            _windows[arn] = (second, count + 1)
            return
        opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        clock.call_at(second + 1, functools.partial(_open, opened))
        await opened


def _open(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def sender(arn: str, text: str, http: dict[str, Any]) -> Any:
    """A delivery attempt (for `fogbank.events.delivery`)."""

    async def send() -> bytes:
        return await deliver(arn, text, http)

    return send


def forget() -> None:
    """Drop cached OAuth tokens (reset)."""
    with _lock:
        _tokens.clear()
    _windows.clear()
