"""fogbank's HTTP/1.1 connection protocol: httptools parses, the ASGI app answers, the server in
`server.py` runs it (sockets, lifespan, signals, graceful shutdown, the Date header), and an
upgrade to WebSocket is handed to uvicorn's WebSocket protocol.

Why not uvicorn's own `HttpToolsProtocol`: per request it builds a scope with state copies, an
`asyncio.Event`, a cycle object of a dozen fields, checks every header with two regular
expressions, and fogbank then converted that scope into its own request. Measured with the
benchmark load generator (16 keep-alive connections, 2026-11-26): a trivial app cost 26-37 µs of
server CPU per request under uvicorn's protocol, 15 µs under a bare httptools protocol; fogbank's
SQS SendMessage cost 15-40 µs less under this protocol (A/B on the shared machine), and writing
each response at once instead of at the next loop iteration answered 10-20 % more SendMessage
requests per second (1 KiB GetObject about 8 % fewer, PutObject the same).

The HTTP behaviour is uvicorn's: keep-alive and pipelining (one request at a time per
connection, in order), `Expect: 100-continue`, chunked request bodies (httptools decodes them)
and chunked responses when no length is given, HEAD, HTTP/1.0 and `Connection: close`, read and
write flow control, a keep-alive timeout, 400 on unparseable requests and 500 when the app fails
before answering. A response's head is held until its body's first bytes, so both leave in one
system call.

The app receives a standard ASGI scope plus `fogbank.headers`: the header names (lower case) and
values already decoded as text, which the gateway reads instead of decoding the list again; and
`send.respond(status, headers, body)`, which writes a whole answer in memory from text headers
(the gateway's usual answer) without the two ASGI messages.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import deque
from http import HTTPStatus
from pathlib import Path
from typing import Any

import httptools

from fogbank.gateway import file_sending

log = logging.getLogger("fogbank.http")

# Request bodies buffered beyond this stop reading from the socket until the app takes them.
HIGH_WATER = 64 * 1024
# Control characters (other than tab) in a response header name or value would split the header
# block: a header value can carry user data (S3 metadata), so the block is checked once.
_UNSAFE_HEADER = re.compile(b"[\x00-\x08\x0a-\x1f\x7f]")
# The same for a header block built as text, whose own line ends are counted separately.
_UNSAFE_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# The scope's `asgi` entry, the same for every request (one dict fewer per request).
_ASGI = {"version": "3.0", "spec_version": "2.3"}


def _status_line(status: int) -> bytes:
    try:
        reason = HTTPStatus(status).phrase.encode()
    except ValueError:  # a code without a registered phrase
        reason = b""
    return b"HTTP/1.1 %d %s\r\n" % (status, reason)


_STATUS_LINES = {status: _status_line(status) for status in range(100, 600)}


_defaults: tuple[Any, bytes | None] = (None, None)


def _default_head(headers: list[tuple[bytes, bytes]]) -> bytes | None:
    """The server's default headers (Date, Server) as head lines, rebuilt when the server replaces
    the list (each second); None when they hold a framing header or unsafe bytes."""
    global _defaults
    if _defaults[0] is not headers:
        lines = b"".join([name + b": " + value + b"\r\n" for name, value in headers])
        names = {name.decode("latin-1") for name, _ in headers}
        unsafe = _UNSAFE_HEADER.search(b"\t".join(part for pair in headers for part in pair))
        safe = not unsafe and not names & {"content-length", "transfer-encoding", "connection"}
        _defaults = (headers, lines if safe else None)
    return _defaults[1]


class RequestCycle:
    """One request on a connection and the response the app sends for it (ASGI `receive`/`send`)."""

    __slots__ = (
        "protocol",
        "scope",
        "body",
        "more_body",
        "waiter",
        "expect_continue",
        "keep_alive",
        "head",
        "started",
        "complete",
        "chunked",
        "remaining",
        "disconnected",
        "body_delivered",
        "pending_head",
        "task",
        "deferred",
    )

    def __init__(
        self, protocol: Http11Protocol, scope: dict[str, Any], keep_alive: bool, expect: bool
    ) -> None:
        self.protocol = protocol
        self.scope = scope
        self.body: list[bytes] = []
        self.more_body = True
        self.waiter: asyncio.Future[None] | None = None
        self.expect_continue = expect
        self.keep_alive = keep_alive
        self.head = scope["method"] == "HEAD"
        self.started = False
        self.complete = False
        self.chunked = False
        self.remaining = 0
        self.disconnected = False
        self.body_delivered = False
        self.pending_head = b""  # the response head, until the first body bytes go with it
        self.task: asyncio.Task[None] | None = None  # the app answering it
        self.deferred = False  # the app returned and answers later (`defer`)

    def wake(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def receive(self) -> dict[str, Any]:
        protocol = self.protocol
        if self.expect_continue:
            self.expect_continue = False
            if not protocol.transport.is_closing():
                protocol.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        # Wait for body bytes; once the whole body was handed over, until the client leaves or
        # the response is complete (ASGI: the next message is `http.disconnect`).
        while not self.body and (self.more_body or self.body_delivered):
            if self.disconnected or self.complete:
                break
            protocol.resume_reading()
            self.waiter = protocol.loop.create_future()
            await self.waiter
            self.waiter = None
        if self.disconnected or self.complete:
            return {"type": "http.disconnect"}
        self.body_delivered = not self.more_body
        chunks, self.body = self.body, []
        protocol.buffered = 0
        protocol.resume_reading()
        body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        return {"type": "http.request", "body": body, "more_body": self.more_body}

    async def send(self, message: dict[str, Any]) -> None:
        protocol = self.protocol
        if protocol.write_paused and not self.disconnected:
            await protocol.drain()
        if self.disconnected:
            return
        if not self.started:
            if message["type"] != "http.response.start":
                raise RuntimeError(f"expected http.response.start, got {message['type']}")
            self._start(message["status"], message.get("headers", ()))
            return
        if self.complete or message["type"] != "http.response.body":
            raise RuntimeError(f"unexpected ASGI message {message['type']} after the response")
        body = message.get("body", b"")
        more = message.get("more_body", False)
        if self.head:
            pass
        elif self.chunked:
            framed = b"%x\r\n%s\r\n" % (len(body), body) if body else b""
            self._write(framed if more else framed + b"0\r\n\r\n")
        elif body:
            if len(body) > self.remaining:
                raise RuntimeError("response body longer than its Content-Length")
            self.remaining -= len(body)
            self._write(body)
        if not more:
            if self.remaining and not self.head:
                raise RuntimeError("response body shorter than its Content-Length")
            if self.pending_head:  # a body-less answer whose head was held for it
                self._write(b"")
            self.complete = True
            self.wake()
            protocol.response_complete(self)

    def _write(self, data: bytes) -> None:
        """Write at once (uvloop sends straight away), with the held head in front of the body's
        first bytes: one system call and one TCP segment for a small response."""
        head = self.pending_head
        if head:
            self.pending_head = b""
            data = head + data
        if data:
            self.protocol.transport.write(data)

    __call__ = send  # the cycle itself is the app's `send`, so that `send.send_file` is found

    def respond(self, status: int, headers: dict[str, str], body: bytes) -> bool:
        """fogbank's whole answer at once: the head built from the text headers in one pass and
        written with the body, as `http.response.start` and one `http.response.body` would (same
        bytes; the body left out for HEAD). False, with nothing sent, for what the general path
        must handle (framing headers, a Content-Length other than the body's, unsafe header text,
        a paused or closed transport). Measured in-process (6 headers, 2026-11-26): 6.7 -> 3.9 µs
        per response against the two ASGI messages."""
        protocol = self.protocol
        defaults = _default_head(protocol.server_state.default_headers)
        declared = headers.get("content-length")
        if (
            self.started
            or self.disconnected
            or protocol.write_paused
            or defaults is None
            or "transfer-encoding" in headers
            or "connection" in headers
            or (declared is not None and not self.head and declared != str(len(body)))
        ):
            return False
        text = "".join([f"{name}: {value}\r\n" for name, value in headers.items()])
        count = len(headers)
        if text.count("\n") != count or text.count("\r") != count or _UNSAFE_TEXT.search(text):
            return False  # the general path refuses it
        parts = [_STATUS_LINES.get(status) or _status_line(status), defaults, text.encode("latin-1")]
        if declared is None:
            parts.append(b"content-length: %d\r\n" % len(body))
        if not self.keep_alive:
            parts.append(b"connection: close\r\n")
        parts.append(b"\r\n")
        if not self.head:
            parts.append(body)
        self.started = True
        self.expect_continue = False
        self.complete = True
        protocol.transport.write(b"".join(parts))
        self.wake()
        protocol.response_complete(self)
        return True

    def defer(self) -> None:
        """The app returns before answering and answers later from a callback (after the group
        commit that holds the request's writes, `fogbank.gateway.app`) with `respond`, or with
        ASGI messages from a task it starts, calling `fail` if that task fails."""
        self.deferred = True

    async def fail(self) -> None:
        """The app failed while answering: a 500 when nothing was sent yet, else the connection
        closes (the response's framing is lost)."""
        if self.started or self.disconnected:
            self.protocol.transport.close()
            return
        self.keep_alive = False
        body = b"Internal Server Error"
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"21")]
        await self.send({"type": "http.response.start", "status": 500, "headers": headers})
        await self.send({"type": "http.response.body", "body": body})

    async def send_file(self, path: Path, start: int, length: int) -> int:
        """Send `length` bytes of the file from `start` as (part of) the body, straight from the
        page cache (`file_sending`); the number of bytes at the end of the range still to send
        through `http.response.body` messages (all of them when the socket cannot be written
        directly now, none when the client left)."""
        files = self.protocol.files
        if files is None or self.disconnected or self.head:
            return length
        sent = await file_sending.send_range(files, self.pending_head, path, start, length)
        if sent < 0:
            return length  # the head stays held for the ASGI messages that follow
        self.pending_head = b""
        if sent < length:  # the client left, or the file is shorter than its record says
            self.disconnected = True  # later messages are dropped; the framing cannot be kept
            files.drop()
            return 0
        self.remaining -= sent
        return 0

    def _start(self, status: int, headers: Any) -> None:
        self.started = True
        self.expect_continue = False
        parts = [_STATUS_LINES.get(status) or _status_line(status)]
        length: int | None = None
        close = False
        fields: list[bytes] = []
        for name, value in (*self.protocol.server_state.default_headers, *headers):
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                self.chunked = value.lower() == b"chunked"
            elif name == b"connection" and b"close" in value.lower():
                close = True
            parts += (name, b": ", value, b"\r\n")
            fields += (name, value)
        if _UNSAFE_HEADER.search(b"\t".join(fields)):
            raise RuntimeError("a response header contains a control character")
        if close:
            self.keep_alive = False
        elif not self.keep_alive:
            parts.append(b"connection: close\r\n")
        if length is not None and not self.chunked:
            self.remaining = length
        elif not self.chunked and not self.head and status not in (204, 304) and status >= 200:
            self.chunked = True
            parts.append(b"transfer-encoding: chunked\r\n")
        parts.append(b"\r\n")
        # Held until the body's first bytes (or the end of the response) are sent with it.
        self.pending_head = b"".join(parts)


