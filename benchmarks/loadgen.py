"""A lightweight HTTP/1.1 load generator: the client side of every throughput benchmark.

    python3 benchmarks/loadgen.py < spec.json > result.json

Runs in its own process (started by `workloads.py`), so the benchmark measures the server and not
boto3: on a 2-core machine boto3 spends more CPU per request than the servers under test. Requests
arrive PRE-BUILT (signed once with botocore's SigV4 signer by `wire.py`); per request this process
only substitutes a counter into a fixed-width token (unique keys/names), writes the bytes on a
keep-alive connection, and reads back the status line, the Content-Length (or chunks) and the body
(a 200 body over 64 KiB is counted, not kept: see `Channel`).

Spec (JSON on stdin; bytes as latin-1 text):
    port, concurrency, limit (requests), seconds (time limit),
    requests: [{"head": "...", "body": "..."}]  cycled (head without Content-Length),
    counter_token: fixed-width text replaced by the zero-padded request number, or null,
    expect_length: body length every 200 answer must have, or null,
    expect_text: text every 200 answer must contain, or null,
    mode: "plain" | "receive_delete": one step = the request (an SQS ReceiveMessage), then the
        `delete` template with `handle_token` replaced by the ReceiptHandle found in the answer.
Result (JSON on stdout): ok, errors, elapsed, p50_ms, p99_ms, client_cpu_us, statuses, first_error.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import socket
import sys
import time
from dataclasses import dataclass, field
from typing import Any

_HANDLE_KEY = b'"ReceiptHandle"'
# Each connection's receive buffer: the event loop reads up to this much per system call.
BUFFER_SIZE = 256 * 1024
MIN_READ = 16 * 1024  # less free space than this at the buffer's end: compact it first
SPARING_READ = 16 * 1024  # a sparing channel's reads (see `Channel`)
# Large bodies are dropped by the kernel (MSG_TRUNC) where it can; `_SINK` is never written to.
DISCARD = sys.platform == "linux" and not os.environ.get("LOADGEN_COPY")
# While a large body is dropped, wake up only once this much of it (or all that is left) is
# there: S3 GetObject 1 MiB against fogbank, 4 alternating runs (2026-11-26), load generator
# 137-149 µs per answer against 151-188 waking for every segment, and the server, which wakes
# the reader from its own sends on the loopback, 260-323 against 298-486; ministack's server the
# same, its load generator 201-231 against 223-236. (The whole body at once measured the same.)
RECEIVE_LOW_WATER = 256 * 1024
_SINK = bytearray(4 * 1024 * 1024)


@dataclass(slots=True)
class Template:
    head: bytes  # request line + headers, each ending in CRLF, without Content-Length
    body: bytes

    def render(self, old: bytes | None = None, new: bytes = b"") -> bytes:
        head, body = self.head, self.body
        if old is not None:
            head, body = head.replace(old, new), body.replace(old, new)
        return b"%sContent-Length: %d\r\n\r\n%s" % (head, len(body), body)


@dataclass(slots=True)
class Answer:
    status: int
    body: bytes  # empty when a large body was counted and dropped (see `skip_body`)
    close: bool
    length: int = -1

    def __post_init__(self) -> None:
        if self.length < 0:
            self.length = len(self.body)


class Channel(asyncio.BufferedProtocol):
    """One connection's receiving side. The event loop reads (recv_into) straight into one
    reusable buffer, from which the head and small bodies are taken; a large 200 body (an S3
    GetObject of 1 MiB) is only counted. Draining 1 MiB through asyncio's StreamReader (a bytes
    object per read, appended to its buffer, then sliced out) cost the load generator about
    310 µs of CPU per answer, as much as the server under test spends producing it.

    A `sparing` channel (for workloads whose answers are large) reads at most `SPARING_READ`
    bytes at a time and stops reading after each, so that a large body stays in the socket
    until `skip` has the kernel drop it (MSG_TRUNC) instead of copying it into the buffer."""

    def __init__(self, sparing: bool = False) -> None:
        self.buffer = bytearray(BUFFER_SIZE)
        self.view = memoryview(self.buffer)
        self.start = self.end = 0  # unread bytes: buffer[start:end]
        self.skipping = 0  # body bytes still to drop as they arrive
        self.closed = False
        self.waiter: asyncio.Future[None] | None = None
        self.transport: asyncio.Transport | None = None
        self.socket: socket.socket | None = None
        self.sparing = sparing and DISCARD
        self.paused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def get_buffer(self, sizehint: int) -> memoryview:
        if self.start == self.end:
            self.start = self.end = 0
        elif len(self.buffer) - self.end < MIN_READ:
            self._compact()
        if self.sparing:
            return self.view[self.end : self.end + SPARING_READ]
        return self.view[self.end :]

    def _compact(self) -> None:
        """Move the unread bytes to the front (into a larger buffer if they fill it)."""
        unread = bytes(self.view[self.start : self.end])
        if len(unread) + MIN_READ > len(self.buffer):
            self.buffer = bytearray(2 * (len(unread) + MIN_READ))
            self.view = memoryview(self.buffer)
        self.buffer[: len(unread)] = unread
        self.start, self.end = 0, len(unread)

    def buffer_updated(self, nbytes: int) -> None:
        self.end += nbytes
        if self.skipping:
            taken = min(self.skipping, self.end - self.start)
            self.skipping -= taken
            self.start += taken
            if self.skipping:
                return  # the skipping reader wakes once, when the body is all here
        if self.sparing:
            self._pause()
        self._wake()

    def _pause(self) -> None:
        if not self.paused and self.transport is not None:
            self.paused = True
            self.transport.pause_reading()

    def eof_received(self) -> bool:
        self.closed = True
        self._wake()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._wake()
        if self.socket is not None:
            self.socket.close()

    def _wake(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def _more(self, expected: int | None) -> None:
        """Until more bytes arrive; IncompleteReadError when the server closed instead."""
        if self.closed:
            raise asyncio.IncompleteReadError(bytes(self.view[self.start : self.end]), expected)
        if self.paused and self.transport is not None:
            self.paused = False
            self.transport.resume_reading()
        self.waiter = asyncio.get_running_loop().create_future()
        try:
            await self.waiter
        finally:
            self.waiter = None

    def _take(self, count: int) -> bytes:
        taken = bytes(self.view[self.start : self.start + count])
        self.start += count
        return taken

    async def readuntil(self, separator: bytes) -> bytes:
        while (at := self.buffer.find(separator, self.start, self.end)) < 0:
            await self._more(None)
        return self._take(at + len(separator) - self.start)

    async def readexactly(self, count: int) -> bytes:
        while self.end - self.start < count:
            await self._more(count)
        return self._take(count)

    async def read(self) -> bytes:
        """Everything until the server closes the connection."""
        while not self.closed:
            await self._more(None)
        return self._take(self.end - self.start)

    async def skip(self, count: int) -> int:
        """Drop `count` body bytes (those already here and those still to come)."""
        taken = min(count, self.end - self.start)
        self.start += taken
        if count > taken and DISCARD:
            await self._discard(count - taken)
            return count
        self.skipping = count - taken
        while self.skipping:
            await self._more(count)
        return count

    async def _discard(self, count: int) -> None:
        """Let the kernel drop `count` bytes as they arrive (`recv` with MSG_TRUNC on a TCP
        socket discards them instead of copying: Linux, tcp(7)), waking up for every
        `RECEIVE_LOW_WATER` bytes (SO_RCVLOWAT); the event loop stops reading meanwhile (`_more`
        resumes it when the next answer is awaited)."""
        assert self.transport is not None
        if self.socket is None:  # a duplicate: uvloop keeps its own descriptor to itself
            self.socket = socket.socket(fileno=os.dup(self.transport.get_extra_info("socket").fileno()))
        self._pause()
        fd, loop = self.socket.fileno(), asyncio.get_running_loop()
        watching = False  # the descriptor stays watched between waits of one body
        try:
            while count:
                try:
                    dropped = self.socket.recv_into(_SINK, min(count, len(_SINK)), socket.MSG_TRUNC)
                except BlockingIOError:
                    self.waiter = loop.create_future()
                    low_water = min(count, RECEIVE_LOW_WATER)
                    self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVLOWAT, low_water)
                    if not watching:
                        loop.add_reader(fd, self._wake)
                        watching = True
                    await self.waiter
                    continue
                if not dropped:
                    self.closed = True
                    raise asyncio.IncompleteReadError(b"", count)
                count -= dropped
        finally:
            self.waiter = None
            if watching:
                loop.remove_reader(fd)
                self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVLOWAT, 1)


async def read_answer(reader: Channel) -> Answer:
    """Status line, Content-Length or chunked framing, body: nothing else is parsed."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    lower = head.lower()
    close = b"\r\nconnection: close" in lower
    at = lower.find(b"\r\ncontent-length:")
    if at >= 0:
        end = lower.find(b"\r\n", at + 2)
        length = int(lower[at + 17 : end])
        if length > 65536 and status == 200:
            # Only a large body's size is checked: it is counted, not kept.
            return Answer(status, b"", close, await reader.skip(length))
        return Answer(status, await reader.readexactly(length), close)
    if b"\r\ntransfer-encoding: chunked" in lower:
        return Answer(status, await read_chunks(reader), close)
    if status in (204, 304) or 100 <= status < 200:
        return Answer(status, b"", close)
    return Answer(status, await reader.read(), True)  # framed by closing the connection


