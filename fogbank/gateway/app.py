"""The ASGI application: turns ASGI events into an `HttpRequest`, runs the handler chain, and sends
the response (in one piece, from a file, or streamed)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
import os
import shutil
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fogbank import clock, state
from fogbank.config import settings
from fogbank.errors import InternalFailure
from fogbank.gateway import chain, hooks, log_output
from fogbank.gateway.exchange import Exchange
from fogbank.protocol.http import FileBody, HttpRequest, HttpResponse
from fogbank.protocol.models import warm_index_in_background
from fogbank.services import registry

log = logging.getLogger("fogbank.request")
_background: set[asyncio.Task[Any]] = set()
_ephemeral_dir: str | None = None
# File bodies up to this size that the server cannot splice to the socket (TLS, or the socket busy)
# are read whole and sent at once; larger ones in chunks.
WHOLE_FILE_LIMIT = 1024 * 1024
YOUNG_GC_THRESHOLD = 10_000  # allocations between collections of the youngest generation


def start_up() -> None:
    """Open the state (memory or disk) once, before the first request."""
    global _ephemeral_dir
    if settings.ephemeral and _ephemeral_dir is None:
        _ephemeral_dir = tempfile.mkdtemp(prefix="fogbank-")
        settings.data_dir = Path(_ephemeral_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # Writes of the requests handled in one event-loop iteration commit together; each response
    # waits for its commit (see `fogbank/state/database.py`).
    state.open_database(settings.database_path).group_commits()
    warm_index_in_background()
    asyncio.get_running_loop().call_later(1.0, _release_start_up_garbage)


def _release_start_up_garbage() -> None:
    """Once, a second after start: collect what loading models and modules left behind, and give
    the freed heap pages back to the OS (glibc keeps them otherwise): about 0.3 MiB of idle RSS
    (measured 2026-11-26; issue 2 asks for at most 40 MiB idle).

    What is left (modules, botocore's models) is frozen out of later full collections, and the
    youngest generation is collected every 10,000 allocations instead of 700: a request's
    objects are mostly freed by reference counting before then, so fewer collections find
    fewer live objects (PutObject through the whole stack: 500.5k -> 491.9k instructions)."""
    import ctypes  # here: start-up does not pay for it

    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GC_THRESHOLD, *gc.get_threshold()[1:])
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
        ctypes.CDLL(None).malloc_trim(0)


def shut_down() -> None:
    registry.unload()
    state.database().close()
    if _ephemeral_dir is not None:
        shutil.rmtree(_ephemeral_dir, ignore_errors=True)


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    kind = scope["type"]
    if kind == "http":
        await _serve_http(scope, receive, send)
    elif kind == "lifespan":
        await _lifespan(receive, send)
    elif kind == "websocket":
        await send({"type": "websocket.close", "code": 1008})


async def _lifespan(receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            try:
                start_up()
                _spawn(clock.run_timers())
                registry.resume_stored_work()
                _spawn(hooks.run_ready_scripts())
                registry.start_engines()
            except Exception as problem:  # noqa: BLE001 - report any start-up failure to the server
                log.exception("fogbank failed to start")
                await send({"type": "lifespan.startup.failed", "message": str(problem)})
                return
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            shut_down()
            await send({"type": "lifespan.shutdown.complete"})
            return


def _spawn(coroutine: Any) -> None:
    task = asyncio.get_running_loop().create_task(coroutine)
    _background.add(task)
    task.add_done_callback(_background.discard)


def _request_from_scope(scope: dict[str, Any]) -> HttpRequest:
    # fogbank's HTTP protocol hands the headers over decoded (`fogbank.gateway.http11`); ASGI
    # servers send names in lower case, as the specification asks of them.
    headers = scope.get("fogbank.headers")
    if headers is not None:  # its `path` is the raw path too, decoded as latin-1
        path = scope["path"]
    else:
        headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
        raw_path = scope.get("raw_path")
        path = raw_path.decode("latin-1").split("?", 1)[0] if raw_path else scope["path"]
    return HttpRequest(
        method=scope["method"],
        path=path,
        query_string=scope.get("query_string", b"").decode("latin-1"),
        headers=headers,
        scheme=scope.get("scheme", "http"),
    )


async def _serve_http(scope: dict[str, Any], receive: Any, send: Any) -> None:
    request = _request_from_scope(scope)
    exchange = Exchange(request, receive)
    response = await chain.handle(exchange)
    # A write is acknowledged only once the group commit holding it is done (durable). fogbank's
    # HTTP protocol lets the answer go from the commit's callback (`defer`): no future and no task
    # wake-up per write request.
    database = state.database()
    defer = getattr(send, "defer", None)
    if defer is not None and database.after_commit(
        functools.partial(_answer_committed, exchange, send, receive, response)
    ):
        defer()
        return
    pending = database.committed()
    if pending is not None:
        try:
            await pending
        except Exception:  # noqa: BLE001 - logged where the commit failed
            response = _commit_failed(exchange)
    if not _answered_at_once(exchange, send, response):
        await _send_and_log(exchange, send, receive, response)


def _answer_committed(
    exchange: Exchange, send: Any, receive: Any, response: HttpResponse, problem: Exception | None
) -> None:
    """The group commit holding the request's writes is done (or failed): answer."""
    if problem is not None:
        response = _commit_failed(exchange)
    if not _answered_at_once(exchange, send, response):  # a file or streamed body, a busy socket
        _spawn(_answer_later(exchange, send, receive, response))


async def _answer_later(exchange: Exchange, send: Any, receive: Any, response: HttpResponse) -> None:
    try:
        await _send_and_log(exchange, send, receive, response)
    except Exception:  # noqa: BLE001 - as the server does for an app that fails
        log.exception("the gateway failed while answering a request")
        await send.fail()


def _answered_at_once(exchange: Exchange, send: Any, response: HttpResponse) -> bool:
    """Answer, when the server takes the whole answer in one call (`_respond_at_once`), and log."""
    try:
        if not _respond_at_once(send, response):
            return False
    except BaseException:
        exchange.request.body.discard()
        raise
    exchange.request.body.discard()
    _log(exchange, response)
    return True


async def _send_and_log(exchange: Exchange, send: Any, receive: Any, response: HttpResponse) -> None:
    """Answer through ASGI messages, then log."""
    try:
        await _send_response(send, receive, response, head=exchange.request.method == "HEAD")
    finally:
        exchange.request.body.discard()
    _log(exchange, response)


def _commit_failed(exchange: Exchange) -> HttpResponse:
    return chain.error_response(
        exchange, InternalFailure("We encountered an internal error. Please try again.")
    )


def _respond_at_once(send: Any, response: HttpResponse) -> bool:
    """fogbank's HTTP/1.1 protocol takes a whole answer in memory as text headers in one call
    (`RequestCycle.respond`): no header list to encode, no ASGI messages. False when it did not."""
    body = response.body
    if not isinstance(body, bytes) or response.extra_headers:
        return False
    respond = getattr(send, "respond", None)
    return respond is not None and respond(response.status, response.headers, body)


async def _send_response(send: Any, receive: Any, response: HttpResponse, *, head: bool) -> None:
    body = response.body
    headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in response.headers.items()]
    if response.extra_headers:
        headers.extend(
            (name.encode("latin-1"), value.encode("latin-1")) for name, value in response.extra_headers
        )
    if isinstance(body, bytes):
        if "content-length" not in response.headers:
            headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if head else body})
        return
    if isinstance(body, FileBody):
        if "content-length" not in response.headers:
            headers.append((b"content-length", str(body.length).encode()))
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        if not head and body.length:
            await _send_file_body(send, body)
        await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    if not head:
        await _stream(send, receive, body)
    await send({"type": "http.response.body", "body": b""})


