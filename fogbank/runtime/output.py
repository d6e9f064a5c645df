"""What an execution environment writes: the process's stdout and stderr read line by line, with
the platform's own lines around each invocation exactly as Lambda writes them
(https://docs.aws.amazon.com/lambda/latest/dg/python-logging.html):

    START RequestId: <id> Version: $LATEST
    END RequestId: <id>
    REPORT RequestId: <id>\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\t

With LoggingConfig.LogFormat JSON they are platform events instead, filtered by SystemLogLevel
(https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-advanced.html):
`platform.initStart` for a new environment, `{"time": ..., "type": "platform.start", "record": {...}}`,
then `platform.runtimeDone` (DEBUG, WARN when the invocation failed) and `platform.report`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from fogbank import clock

CHUNK = 65536
# SystemLogLevel: an event is written when its level is at least the configured one.
SYSTEM_LEVELS = {"DEBUG": 0, "INFO": 1, "WARN": 2}
# Telemetry API statuses (https://docs.aws.amazon.com/lambda/latest/dg/telemetry-schema-reference.html)
# ApplicationLogLevel: Lambda itself drops JSON application lines whose "level" is more detailed
# (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html).
APPLICATION_LEVELS = {"TRACE": 0, "DEBUG": 1, "INFO": 2, "WARN": 3, "WARNING": 3, "ERROR": 4, "FATAL": 5}
APPLICATION_LEVELS["CRITICAL"] = 5
EVENT_STATUS = {"success": "success", "timeout": "timeout", "error": "error", "crash": "error"}


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
    def __init__(
        self, log_format: str = "Text", system_log_level: str = "INFO", application_log_level: str = "INFO"
    ) -> None:
        self.json = log_format == "JSON"
        self.system_level = SYSTEM_LEVELS.get(system_log_level, 1)
        self.application_level = APPLICATION_LEVELS.get(application_log_level, 2)
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

    def event(self, kind: str, level: str, record: Mapping[str, object]) -> None:
        """A JSON platform event, unless SystemLogLevel filters it out."""
        if SYSTEM_LEVELS[level] >= self.system_level:
            event = {"time": timestamp(), "type": kind, "record": record}
            self.note(json.dumps(event, separators=(",", ":")))

    def init_start(self, function_name: str, version: str, initialization_type: str) -> None:
        """`platform.initStart` of a new environment (JSON only; the runtime version fields are
        left out: fogbank runs the machine's interpreter, not a Lambda runtime version)."""
        if self.json:
            record = {
                "initializationType": initialization_type,
                "phase": "init",
                "functionName": function_name,
                "functionVersion": version,
            }
            self.event("platform.initStart", "INFO", record)

    def begin(self, request_id: str, version: str, init_ms: float | None, function_arn: str = "") -> None:
        self.invoked = True
        self.init_ms = init_ms
        if self.json:
            record = {"requestId": request_id, "functionArn": function_arn, "version": version}
            self.event("platform.start", "INFO", record)
            return
        self.note(f"START RequestId: {request_id} Version: {version}")

    def end(self, request_id: str, duration_ms: float, memory_mb: int, used_mb: int, status: str) -> None:
        self._flush_partial()
        billed = max(math.ceil(duration_ms), 1)
        if self.json:
            self._end_events(request_id, duration_ms, billed, memory_mb, used_mb, status)
            return
        self.note(f"END RequestId: {request_id}")
        report = (
            f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
            f"Billed Duration: {billed} ms\tMemory Size: {memory_mb} MB\t"
            f"Max Memory Used: {used_mb} MB\t"
        )
        if self.init_ms is not None:
            report += f"Init Duration: {self.init_ms:.2f} ms\t"
        if status == "timeout":
            report += "Status: timeout"
        self.note(report)

    def _end_events(
        self, request_id: str, duration_ms: float, billed: int, memory_mb: int, used_mb: int, status: str
    ) -> None:
        outcome = EVENT_STATUS.get(status, "error")
        metrics: dict[str, float] = {"durationMs": round(duration_ms, 3), "producedBytes": 0}
        level = "DEBUG" if outcome == "success" else "WARN"
        self.event(
            "platform.runtimeDone", level, {"requestId": request_id, "status": outcome, "metrics": metrics}
        )
        metrics = {
            "durationMs": round(duration_ms, 3),
            "billedDurationMs": billed,
            "memorySizeMB": memory_mb,
            "maxMemoryUsedMB": used_mb,
        }
        if self.init_ms is not None:
            metrics["initDurationMs"] = round(self.init_ms, 3)
        self.event(
            "platform.report", "INFO", {"requestId": request_id, "metrics": metrics, "status": outcome}
        )

    def take(self) -> list[LogLine]:
        taken, self.lines = self.lines, []
        if self.json:
            taken = [line for line in taken if self._passes(line.message)]
        return taken

    def _passes(self, message: str) -> bool:
        """Lines that are JSON objects with a "level" are filtered by ApplicationLogLevel (whatever
        level the function's own logger was set to); other lines are kept as written."""
        if not message.startswith("{") or '"level"' not in message:
            return True
        try:
            level = json.loads(message).get("level")
        except (ValueError, AttributeError):
            return True
        rank = APPLICATION_LEVELS.get(level.upper()) if isinstance(level, str) else None
        return rank is None or rank >= self.application_level
