"""Serving the ASGI app with uvicorn (httptools parser, uvloop, websockets): chosen by measuring
in `benchmarks/` for keep-alive throughput, streaming bodies and WebSocket support."""

from __future__ import annotations

import logging

import uvicorn

from fogbank.config import settings


def configure_logging() -> None:
    logging.basicConfig(
        level=logging.DEBUG if settings.debug else logging.INFO,
        format="%(asctime)s %(levelname)-5s %(message)s",
        datefmt="%Y-%m-%dT%H:%M:%S",
    )
    for noisy in ("uvicorn.error", "uvicorn.access", "asyncio", "botocore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def serve() -> int:
    configure_logging()
    logging.getLogger("fogbank").info(
        "fogbank listening on http://%s:%d (%s)", settings.host, settings.port,
        "in memory" if settings.ephemeral else f"state in {settings.data_dir}",
    )
    uvicorn.run(
        "fogbank.gateway.app:app",
        host=settings.host,
        port=settings.port,
        loop="uvloop",
        http="httptools",
        ws="websockets-sansio",
        lifespan="on",
        access_log=False,
        log_config=None,
        timeout_keep_alive=30,
    )
    return 0
