"""Function URLs in RESPONSE_STREAM mode: the function's response stream becomes a chunked HTTP
response, forwarded as the function writes it.

A stream opened with `awslambda.HttpResponseStream.from(stream, {statusCode, headers, cookies})`
has the content type `application/vnd.awslambda.http-integration-response` and starts with a JSON
prelude ended by eight NUL bytes, then the body; the prelude sets the status and headers, so it
is read before the response starts. Any other stream is a 200 with the bytes as written and the
content type the function set (https://docs.aws.amazon.com/lambda/latest/dg/response-streaming-tutorial.html).
A function that fails before streaming anything answers 502; one that fails midway ends the body.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import orjson

from fogbank.protocol.http import HttpResponse
from fogbank.services.lambda_.invocations import Streamed
from fogbank.services.lambda_.url_plane import set_cookies

PRELUDE_END = b"\x00" * 8
HTTP_INTEGRATION = "application/vnd.awslambda.http-integration-response"


async def streamed_http_response(streamed: Streamed, request_id: str) -> HttpResponse:
    """Wait for the first chunk (and the whole prelude when there is one), then answer with a
    body that forwards the rest of the stream as it comes."""
    chunks = streamed.chunks()
    head = b""
    async for chunk in chunks:
        head += chunk
        if streamed.content_type != HTTP_INTEGRATION or PRELUDE_END in head:
            response = _response(head, streamed.content_type, request_id)
            response.body = _forward(response.body if isinstance(response.body, bytes) else b"", chunks)
            return response
    result = await streamed.result()
    if result.function_error and not head:
        return HttpResponse(502, {"content-type": "application/json"}, b'{"Message":"Internal Server Error"}')
    if not streamed.streamed:  # a buffered function: its returned payload is the stream
        return _response(result.payload, HTTP_INTEGRATION, request_id)
    return _response(head, streamed.content_type, request_id)


def _response(head: bytes, content_type: str, request_id: str) -> HttpResponse:
    """The status and headers from the prelude (when the stream has one) and the body so far."""
    headers = {"x-amzn-requestid": request_id, "content-type": "application/octet-stream"}
    end = head.find(PRELUDE_END) if content_type == HTTP_INTEGRATION and head.startswith(b"{") else -1
    prelude = None
    if end >= 0:
        try:
            prelude = orjson.loads(head[:end])
        except orjson.JSONDecodeError:
            prelude = None
    if not isinstance(prelude, dict):
        if content_type != HTTP_INTEGRATION:
            headers["content-type"] = content_type
        return HttpResponse(200, headers, head)
    headers.update({str(key).lower(): str(value) for key, value in (prelude.get("headers") or {}).items()})
    body = head[end + len(PRELUDE_END) :]
    return HttpResponse(
        int(prelude.get("statusCode", 200)), headers, body, set_cookies(prelude.get("cookies"))
    )


async def _forward(first: bytes, chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    if first:
        yield first
    async for chunk in chunks:
        yield chunk
