"""The function URL data plane: an HTTP request to a function URL becomes an invocation with the
HTTP event payload version 2.0, and the function's answer becomes the HTTP response, as in
https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html

Served on `<url-id>.lambda-url.<region>.localhost[:port]` (any `lambda-url` host) and on the path
`/lambda-url/<url-id>/...` of fogbank's own host (no DNS needed). `AWS_IAM` URLs need a SigV4
signed request (verified when fogbank runs with `--verify-signatures`).
"""

from __future__ import annotations

import base64
import re
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, unquote

import orjson

from fogbank import clock
from fogbank.config import settings
from fogbank.errors import AwsError
from fogbank.gateway.exchange import Exchange
from fogbank.protocol.http import HttpRequest, HttpResponse

_HOST = re.compile(r"^(?P<id>[a-z0-9]{32})\.lambda-url\.(?P<region>[a-z0-9-]+)\.[^:]+(?::\d+)?$")
_PATH = re.compile(r"^/lambda-url/(?P<id>[a-z0-9]{32})(?P<rest>/.*)?$")
_TEXT_TYPES = (
    "text/",
    "application/json",
    "application/xml",
    "application/javascript",
    "application/x-www-form-urlencoded",
)


def matches(request: HttpRequest) -> bool:
    if ".lambda-url." in request.host:
        return True
    return request.path.startswith("/lambda-url/") and "/s3/aws4_request" not in request.headers.get(
        "authorization", ""
    )


def _locate(request: HttpRequest) -> tuple[str, str] | None:
    host = _HOST.match(request.host.lower())
    if host:
        return host["id"], request.path
    found = _PATH.match(request.path)
    return (found["id"], found["rest"] or "/") if found else None


def _plain(status: int, message: str | None) -> HttpResponse:
    return HttpResponse(status, {"content-type": "application/json"}, orjson.dumps({"Message": message}))


async def serve(exchange: Exchange) -> HttpResponse | None:
    from fogbank.services.lambda_ import functions, urls

    located = _locate(exchange.request)
    target = urls.index().get(located[0]) if located else None
    if located is None or target is None:
        return _plain(404, None) if located else None
    record = functions.collection(target["account"], target["region"]).get(target["name"])
    config = record["url_configs"].get(target["qualifier"]) if record else None
    if config is None:
        return _plain(404, None)
    request = exchange.request
    cors = config.get("Cors") or {}
    if request.method == "OPTIONS" and "access-control-request-method" in request.headers:
        return HttpResponse(200, _cors_headers(cors, request, preflight=True), b"")
    await exchange.read_body()
    authorizer = await _authorize(exchange, config)
    if isinstance(authorizer, HttpResponse):
        return authorizer
    event = http_event(request, located[0], located[1], target, authorizer)
    response = await _invoke(target, event, streaming=config.get("InvokeMode") == "RESPONSE_STREAM")
    response.headers.update(_cors_headers(cors, request, preflight=False))
    return response


async def _authorize(exchange: Exchange, config: dict[str, Any]) -> dict[str, Any] | None | HttpResponse:
    if config["AuthType"] == "NONE":
        return None
    from fogbank.gateway.routing import read_credentials
    from fogbank.iam import identity

    credentials = read_credentials(exchange.request)
    if not credentials.access_key:
        return _plain(403, "Forbidden")
    if settings.verify_signatures:
        from fogbank.gateway import signatures

        exchange.credentials, exchange.service = credentials, "lambda"
        try:
            await signatures.verify(exchange)
        except AwsError:
            return _plain(
                403, "The request signature we calculated does not match the signature you provided."
            )
    principal = identity.resolve(credentials.access_key)
    return {
        "iam": {
            "accessKey": credentials.access_key,
            "accountId": principal.account,
            "callerId": principal.user_id,
            "cognitoIdentity": None,
            "principalOrgId": None,
            "userArn": principal.arn,
            "userId": principal.user_id,
        }
    }