async def _send_file_body(send: Any, body: FileBody) -> None:
    """A file range: spliced to the socket where the server offers `send_file` (plain HTTP, see
    `fogbank.gateway.file_sending`), else (or what it left) through ASGI messages: in one read up
    to `WHOLE_FILE_LIMIT` (measured at less than half the server CPU of 256 KiB chunks for 1 MiB),
    in chunks beyond (a large object never sits in memory whole)."""
    send_file = getattr(send, "send_file", None)
    if send_file is not None:
        left = await send_file(body.path, body.start, body.length)
        if not left:
            return
        body = FileBody(body.path, body.start + body.length - left, left)
    if body.length <= WHOLE_FILE_LIMIT:
        descriptor = os.open(body.path, os.O_RDONLY)
        try:
            data = os.pread(descriptor, body.length, body.start)
        finally:
            os.close(descriptor)
        await send({"type": "http.response.body", "body": data, "more_body": True})
        return
    async for chunk in body.chunks():
        await send({"type": "http.response.body", "body": chunk, "more_body": True})


async def _stream(send: Any, receive: Any, body: AsyncIterator[bytes]) -> None:
    """Send an open-ended stream (event streams, Lambda response streaming) until it ends or the
    client goes away: the server drops writes to a closed connection silently, so without watching
    for the disconnect a stream (e.g. Kinesis SubscribeToShard) would run on for minutes."""
    disconnected = asyncio.ensure_future(_wait_for_disconnect(receive))
    chunks = body.__aiter__()
    try:
        while True:
            following = asyncio.ensure_future(chunks.__anext__())
            await asyncio.wait({following, disconnected}, return_when=asyncio.FIRST_COMPLETED)
            if not following.done():
                following.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):  # however the stream ends
                    await following
                return
            try:
                chunk = following.result()
            except StopAsyncIteration:
                return
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
    finally:
        disconnected.cancel()
        close = getattr(chunks, "aclose", None)
        if close is not None:
            await close()


async def _wait_for_disconnect(receive: Any) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass  # a request body nobody read: drain it


def _log(exchange: Exchange, response: HttpResponse) -> None:
    """One line per request (service, operation, status, duration); `--debug` adds who asked,
    the parsed input and, for errors, the start of the error body."""
    if not log.isEnabledFor(logging.INFO):
        return
    elapsed = (time.perf_counter() - exchange.started) * 1000
    service = exchange.service
    context = exchange.context
    if service is None:
        what = f"{exchange.request.method} {exchange.request.path}"
    elif context is not None and context.operation:
        what = f"{service} {context.operation}"
    else:
        what = service
    log_output.request_line(what, response.status, elapsed)
    if log.isEnabledFor(logging.DEBUG):
        _log_detail(exchange, response)


def _log_detail(exchange: Exchange, response: HttpResponse) -> None:
    context = exchange.context
    who = (
        f"account {context.account} region {context.region} key {context.access_key or '-'}"
        if context
        else ""
    )
    log.debug(
        "  request %s %s %s %s", exchange.request_id, who, exchange.request.method, exchange.request.path
    )
    if exchange.params is not None:
        log.debug("  input %s", _shorten(repr(exchange.params)))
    if response.status >= 400 and isinstance(response.body, bytes):
        log.debug("  error %s", _shorten(response.body.decode("utf-8", "replace")))


def _shorten(text: str, limit: int = 2000) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"
