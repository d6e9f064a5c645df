"""Forked execution environments for Python runtimes: one zygote per interpreter (see
`bootstraps/python/zygote.py`) forks environments on request, with their own session, stdout
pipe, working folder, environment and memory limit. `ForkedProcess` looks like the asyncio
subprocess that an exec'd environment has: `pid`, `stdout`, `returncode`, `wait()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import struct
import tempfile
from pathlib import Path

from fogbank.runtime.runtimes import BOOTSTRAPS

log = logging.getLogger("fogbank.lambda")

_zygotes: dict[str, Zygote] = {}
_starting: dict[str, asyncio.Future[Zygote | None]] = {}


class ForkedProcess:
    def __init__(self, pid: int, stdout: asyncio.StreamReader, channel: socket.socket) -> None:
        self.pid = pid
        self.stdout = stdout
        self.returncode: int | None = None
        self._channel = channel
        self._exit = asyncio.get_running_loop().create_task(self._watch())

    async def _watch(self) -> int:
        loop = asyncio.get_running_loop()
        data = b""
        while len(data) < 4:
            chunk = await loop.sock_recv(self._channel, 4 - len(data))
            if not chunk:  # the zygote went away: the process is unreachable
                break
            data += chunk
        self._channel.close()
        self.returncode = struct.unpack(">i", data)[0] if len(data) == 4 else -9
        return self.returncode

    async def wait(self) -> int:
        return await asyncio.shield(self._exit)


class Zygote:
    def __init__(self, interpreter: str) -> None:
        self.interpreter = interpreter
        self.folder = tempfile.mkdtemp(prefix="fogbank-zygote-")
        self.path = os.path.join(self.folder, "zygote.sock")
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> bool:
        self.process = await asyncio.create_subprocess_exec(
            self.interpreter,
            "-s",
            str(BOOTSTRAPS / "python" / "zygote.py"),
            self.path,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            env={"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "en_US.UTF-8"},
            start_new_session=True,
        )
        assert self.process.stdout is not None
        with contextlib.suppress(TimeoutError):
            return await asyncio.wait_for(self.process.stdout.readline(), 10) == b"ready\n"
        return False

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def spawn(self, env: dict[str, str], cwd: str, limit: int | None) -> ForkedProcess:
        loop = asyncio.get_running_loop()
        read_end, write_end = os.pipe()
        channel = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            channel.setblocking(False)
            await loop.sock_connect(channel, self.path)
            message = json.dumps({"env": env, "cwd": cwd, "limit": limit}).encode()
            channel.setblocking(True)
            socket.send_fds(channel, [message], [write_end])
            channel.setblocking(False)
        except BaseException:
            os.close(read_end)
            channel.close()
            raise
        finally:
            os.close(write_end)
        data = b""
        while len(data) < 4:
            chunk = await loop.sock_recv(channel, 4 - len(data))
            if not chunk:
                os.close(read_end)
                channel.close()
                raise OSError("the zygote did not fork")
            data += chunk
        reader = asyncio.StreamReader(limit=2**20)
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(read_end, "rb"))
        return ForkedProcess(struct.unpack(">i", data)[0], reader, channel)

    def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
        with contextlib.suppress(OSError):
            os.unlink(self.path)
            Path(self.folder).rmdir()


async def zygote_for(interpreter: str) -> Zygote | None:
    """The interpreter's zygote, started on first use; None when it cannot start (callers then
    exec a fresh interpreter)."""
    found = _zygotes.get(interpreter)
    if found is not None and found.alive:
        return found
    pending = _starting.get(interpreter)
    if pending is not None:
        return await asyncio.shield(pending)
    future: asyncio.Future[Zygote | None] = asyncio.get_running_loop().create_future()
    _starting[interpreter] = future
    zygote: Zygote | None = Zygote(interpreter)
    try:
        if not await zygote.start():  # type: ignore[union-attr]
            zygote.stop()  # type: ignore[union-attr]
            log.warning("could not start a zygote for %s; environments start by exec", interpreter)
            zygote = None
    except OSError:
        zygote = None
    if zygote is not None:
        _zygotes[interpreter] = zygote
    del _starting[interpreter]
    future.set_result(zygote)
    return zygote


def shut_down() -> None:
    for zygote in _zygotes.values():
        zygote.stop()
    _zygotes.clear()
