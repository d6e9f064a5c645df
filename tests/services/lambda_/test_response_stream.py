"""InvokeWithResponseStream: event-stream answers (PayloadChunk, InvokeComplete) read by boto3,
for buffered functions and for Node.js functions that stream with awslambda.streamifyResponse."""

from __future__ import annotations

import base64
from typing import Any

from lambda_support import requires_node


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
