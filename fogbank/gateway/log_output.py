"""Where the server's log lines go: stderr, written in batches from the event loop.

Every request logs one line (service, operation, status, duration). `logging.StreamHandler`
writes and flushes each record on its own (a system call per request, and stderr is line
buffered); under load that was one of the larger costs of a cheap request. `BatchingHandler`
formats a record when it is logged but collects the text and writes it at most `FLUSH_DELAY`
seconds later, in one write, from the event loop. Warnings and errors, records logged outside
the event loop's thread (or with no loop running) and the end of the process flush at once, so
nothing waits long; a `kill -9` can lose the last `FLUSH_DELAY` seconds of request lines.

The request line itself skips the logging machinery (`request_line`): building, filtering and
formatting a `LogRecord` cost about 7 % of a cheap request's server time (py-spy, SQS SendMessage
at concurrency 16), and the line's text is the same as the formatter would make.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import IO

FLUSH_DELAY = 0.05
FORMAT = "%(asctime)s %(levelname)-5s %(message)s"
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"


class SecondFormatter(logging.Formatter):
    """`FORMAT` with the timestamp text built once per second rather than once per record."""

    def __init__(self) -> None:
        super().__init__(FORMAT, DATE_FORMAT)
        self._second = -1
        self._stamp = ""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 - logging's name
        return self.stamp(record.created)

    def stamp(self, created: float) -> str:
        second = int(created)
        if second != self._second:
            self._stamp = time.strftime(DATE_FORMAT, self.converter(second))
            self._second = second
        return self._stamp


class BatchingHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A stream handler that writes the lines logged on the event loop in batches."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        super().__init__(stream)
        self._lines: list[str] = []
        self._scheduled = False

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._lines.append(self.format(record) + self.terminator)
        except Exception:  # noqa: BLE001 - logging's own contract: report, never raise
            self.handleError(record)
            return
        self._flush_later(urgent=record.levelno >= logging.WARNING)

    def add_request_line(self, what: str, status: int, elapsed_ms: float) -> None:
        """The request line as `FORMAT` formats it at INFO, without a `LogRecord`."""
        formatter = self.formatter
        stamp = formatter.stamp(time.time()) if isinstance(formatter, SecondFormatter) else ""
        self._lines.append(f"{stamp} INFO  {what} {status} {elapsed_ms:.1f}ms{self.terminator}")
        # A flush is already due when scheduled (asyncio's running-loop check costs a getpid
        # system call per call on Python 3.11).
        if not self._scheduled:
            self._flush_later(urgent=False)

    def _flush_later(self, *, urgent: bool) -> None:
        loop = asyncio._get_running_loop()
        if loop is None or urgent:
            self.flush()
        elif not self._scheduled:
            self._scheduled = True
            loop.call_later(FLUSH_DELAY, self.flush)

    def flush(self) -> None:
        with self.lock:  # type: ignore[union-attr]
            self._scheduled = False
            if not self._lines:
                return
            text = "".join(self._lines)
            self._lines.clear()
            try:
                self.stream.write(text)
                self.stream.flush()
            except (OSError, ValueError):  # stderr closed or gone: nothing left to tell
                pass


_request_log = logging.getLogger("fogbank.request")
_handler: BatchingHandler | None = None


def request_line(what: str, status: int, elapsed_ms: float) -> None:
    """Log the request line `<what> <status> <elapsed>ms` at INFO (callers check
    `isEnabledFor(INFO)` first): straight into the batch when the request logger ends at the
    configured handler, else through logging (a test's or an embedding application's handlers)."""
    handler = _handler
    logger = _request_log
    if handler is not None and not logger.handlers and logger.propagate and not logger.filters:
        handlers = logging.root.handlers
        if len(handlers) == 1 and handlers[0] is handler and not logging.root.filters:
            handler.add_request_line(what, status, elapsed_ms)
            return
    logger.info("%s %d %.1fms", what, status, elapsed_ms)


def configure(level: int) -> None:
    """Log to stderr through a `BatchingHandler` at `level`."""
    global _handler
    # The logging HOWTO's "Optimization": no caller, thread or process lookups per record, as the
    # format uses none of them.
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    handler = BatchingHandler()
    handler.setFormatter(SecondFormatter())
    logging.basicConfig(level=level, handlers=[handler])
    _handler = handler
