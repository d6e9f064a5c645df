"""InvokeWithResponseStream: event-stream answers (PayloadChunk, InvokeComplete) read by boto3,
for buffered functions and for Node.js functions that stream with awslambda.streamifyResponse."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from typing import Any

import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from lambda_support import requires_node
from test_function_urls import path_url


def events_of(response: dict[str, Any]) -> list[dict[str, Any]]:
    return list(response["EventStream"])


def test_invoke_with_response_stream_buffered_python_function(
    create_function: Any, lambda_client: Any
) -> None:
    name = create_function({"app.py": "def handler(event, context):\n    return {'echo': event}\n"})[
        "FunctionName"
    ]
    response = lambda_client.invoke_with_response_stream(
        FunctionName=name, Payload=b'{"a": 1}', LogType="Tail"
    )
    assert response["StatusCode"] == 200
    assert response["ExecutedVersion"] == "$LATEST"
    assert response["ResponseStreamContentType"] == "application/vnd.amazon.eventstream"
    events = events_of(response)
    assert events[0] == {"PayloadChunk": {"Payload": b'{"echo": {"a": 1}}'}}
    complete = events[1]["InvokeComplete"]
    assert base64.b64decode(complete["LogResult"]).decode().startswith("START RequestId: ")
    assert len(events) == 2


@requires_node
def test_invoke_with_response_stream_node_streamify_response(
    create_function: Any, lambda_client: Any
) -> None:
    code = """
exports.handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
  responseStream.setContentType("text/plain");
  for (let i = 0; i < 3; i++) responseStream.write(`part ${i};`);
  responseStream.end();
});
"""
    name = create_function({"index.js": code}, Runtime="nodejs20.x", Handler="index.handler")["FunctionName"]
    events = events_of(lambda_client.invoke_with_response_stream(FunctionName=name, Payload=b"{}"))
    payload = b"".join(event["PayloadChunk"]["Payload"] for event in events if "PayloadChunk" in event)
    assert payload == b"part 0;part 1;part 2;"
    assert events[-1] == {"InvokeComplete": {}}


@requires_node
def test_invoke_with_response_stream_function_error_in_complete_event(
    create_function: Any, lambda_client: Any
) -> None:
    code = """
exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.write("partial");
  throw new RangeError("stream broke");
});
"""
    name = create_function({"index.js": code}, Runtime="nodejs20.x", Handler="index.handler")["FunctionName"]
    events = events_of(lambda_client.invoke_with_response_stream(FunctionName=name, Payload=b"{}"))
    assert events[-1] == {"InvokeComplete": {"ErrorCode": "RangeError", "ErrorDetails": "stream broke"}}


# Three chunks, each stamped with the function's own clock when written, 300 ms apart (the
# function's own timer, not fogbank's clock).
PAUSED_CHUNKS = """
exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const pause = () => new Promise((resolve) => setTimeout(resolve, 300));
  for (let i = 0; i < 3; i++) {
    if (i > 0) await pause();
    responseStream.write(JSON.stringify({ chunk: i, writtenAt: Date.now() }) + "\\n");
  }
  responseStream.end();
});
"""


@requires_node
def test_invoke_with_response_stream_chunks_arrive_while_function_runs(
    create_function: Any, lambda_client: Any
) -> None:
    name = create_function({"index.js": PAUSED_CHUNKS}, Runtime="nodejs20.x", Handler="index.handler")[
        "FunctionName"
    ]
    response = lambda_client.invoke_with_response_stream(FunctionName=name, Payload=b"{}")
    received: list[tuple[float, bytes]] = []
    events = []
    for event in response["EventStream"]:
        events.append(event)
        if "PayloadChunk" in event:
            received.append((time.time() * 1000, event["PayloadChunk"]["Payload"]))
    lines = [json.loads(line) for line in b"".join(chunk for _, chunk in received).splitlines()]
    assert [line["chunk"] for line in lines] == [0, 1, 2]
    assert received[0][0] < lines[-1]["writtenAt"]  # the first chunk was read before the last was written
    assert events[-1] == {"InvokeComplete": {}}


@requires_node
def test_function_url_response_stream_chunks_arrive_while_function_runs(
    create_function: Any, lambda_client: Any, endpoint: str
) -> None:
    name = create_function({"index.js": PAUSED_CHUNKS}, Runtime="nodejs20.x", Handler="index.handler")[
        "FunctionName"
    ]
    url = lambda_client.create_function_url_config(
        FunctionName=name, AuthType="NONE", InvokeMode="RESPONSE_STREAM"
    )["FunctionUrl"]
    with requests.get(path_url(endpoint, url) + "/live", stream=True, timeout=30) as response:
        assert response.status_code == 200
        assert response.headers["transfer-encoding"] == "chunked"
        received = [(time.time() * 1000, chunk) for chunk in response.iter_content(chunk_size=None)]
    lines = [json.loads(line) for line in b"".join(chunk for _, chunk in received).splitlines()]
    assert [line["chunk"] for line in lines] == [0, 1, 2]
    assert received[0][0] < lines[-1]["writtenAt"]


@requires_node
def test_function_url_response_stream_prelude_then_chunks_arrive_while_function_runs(
    create_function: Any, lambda_client: Any, endpoint: str
) -> None:
    code = PAUSED_CHUNKS.replace(
        "async (event, responseStream) => {",
        "async (event, raw) => {\n  const responseStream = awslambda.HttpResponseStream.from(raw, "
        '{ statusCode: 201, headers: { "Content-Type": "application/x-ndjson" }, cookies: ["a=1", "b=2"] });',
    )
    name = create_function({"index.js": code}, Runtime="nodejs20.x", Handler="index.handler")["FunctionName"]
    url = lambda_client.create_function_url_config(
        FunctionName=name, AuthType="NONE", InvokeMode="RESPONSE_STREAM"
    )["FunctionUrl"]
    with requests.get(path_url(endpoint, url) + "/live", stream=True, timeout=30) as response:
        status, headers = response.status_code, response.headers
        received = [(time.time() * 1000, chunk) for chunk in response.iter_content(chunk_size=None)]
    assert (status, headers["content-type"]) == (201, "application/x-ndjson")
    assert response.raw.headers.getlist("set-cookie") == ["a=1", "b=2"]
    lines = [json.loads(line) for line in b"".join(chunk for _, chunk in received).splitlines()]
    assert [line["chunk"] for line in lines] == [0, 1, 2]
    assert received[0][0] < lines[-1]["writtenAt"]


@requires_node
def test_function_url_response_stream_aws_iam_over_10_mb_received_intact(
    create_function: Any, lambda_client: Any, endpoint: str
) -> None:
    """Scenario 5: a Lambdalith behind an AWS_IAM function URL streams more than 10 MB."""
    code = """
const crypto = require("crypto");
exports.handler = awslambda.streamifyResponse(async (event, raw) => {
  const stream = awslambda.HttpResponseStream.from(raw, { statusCode: 200, headers: { "Content-Type": "application/octet-stream" } });
  for (let i = 0; i < 12; i++) {
    const block = crypto.createHash("sha256").update(String(i)).digest();
    await new Promise((resolve) => stream.write(Buffer.concat(Array(32768).fill(block)), resolve));
  }
  stream.end();
});
"""
    name = create_function({"index.js": code}, Runtime="nodejs20.x", Handler="index.handler", Timeout=60)[
        "FunctionName"
    ]
    url = lambda_client.create_function_url_config(
        FunctionName=name, AuthType="AWS_IAM", InvokeMode="RESPONSE_STREAM"
    )["FunctionUrl"]
    target = path_url(endpoint, url) + "/export"
    assert requests.get(target, timeout=30).status_code == 403
    signed = AWSRequest(method="GET", url=target)
    SigV4Auth(Credentials("000000000000", "test"), "lambda", "us-east-1").add_auth(signed)
    with requests.get(target, headers=dict(signed.headers), stream=True, timeout=60) as response:
        assert response.status_code == 200
        body = b"".join(response.iter_content(chunk_size=None))
    expected = b"".join(hashlib.sha256(str(i).encode()).digest() * 32768 for i in range(12))
    assert len(body) == 12 * 1024 * 1024
    assert hashlib.sha256(body).hexdigest() == hashlib.sha256(expected).hexdigest()


@requires_node
def test_invoke_with_response_stream_over_20_mb_fails_response_size_too_large(
    create_function: Any, lambda_client: Any
) -> None:
    code = """
