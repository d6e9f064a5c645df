"""The Lambda Runtime API (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html) served
to one execution environment on its own loopback port.

One listener per environment (rather than a route in the gateway) identifies the environment by
its port, so any runtime interface client or custom `bootstrap` works unchanged with
`AWS_LAMBDA_RUNTIME_API=127.0.0.1:<port>`, and the hot path skips the AWS handler chain: a warm
invoke costs one parsed request line and a few headers each way. HTTP/1.1 with keep-alive,
`Content-Length` or chunked bodies (Node's http client and streaming responses send chunks).
A streamed response (`Lambda-Runtime-Function-Response-Mode: streaming`, chunked) goes to the
`stream_handler` as its chunks arrive, so that they reach the client before the function ends.

A runtime that goes away (it exited, or its environment was shut down, which closes every
connection while a `next` request still waits) is normal: its connection ends quietly, with a
debug line, and the answer it would have got is dropped; the environment accounts for the
runtime's exit itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

log = logging.getLogger("fogbank.runtime.api")
PREFIX = "/2018-06-01/runtime/"
LARGE_BODY = 65536


@dataclass(slots=True)
class ApiRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""


@dataclass(slots=True)
class ApiResponse:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[ApiRequest], Awaitable[ApiResponse]]
# Called with the request (headers only) and its body's chunks; it must read every chunk. The
# chunked body's trailers (a streamed response's error) join the request's headers at its end.
StreamHandler = Callable[[ApiRequest, AsyncIterator[bytes]], Awaitable[ApiResponse]]
_REASONS = {
    200: "OK",
    202: "Accepted",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    413: "Payload Too Large",
    500: "Internal Server Error",
}


class RuntimeApiServer:
    """A loopback HTTP server whose every request goes to `handler`."""

    def __init__(self, handler: Handler, stream_handler: StreamHandler | None = None) -> None:
        self.handler = handler
        self.stream_handler = stream_handler
        self.server: asyncio.Server | None = None
        self.port = 0
        self.connections: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    def close(self) -> None:
        if self.server is not None:
            self.server.close()
        for writer in list(self.connections):
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections.add(writer)
        try:
            while True:
                request = await read_head(reader)
                if request is None:
                    return
                if self.stream_handler is not None and is_streamed_response(request):
                    response = await self.stream_handler(request, read_chunks(reader, request.headers))
                else:
                    await read_body(reader, request)
                    response = await self.handler(request)
                if not send(writer, response):
                    log.debug(
                        "runtime API client on port %s left before its %s answer", self.port, request.path
                    )
                    return
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            return
        finally:
            self.connections.discard(writer)
            with contextlib.suppress(Exception):
                writer.close()


async def read_request(reader: asyncio.StreamReader) -> ApiRequest | None:
    request = await read_head(reader)
    if request is not None:
        await read_body(reader, request)
    return request


def is_streamed_response(request: ApiRequest) -> bool:
    return (
        request.method == "POST"
        and request.path.endswith("/response")
        and request.headers.get("lambda-runtime-function-response-mode", "").lower() == "streaming"
        and request.headers.get("transfer-encoding", "").lower() == "chunked"
    )


async def read_head(reader: asyncio.StreamReader) -> ApiRequest | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    return ApiRequest(method, path, headers)


async def read_body(reader: asyncio.StreamReader, request: ApiRequest) -> None:
    if request.headers.get("transfer-encoding", "").lower() == "chunked":
        request.body = b"".join([chunk async for chunk in read_chunks(reader, request.headers)])
    else:
        length = int(request.headers.get("content-length") or 0)
        request.body = await reader.readexactly(length) if length else b""


async def read_chunks(reader: asyncio.StreamReader, headers: dict[str, str]) -> AsyncIterator[bytes]:
    """A chunked body, chunk by chunk; its trailers (a streamed response's error) join the headers."""
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            while (line := await reader.readuntil(b"\r\n")) != b"\r\n":
                name, _, value = line.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            return
        yield await reader.readexactly(size)
        await reader.readexactly(2)


def send(writer: asyncio.StreamWriter, response: ApiResponse) -> bool:
    """Write the response; False when the connection is already closed (uvloop refuses writes to a
    closed transport with RuntimeError, where asyncio's own loop drops them)."""
    if writer.is_closing():
        return False
    try:
        write_response(writer, response)
    except RuntimeError:
        if not writer.is_closing():
            raise
        return False
    return True


def write_response(writer: asyncio.StreamWriter, response: ApiResponse) -> None:
    head = [
        f"HTTP/1.1 {response.status} {_REASONS.get(response.status, 'OK')}",
        f"Content-Length: {len(response.body)}",
        "Content-Type: application/json",
    ]
    head.extend(f"{name}: {value}" for name, value in response.headers.items())
    encoded = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
    if len(response.body) < LARGE_BODY:
        writer.write(encoded + response.body)  # one send for the usual small event
    else:
        writer.write(encoded)  # a large event is not copied to be joined to its head
        writer.write(response.body)
