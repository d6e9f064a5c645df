"""The Runtime API server (fogbank.runtime.api) over real loopback sockets on uvloop, the loop
fogbank serves with: a runtime that goes away before its answer is written ends quietly."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import uvloop

from fogbank.runtime.api import ApiRequest, ApiResponse, RuntimeApiServer

NEXT = b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def run_on_uvloop(main: Callable[[], Awaitable[None]]) -> list[dict[str, Any]]:
    """Run `main` on a fresh uvloop loop; what reached the loop's exception handler (tracebacks
    such as "Unhandled exception in client_connected_cb"), counted after every task ended."""
    problems: list[dict[str, Any]] = []

    async def guarded() -> None:
        asyncio.get_running_loop().set_exception_handler(lambda _loop, context: problems.append(context))
        await main()

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(guarded())
    return problems


def test_next_answer_after_environment_shutdown_is_dropped_quietly(caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        arrived, release = asyncio.Event(), asyncio.Event()
        requests: list[ApiRequest] = []

        async def handler(request: ApiRequest) -> ApiResponse:
            requests.append(request)
            arrived.set()
            await release.wait()  # a `next` waiting for an invocation
            return ApiResponse(500, b"{}")

        server = RuntimeApiServer(handler)
        await server.start()
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(NEXT)
        await arrived.wait()
        server.close()  # the environment shuts down: every runtime connection closes
        release.set()  # ... and the waiting `next` gets its answer
        assert await reader.read() == b""  # the runtime saw the connection close, with no answer
        writer.close()
        assert [(r.method, r.path) for r in requests] == [("GET", "/2018-06-01/runtime/invocation/next")]

    with caplog.at_level(logging.DEBUG, logger="fogbank.runtime.api"):
        assert run_on_uvloop(main) == []
    assert [record.levelname for record in caplog.records] == ["DEBUG"]
    assert "left before its /2018-06-01/runtime/invocation/next answer" in caplog.records[0].getMessage()


def test_next_answer_on_open_connection_is_written() -> None:
    async def main() -> None:
        async def handler(request: ApiRequest) -> ApiResponse:
            return ApiResponse(200, b'{"a":1}', {"Lambda-Runtime-Aws-Request-Id": "r1"})

        server = RuntimeApiServer(handler)
        await server.start()
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(NEXT)
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        assert head[0] == "HTTP/1.1 200 OK"
        assert "Lambda-Runtime-Aws-Request-Id: r1" in head
        assert await reader.readexactly(7) == b'{"a":1}'
        writer.close()
        server.close()

    assert run_on_uvloop(main) == []
