"""Lambda advanced logging controls: LoggingConfig LogFormat JSON (platform events, the Python and
Node.js runtimes' JSON application logs), ApplicationLogLevel and SystemLogLevel filtering, read
back from the function's log group with CloudWatch Logs."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.lambda_.lambda_support import payload_of, requires_node

PYTHON_APP = """
import logging
logger = logging.getLogger()

def handler(event, context):
    print("plain print line")
    logger.debug("a debug line")
    logger.info("an info line", extra={"orderId": 42})
    logger.warning("a warning line")
    return {"requestId": context.aws_request_id}
"""

NODE_APP = """
exports.handler = async (event, context) => {
  console.debug("node debug");
  console.log("node says", 7);
  console.error("node error");
  return { requestId: context.awsRequestId };
};
"""


def log_messages(logs: Any, group: str) -> list[str]:
    events = logs.filter_log_events(logGroupName=group)["events"]
    return [event["message"].rstrip("\n") for event in events]


def json_events(messages: list[str]) -> list[dict[str, Any]]:
    found = []
    for message in messages:
        if message.startswith("{"):
            found.append(json.loads(message))
    return found


@pytest.fixture
def logs(client_factory: Callable[..., Any]) -> Any:
    return client_factory("logs")


def test_create_function_json_format_defaults_levels_to_info(
    create_function: Callable[..., dict[str, Any]], lambda_client: Any
) -> None:
    answer = create_function({"app.py": PYTHON_APP}, LoggingConfig={"LogFormat": "JSON"})
    name = answer["FunctionName"]
    expected = {
        "LogFormat": "JSON",
        "ApplicationLogLevel": "INFO",
        "SystemLogLevel": "INFO",
        "LogGroup": f"/aws/lambda/{name}",
    }
    assert answer["LoggingConfig"] == expected
    assert lambda_client.get_function_configuration(FunctionName=name)["LoggingConfig"] == expected


def test_create_function_text_format_with_level_is_invalid_parameter(
    create_function: Callable[..., dict[str, Any]],
) -> None:
    with pytest.raises(ClientError) as raised:
        create_function(
            {"app.py": PYTHON_APP}, LoggingConfig={"LogFormat": "Text", "ApplicationLogLevel": "DEBUG"}
        )
    error = raised.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Code"] == "InvalidParameterValueException"
    assert error["Error"]["Message"] == (
        'LogLevel is not supported when LogFormat is set to "Text". Remove LogLevel from your request '
        'or change the LogFormat to "Json" and try again.'
    )


def test_update_function_configuration_back_to_text_drops_levels(
    create_function: Callable[..., dict[str, Any]], lambda_client: Any
) -> None:
    name = create_function(
        {"app.py": PYTHON_APP}, LoggingConfig={"LogFormat": "JSON", "SystemLogLevel": "WARN"}
    )["FunctionName"]
    answer = lambda_client.update_function_configuration(
        FunctionName=name, LoggingConfig={"LogFormat": "Text"}
    )
    assert answer["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"}


def test_invoke_python_json_format_writes_platform_events_and_json_logs(
    create_function: Callable[..., dict[str, Any]], lambda_client: Any, logs: Any
) -> None:
    created = create_function({"app.py": PYTHON_APP}, LoggingConfig={"LogFormat": "JSON"})
    name, arn = created["FunctionName"], created["FunctionArn"]
    request_id = payload_of(lambda_client.invoke(FunctionName=name))["requestId"]
    messages = log_messages(logs, f"/aws/lambda/{name}")
    events = json_events(messages)
    by_type = {event.get("type"): event for event in events if "type" in event}
    assert by_type["platform.start"]["record"] == {
        "requestId": request_id,
        "functionArn": arn,
        "version": "$LATEST",
    }
    assert by_type["platform.start"]["time"].endswith("Z")
    report = by_type["platform.report"]["record"]
    assert report["requestId"] == request_id
    assert report["status"] == "success"
    metrics = report["metrics"]
    assert set(metrics) == {
        "durationMs",
        "billedDurationMs",
        "memorySizeMB",
        "maxMemoryUsedMB",
        "initDurationMs",
    }
    assert metrics["memorySizeMB"] == 128
    assert "platform.runtimeDone" not in by_type  # a DEBUG event, below SystemLogLevel INFO
    assert by_type["platform.initStart"]["record"] == {
        "initializationType": "on-demand",
        "phase": "init",
        "functionName": name,
        "functionVersion": "$LATEST",
    }
    types = [event["type"] for event in events if "type" in event]
    assert types == ["platform.initStart", "platform.start", "platform.report"]
    assert not any(message.startswith(("START ", "END ", "REPORT ")) for message in messages)
    assert "plain print line" in messages
    application = [event for event in events if "level" in event]
    assert [event["message"] for event in application] == ["an info line", "a warning line"]
    info = application[0]
    assert info["level"] == "INFO"
    assert info["logger"] == "root"
    assert info["requestId"] == request_id
    assert info["orderId"] == 42
    assert info["timestamp"].endswith("Z")
    assert application[1]["level"] == "WARN"


def test_invoke_python_debug_levels_pass_debug_lines_and_runtime_done(
    create_function: Callable[..., dict[str, Any]], lambda_client: Any, logs: Any
) -> None:
    config = {"LogFormat": "JSON", "ApplicationLogLevel": "DEBUG", "SystemLogLevel": "DEBUG"}
    name = create_function({"app.py": PYTHON_APP}, LoggingConfig=config)["FunctionName"]
    request_id = payload_of(lambda_client.invoke(FunctionName=name))["requestId"]
    events = json_events(log_messages(logs, f"/aws/lambda/{name}"))
    assert [event["message"] for event in events if "level" in event][0] == "a debug line"
    done = [event for event in events if event.get("type") == "platform.runtimeDone"]
    assert done[0]["record"]["requestId"] == request_id
    assert done[0]["record"]["status"] == "success"


def test_invoke_system_log_level_warn_drops_platform_events(
    create_function: Callable[..., dict[str, Any]], lambda_client: Any, logs: Any
) -> None:
    config = {"LogFormat": "JSON", "ApplicationLogLevel": "ERROR", "SystemLogLevel": "WARN"}
    name = create_function({"app.py": PYTHON_APP}, LoggingConfig=config)["FunctionName"]
    lambda_client.invoke(FunctionName=name)
    messages = log_messages(logs, f"/aws/lambda/{name}")
    assert messages == ["plain print line"]


def test_invoke_python_environment_has_log_format_and_level(
    create_function: Callable[..., dict[str, Any]], lambda_client: Any
) -> None:
    code = (
        "import os\n"
        "def handler(event, context):\n"
        "    return [os.environ.get('AWS_LAMBDA_LOG_FORMAT'), os.environ.get('AWS_LAMBDA_LOG_LEVEL')]\n"
    )
    config = {"LogFormat": "JSON", "ApplicationLogLevel": "WARN"}
    name = create_function({"app.py": code}, LoggingConfig=config)["FunctionName"]
    assert payload_of(lambda_client.invoke(FunctionName=name)) == ["JSON", "WARN"]


@requires_node
def test_invoke_node_json_format_writes_console_as_json(
    create_function: Callable[..., dict[str, Any]], lambda_client: Any, logs: Any
) -> None:
    name = create_function(
        {"index.js": NODE_APP},
        Runtime="nodejs20.x",
        Handler="index.handler",
        LoggingConfig={"LogFormat": "JSON"},
    )["FunctionName"]
    request_id = payload_of(lambda_client.invoke(FunctionName=name))["requestId"]
    events = json_events(log_messages(logs, f"/aws/lambda/{name}"))
    application = [event for event in events if "level" in event]
    assert [(event["level"], event["message"]) for event in application] == [
        ("INFO", "node says 7"),
        ("ERROR", "node error"),
    ]
    assert all(event["requestId"] == request_id for event in application)
    assert all(event["timestamp"].endswith("Z") for event in application)
    assert {event.get("type") for event in events} >= {"platform.start", "platform.report"}


def test_invoke_application_log_level_filters_json_lines_whatever_the_logger_level(
    create_function: Callable[..., dict[str, Any]], lambda_client: Any, logs: Any
) -> None:
    code = (
        "import json, logging\n"
        "logger = logging.getLogger('app')\n"
        "def handler(event, context):\n"
        "    logger.setLevel(logging.DEBUG)\n"
        "    logger.debug('debug despite setLevel')\n"
        "    print(json.dumps({'level': 'debug', 'msg': 'printed debug'}))\n"
        "    print(json.dumps({'level': 'error', 'msg': 'printed error'}))\n"
        "    logger.error('an error line')\n"
    )
    config = {"LogFormat": "JSON", "SystemLogLevel": "WARN"}
    name = create_function({"app.py": code}, LoggingConfig=config)["FunctionName"]
    lambda_client.invoke(FunctionName=name)
    events = json_events(log_messages(logs, f"/aws/lambda/{name}"))
    assert [event.get("msg") or event.get("message") for event in events] == [
        "printed error",
        "an error line",
    ]
    assert events[1]["logger"] == "app"


def test_invoke_python_error_json_format_reports_error_status(
    create_function: Callable[..., dict[str, Any]], lambda_client: Any, logs: Any
) -> None:
    code = (
        "import logging\n"
        "def handler(event, context):\n"
        "    try:\n"
        "        raise KeyError('inner')\n"
        "    except KeyError:\n"
        "        logging.getLogger().exception('caught it')\n"
        "    raise ValueError('boom')\n"
    )
    name = create_function({"app.py": code}, LoggingConfig={"LogFormat": "JSON"})["FunctionName"]
    answer = lambda_client.invoke(FunctionName=name)
    assert answer["FunctionError"] == "Unhandled"
    request_id = payload_of(answer)["requestId"]
    events = json_events(log_messages(logs, f"/aws/lambda/{name}"))
    caught = next(event for event in events if event.get("message") == "caught it")
    assert (caught["level"], caught["errorType"], caught["errorMessage"]) == ("ERROR", "KeyError", "'inner'")
    assert caught["stackTrace"]
    unhandled = next(event for event in events if event.get("log_level") == "ERROR")
    assert (unhandled["errorType"], unhandled["errorMessage"]) == ("ValueError", "boom")
    assert unhandled["requestId"] == request_id
    by_type = {event.get("type"): event for event in events if "type" in event}
    assert by_type["platform.runtimeDone"]["record"]["status"] == "error"  # WARN when it failed
    assert by_type["platform.report"]["record"]["status"] == "error"


@requires_node
def test_invoke_node_error_json_format_logs_invoke_error_as_json(
    create_function: Callable[..., dict[str, Any]], lambda_client: Any, logs: Any
) -> None:
    code = 'exports.handler = async () => { throw new Error("node boom"); };\n'
    name = create_function(
        {"index.js": code}, Runtime="nodejs20.x", Handler="index.handler", LoggingConfig={"LogFormat": "JSON"}
    )["FunctionName"]
    assert lambda_client.invoke(FunctionName=name)["FunctionError"] == "Unhandled"
    events = json_events(log_messages(logs, f"/aws/lambda/{name}"))
    error = next(event for event in events if event.get("level") == "ERROR")
    assert error["message"].startswith("Invoke Error ")
    assert '"errorMessage":"node boom"' in error["message"]
    assert {event.get("type") for event in events} >= {"platform.start", "platform.report"}
