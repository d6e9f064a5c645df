"""What an execution environment writes: the process's stdout and stderr read line by line, with
the platform's own lines around each invocation exactly as Lambda writes them
(https://docs.aws.amazon.com/lambda/latest/dg/python-logging.html):

    START RequestId: <id> Version: $LATEST
    END RequestId: <id>
    REPORT RequestId: <id>\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\t
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from fogbank import clock

CHUNK = 65536


@dataclass(slots=True)
class LogLine:
    timestamp: int  # epoch milliseconds on fogbank's clock
    message: str


def stream_name(version: str) -> str:
    """`2024/05/01/[$LATEST]0123456789abcdef0123456789abcdef`, as Lambda names log streams."""
    day = datetime.fromtimestamp(clock.now(), UTC).strftime("%Y/%m/%d")
    return f"{day}/[{version}]{uuid.uuid4().hex}"


def timestamp() -> str:
    return datetime.fromtimestamp(clock.now(), UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class OutputReader:
    def __init__(self) -> None:
        self.lines: list[LogLine] = []
        self.partial = b""
        self.task: asyncio.Task[None] | None = None
        self.invoked = False
        self.init_ms: float | None = None

    def attach(self, stream: asyncio.StreamReader) -> None:
        self.task = asyncio.get_running_loop().create_task(self._read(stream))

    async def _read(self, stream: asyncio.StreamReader) -> None:
        while True:
            chunk = await stream.read(CHUNK)
            if not chunk:
                self._flush_partial()
                return
            data = self.partial + chunk
            *complete, self.partial = data.split(b"\n")
            now = int(clock.now() * 1000)
            self.lines.extend(LogLine(now, line.decode("utf-8", "replace")) for line in complete)

    def _flush_partial(self) -> None:
        if self.partial:
            self.lines.append(LogLine(int(clock.now() * 1000), self.partial.decode("utf-8", "replace")))
            self.partial = b""

    async def settle(self, *, finished: bool) -> None:
        """Let output the process wrote before answering be read: the pipe was written before
        the Runtime API request was sent, so one or two turns of the event loop pick it up; when
        the process has ended, read to the end of the pipe."""
        if finished and self.task is not None:
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(self.task), 1.0)
            return
        await asyncio.sleep(0)
        await asyncio.sleep(0)

    def note(self, text: str) -> None:
        self.lines.append(LogLine(int(clock.now() * 1000), text))

    def begin(self, request_id: str, version: str, init_ms: float | None) -> None:
        self.invoked = True
        self.init_ms = init_ms
        self.note(f"START RequestId: {request_id} Version: {version}")

    def end(self, request_id: str, duration_ms: float, memory_mb: int, used_mb: int, status: str) -> None:
        self._flush_partial()
        self.note(f"END RequestId: {request_id}")
        report = (
            f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
            f"Billed Duration: {max(math.ceil(duration_ms), 1)} ms\tMemory Size: {memory_mb} MB\t"
            f"Max Memory Used: {used_mb} MB\t"
        )
        if self.init_ms is not None:
            report += f"Init Duration: {self.init_ms:.2f} ms\t"
        if status == "timeout":
            report += "Status: timeout"
        self.note(report)

    def take(self) -> list[LogLine]:
        taken, self.lines = self.lines, []
        return taken