async def read_chunks(reader: Channel) -> bytes:
    parts = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")  # no trailers expected: the final CRLF
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)


def receipt_handle(body: bytes) -> bytes | None:
    """The first ReceiptHandle in a JSON answer, as its JSON-escaped text (put back into JSON)."""
    at = body.find(_HANDLE_KEY)
    if at < 0:
        return None
    start = body.find(b'"', body.find(b":", at + len(_HANDLE_KEY)) + 1) + 1
    return body[start : body.find(b'"', start)]


@dataclass
class Run:
    spec: dict[str, Any]
    templates: list[Template]
    delete: Template | None
    deadline: float
    issued: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    first_error: str = ""

    def next_request(self) -> bytes | None:
        if self.issued >= self.spec["limit"] or time.perf_counter() >= self.deadline:
            return None
        n, self.issued = self.issued, self.issued + 1
        template = self.templates[n % len(self.templates)]
        token = self.spec.get("counter_token")
        if token:
            return template.render(token.encode("latin-1"), b"%0*d" % (len(token), n))
        return template.render()

    def fail(self, reason: str) -> None:
        self.errors += 1
        self.first_error = self.first_error or reason[:300]

    def check(self, answer: Answer) -> bool:
        key = str(answer.status)
        self.statuses[key] = self.statuses.get(key, 0) + 1
        if answer.status != 200:
            self.fail(f"HTTP {answer.status}: {answer.body[:200].decode('latin-1')}")
            return False
        expected = self.spec.get("expect_length")
        if expected is not None and answer.length != expected:
            self.fail(f"body of {answer.length} bytes, expected {expected}")
            return False
        text = self.spec.get("expect_text")
        if text and text.encode() not in answer.body:
            self.fail(f"answer without {text}: {answer.body[:200].decode('latin-1')}")
            return False
        return True


