"""Invoke: real Python, Node.js and shell functions run in their own processes through the
Runtime API; payloads, errors, logs, timeouts, crashes, throttling and isolation as AWS answers."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from lambda_support import build_zip, payload_of, requires_node

ECHO = """
import os

def handler(event, context):
    print("echo", event)
    return {
        "event": event,
        "request_id": context.aws_request_id,
        "function_name": context.function_name,
        "function_version": context.function_version,
        "memory": context.memory_limit_in_mb,
        "arn": context.invoked_function_arn,
        "log_group": context.log_group_name,
        "log_stream": context.log_stream_name,
        "remaining": context.get_remaining_time_in_millis(),
        "cwd": os.getcwd(),
    }
"""


def tail_of(response: dict[str, Any]) -> str:
    return base64.b64decode(response["LogResult"]).decode()


def test_invoke_python_function_returns_payload_and_context(create_function: Any, lambda_client: Any) -> None:
    function = create_function({"app.py": ECHO}, MemorySize=256, Timeout=30)
    name = function["FunctionName"]
    response = lambda_client.invoke(FunctionName=name, Payload=json.dumps({"a": [1, 2]}))
    body = payload_of(response)
    assert response["StatusCode"] == 200
    assert response["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in response
    assert body["event"] == {"a": [1, 2]}
    assert body["request_id"] == response["ResponseMetadata"]["RequestId"]
    assert body["function_name"] == name
    assert body["function_version"] == "$LATEST"
    assert body["memory"] == "256"
    assert body["arn"] == function["FunctionArn"]
    assert body["log_group"] == f"/aws/lambda/{name}"
    assert body["log_stream"].endswith("[$LATEST]" + body["log_stream"].rsplit("]", 1)[1])
    assert 25000 < body["remaining"] <= 30000


def test_invoke_log_type_tail_returns_start_output_end_report(
    create_function: Any, lambda_client: Any
) -> None:
    name = create_function({"app.py": ECHO})["FunctionName"]
    response = lambda_client.invoke(FunctionName=name, Payload=b'{"k": "v"}', LogType="Tail")
    request_id = response["ResponseMetadata"]["RequestId"]
    lines = tail_of(response).splitlines()
    assert lines[0] == f"START RequestId: {request_id} Version: $LATEST"
    assert "echo {'k': 'v'}" in lines
    assert lines[-2] == f"END RequestId: {request_id}"
    assert lines[-1].startswith(f"REPORT RequestId: {request_id}\tDuration: ")
    assert "\tBilled Duration: " in lines[-1] and "\tMemory Size: 128 MB\tMax Memory Used: " in lines[-1]
    assert "\tInit Duration: " in lines[-1]  # the first invoke started the environment
    warm = lambda_client.invoke(FunctionName=name, Payload=b"{}", LogType="Tail")
    assert "Init Duration" not in tail_of(warm)


def test_invoke_warm_environment_keeps_module_state(create_function: Any, lambda_client: Any) -> None:
    code = "count = 0\ndef handler(event, context):\n    global count\n    count += 1\n    return count\n"
    name = create_function({"app.py": code})["FunctionName"]
    answers = [payload_of(lambda_client.invoke(FunctionName=name)) for _ in range(3)]
    assert answers == [1, 2, 3]


def test_invoke_handler_raises_unhandled_error_document(create_function: Any, lambda_client: Any) -> None:
    code = "def handler(event, context):\n    raise ValueError('bad input')\n"
    name = create_function({"app.py": code})["FunctionName"]
    response = lambda_client.invoke(FunctionName=name, LogType="Tail")
    body = payload_of(response)
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "ValueError"
    assert body["errorMessage"] == "bad input"
    assert body["requestId"] == response["ResponseMetadata"]["RequestId"]
    assert (
        body["stackTrace"][0].startswith('  File "')
        and "raise ValueError('bad input')" in body["stackTrace"][0]
    )
    assert "[ERROR] ValueError: bad input" in tail_of(response)
    again = lambda_client.invoke(FunctionName=name)  # the environment survives the error
    assert payload_of(again)["errorType"] == "ValueError"


def test_invoke_missing_module_returns_import_module_error(create_function: Any, lambda_client: Any) -> None:
    name = create_function({"app.py": "import no_such_module\n"})["FunctionName"]
    response = lambda_client.invoke(FunctionName=name)
    assert response["FunctionError"] == "Unhandled"
    assert payload_of(response) == {
        "errorMessage": "Unable to import module 'app': No module named 'no_such_module'",
        "errorType": "Runtime.ImportModuleError",
        "requestId": "",
        "stackTrace": [],
    }


def test_invoke_missing_handler_returns_handler_not_found(create_function: Any, lambda_client: Any) -> None:
    name = create_function({"app.py": "x = 1\n"}, Handler="app.nope")["FunctionName"]
    body = payload_of(lambda_client.invoke(FunctionName=name))
    assert body["errorType"] == "Runtime.HandlerNotFound"
    assert body["errorMessage"] == "Handler 'nope' missing on module 'app'"


def test_invoke_past_timeout_kills_environment(create_function: Any, lambda_client: Any) -> None:
    code = (
        "import time, os\nstarted = os.getpid()\n"
        "def handler(event, context):\n    if event.get('sleep'):\n        time.sleep(30)\n    return started\n"
    )
    name = create_function({"app.py": code}, Timeout=1)["FunctionName"]
    first_pid = payload_of(lambda_client.invoke(FunctionName=name, Payload=b"{}"))
    response = lambda_client.invoke(FunctionName=name, Payload=b'{"sleep": true}', LogType="Tail")
    request_id = response["ResponseMetadata"]["RequestId"]
    assert response["FunctionError"] == "Unhandled"
    assert payload_of(response) == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {request_id} Error: Task timed out after 1.00 seconds",
    }
    assert f"{request_id} Task timed out after 1.00 seconds" in tail_of(response)
    assert "Status: timeout" in tail_of(response)
    replaced_pid = payload_of(lambda_client.invoke(FunctionName=name, Payload=b"{}"))
    assert replaced_pid != first_pid


def test_invoke_process_exit_returns_runtime_exit_error(create_function: Any, lambda_client: Any) -> None:
    code = "import os\ndef handler(event, context):\n    print('going')\n    os._exit(3)\n"
    name = create_function({"app.py": code})["FunctionName"]
    response = lambda_client.invoke(FunctionName=name, LogType="Tail")
    request_id = response["ResponseMetadata"]["RequestId"]
    assert response["FunctionError"] == "Unhandled"
    assert payload_of(response) == {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: exit status 3",
    }
    assert "going" in tail_of(response)


def test_invoke_payload_over_6mb_is_refused(create_function: Any, lambda_client: Any) -> None:
    name = create_function({"app.py": ECHO})["FunctionName"]
    payload = json.dumps({"data": "x" * (6 * 1024 * 1024)})
    with pytest.raises(ClientError) as caught:
        lambda_client.invoke(FunctionName=name, Payload=payload)
    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 413
    assert error["Error"]["Code"] == "RequestTooLargeException"
    assert (
        error["Error"]["Message"]
        == "Request must be smaller than 6291456 bytes for the InvokeFunction operation"
    )


def test_invoke_payload_not_json_is_refused(create_function: Any, lambda_client: Any) -> None:
    name = create_function({"app.py": ECHO})["FunctionName"]
    with pytest.raises(ClientError) as caught:
        lambda_client.invoke(FunctionName=name, Payload=b"not json")
    assert caught.value.response["Error"]["Code"] == "InvalidRequestContentException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_invoke_dry_run_answers_204_without_running(create_function: Any, lambda_client: Any) -> None:
    name = create_function({"app.py": "def handler(e, c):\n    raise SystemExit(1)\n"})["FunctionName"]
    response = lambda_client.invoke(FunctionName=name, InvocationType="DryRun")
    assert response["StatusCode"] == 204
    assert response["Payload"].read() == b""


def test_invoke_unknown_function_is_not_found(lambda_client: Any) -> None:
    with pytest.raises(ClientError) as caught:
        lambda_client.invoke(FunctionName="no-such-function-anywhere")
    error = caught.value.response
    assert error["Error"]["Code"] == "ResourceNotFoundException"
    assert error["Error"]["Message"] == (
        "Function not found: arn:aws:lambda:us-east-1:000000000000:function:no-such-function-anywhere"
    )
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_invoke_reserved_concurrency_zero_throttles(create_function: Any, lambda_client: Any) -> None:
    name = create_function({"app.py": ECHO})["FunctionName"]
    lambda_client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    with pytest.raises(ClientError) as caught:
        lambda_client.invoke(FunctionName=name)
    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert error["Error"] == {"Code": "TooManyRequestsException", "Message": "Rate Exceeded."}
    assert error["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    lambda_client.delete_function_concurrency(FunctionName=name)
    assert lambda_client.invoke(FunctionName=name)["StatusCode"] == 200


def test_invoke_reserved_concurrency_one_throttles_the_second(
    create_function: Any, lambda_client: Any, client_factory: Callable[..., Any]
) -> None:
    code = (
        "import time\ndef handler(event, context):\n    time.sleep(event.get('hold', 0))\n    return 'done'\n"
    )
    name = create_function({"app.py": code}, Timeout=10)["FunctionName"]
    lambda_client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=1)
    lambda_client.invoke(FunctionName=name, Payload=b"{}")  # warm up
    other = client_factory("lambda")
    answers: list[Any] = []

    def hold_the_slot() -> None:
        for _ in range(500):  # the main thread's quick invokes may hold the slot for a moment
            try:
                answers.append(payload_of(other.invoke(FunctionName=name, Payload=b'{"hold": 1.5}')))
                return
            except ClientError:
                continue

    slow = threading.Thread(target=hold_the_slot)
    slow.start()
    try:
        throttled = None
        for _ in range(2000):  # until the slow invocation holds the only slot
            try:
                lambda_client.invoke(FunctionName=name, Payload=b"{}")
            except ClientError as error:
                if answers:
                    continue
                throttled = error.response
                break
        assert throttled is not None
        assert throttled["Error"]["Code"] == "TooManyRequestsException"
        assert throttled["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
    finally:
        slow.join()
    assert answers == ["done"]


def test_invoke_environment_has_aws_variables_and_function_variables(
    create_function: Any, lambda_client: Any
) -> None:
    code = "import os\ndef handler(event, context):\n    return dict(os.environ)\n"
    function = create_function({"app.py": code}, Environment={"Variables": {"STAGE": "test"}}, MemorySize=512)
    env = payload_of(lambda_client.invoke(FunctionName=function["FunctionName"]))
    name = function["FunctionName"]
    assert env["STAGE"] == "test"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == name
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "512"
    assert env["_HANDLER"] == "app.handler"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-east-1"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == f"/aws/lambda/{name}"
    assert env["AWS_LAMBDA_LOG_STREAM_NAME"].split("/")[3].startswith("[$LATEST]")
    assert env["TZ"] == ":UTC"
    assert env["AWS_LAMBDA_RUNTIME_API"].startswith("127.0.0.1:")
    assert env["AWS_ACCESS_KEY_ID"] and env["AWS_SECRET_ACCESS_KEY"] and "AWS_SESSION_TOKEN" in env
    assert env["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    assert env["LAMBDA_TASK_ROOT"] and env["TMPDIR"] and env["_X_AMZN_TRACE_ID"].startswith("Root=1-")


def test_invoke_fogbank_environment_does_not_leak(fogbank_factory: Callable[..., Any], role_arn: str) -> None:
    import boto3

    server = fogbank_factory(env={"FOGBANK_TEST_SECRET_MARKER": "leaked"})
    session = boto3.session.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )
    iam = session.client("iam", endpoint_url=server.url)
    from lambda_support import TRUST_LAMBDA

    role = iam.create_role(RoleName="isolation", AssumeRolePolicyDocument=json.dumps(TRUST_LAMBDA))["Role"][
        "Arn"
    ]
    client = session.client("lambda", endpoint_url=server.url)
    code = "import os\ndef handler(event, context):\n    return dict(os.environ)\n"
    client.create_function(
        FunctionName="isolation",
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": build_zip({"app.py": code})},
    )
    env = payload_of(client.invoke(FunctionName="isolation"))
    assert "FOGBANK_TEST_SECRET_MARKER" not in env
    assert not any(key.startswith(("VIRTUAL_ENV", "PYTEST", "FOGBANK")) for key in env)


def test_invoke_function_calls_fogbank_with_its_credentials(
    create_function: Any,
    lambda_client: Any,
    client_factory: Callable[..., Any],
    unique_name: Callable[[str], str],
) -> None:
    queue = unique_name("q")
    client_factory("sqs").create_queue(QueueName=queue)
    code = """