def http_event(
    request: HttpRequest, url_id: str, path: str, target: dict[str, Any], authorizer: dict[str, Any] | None
) -> dict[str, Any]:
    """The payload format version 2.0 event, built as Lambda builds it for function URLs."""
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers.items():
        if name == "cookie":
            cookies.extend(part.strip() for part in value.split(";") if part.strip())
        else:
            headers[name] = value
    now = clock.now()
    region = target["region"]
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": request.query_string,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    query: dict[str, str] = {}
    for key, value in parse_qsl(request.query_string, keep_blank_values=True):
        query[key] = f"{query[key]},{value}" if key in query else value
    if query:
        event["queryStringParameters"] = query
    context: dict[str, Any] = {
        "accountId": "anonymous" if authorizer is None else target["account"],
        "apiId": url_id,
        "domainName": f"{url_id}.lambda-url.{region}.on.aws",
        "domainPrefix": url_id,
        "http": {
            "method": request.method,
            "path": unquote(path),
            "protocol": "HTTP/1.1",
            "sourceIp": "127.0.0.1",
            "userAgent": request.headers.get("user-agent", ""),
        },
        "requestId": str(uuid.uuid4()),
        "routeKey": "$default",
        "stage": "$default",
        "time": datetime.fromtimestamp(now, UTC).strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "timeEpoch": int(now * 1000),
    }
    if authorizer is not None:
        context["authorizer"] = authorizer
    event["requestContext"] = context
    body = request.body.read()
    if body:
        text = request.headers.get("content-type", "").startswith(_TEXT_TYPES)
        event["body"] = body.decode("utf-8", "replace") if text else base64.b64encode(body).decode()
        event["isBase64Encoded"] = not text
    else:
        event["isBase64Encoded"] = False
    return event


async def _invoke(target: dict[str, Any], event: dict[str, Any], *, streaming: bool) -> HttpResponse:
    from fogbank.services.lambda_ import invocations, url_streams

    request_id = event["requestContext"]["requestId"]
    try:
        if streaming:
            streamed = invocations.invoke_streamed(
                target["account"],
                target["region"],
                target["name"],
                target["qualifier"] or None,
                orjson.dumps(event),
                request_id=request_id,
            )
            return await url_streams.streamed_http_response(streamed, request_id)
        result = await invocations.invoke(
            target["account"],
            target["region"],
            target["name"],
            target["qualifier"] or None,
            orjson.dumps(event),
            "RequestResponse",
            request_id=request_id,
        )
    except AwsError as error:
        status = 429 if error.status == 429 else 502
        return _plain(status, "Rate Exceeded." if status == 429 else "Internal Server Error")
    if result.function_error:
        return _plain(502, "Internal Server Error")
    return http_response(result.payload, request_id)


def http_response(payload: bytes, request_id: str) -> HttpResponse:
    """A returned object with `statusCode` is an HTTP response; anything else is a JSON body
    with status 200 (https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-response-payload)."""
    answer = orjson.loads(payload) if payload else None
    headers = {"x-amzn-requestid": request_id}
    if not isinstance(answer, dict) or "statusCode" not in answer:
        headers["content-type"] = "application/json"
        return HttpResponse(200, headers, payload if payload else b"")
    headers.update({str(key).lower(): str(value) for key, value in (answer.get("headers") or {}).items()})
    headers.setdefault("content-type", "application/json")
    body = answer.get("body")
    if body is None:
        data = b""
    elif answer.get("isBase64Encoded"):
        data = base64.b64decode(body)
    else:
        data = body.encode() if isinstance(body, str) else orjson.dumps(body)
    # Each entry of `cookies` becomes its own Set-Cookie header (urls-invocation.html#urls-response-payload).
    return HttpResponse(int(answer["statusCode"]), headers, data, set_cookies(answer.get("cookies")))


def set_cookies(cookies: Any) -> list[tuple[str, str]]:
    """One `set-cookie` header per cookie of a payload-v2 response (or streaming prelude)."""
    return [("set-cookie", str(cookie)) for cookie in cookies] if isinstance(cookies, list) else []


def _cors_headers(cors: dict[str, Any], request: HttpRequest, *, preflight: bool) -> dict[str, str]:
    origin = request.headers.get("origin")
    allowed = cors.get("AllowOrigins") or []
    if not origin or not cors or ("*" not in allowed and origin not in allowed):
        return {}
    headers = {
        "access-control-allow-origin": "*" if "*" in allowed and not cors.get("AllowCredentials") else origin
    }
    if cors.get("AllowCredentials"):
        headers["access-control-allow-credentials"] = "true"
    if cors.get("ExposeHeaders") and not preflight:
        headers["access-control-expose-headers"] = ",".join(cors["ExposeHeaders"])
    if preflight:
        if cors.get("AllowMethods"):
            headers["access-control-allow-methods"] = ",".join(cors["AllowMethods"])
        if cors.get("AllowHeaders"):
            headers["access-control-allow-headers"] = ",".join(cors["AllowHeaders"])
        if cors.get("MaxAge"):
            headers["access-control-max-age"] = str(cors["MaxAge"])
    return headers
