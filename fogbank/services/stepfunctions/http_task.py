"""The HTTP Task (`arn:aws:states:::http:invoke`): one HTTPS call whose authorization comes from an
EventBridge connection (https://docs.aws.amazon.com/step-functions/latest/dg/call-https-apis.html).

Arguments: ApiEndpoint, Method, Authentication.ConnectionArn (required), Headers,
QueryParameters, RequestBody and Transform (RequestBodyEncoding `NONE` | `URL_ENCODED` with
RequestEncodingOptions.ArrayFormat `INDICES` (default) | `BRACKETS` | `REPEAT` | `COMMAS`).
The connection is read through EventBridge's public DescribeConnection, its credentials through
Secrets Manager's GetSecretValue on the connection's SecretArn (EventBridge stores
`{"AuthorizationType", "AuthParameters"}` there). The connection's invocation header, query and
body parameters are applied and take precedence over the task's, as AWS documents.

The result is `{"Headers", "ResponseBody", "StatusCode", "StatusText"}`; a non-2xx answer fails
the task with `States.Http.StatusCode.<code>`, an unreachable endpoint with `States.Http.Socket`.
The exchange runs in a worker thread so the event loop never waits on a remote server.
Private APIs (InvocationConfig, VPC Lattice) are refused. AWS only calls HTTPS endpoints; fogbank
also calls plain HTTP on loopback addresses so that local test servers can be used.
"""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import urllib.error
import urllib.request
from contextvars import ContextVar
from http import HTTPStatus
from typing import Any
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from fogbank import clock
from fogbank.errors import AwsError
from fogbank.services import calls
from fogbank.services.stepfunctions.errors import StatesError

TIMEOUT = 60.0  # AWS: an HTTP Task's request times out after 60 seconds
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD")
ARRAY_FORMATS = ("INDICES", "BRACKETS", "REPEAT", "COMMAS")
LOOPBACK = ("127.0.0.1", "localhost", "::1")
Exchange = tuple[int, str, list[tuple[str, str]], bytes]
_tokens: dict[str, tuple[str, float | None]] = {}  # connection version → (token, expiry)
_tokens_lock = threading.Lock()
# Set by TestState (inspection level TRACE): where the raw request and response are written.
TRACE: ContextVar[dict[str, Any] | None] = ContextVar("http_task_trace", default=None)


def _require(params: dict[str, Any], name: str) -> Any:
    if name not in params or params[name] is None:
        raise StatesError("States.Runtime", f"The field '{name}' is required by http:invoke")
    return params[name]


def _endpoint(value: Any) -> str:
    split = urlsplit(value if isinstance(value, str) else "")
    if not (split.scheme == "https" and split.hostname) and not (
        split.scheme == "http" and split.hostname in LOOPBACK
    ):
        raise StatesError(
            "States.Runtime",
            f"The ApiEndpoint '{value}' is not valid: only HTTPS endpoints are supported "
            "(fogbank also accepts http://127.0.0.1 and http://localhost)",
        )
    return str(value)