import json, os, urllib.request

def handler(event, context):
    key = os.environ["AWS_ACCESS_KEY_ID"]
    request = urllib.request.Request(
        os.environ["AWS_ENDPOINT_URL"] + "/",
        data=json.dumps({"QueueNamePrefix": event["prefix"]}).encode(),
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "AmazonSQS.ListQueues",
            "Authorization": "AWS4-HMAC-SHA256 Credential=" + key + "/20240101/" + os.environ["AWS_REGION"]
            + "/sqs/aws4_request, SignedHeaders=host, Signature=0",
        },
    )
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())
"""
    name = create_function({"app.py": code})["FunctionName"]
    body = payload_of(lambda_client.invoke(FunctionName=name, Payload=json.dumps({"prefix": queue})))
    assert [url.rsplit("/", 1)[1] for url in body["QueueUrls"]] == [queue]


NODE_ASYNC = """
exports.handler = async (event, context) => {
  console.log("node got", JSON.stringify(event));
  return { doubled: event.n * 2, requestId: context.awsRequestId, name: context.functionName,
           remaining: context.getRemainingTimeInMillis() > 0, env: process.env.AWS_EXECUTION_ENV };
};
"""


@requires_node
def test_invoke_node_async_handler(create_function: Any, lambda_client: Any) -> None:
    function = create_function({"index.js": NODE_ASYNC}, Runtime="nodejs20.x", Handler="index.handler")
    response = lambda_client.invoke(
        FunctionName=function["FunctionName"], Payload=b'{"n": 21}', LogType="Tail"
    )
    body = payload_of(response)
    assert body == {
        "doubled": 42,
        "requestId": response["ResponseMetadata"]["RequestId"],
        "name": function["FunctionName"],
        "remaining": True,
        "env": "AWS_Lambda_nodejs20.x",
    }
    assert f'\t{body["requestId"]}\tINFO\tnode got {{"n":21}}' in tail_of(response)


@requires_node
def test_invoke_node_callback_handler_and_error(create_function: Any, lambda_client: Any) -> None:
    code = """
