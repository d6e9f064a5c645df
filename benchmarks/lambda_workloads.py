"""Issue 4's Lambda measures (formerly lambda_invoke.py and sqs_to_lambda.py): warm invoke p50 of a
Python function (load generator at concurrency 1, and boto3 as the issue states it), the first
(cold) invoke of a new function (median of 5), 100 concurrent invokes of a 100 ms function, and
SQS → Lambda steady-state delivery through an event source mapping."""

from __future__ import annotations

import io
import json
import statistics
import time
import uuid
import zipfile
from typing import Any

from targets import Target
from wire import Wire, client, signed
from workloads import Result, Settings, measure

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}
ECHO = "def handler(event, context):\n    return event\n"
SLEEPY = "import time\ndef handler(event, context):\n    time.sleep(0.1)\n    return 1\n"
# Reports how long after the send (wall time in the body) the handler started, to a results queue.
REPORTER = """
import json, os, time, urllib.request

def handler(event, context):
    started = time.time()
    delays = [started - float(record["body"]) for record in event["Records"]]
    key = os.environ["AWS_ACCESS_KEY_ID"]
    body = {"QueueUrl": os.environ["RESULTS"], "MessageBody": json.dumps(delays)}
    request = urllib.request.Request(
        os.environ["AWS_ENDPOINT_URL"] + "/",
        data=json.dumps(body).encode(),
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "AmazonSQS.SendMessage",
            "Authorization": "AWS4-HMAC-SHA256 Credential=" + key + "/20240101/us-east-1/sqs/aws4_request, "
            "SignedHeaders=host, Signature=0",
        },
    )
    urllib.request.urlopen(request).read()
"""


def package(code: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", code)
    return buffer.getvalue()


def role(target: Target) -> str:
    try:
        document = json.dumps(TRUST)
        name = f"bench-{uuid.uuid4().hex[:6]}"
        return client(target, "iam").create_role(RoleName=name, AssumeRolePolicyDocument=document)["Role"][
            "Arn"
        ]  # type: ignore[no-any-return]
    except Exception:  # noqa: BLE001 - an emulator without IAM accepts any role ARN
        return "arn:aws:iam::000000000000:role/bench"


def create(target: Target, name: str, code: str, **extra: Any) -> None:
    lam = client(target, "lambda")
    lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role(target),
        Handler="app.handler",
        Code={"ZipFile": package(code)},
        Timeout=10,
        **extra,
    )
    deadline = time.monotonic() + 30
    while lam.get_function(FunctionName=name)["Configuration"].get("State", "Active") != "Active":
        if time.monotonic() > deadline:
            raise RuntimeError(f"function {name} not Active after 30 s")
        time.sleep(0.05)


def warm_invoke(target: Target, settings: Settings) -> Result:
    name = f"warm-{uuid.uuid4().hex[:6]}"
    create(target, name, ECHO)
    request = signed(target, "lambda", "invoke", FunctionName=name, Payload=b'{"hello": "world"}')
    return measure(
        target,
        [request],
        settings,
        concurrency=1,
        limit=1000,
        seconds=min(settings.seconds, 3.0),
        expect_text='"hello"',
    )


def warm_invoke_boto3(target: Target, settings: Settings) -> Result:
    """The same warm invoke through boto3, as issue 4 states its target (client cost included)."""
    name = f"warmb-{uuid.uuid4().hex[:6]}"
    create(target, name, ECHO)
    lam = client(target, "lambda")
    lam.invoke(FunctionName=name, Payload=b'{"hello": "world"}')["Payload"].read()
    latencies: list[float] = []
    deadline = time.perf_counter() + min(settings.seconds, 3.0)
    while len(latencies) < 300 and time.perf_counter() < deadline:
        began = time.perf_counter()
        answer = lam.invoke(FunctionName=name, Payload=b'{"hello": "world"}')
        if answer["Payload"].read() != b'{"hello": "world"}' or "FunctionError" in answer:
            raise RuntimeError(f"invoke answered {answer}")
        latencies.append(time.perf_counter() - began)
    return latency_result(latencies)


def latency_result(latencies: list[float]) -> Result:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    # Sequential measures have no throughput: seconds 0 prints "-".
    return Result(len(ordered), 0.0, statistics.median(ordered) * 1000, p99 * 1000, 0.0)


def cold_invoke(target: Target, settings: Settings) -> Result:
    """The first invoke of each of 5 new functions (a new runtime process each)."""
    lam, latencies = client(target, "lambda"), []
    for _ in range(5):
        name = f"cold-{uuid.uuid4().hex[:6]}"
        create(target, name, "def handler(event, context):\n    return 1\n")
        began = time.perf_counter()
        answer = lam.invoke(FunctionName=name)
        if answer["Payload"].read() != b"1":
            raise RuntimeError(f"cold invoke answered {answer}")
        latencies.append(time.perf_counter() - began)
    return latency_result(latencies)


def burst(target: Target, settings: Settings) -> Result:
    """100 concurrent invokes of a function that sleeps 100 ms: the time for all of them."""
    name = f"sleepy-{uuid.uuid4().hex[:6]}"
    create(target, name, SLEEPY)
    request = signed(target, "lambda", "invoke", FunctionName=name)
    return measure(target, [request], settings, warm=False, concurrency=100, limit=100, seconds=60.0)


def sqs_to_lambda(target: Target, settings: Settings) -> Result:
    """Send one message (its body = the wall time), wait for the handler's report, repeat: the
    reported delays (send → handler start) after 20 warm-up messages."""
    sqs = client(target, "sqs")
    jobs = sqs.create_queue(QueueName=f"jobs-{uuid.uuid4().hex[:6]}")["QueueUrl"]
    results = sqs.create_queue(QueueName=f"results-{uuid.uuid4().hex[:6]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=jobs, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    name = f"worker-{uuid.uuid4().hex[:6]}"
    create(target, name, REPORTER, Environment={"Variables": {"RESULTS": results}})
    client(target, "lambda").create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=1)
    send = signed(target, "sqs", "send_message", QueueUrl=jobs, MessageBody="TTTTTTTTTTTTTTTTTT")
    receive = signed(target, "sqs", "receive_message", QueueUrl=results, WaitTimeSeconds=10)
    delete = signed(target, "sqs", "delete_message", QueueUrl=results, ReceiptHandle="RRRRRRRRRR")
    wire, delays = Wire(target), []
    deadline = time.monotonic() + max(settings.seconds * 3, 15)
    try:
        for number in range(320):
            if time.monotonic() > deadline and len(delays) >= 50:
                break
            wire.json(send, "TTTTTTTTTTTTTTTTTT", f"{time.time():18.6f}")
            messages = wire.json(receive).get("Messages", [])
            if not messages:
                raise RuntimeError("no delivery within 10 s")
            wire.json(delete, "RRRRRRRRRR", json.dumps(messages[0]["ReceiptHandle"])[1:-1])
            if number >= 20:
                delays.extend(json.loads(messages[0]["Body"]))
    finally:
        wire.close()
    return latency_result(delays)