async def _connection(arn: str, account: str, region: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """DescribeConnection and the credentials in its secret, through their public operations."""
    try:
        connection = await calls.call_async(
            "events", "DescribeConnection", {"Name": _connection_name(arn)}, account=account, region=region
        )
        if connection.get("ConnectionArn") != arn:
            raise AwsError(f"Connection '{arn}' does not exist.", code="ResourceNotFoundException")
        secret = await calls.call_async(
            "secretsmanager",
            "GetSecretValue",
            {"SecretId": connection["SecretArn"]},
            account=account,
            region=region,
        )
    except AwsError as error:
        raise StatesError(f"Events.ConnectionResource.{error.code}", error.message) from None
    if connection.get("ConnectionState") not in ("AUTHORIZED", "AUTHORIZING"):
        raise StatesError(
            "Events.ConnectionResource.InvalidConnectionState",
            f"The connection {arn} is in state {connection.get('ConnectionState')}.",
        )
    stored: dict[str, Any] = json.loads(secret["SecretString"])
    return connection, stored.get("AuthParameters") or {}


def _connection_name(arn: str) -> str:
    resource = arn.split(":", 5)[-1] if isinstance(arn, str) else ""
    if not resource.startswith("connection/") or resource.count("/") != 2:
        raise StatesError("States.Runtime", f"The ConnectionArn '{arn}' is not a valid connection ARN")
    return resource.split("/")[1]


def _flatten(prefix: str, value: Any, arrays: str) -> list[tuple[str, str]]:
    """URL-encoding pairs of a nested value, arrays written as RequestEncodingOptions say."""
    if isinstance(value, dict):
        return [pair for key, item in value.items() for pair in _flatten(f"{prefix}[{key}]", item, arrays)]
    if isinstance(value, list):
        if arrays == "COMMAS" and all(not isinstance(item, dict | list) for item in value):
            return [(prefix, ",".join(_scalar(item) for item in value))]
        pairs: list[tuple[str, str]] = []
        for index, item in enumerate(value):
            name = {"INDICES": f"{prefix}[{index}]", "BRACKETS": f"{prefix}[]"}.get(arrays, prefix)
            pairs.extend(_flatten(name, item, arrays))
        return pairs
    return [(prefix, _scalar(value))]


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _form(body: Any, transform: dict[str, Any]) -> bytes:
    options = transform.get("RequestEncodingOptions") or {}
    arrays = options.get("ArrayFormat", "INDICES")
    if arrays not in ARRAY_FORMATS:
        raise StatesError(
            "States.Runtime", f"The ArrayFormat '{arrays}' is not one of {', '.join(ARRAY_FORMATS)}"
        )
    if not isinstance(body, dict):
        raise StatesError("States.Runtime", "A URL_ENCODED RequestBody must be a JSON object")
    pairs = [pair for key, item in body.items() for pair in _flatten(str(key), item, arrays)]
    return urlencode(pairs, quote_via=quote).encode()


def _default(headers: dict[str, str], name: str, value: str) -> None:
    if not any(key.lower() == name.lower() for key in headers):
        headers[name] = value


def _merged(headers: dict[str, str], extra: dict[str, str]) -> dict[str, str]:
    """`extra` wins over a header of the same name in any letter case."""
    names = {key.lower() for key in extra}
    return {**{key: value for key, value in headers.items() if key.lower() not in names}, **extra}


def _body(params: dict[str, Any], extra: list[dict[str, Any]], headers: dict[str, str]) -> bytes | None:
    """The request body; the connection's body parameters become members of an object body."""
    body = params.get("RequestBody")
    transform = params.get("Transform") or {}
    encoding = transform.get("RequestBodyEncoding", "NONE")
    if encoding not in ("NONE", "URL_ENCODED"):
        raise StatesError(
            "States.Runtime", f"The RequestBodyEncoding '{encoding}' is not NONE or URL_ENCODED"
        )
    if extra:
        body = {**(body if isinstance(body, dict) else {}), **{p["Key"]: p.get("Value", "") for p in extra}}
    if body is None:
        return None
    if encoding == "URL_ENCODED":
        _default(headers, "Content-Type", "application/x-www-form-urlencoded")
        return _form(body, transform)
    if isinstance(body, str):
        return body.encode()
    _default(headers, "Content-Type", "application/json")
    return json.dumps(body, separators=(",", ":")).encode()


def _authorization(kind: str, auth: dict[str, Any], version: str) -> dict[str, str]:
    if kind == "API_KEY":
        key = auth["ApiKeyAuthParameters"]
        return {key["ApiKeyName"]: key["ApiKeyValue"]}
    if kind == "BASIC":
        basic = auth["BasicAuthParameters"]
        pair = f"{basic['Username']}:{basic['Password']}".encode()
        return {"Authorization": "Basic " + base64.b64encode(pair).decode()}
    return {"Authorization": "Bearer " + _cached_token(auth["OAuthParameters"], version)}


def _cached_token(oauth: dict[str, Any], version: str) -> str:
    """A token is reused until its `expires_in` has passed on fogbank's clock (per connection
    version, so that UpdateConnection takes effect at once)."""
    with _tokens_lock:
        cached = _tokens.get(version)
    if cached is not None and (cached[1] is None or cached[1] > clock.now()):
        return cached[0]
    token, expires = _oauth_token(oauth)
    with _tokens_lock:
        _tokens[version] = (token, expires)
    return token


def _oauth_token(oauth: dict[str, Any]) -> tuple[str, float | None]:
    """The client-credentials grant (runs in the worker thread)."""
    client = oauth.get("ClientParameters") or {}
    extra = oauth.get("OAuthHttpParameters") or {}
    pair = f"{client.get('ClientID', '')}:{client.get('ClientSecret', '')}".encode()
    headers = {"Authorization": "Basic " + base64.b64encode(pair).decode()}
    headers.update({p["Key"]: p.get("Value", "") for p in extra.get("HeaderParameters") or []})
    query = urlencode({p["Key"]: p.get("Value", "") for p in extra.get("QueryStringParameters") or []})
    form = {p["Key"]: p.get("Value", "") for p in extra.get("BodyParameters") or []}
    method = oauth.get("HttpMethod") or "POST"
    body = urlencode(form).encode() if form and method != "GET" else None
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    url = oauth["AuthorizationEndpoint"]
    url += (("&" if "?" in url else "?") + query) if query else ""
    status, _, _, payload = _exchange(method, url, headers, body)
    try:
        answer = json.loads(payload) if 200 <= status < 300 else {}
    except ValueError:
        answer = {}
    if not isinstance(answer, dict) or not answer.get("access_token"):
        raise StatesError(
            "Events.ConnectionResource.InvalidConnectionState",
            f"Failed to obtain an OAuth token from {oauth['AuthorizationEndpoint']}: HTTP {status}",
        )
    expires_in = str(answer.get("expires_in", ""))
    return str(answer["access_token"]), clock.now() + int(expires_in) if expires_in.isdigit() else None


def _exchange(method: str, url: str, headers: dict[str, str], body: bytes | None) -> Exchange:
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (endpoint checked)
            return int(response.status), str(response.reason), list(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        return int(error.code), str(error.reason), list(error.headers.items()), error.read()
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise StatesError("States.Http.Socket", f"The endpoint {url} could not be reached: {error}") from None


def _result(status: int, reason: str, headers: list[tuple[str, str]], payload: bytes) -> dict[str, Any]:
    grouped: dict[str, list[str]] = {}
    for name, value in headers:
        grouped.setdefault(name.lower(), []).append(value)
    text = payload.decode(errors="replace")
    body: Any = text
    if "json" in ",".join(grouped.get("content-type", [])).lower() and text:
        try:
            body = json.loads(text)
        except ValueError:
            body = text
    phrase = reason or (HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "")
    return {"Headers": grouped, "ResponseBody": body, "StatusCode": status, "StatusText": phrase}


def _url(endpoint: str, query: list[tuple[str, str]]) -> str:
    split = urlsplit(endpoint)
    text = "&".join(part for part in (split.query, urlencode(query, quote_via=quote)) if part)
    return urlunsplit((split.scheme, split.netloc, split.path, text, split.fragment))


def _query(params: dict[str, Any], invocation: dict[str, Any]) -> list[tuple[str, str]]:
    given = params.get("QueryParameters") or {}
    if not isinstance(given, dict):
        raise StatesError("States.Runtime", "The field 'QueryParameters' must be a JSON object")
    merged = {str(key): value for key, value in given.items()}
    merged.update({p["Key"]: p.get("Value", "") for p in invocation.get("QueryStringParameters") or []})
    pairs: list[tuple[str, str]] = []
    for key, value in merged.items():
        pairs.extend(_flatten(key, value, "REPEAT") if isinstance(value, list) else [(key, _scalar(value))])
    return pairs


def _connection_arn(params: dict[str, Any]) -> str:
    authentication = params.get("Authentication")
    arn = authentication.get("ConnectionArn") if isinstance(authentication, dict) else None
    if not arn:
        raise StatesError(
            "States.Runtime", "The field 'Authentication.ConnectionArn' is required by http:invoke"
        )
    if not isinstance(arn, str) or not arn.startswith("arn:") or arn.count(":") < 5:
        raise StatesError("States.Runtime", f"The ConnectionArn '{arn}' is not a valid connection ARN")
    return arn


async def invoke(params: dict[str, Any], account: str, region: str) -> dict[str, Any]:
    """Run one HTTP Task call; its output, or a StatesError for a non-2xx answer."""
    if params.get("InvocationConfig"):
        raise StatesError(
            "States.Runtime", "fogbank does not support HTTP Tasks to private APIs (InvocationConfig) yet"
        )
    endpoint = _endpoint(_require(params, "ApiEndpoint"))
    method = _require(params, "Method")
    if method not in METHODS:
        raise StatesError("States.Runtime", f"The Method '{method}' is not one of {', '.join(METHODS)}")
    arn = _connection_arn(params)
    # The connection is read in the region its ARN names.
    connection, auth = await _connection(arn, account, arn.split(":")[3] or region)
    invocation = auth.get("InvocationHttpParameters") or {}
    given = {str(key): _scalar(value) for key, value in (params.get("Headers") or {}).items()}
    private = {p["Key"]: p.get("Value", "") for p in invocation.get("HeaderParameters") or []}
    headers = _merged(given, private)
    _default(headers, "User-Agent", f"Amazon|StepFunctions|HttpInvoke|{region}")
    body = _body(params, invocation.get("BodyParameters") or [], headers)
    url = _url(endpoint, _query(params, invocation))
    kind = connection["AuthorizationType"]
    version = f"{arn}@{connection.get('LastModifiedTime')}"
    sent: dict[str, str] = {}

    def send() -> Exchange:
        sent.update(_merged(headers, _authorization(kind, auth, version)))
        return _exchange(method, url, sent, body)

    exchange = await asyncio.to_thread(send)
    trace = TRACE.get()
    if trace is not None and trace.get("revealSecrets"):
        trace.update(_traced(method, url, sent, body, exchange))
    elif trace is not None:  # without the connection's credentials and invocation parameters
        shown = {key: value for key, value in headers.items() if key not in private}
        public_url = _url(endpoint, _query(params, {}))
        trace.update(_traced(method, public_url, shown, _body(params, [], {}), exchange))
    result = _result(*exchange)
    if not 200 <= result["StatusCode"] < 300:
        raise StatesError(f"States.Http.StatusCode.{result['StatusCode']}", json.dumps(result))
    return result


def _traced(
    method: str, url: str, headers: dict[str, str], body: bytes | None, exchange: Exchange
) -> dict[str, Any]:
    """TestState's TRACE level: the raw request and response."""
    status, reason, answer_headers, payload = exchange
    protocol = urlsplit(url).scheme
    return {
        "request": {
            "protocol": protocol,
            "method": method,
            "url": url,
            "headers": "[" + ", ".join(f"{key}: {value}" for key, value in headers.items()) + "]",
            "body": (body or b"").decode(errors="replace"),
        },
        "response": {
            "protocol": protocol,
            "statusCode": str(status),
            "statusMessage": reason,
            "headers": "[" + ", ".join(f"{key}: {value}" for key, value in answer_headers) + "]",
            "body": payload.decode(errors="replace"),
        },
    }