exports.handler = (event, context, callback) => {
  if (event.fail) { callback(new TypeError("nope")); return; }
  setTimeout(() => callback(null, "called back"), 5);
};
"""
    name = create_function({"index.js": code}, Runtime="nodejs20.x", Handler="index.handler")["FunctionName"]
    assert payload_of(lambda_client.invoke(FunctionName=name, Payload=b"{}")) == "called back"
    failed = lambda_client.invoke(FunctionName=name, Payload=b'{"fail": true}')
    body = payload_of(failed)
    assert failed["FunctionError"] == "Unhandled"
    assert body["errorType"] == "TypeError" and body["errorMessage"] == "nope"
    assert body["trace"][0] == "TypeError: nope"


@requires_node
def test_invoke_node_es_module_handler(create_function: Any, lambda_client: Any) -> None:
    code = "export const handler = async (event) => ({ esm: true, got: event });\n"
    name = create_function({"index.mjs": code}, Runtime="nodejs20.x", Handler="index.handler")["FunctionName"]
    assert payload_of(lambda_client.invoke(FunctionName=name, Payload=b'{"x": 1}')) == {
        "esm": True,
        "got": {"x": 1},
    }


SHELL_BOOTSTRAP = """#!/bin/sh
set -eu
while true; do
  HEADERS="$(mktemp)"
  EVENT=$(curl -sS -LD "$HEADERS" "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/next")
  REQUEST_ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  echo "shell handling $REQUEST_ID"
  curl -sS -X POST "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/$REQUEST_ID/response" \
    -d "{\\"echo\\": $EVENT, \\"handler\\": \\"$_HANDLER\\"}" > /dev/null