class Connection:
    """One keep-alive connection; reopened when the server closes it."""

    def __init__(self, port: int, sparing: bool) -> None:
        self.port = port
        self.sparing = sparing
        self.channel: Channel | None = None

    async def exchange(self, request: bytes) -> Answer:
        if self.channel is None:
            loop = asyncio.get_running_loop()
            _, self.channel = await loop.create_connection(
                lambda: Channel(self.sparing), "127.0.0.1", self.port
            )
        assert self.channel.transport is not None
        self.channel.transport.write(request)
        answer = await read_answer(self.channel)
        if answer.close:
            self.close()
        return answer

    def close(self) -> None:
        if self.channel is not None and self.channel.transport is not None:
            self.channel.transport.close()
        self.channel = None


async def step(run: Run, connection: Connection, request: bytes) -> bool:
    answer = await connection.exchange(request)
    if not run.check(answer):
        return False
    if run.delete is None:
        return True
    handle = receipt_handle(answer.body)
    if handle is None:
        run.fail("ReceiveMessage answered no message (the queue ran empty)")
        return False
    token = run.spec["handle_token"].encode("latin-1")
    return run.check(await connection.exchange(run.delete.render(token, handle)))


async def worker(run: Run) -> None:
    # Answers of a known large size: read sparingly, so their bodies can be dropped unread.
    connection = Connection(run.spec["port"], sparing=(run.spec.get("expect_length") or 0) > 65536)
    while (request := run.next_request()) is not None:
        began = time.perf_counter()
        try:
            done = await asyncio.wait_for(step(run, connection, request), timeout=30)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as problem:
            run.fail(f"{type(problem).__name__}: {problem}")
            connection.close()
            continue
        if done:
            run.latencies.append(time.perf_counter() - began)
    connection.close()


def template_of(entry: dict[str, str]) -> Template:
    return Template(entry["head"].encode("latin-1"), entry["body"].encode("latin-1"))


async def drive(spec: dict[str, Any]) -> dict[str, Any]:
    delete = template_of(spec["delete"]) if spec.get("mode") == "receive_delete" else None
    run = Run(spec, [template_of(entry) for entry in spec["requests"]], delete, 0.0)
    cpu_before, began = _cpu(), time.perf_counter()
    run.deadline = began + spec["seconds"]
    await asyncio.gather(*(worker(run) for _ in range(spec["concurrency"])))
    elapsed, cpu = time.perf_counter() - began, _cpu() - cpu_before
    ordered = sorted(run.latencies)
    count = len(ordered)
    return {
        "ok": count,
        "errors": run.errors,
        "elapsed": elapsed,
        "p50_ms": ordered[count // 2] * 1000 if count else 0.0,
        "p99_ms": ordered[min(count - 1, int(count * 0.99))] * 1000 if count else 0.0,
        "client_cpu_us": cpu / max(count, 1) * 1e6,
        "statuses": run.statuses,
        "first_error": run.first_error,
    }


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    spec = json.load(sys.stdin)
    try:
        import uvloop  # the lightest event loop when installed; plain asyncio otherwise

        uvloop.install()
    except ImportError:
        pass
    json.dump(asyncio.run(drive(spec)), sys.stdout)


if __name__ == "__main__":
    main()
