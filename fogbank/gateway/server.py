"""Serving the ASGI app: uvicorn with the httptools parser, uvloop and the sans-I/O websockets
implementation, in one process.

Why uvicorn: measured with `benchmarks/servers.py` (fogbank's app, an asyncio keep-alive client
with 16 connections, 4 s per run, on the shared 2-core machine, 2026-11-26; wall-clock throughput
swung ±50 % between runs because other work shared the cores, so server CPU per request is the
figure to compare):

    server                      SQS GetQueueUrl          SQS SendMessage          idle RSS
                                req/s    CPU/request     req/s    CPU/request
    uvicorn (httptools, uvloop) 2700-4400  121-178 µs    1100-2200  229-331 µs    40.8 MiB
    granian embedded (1 proc.)  3100-5400  144-180 µs    2700-4400  220-359 µs    45.9 MiB
    granian CLI (1 worker)      3700-7100  133-208 µs    2600-5100  211-324 µs    73.3 MiB

The CPU cost per request is the same within noise: fogbank's own Python dominates it. granian
answers more requests per second when a second core is free, because its Rust threads do the
socket work beside the Python thread, but it costs 5 MiB more in-process and doubles memory with
its worker process, and its embedded mode calls itself experimental. uvicorn keeps idle memory
lowest, is one process, and is mature on what later services need: HTTP/1.1 keep-alive, chunked
and streaming request and response bodies, and WebSockets. Importing uvicorn costs about 45 ms
of start-up (its package imports click and its reloaders), granian about 15 ms.

Idle memory: fogbank depends on uvicorn, httptools, uvloop and websockets rather than
`uvicorn[standard]`, whose watchfiles (a Rust library uvicorn imports for its reloader whenever
it is installed) cost 0.6 MiB; the websockets library loads on the first WebSocket upgrade
(`WebSocketOnFirstUse`). With both, RSS after start and one SQS request went from 40.8 to
39.3 MiB.
Start-up itself (`python -m fogbank start` to the first answered SQS request, warm caches) was
0.25-0.39 s on the same loaded machine: Python 25 ms, the CLI 15 ms, uvicorn 45-60 ms, the
gateway and botocore's model layer 50-75 ms, the first SQS request (model, codecs, provider)
30-45 ms; `benchmarks/run.py` reports it with every run.

Per request, the server side adds three things to uvicorn: `CoalescingTransport` (a response's
headers and body leave in one system call), `file_sending.FileSend` (file bodies leave with
`splice`, never read into memory) and `log_output.BatchingHandler` (request log lines written in
batches from the event loop).
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

from fogbank.config import settings
from fogbank.gateway import file_sending
from fogbank.gateway.file_sending import FileSend, SocketFiles

# Writes smaller than this wait for the end of the event-loop iteration to leave with the writes
# that follow them; a larger write goes out at once with what is pending, so that uvicorn's flow
# control (pause_writing once the transport's buffer is full) still bounds a streamed body.
COALESCE_LIMIT = 64 * 1024


def configure_logging() -> None:
    from fogbank.gateway import log_output

    log_output.configure(logging.DEBUG if settings.debug else logging.INFO)
    for noisy in ("uvicorn.error", "uvicorn.access", "asyncio", "botocore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


class WebSocketOnFirstUse:
    """Given to uvicorn as its WebSocket protocol class: the websockets library (about 2 MiB of
    memory and 10 ms of start-up) is imported when the first client upgrades, not before."""

    def __new__(cls, **options: Any) -> Any:
        from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

        return WebSocketsSansIOProtocol(**options)


class CoalescingTransport:
    """A transport that sends the small writes of one event-loop iteration in one system call.

    uvicorn writes a response's status line and headers, then its body, as two writes: two
    `send` calls and two TCP segments, each waking the client. Measured with an asyncio
    keep-alive client at concurrency 16 (SQS SendMessage, S3 GetObject 1 KiB), sending both in
    one `writelines` cut fogbank's server CPU per request by 20-25 %.
    """

    __slots__ = ("_transport", "_loop", "_pending")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] | None = None

    def write(self, data: bytes) -> None:
        pending = self._pending
        if pending is None:
            if len(data) >= COALESCE_LIMIT:
                self._transport.write(data)
                return
            self._pending = [data]
            self._loop.call_soon(self.flush)
        elif len(data) >= COALESCE_LIMIT:
            pending.append(data)
            self.flush()
        else:
            pending.append(data)

    def flush(self) -> None:
        pending, self._pending = self._pending, None
        if not pending or self._transport.is_closing():
            return
        if len(pending) == 1:
            self._transport.write(pending[0])
        else:
            self._transport.writelines(pending)

    def take(self) -> list[bytes]:
        """What waits to be written, taken out to be sent some other way (`file_sending`)."""
        pending, self._pending = self._pending, None
        return pending or []

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:  # everything else is the real transport's
        return getattr(self._transport, name)


def coalescing_protocol() -> type[asyncio.Protocol]:
    """uvicorn's httptools protocol over a `CoalescingTransport` (built here, because uvicorn is
    imported only when serving)."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class CoalescingHttpToolsProtocol(HttpToolsProtocol):
        files: SocketFiles | None = None  # plain HTTP only: TLS must encrypt in user space

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            coalescing = CoalescingTransport(transport, self.loop)
            super().connection_made(coalescing)  # type: ignore[arg-type]
            if self.scheme == "http" and file_sending.AVAILABLE:
                self.files = SocketFiles(coalescing, transport, self.loop)

        def on_headers_complete(self) -> None:
            super().on_headers_complete()
            cycle = self.cycle
            # A new cycle for this request (not an upgrade): its app gets `send_file` too.
            if self.files is not None and cycle is not None and cycle.scope is self.scope:
                cycle.send = FileSend(cycle, self.files)  # type: ignore[method-assign,assignment]

        def connection_lost(self, exc: Exception | None) -> None:
            super().connection_lost(exc)
            if self.files is not None:
                self.files.close()

    return CoalescingHttpToolsProtocol


def http11_protocol() -> type[asyncio.Protocol]:
    from fogbank.gateway.http11 import Http11Protocol

    class CoalescingHttp11Protocol(Http11Protocol):
        def wrap_transport(self, transport: asyncio.Transport) -> asyncio.Transport:
            coalescing = CoalescingTransport(transport, self.loop)
            if file_sending.AVAILABLE and transport.get_extra_info("sslcontext") is None:
                self.files = SocketFiles(coalescing, transport, self.loop)
            return coalescing  # type: ignore[return-value]

    return CoalescingHttp11Protocol


def serve() -> int:
    """Serve until SIGINT/SIGTERM (uvicorn then runs the lifespan shutdown: state is closed)."""
    import uvicorn  # here, not at module level: `fogbank --help` and `status` never pay for it

    configure_logging()
    logging.getLogger("fogbank").info(
        "fogbank listening on http://%s:%d (%s)",
        settings.host,
        settings.port,
        "in memory" if settings.ephemeral else f"state in {settings.data_dir}",
    )
    uvicorn.run(
        "fogbank.gateway.app:app",
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http=coalescing_protocol() if os.environ.get("FB_UVICORN") else http11_protocol(),
        ws=WebSocketOnFirstUse,  # type: ignore[arg-type]
        lifespan="on",
        access_log=False,  # fogbank logs one line per request itself (service, operation, status, time)
        log_config=None,
        timeout_keep_alive=30,
        proxy_headers=False,  # nothing fronts fogbank; X-Forwarded-* must not rewrite the client address
        server_header=False,  # services set AWS's own `Server` header (S3: AmazonS3) where AWS sends one
    )
    return 0
