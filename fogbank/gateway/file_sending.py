"""Zero-copy response bodies: a file range (an S3 object, a Lambda code zip) sent to a plain-HTTP
client by `splice`, from the page cache through a pipe to the socket, never through Python memory.

fogbank's HTTP protocol (`http11`) gives each plain-HTTP connection a `SocketFiles` and each
request's ASGI `send` a `send_file`, which the app (`fogbank.gateway.app`) calls between
`http.response.start` and the final, empty `http.response.body` message. `send_range` sends the
response head the protocol holds, marked MSG_MORE (so it leaves in the body's first segment),
then the body; the protocol counts the body bytes against the response's
Content-Length, so the final message finds nothing missing. Whenever the socket cannot be written
directly (uvloop still holds earlier bytes, the connection is closing), nothing is sent and the
app uses ASGI messages.

Why `splice` through a 1 MiB pipe: S3 GetObject of 1 MiB at concurrency 16 (the benchmark's
load generator, alternating runs on the shared 2-core machine, 2026-11-26; server and client
CPU µs per request, lowest to highest of 6 runs each):

    read into bytes, write through uvloop   server 440-708   client 233-311
    os.sendfile                             server 515-715   client 302-415
    splice through a 1 MiB pipe             server 275-402   client 193-258

and of the final code (head with MSG_MORE), 5 runs each: server 347-544 (median 358) against
450-574 (median 500) reading into bytes; client 207-391 (median 223) against 255-314 (297).
`sendfile` splices through the kernel's own 16-page pipe, so TCP sends the body 64 KiB at a
time (more segments, pushes and reader wake-ups on the loopback); a pipe holding the whole
megabyte hands TCP all of it in one call. Pipes are kept in a small pool between responses.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import socket
from pathlib import Path

log = logging.getLogger("fogbank.gateway")

PIPE_SIZE = 1024 * 1024  # /proc/sys/fs/pipe-max-size's default: what an unprivileged process may set
POOLED_PIPES = 16  # idle pipes kept (one per concurrent file response, as the benchmark runs)
# Linux only (`os.splice`); elsewhere file bodies go through ASGI messages.
AVAILABLE = hasattr(os, "splice")
_F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)
_idle_pipes: list[tuple[int, int]] = []


class SocketFiles:
    """One plain-HTTP connection's socket, for `splice`: a duplicate of uvloop's descriptor
    (made at the first file sent), so the loop can watch it for writability while uvloop owns
    the original (uvloop refuses `add_writer` on a descriptor one of its transports uses)."""

    __slots__ = ("_transport", "_loop", "_socket", "_waiter")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport  # uvloop's transport of the connection
        self._loop = loop
        self._socket: socket.socket | None = None
        self._waiter: asyncio.Future[None] | None = None

    def ready(self) -> bool:
        """Whether bytes written to the socket directly now follow everything written before
        (uvloop holds none of them) on an open connection."""
        return not self._transport.is_closing() and not self._transport.get_write_buffer_size()

    def socket(self) -> socket.socket:
        if self._socket is None:
            original = self._transport.get_extra_info("socket")
            # Shares the original's open file description, so it is non-blocking too.
            self._socket = socket.socket(fileno=os.dup(original.fileno()))
        return self._socket

    def descriptor(self) -> int:
        return self.socket().fileno()

    async def writable(self) -> None:
        """Until the socket takes more bytes (or the connection is closed: ConnectionResetError)."""
        fd = self.descriptor()
        waiter = self._waiter = self._loop.create_future()
        self._loop.add_writer(fd, _wake, waiter)
        try:
            await waiter
        finally:
            self._waiter = None
            if self._socket is not None:
                self._loop.remove_writer(fd)

    def close(self) -> None:
        """The connection is gone: stop waiting and release the duplicate descriptor."""
        if self._socket is None:
            return
        if self._waiter is not None:
            self._loop.remove_writer(self._socket.fileno())
            if not self._waiter.done():
                self._waiter.set_exception(ConnectionResetError("connection closed"))
        self._socket.close()
        self._socket = None

    def drop(self) -> None:
        """Close the connection after a failed or truncated body (its framing cannot be kept)."""
        self._transport.abort()


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


async def send_range(files: SocketFiles, head: bytes, path: Path, start: int, length: int) -> int:
    """Send the response head, then `length` bytes of the file from `start`, straight to the
    socket: the body bytes sent (fewer when the client left or the file ended early: the
    connection must then be dropped), or -1 when nothing was sent because the socket cannot be
    written directly now (the caller then sends head and body through the transport)."""
    if not files.ready():
        return -1
    try:
        handle = os.open(path, os.O_RDONLY)
    except OSError:
        return -1  # the ASGI path meets (and reports) the same error
    try:
        try:
            pipe = _take_pipe()
        except OSError:  # out of descriptors
            return -1
        moved, clean = 0, False
        try:
            moved, clean = await _pump(files, pipe, head, handle, start, length)
        except OSError:  # EPIPE, ECONNRESET: the client went away mid-body
            pass
        finally:
            _release_pipe(pipe, reuse=clean)
        return moved
    finally:
        os.close(handle)


async def _pump(
    files: SocketFiles, pipe: tuple[int, int], head: bytes, handle: int, start: int, length: int
) -> tuple[int, bool]:
    """The head (marked MSG_MORE: it leaves with the body's first segment), then the file range
    through the pipe into the socket, waiting while the socket is full: (body bytes moved to the
    socket, whether the pipe is left empty)."""
    out, into = pipe
    if head:
        await _send_all(files, head)
    fd = files.descriptor()
    queued = moved = 0
    while moved < length:
        if moved == queued:
            count = os.splice(handle, into, length - queued, offset_src=start + queued)
            if count == 0:
                log.warning("file ended %d bytes early; connection closed", length - queued)
                break
            queued += count
        more = os.SPLICE_F_MORE if queued < length else 0
        try:
            moved += os.splice(out, fd, queued - moved, flags=os.SPLICE_F_MOVE | more)
        except BlockingIOError:
            await files.writable()
    return moved, moved == queued


async def _send_all(files: SocketFiles, data: bytes) -> None:
    view = memoryview(data)
    while view:
        try:
            view = view[files.socket().send(view, socket.MSG_MORE) :]
        except BlockingIOError:
            await files.writable()


def _take_pipe() -> tuple[int, int]:
    """An empty pipe (read end, write end), as large as allowed."""
    if _idle_pipes:
        return _idle_pipes.pop()
    out, into = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    # Over the user's pipe quota the default 64 KiB pipe works, in more rounds.
    with contextlib.suppress(OSError):
        fcntl.fcntl(into, _F_SETPIPE_SZ, PIPE_SIZE)
    return out, into


def _release_pipe(pipe: tuple[int, int], *, reuse: bool) -> None:
    if reuse and len(_idle_pipes) < POOLED_PIPES:
        _idle_pipes.append(pipe)
    else:
        os.close(pipe[0])
        os.close(pipe[1])
