"""Compare ASGI servers for fogbank: the same app under uvicorn (httptools + uvloop) and granian,
driven by a light asyncio HTTP/1.1 keep-alive client (16 connections) sending one SQS request.

    .venv/bin/python benchmarks/servers.py [--seconds 5] [--concurrency 16]

The client is raw asyncio on purpose: boto3 costs more CPU per request than the server, and on a
2-core machine it would measure the client. Results feed the docstring of
`fogbank/gateway/server.py`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AUTH = "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0"


# granian's embedded server (one process, like uvicorn) running fogbank's app.
GRANIAN_EMBEDDED = """
import asyncio, signal, sys, uvloop
from granian.constants import Interfaces
from granian.server.embed import Server
from fogbank.config import settings
settings.ephemeral, settings.port = True, int(sys.argv[1])
from fogbank.gateway.app import app

async def main():
    server = Server(app, address="127.0.0.1", port=settings.port, interface=Interfaces.ASGI, log_enabled=False)
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, server.stop)
    await server.serve()

uvloop.run(main())
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def sqs_request(port: int, target: str, document: dict[str, object]) -> bytes:
    body = json.dumps(document).encode()
    head = (
        f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Amz-Target: AmazonSQS.{target}\r\n"
        f"Content-Type: application/x-amz-json-1.0\r\nAuthorization: {AUTH}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    await reader.readexactly(length)
    return status


async def drive(port: int, request: bytes, seconds: float, concurrency: int) -> tuple[int, list[float], int]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            writer.write(request)
            status = await read_response(reader)
            latencies.append(time.perf_counter() - started)
            errors += status != 200
        writer.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return len(latencies), latencies, errors


def start(kind: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "FOGBANK_EPHEMERAL": "1", "GATEWAY_LISTEN": f"127.0.0.1:{port}"}
    if kind == "uvicorn":
        command = [sys.executable, "-m", "fogbank", "start", "--port", str(port), "--ephemeral"]
    elif kind == "granian-embed":
        command = [sys.executable, "-c", GRANIAN_EMBEDDED, str(port)]
    else:
        command = [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "asgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--loop",
            "uvloop",
            "--log-level",
            "warning",
            "fogbank.gateway.app:app",
        ]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.02)
    process.kill()
    raise RuntimeError(f"{kind} did not start")


def family(pid: int) -> list[int]:
    """A process and its children (granian's CLI serves from a worker process)."""
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [pid, *map(int, children)]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the server (all threads, children included): unlike wall-clock
    throughput, this barely changes when other work shares the machine."""
    ticks = 0
    for each in family(pid):
        fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    total = 0
    for each in family(pid):
        for line in Path(f"/proc/{each}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def measure(kind: str, seconds: float, concurrency: int) -> None:
    port = free_port()
    process = start(kind, port)
    try:
        create = sqs_request(port, "CreateQueue", {"QueueName": "bench"})
        asyncio.run(drive(port, create, 0.2, 1))
        url = f"http://127.0.0.1:{port}/000000000000/bench"
        for name, request in (
            ("GetQueueUrl", sqs_request(port, "GetQueueUrl", {"QueueName": "bench"})),
            ("SendMessage", sqs_request(port, "SendMessage", {"QueueUrl": url, "MessageBody": "x" * 64})),
        ):
            asyncio.run(drive(port, request, 1.0, concurrency))  # warm-up
            cpu_before = cpu_seconds(process.pid)
            count, latencies, errors = asyncio.run(drive(port, request, seconds, concurrency))
            cpu_per_request = (cpu_seconds(process.pid) - cpu_before) / max(count, 1) * 1e6
            latencies.sort()
            p50 = statistics.median(latencies) * 1000
            p99 = latencies[int(len(latencies) * 0.99)] * 1000
            print(
                f"{kind:8} {name:12} {count / seconds:8.0f} req/s  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms"
                f"  server CPU {cpu_per_request:5.0f} µs/req  errors {errors}  RSS {rss_mib(process.pid):.1f} MiB"
            )
    finally:
        process.terminate()
        process.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("servers", nargs="*", default=["uvicorn", "granian-embed", "granian"])
    args = parser.parse_args()
    for kind in args.servers:
        measure(kind, args.seconds, args.concurrency)


if __name__ == "__main__":
    main()