done
"""


def test_invoke_provided_runtime_runs_shell_bootstrap(create_function: Any, lambda_client: Any) -> None:
    function = create_function(
        {"bootstrap": SHELL_BOOTSTRAP},
        Runtime="provided.al2023",
        Handler="function.handler",
        executable=("bootstrap",),
    )
    response = lambda_client.invoke(
        FunctionName=function["FunctionName"], Payload=b'{"hi": 1}', LogType="Tail"
    )
    assert payload_of(response) == {"echo": {"hi": 1}, "handler": "function.handler"}
    assert f"shell handling {response['ResponseMetadata']['RequestId']}" in tail_of(response)


def test_invoke_provided_runtime_without_bootstrap_fails(create_function: Any, lambda_client: Any) -> None:
    name = create_function({"readme.txt": "no bootstrap"}, Runtime="provided.al2", Handler="x")[
        "FunctionName"
    ]
    response = lambda_client.invoke(FunctionName=name)
    body = payload_of(response)
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.InvalidEntrypoint"
    assert body["errorMessage"].endswith(
        "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]"
    )


def test_invoke_hot_reload_directory_picks_up_edits(
    create_function: Any, lambda_client: Any, tmp_path: Any
) -> None:
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return 'first'\n")
    function = create_function(Code={"S3Bucket": "hot-reload", "S3Key": str(tmp_path)})
    name = function["FunctionName"]
    assert payload_of(lambda_client.invoke(FunctionName=name)) == "first"
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return 'second edit'\n")
    assert payload_of(lambda_client.invoke(FunctionName=name)) == "second edit"


def test_invoke_allocating_past_memory_returns_out_of_memory(
    create_function: Any, lambda_client: Any
) -> None:
    code = "def handler(event, context):\n    block = bytearray(event['mb'] * 1024 * 1024)\n    return len(block)\n"
    name = create_function({"app.py": code}, MemorySize=128)["FunctionName"]
    assert payload_of(lambda_client.invoke(FunctionName=name, Payload=b'{"mb": 64}')) == 64 * 1024 * 1024
    response = lambda_client.invoke(FunctionName=name, Payload=b'{"mb": 2048}')
    request_id = response["ResponseMetadata"]["RequestId"]
    assert response["FunctionError"] == "Unhandled"
    assert payload_of(response) == {
        "errorType": "Runtime.OutOfMemory",
        "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: signal: killed",
    }


def test_invoke_runtime_missing_here_runs_closest_with_warning(
    create_function: Any, lambda_client: Any
) -> None:
    code = "import sys\ndef handler(event, context):\n    return list(sys.version_info[:2])\n"
    name = create_function({"app.py": code}, Runtime="python3.14")["FunctionName"]
    response = lambda_client.invoke(FunctionName=name, LogType="Tail")
    major, minor = payload_of(response)
    assert major == 3 and minor != 14
    assert f"fogbank: python3.14 is not installed on this machine; running with python3.{minor}" in tail_of(
        response
    )


@requires_node
def test_invoke_node_missing_module_returns_import_module_error(
    create_function: Any, lambda_client: Any
) -> None:
    name = create_function({"index.js": "require('nope');\n"}, Runtime="nodejs20.x", Handler="index.handler")[
        "FunctionName"
    ]
    response = lambda_client.invoke(FunctionName=name)
    body = payload_of(response)
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.ImportModuleError"
    assert body["errorMessage"].startswith("Error: Cannot find module 'nope'\nRequire stack:")


def test_invoke_python_logging_uses_aws_format(create_function: Any, lambda_client: Any) -> None:
    code = (
        "import logging\nlogger = logging.getLogger()\nlogger.setLevel(logging.INFO)\n"
        "def handler(event, context):\n    logger.info('processing %s', event['id'])\n    return None\n"
    )
    name = create_function({"app.py": code})["FunctionName"]
    response = lambda_client.invoke(FunctionName=name, Payload=b'{"id": 42}', LogType="Tail")
    request_id = response["ResponseMetadata"]["RequestId"]
    assert payload_of(response) is None
    [line] = [line for line in tail_of(response).splitlines() if line.startswith("[INFO]")]
    level, timestamp, logged_id, message = line.split("\t")
    assert (level, logged_id, message) == ("[INFO]", request_id, "processing 42")
    assert timestamp.endswith("Z") and len(timestamp) == 24


def test_invoke_client_context_reaches_python_context(create_function: Any, lambda_client: Any) -> None:
    code = (
        "def handler(event, context):\n"
        "    cc = context.client_context\n"
        "    return {'custom': cc.custom, 'env': cc.env, 'client': cc.client,\n"
        "            'identity': context.identity.cognito_identity_id}\n"
    )
    name = create_function({"app.py": code})["FunctionName"]
    document = {"custom": {"tenant": "t1"}, "env": {"platform": "test"}, "client": {"app_title": "demo"}}
    response = lambda_client.invoke(
        FunctionName=name, ClientContext=base64.b64encode(json.dumps(document).encode()).decode()
    )
    assert payload_of(response) == {
        "custom": {"tenant": "t1"},
        "env": {"platform": "test"},
        "client": {"app_title": "demo"},
        "identity": None,
    }


def test_invoke_after_idle_period_starts_fresh_environment(
    create_function: Any, lambda_client: Any, fogbank: Any
) -> None:
    code = "import os\ndef handler(event, context):\n    return os.getpid()\n"
    name = create_function({"app.py": code})["FunctionName"]
    first = payload_of(lambda_client.invoke(FunctionName=name))
    assert payload_of(lambda_client.invoke(FunctionName=name)) == first  # warm
    fogbank.advance_clock("PT11M")  # idle environments are reaped after 10 minutes
    response = lambda_client.invoke(FunctionName=name, LogType="Tail")
    assert payload_of(response) != first
    assert "Init Duration" in tail_of(response)