exports.handler = awslambda.streamifyResponse(async (event, stream) => {
  const block = Buffer.alloc(1024 * 1024, 120);
  for (let i = 0; i < 21; i++) await new Promise((resolve) => stream.write(block, resolve));
  stream.end();
});
"""
    name = create_function({"index.js": code}, Runtime="nodejs20.x", Handler="index.handler", Timeout=60)[
        "FunctionName"
    ]
    events = events_of(lambda_client.invoke_with_response_stream(FunctionName=name, Payload=b"{}"))
    streamed = sum(len(event["PayloadChunk"]["Payload"]) for event in events if "PayloadChunk" in event)
    assert streamed == 20 * 1024 * 1024
    assert events[-1] == {
        "InvokeComplete": {
            "ErrorCode": "Function.ResponseSizeTooLarge",
            "ErrorDetails": "Response payload size exceeded maximum allowed payload size (20971520 bytes).",
        }
    }


# A custom runtime that streams through the Runtime API itself: a chunked POST of the response
# with `Lambda-Runtime-Function-Response-Mode: streaming`, one chunk every 300 ms (its own timer).
STREAMING_BOOTSTRAP = """#!/usr/bin/env python3
import http.client, json, os, time
host, port = os.environ["AWS_LAMBDA_RUNTIME_API"].split(":")
api = http.client.HTTPConnection(host, int(port))
while True:
    api.request("GET", "/2018-06-01/runtime/invocation/next")
    answer = api.getresponse()
    answer.read()
    request_id = answer.getheader("Lambda-Runtime-Aws-Request-Id")
    api.putrequest("POST", f"/2018-06-01/runtime/invocation/{request_id}/response")
    api.putheader("Lambda-Runtime-Function-Response-Mode", "streaming")
    api.putheader("Transfer-Encoding", "chunked")
    api.putheader("Content-Type", "application/x-ndjson")
    api.endheaders()
    for i in range(3):
        if i:
            time.sleep(0.3)
        data = (json.dumps({"chunk": i, "writtenAt": time.time() * 1000}) + "\\n").encode()
        api.send(b"%x\\r\\n%s\\r\\n" % (len(data), data))
    api.send(b"0\\r\\n\\r\\n")
    api.getresponse().read()
"""


def test_function_url_response_stream_custom_runtime_chunked_response_arrives_incrementally(
    create_function: Any, lambda_client: Any, endpoint: str
) -> None:
    name = create_function(
        {"bootstrap": STREAMING_BOOTSTRAP}, Runtime="provided.al2023", Handler="x", executable=("bootstrap",)
    )["FunctionName"]
    url = lambda_client.create_function_url_config(
        FunctionName=name, AuthType="NONE", InvokeMode="RESPONSE_STREAM"
    )["FunctionUrl"]
    with requests.get(path_url(endpoint, url) + "/raw", stream=True, timeout=30) as response:
        status, content_type = response.status_code, response.headers["content-type"]
        received = [(time.time() * 1000, chunk) for chunk in response.iter_content(chunk_size=None)]
    assert (status, content_type) == (200, "application/x-ndjson")
    lines = [json.loads(line) for line in b"".join(chunk for _, chunk in received).splitlines()]
    assert [line["chunk"] for line in lines] == [0, 1, 2]
    assert received[0][0] < lines[-1]["writtenAt"]
