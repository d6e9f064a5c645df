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

The HTTP/1.1 connection protocol is fogbank's own (`http11`: uvicorn's protocol cost 10-40 µs
more per request); it writes each response at once, head and body in one system call, and sends
file bodies with `splice` (`file_sending`); request log lines are written in batches from the
event loop (`log_output.BatchingHandler`). uvicorn still runs the server: sockets, lifespan,
signals, graceful shutdown, the Date header and WebSockets.
"""

from __future__ import annotations

import logging
from typing import Any

from fogbank.config import settings


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


def serve() -> int:
    """Serve until SIGINT/SIGTERM (uvicorn then runs the lifespan shutdown: state is closed)."""
    import uvicorn  # here, not at module level: `fogbank --help` and `status` never pay for it

    from fogbank.gateway.http11 import Http11Protocol

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
        http=Http11Protocol,
        ws=WebSocketOnFirstUse,  # type: ignore[arg-type]
        lifespan="on",
        access_log=False,  # fogbank logs one line per request itself (service, operation, status, time)
        log_config=None,
        timeout_keep_alive=30,
        proxy_headers=False,  # nothing fronts fogbank; X-Forwarded-* must not rewrite the client address
        server_header=False,  # services set AWS's own `Server` header (S3: AmazonS3) where AWS sends one
    )
    return 0