class Http11Protocol(asyncio.Protocol):
    """One client connection, constructed by the server (`fogbank.gateway.server`)."""

    def __init__(
        self,
        config: Any,
        server_state: Any,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        if not config.loaded:
            config.load()
        self.config = config
        self.app = config.loaded_app
        self.server_state = server_state
        self.app_state = app_state
        self.loop = _loop or asyncio.get_event_loop()
        self.parser = httptools.HttpRequestParser(self)
        # Answer the first of pipelined requests sent after `Connection: close` (httptools >= 0.6.3).
        self.parser.set_dangerous_leniencies(lenient_data_after_close=True)
        self.transport: asyncio.Transport = None  # type: ignore[assignment]
        self.server: tuple[str, int] | None = None
        self.client: tuple[str, int] | None = None
        # This connection's socket for `file_sending` (set by the server for plain HTTP on Linux).
        self.files: file_sending.SocketFiles | None = None
        self.current: RequestCycle | None = None
        self.pipeline: deque[RequestCycle] = deque()
        self.buffered = 0
        self.reading_paused = False
        self.write_paused = False
        self.drain_waiters: list[asyncio.Future[None]] = []
        # Keep-alive timeout: when the connection went idle (None while a request is on its way)
        # and the timer that checks it; the timer is armed once per idle period and re-armed
        # for the remainder when requests came meanwhile, instead of a timer per request
        # (call_later and cancel cost ~1 µs per request, 2026-11-26).
        self.idle_since: float | None = None
        self.idle_timer: asyncio.TimerHandle | None = None
        # Per-request parsing state.
        self.url = b""
        self.headers: list[tuple[bytes, bytes]] = []
        self.text_headers: dict[str, str] = {}
        self.parsing: RequestCycle | None = None

    # -- connection ----------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.server_state.connections.add(self)
        self.transport = transport  # type: ignore[assignment]
        if file_sending.AVAILABLE and transport.get_extra_info("sslcontext") is None:
            self.files = file_sending.SocketFiles(self.transport, self.loop)
        self.server = _address(transport.get_extra_info("sockname"))
        self.client = _address(transport.get_extra_info("peername"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.server_state.connections.discard(self)
        self._cancel_idle_timer()
        for exchange in (self.current, self.parsing, *self.pipeline):
            if exchange is not None:
                exchange.disconnected = True
                exchange.wake()
        self.pipeline.clear()
        self._release_drain_waiters()
        if self.files is not None:
            self.files.close()
        self.parser = None  # type: ignore[assignment]

    def eof_received(self) -> None:
        pass

    def data_received(self, data: bytes) -> None:
        self.idle_since = None
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._upgrade()
        except httptools.HttpParserError:
            self._refuse(b"Invalid HTTP request received.")

    def shutdown(self) -> None:
        """The server's graceful shutdown: close when idle, else after the response in progress."""
        if self.current is None:
            self.transport.close()
        else:
            self.current.keep_alive = False
            self.pipeline.clear()

    # -- parser callbacks ------------------------------------------------------------------------

    def on_message_begin(self) -> None:
        self.url = b""
        self.headers = []
        self.text_headers = {}

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name.lower(), value))

    def on_headers_complete(self) -> None:
        # The text headers in one pass once all are in (0.3 µs less per request of 10 headers
        # than per header, 2026-11-26); repeated ones fold into one comma-separated value
        # (RFC 9110 section 5.3).
        raw = self.headers
        text = {name.decode("latin-1"): value.decode("latin-1") for name, value in raw}
        if len(text) != len(raw):
            text = _folded(raw)
        self.text_headers = text
        parser = self.parser
        if parser.should_upgrade() and self._wants_websocket():
            return  # `data_received` hands the connection over when the parser stops
        method = parser.get_method().decode("ascii")
        version = parser.get_http_version()
        path, _, query = self.url.partition(b"?")
        path, _, _ = path.partition(b"#")
        if not path.startswith(b"/"):  # absolute form: `GET http://host/path HTTP/1.1`
            parsed = httptools.parse_url(self.url)
            path, query = parsed.path or b"/", parsed.query or b""
        scope = {
            "type": "http",
            "asgi": _ASGI,
            "http_version": version,
            "method": method,
            "scheme": "http",
            "path": path.decode("latin-1"),
            "raw_path": path,
            "query_string": query,
            "root_path": "",
            "headers": self.headers,
            "server": self.server,
            "client": self.client,
            "state": self.app_state,
            "fogbank.headers": self.text_headers,
        }
        expect = self.text_headers.get("expect", "").lower() == "100-continue"
        keep_alive = version != "1.0" and parser.should_keep_alive()
        exchange = RequestCycle(self, scope, keep_alive, expect)
        self.parsing = exchange
        if self.current is None:
            self._start(exchange)
        else:  # pipelined: answered after the one in progress; stop reading meanwhile
            self.pipeline.append(exchange)
            self.pause_reading()

    def on_body(self, body: bytes) -> None:
        exchange = self.parsing
        if exchange is None or exchange.complete:
            return
        exchange.body.append(body)
        self.buffered += len(body)
        if self.buffered > HIGH_WATER:
            self.pause_reading()
        exchange.wake()

    def on_message_complete(self) -> None:
        exchange = self.parsing
        if exchange is None:
            return
        self.parsing = None
        exchange.more_body = False
        exchange.wake()

    # -- running the app -------------------------------------------------------------------------

    def _start(self, exchange: RequestCycle) -> None:
        self.current = exchange
        # The server's set of running requests (graceful shutdown waits for it to empty); `_run`
        # leaves it when done, which a done callback did one loop iteration later at ~1 µs more.
        # A task, not a run at once from the parser's callback (2 % fewer instructions per
        # PutObject): callbacks a request schedules with call_soon (EventBridge routing an event)
        # must run before a request that arrives after its answer; a request run at once in the
        # I/O phase overtook them (a DisableRule, PutEvents, EnableRule sequence delivered the
        # event, 2026-11-27).
        task = exchange.task = self.loop.create_task(self._run(exchange))
        self.server_state.tasks.add(task)

    async def _run(self, exchange: RequestCycle) -> None:
        try:
            await self.app(exchange.scope, exchange.receive, exchange)
        except BaseException:
            log.exception("the gateway failed while answering a request")
            await exchange.fail()
            return
        finally:
            self.server_state.tasks.discard(exchange.task)
        if not exchange.complete and not exchange.disconnected and not exchange.deferred:
            log.error("the gateway returned without completing a response")
            self.transport.close()

    def response_complete(self, exchange: RequestCycle) -> None:
        self.server_state.total_requests += 1
        if self.current is exchange:
            self.current = None
        if not exchange.keep_alive:
            self.transport.close()
            return
        if self.transport.is_closing():
            return
        if self.pipeline:
            self._start(self.pipeline.popleft())
            if not self.pipeline:
                self.resume_reading()
        else:
            self.resume_reading()
            self.idle_since = self.loop.time()
            if self.idle_timer is None:
                self.idle_timer = self.loop.call_later(self.config.timeout_keep_alive, self._close_idle)

    # -- flow control ----------------------------------------------------------------------------

    def pause_reading(self) -> None:
        if not self.reading_paused and not self.transport.is_closing():
            self.reading_paused = True
            self.transport.pause_reading()

    def resume_reading(self) -> None:
        if self.reading_paused and self.buffered <= HIGH_WATER and not self.pipeline:
            self.reading_paused = False
            self.transport.resume_reading()

    def pause_writing(self) -> None:
        self.write_paused = True

    def resume_writing(self) -> None:
        self.write_paused = False
        self._release_drain_waiters()

    async def drain(self) -> None:
        waiter = self.loop.create_future()
        self.drain_waiters.append(waiter)
        await waiter

    def _release_drain_waiters(self) -> None:
        waiters, self.drain_waiters = self.drain_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    # -- the rest --------------------------------------------------------------------------------

    def _cancel_idle_timer(self) -> None:
        if self.idle_timer is not None:
            self.idle_timer.cancel()
            self.idle_timer = None

    def _close_idle(self) -> None:
        """Close the connection if it has been idle for the keep-alive timeout; else check again
        when it would be (busy: the response that ends the request arms the timer again)."""
        self.idle_timer = None
        if self.idle_since is None:
            return
        left = self.idle_since + self.config.timeout_keep_alive - self.loop.time()
        if left > 0:
            self.idle_timer = self.loop.call_later(left, self._close_idle)
        elif self.current is None and not self.transport.is_closing():
            self.transport.close()

    def _refuse(self, message: bytes) -> None:
        """400 and close: the bytes on this connection are not HTTP fogbank can read."""
        log.warning("%s", message.decode())
        head = (
            b"HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain; charset=utf-8\r\n"
            b"content-length: %d\r\nconnection: close\r\n\r\n" % len(message)
        )
        self.transport.write(head + message)
        self.transport.close()

    def _wants_websocket(self) -> bool:
        connection = self.text_headers.get("connection", "").lower()
        upgrade = self.text_headers.get("upgrade", "").lower()
        return (
            "upgrade" in connection and upgrade == "websocket" and self.config.ws_protocol_class is not None
        )

    def _upgrade(self) -> None:
        """Hand the connection to uvicorn's WebSocket protocol with the handshake request replayed."""
        if not self._wants_websocket():
            # Another protocol (h2c): the request is answered as plain HTTP/1.1, as uvicorn does.
            log.warning("Unsupported upgrade request (%s).", self.text_headers.get("upgrade", ""))
            return
        self.server_state.connections.discard(self)
        method = self.parser.get_method()
        replay = [method, b" ", self.url, b" HTTP/1.1\r\n"]
        for name, value in self.headers:
            replay += (name, b": ", value, b"\r\n")
        replay.append(b"\r\n")
        protocol = self.config.ws_protocol_class(
            config=self.config, server_state=self.server_state, app_state=self.app_state
        )
        protocol.connection_made(self.transport)
        protocol.data_received(b"".join(replay))
        self.transport.set_protocol(protocol)


def _folded(headers: list[tuple[bytes, bytes]]) -> dict[str, str]:
    text: dict[str, str] = {}
    for name, value in headers:
        text_name = name.decode("latin-1")
        text_value = value.decode("latin-1")
        previous = text.get(text_name)
        text[text_name] = text_value if previous is None else f"{previous},{text_value}"
    return text


def _address(info: Any) -> tuple[str, int] | None:
    if isinstance(info, (tuple, list)) and len(info) >= 2:
        return (str(info[0]), int(info[1]))
    return None
