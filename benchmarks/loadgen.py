"""A lightweight HTTP/1.1 load generator: the client side of every throughput benchmark.

    python3 benchmarks/loadgen.py < spec.json > result.json

Runs in its own process (started by `workloads.py`), so the benchmark measures the server and not
boto3: on a 2-core machine boto3 spends more CPU per request than the servers under test. Requests
arrive PRE-BUILT (signed once with botocore's SigV4 signer by `wire.py`); per request this process
only substitutes a counter into a fixed-width token (unique keys/names), writes the bytes on a
keep-alive connection, and reads back the status line, the Content-Length (or chunks) and the body.

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
import resource
import sys
import time
from dataclasses import dataclass, field
from typing import Any

_HANDLE_KEY = b'"ReceiptHandle"'


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


async def skip_body(reader: asyncio.StreamReader, length: int) -> int:
    """Drain a large 200 body without joining it (an S3 GetObject of 1 MiB): only its size is
    checked, and copying it would cost the load generator as much CPU as the server spends."""
    remaining = length
    while remaining:
        chunk = await reader.read(min(remaining, 1 << 18))
        if not chunk:
            raise asyncio.IncompleteReadError(b"", remaining)
        remaining -= len(chunk)
    return length


async def read_answer(reader: asyncio.StreamReader) -> Answer:
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
            return Answer(status, b"", close, await skip_body(reader, length))
        return Answer(status, await reader.readexactly(length), close)
    if b"\r\ntransfer-encoding: chunked" in lower:
        return Answer(status, await read_chunks(reader), close)
    if status in (204, 304) or 100 <= status < 200:
        return Answer(status, b"", close)
    return Answer(status, await reader.read(), True)  # framed by closing the connection


async def read_chunks(reader: asyncio.StreamReader) -> bytes:
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

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def exchange(self, request: bytes) -> Answer:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        self.writer.write(request)
        answer = await read_answer(self.reader)
        if answer.close:
            self.close()
        return answer

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


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
    connection = Connection(run.spec["port"])
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
