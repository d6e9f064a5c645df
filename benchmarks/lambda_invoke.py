"""Lambda invoke latency on fogbank, measured with boto3 (fogbank only; peers are in run.py).

    .venv/bin/python benchmarks/lambda_invoke.py [--invokes 500]

Prints: warm invoke p50/p90/p99 of a Python function (RequestResponse, 20-byte payload), the first
(cold) invoke of a new Python function (median of 5 functions), and the wall time of 100
concurrent invokes of a function that sleeps 100 ms.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from fogbank.testing.server import FogbankServer  # noqa: E402

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def package(code: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", code)
    return buffer.getvalue()


def client(url: str, service: str) -> object:
    return boto3.client(
        service,
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, max_pool_connections=128),
    )


def create(lam: object, role: str, name: str, code: str) -> None:
    lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",  # type: ignore[attr-defined]
        Code={"ZipFile": package(code)},
        Timeout=10,
    )


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(len(ordered) * fraction), len(ordered) - 1)] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invokes", type=int, default=500)
    arguments = parser.parse_args()
    server = FogbankServer().start()
    try:
        lam = client(server.url, "lambda")
        role = client(server.url, "iam").create_role(  # type: ignore[attr-defined]
            RoleName="bench", AssumeRolePolicyDocument=json.dumps(TRUST)
        )["Role"]["Arn"]
        create(lam, role, "warm", "def handler(event, context):\n    return event\n")
        lam.invoke(FunctionName="warm", Payload=b'{"hello": "world"}')  # type: ignore[attr-defined]
        warm = []
        for _ in range(arguments.invokes):
            started = time.perf_counter()
            lam.invoke(FunctionName="warm", Payload=b'{"hello": "world"}')["Payload"].read()  # type: ignore[attr-defined]
            warm.append(time.perf_counter() - started)
        cold = []
        for index in range(5):
            create(lam, role, f"cold{index}", "def handler(event, context):\n    return 1\n")
            started = time.perf_counter()
            lam.invoke(FunctionName=f"cold{index}")["Payload"].read()  # type: ignore[attr-defined]
            cold.append(time.perf_counter() - started)
        create(
            lam,
            role,
            "sleepy",
            "import time\ndef handler(event, context):\n    time.sleep(0.1)\n    return 1\n",
        )
        with ThreadPoolExecutor(100) as pool:
            started = time.perf_counter()
            list(pool.map(lambda _: lam.invoke(FunctionName="sleepy")["Payload"].read(), range(100)))  # type: ignore[attr-defined]
            burst = time.perf_counter() - started
        print("| measure | fogbank |\n| --- | --- |")
        print(
            f"| warm invoke p50 / p90 / p99 | {percentile(warm, 0.5):.2f} / {percentile(warm, 0.9):.2f} / {percentile(warm, 0.99):.2f} ms |"
        )
        print(f"| cold invoke (median of 5) | {statistics.median(cold) * 1000:.1f} ms |")
        print(f"| 100 concurrent invokes of a 100 ms function | {burst * 1000:.0f} ms |")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
