"""The measured workloads: boto3 at a fixed concurrency (threads, one client per thread), each
bounded by a request count and a time limit. Every workload reports throughput, p50/p99 latency
and the server's CPU time per request."""

from __future__ import annotations

import itertools
import statistics
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config
from targets import Target

KIB = 1024
MIB = 1024 * 1024


@dataclass
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    server_cpu_us: float  # server CPU per request (µs)
    errors: int

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def client(target: Target, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=target.url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, max_pool_connections=4, s3={"addressing_style": "path"}),
    )


@dataclass
class _Run:
    """The shared state of one bounded concurrent run."""

    step: Callable[[Any, int], None]
    limit: int
    deadline: float
    counter: Iterator[int] = field(default_factory=itertools.count)
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""

    def worker(self, client: Any) -> None:
        mine: list[float] = []
        while time.perf_counter() < self.deadline:
            with self.lock:
                n = next(self.counter)
            if n >= self.limit:
                break
            began = time.perf_counter()
            try:
                self.step(client, n)
            except Exception as problem:  # noqa: BLE001 - counted and reported, the run goes on
                with self.lock:
                    self.errors += 1
                    self.first_error = self.first_error or f"{type(problem).__name__}: {problem}"[:200]
                continue
            mine.append(time.perf_counter() - began)
        with self.lock:
            self.latencies.extend(mine)

    def result(self, elapsed: float, server_cpu: float) -> Result:
        latencies = sorted(self.latencies)
        if not latencies:
            raise RuntimeError(self.first_error or "no request succeeded")
        if self.errors > len(latencies) // 100:
            raise RuntimeError(
                f"{self.errors} of {self.errors + len(latencies)} requests failed, e.g. {self.first_error}"
            )
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        return Result(
            len(latencies),
            elapsed,
            statistics.median(latencies) * 1000,
            p99 * 1000,
            server_cpu / len(latencies) * 1e6,
            self.errors,
        )


def run_concurrently(
    target: Target,
    service: str,
    step: Callable[[Any, int], None],
    *,
    concurrency: int,
    limit: int,
    seconds: float,
) -> Result:
    """Run `step(client, n)` from `concurrency` threads until `limit` steps or `seconds` pass."""
    clients = [client(target, service) for _ in range(concurrency)]
    run = _Run(step, limit, time.perf_counter() + seconds)
    cpu_before, began = target.cpu_seconds(), time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(run.worker, clients))
    return run.result(time.perf_counter() - began, target.cpu_seconds() - cpu_before)


@dataclass
class Settings:
    concurrency: int = 16
    seconds: float = 5.0
    limit: int = 20_000


def sqs_send(target: Target, settings: Settings) -> Result:
    url = client(target, "sqs").create_queue(QueueName=f"bench-send-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    body = "x" * 256

    def step(sqs: Any, n: int) -> None:
        sqs.send_message(QueueUrl=url, MessageBody=body)

    warm_up(target, "sqs", step, settings)
    return run_concurrently(
        target, "sqs", step, concurrency=settings.concurrency, limit=settings.limit, seconds=settings.seconds
    )


def sqs_receive_delete(target: Target, settings: Settings, send_rate: float) -> Result:
    """One step = ReceiveMessage (1 message, no wait) + DeleteMessage of what it got. The queue is
    filled first (batches of 10) with about as many messages as the run can consume."""
    url = client(target, "sqs").create_queue(QueueName=f"bench-recv-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    fill = int(min(settings.limit, max(send_rate, 100) * settings.seconds) + 200)
    entries = [{"Id": str(i), "MessageBody": "x" * 256} for i in range(10)]

    def put(sqs: Any, n: int) -> None:
        sqs.send_message_batch(QueueUrl=url, Entries=entries)

    run_concurrently(target, "sqs", put, concurrency=settings.concurrency, limit=fill // 10 + 1, seconds=120)

    def step(sqs: Any, n: int) -> None:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=0).get(
            "Messages", []
        )
        if not messages:
            raise RuntimeError("the queue ran empty")
        sqs.delete_message(QueueUrl=url, ReceiptHandle=messages[0]["ReceiptHandle"])

    return run_concurrently(
        target, "sqs", step, concurrency=settings.concurrency, limit=fill - 100, seconds=settings.seconds
    )


def s3_bucket(target: Target) -> str:
    name = f"bench-{uuid.uuid4().hex[:12]}"
    client(target, "s3").create_bucket(Bucket=name)
    return name


def s3_put(target: Target, settings: Settings, bucket: str) -> Result:
    body = b"x" * KIB

    def step(s3: Any, n: int) -> None:
        s3.put_object(Bucket=bucket, Key=f"put/{n}", Body=body)

    warm_up(target, "s3", step, settings)
    return run_concurrently(
        target, "s3", step, concurrency=settings.concurrency, limit=settings.limit, seconds=settings.seconds
    )


def s3_get(target: Target, settings: Settings, bucket: str, size: int) -> Result:
    """GetObject of `size` bytes, reading the whole body, over 16 prepared objects."""
    s3 = client(target, "s3")
    body = bytes(range(256)) * (size // 256)
    keys = [f"get-{size}/{i}" for i in range(16)]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=body)

    def step(s3: Any, n: int) -> None:
        data = s3.get_object(Bucket=bucket, Key=keys[n % len(keys)])["Body"].read()
        if len(data) != size:
            raise RuntimeError(f"got {len(data)} bytes, expected {size}")

    warm_up(target, "s3", step, settings)
    limit = settings.limit if size <= KIB else settings.limit // 4
    return run_concurrently(
        target, "s3", step, concurrency=settings.concurrency, limit=limit, seconds=settings.seconds
    )


def warm_up(target: Target, service: str, step: Callable[[Any, int], None], settings: Settings) -> None:
    """A short untimed run: connection pools, lazily loaded code and caches on both sides."""
    run_concurrently(
        target, service, step, concurrency=settings.concurrency, limit=settings.concurrency * 20, seconds=2.0
    )
