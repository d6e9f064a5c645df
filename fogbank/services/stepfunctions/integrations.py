"""Service integrations of Task states: what a `Resource` ARN names and how it is called.

- Optimized integrations (`arn:aws:states:::lambda:invoke`, `sqs:sendMessage`, `sns:publish`,
  `dynamodb:getItem|putItem|updateItem|deleteItem`, `states:startExecution[.sync|.sync:2]`,
  `events:putEvents`) with the output shapes AWS documents (SdkHttpMetadata and friends).
- The HTTP Task `arn:aws:states:::http:invoke` (`http_task`).
- The AWS SDK integration `arn:aws:states:::aws-sdk:<service>:<action>`, routed to any fogbank
  provider: PascalCase parameters mapped to the API's member names, errors named
  `<Service>.<ErrorCode>` with the `Exception` suffix AWS adds.
- Lambda function ARNs used directly as Resource.
Every call goes through the callee's public operation (`fogbank.services.calls`).
https://docs.aws.amazon.com/step-functions/latest/dg/integrate-optimized.html
https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.model import Shape

from fogbank.errors import AwsError
from fogbank.protocol.models import service_model
from fogbank.services import calls, registry
from fogbank.services.stepfunctions import http_task, jsonpath
from fogbank.services.stepfunctions.errors import StatesError

_OPTIMIZED_PREFIX = {
    "lambda": "Lambda",
    "sqs": "SQS",
    "sns": "SNS",
    "dynamodb": "DynamoDB",
    "states": "StepFunctions",
    "events": "EventBridge",
}
_SDK_NAMES = {
    "sfn": "stepfunctions",
    "eventbridge": "events",
    "cloudwatchlogs": "logs",
    "cloudwatch": "cloudwatch",
}
_SDK_PREFIX = {
    "dynamodb": "DynamoDb",
    "secretsmanager": "SecretsManager",
    "eventbridge": "EventBridge",
    "cloudwatchlogs": "CloudWatchLogs",
    "sfn": "Sfn",
    "apigateway": "ApiGateway",
}
_OPTIMIZED = {
    "lambda": {"invoke"},
    "sqs": {"sendMessage"},
    "sns": {"publish"},
    "events": {"putEvents"},
    "http": {"invoke"},
    "dynamodb": {"getItem", "putItem", "updateItem", "deleteItem"},
    "states": {"startExecution"},
}


@dataclass(slots=True, frozen=True)
class Target:
    """What a Task's Resource names. `kind` is `service`, `lambda` (a function ARN) or `activity`."""

    arn: str
    kind: str
    service: str = ""
    action: str = ""
    pattern: str = ""  # "", "sync", "sync:2" or "waitForTaskToken"
    sdk: bool = False

    @property
    def resource_type(self) -> str:
        return f"aws-sdk:{self.service}" if self.sdk else self.service

    @property
    def resource(self) -> str:
        return f"{self.action}.{self.pattern}" if self.pattern else self.action


def parse_resource(arn: str) -> Target:
    parts = arn.split(":")
    if len(parts) >= 7 and parts[2] == "lambda" and parts[5] == "function":
        return Target(arn, "lambda")
    if len(parts) == 7 and parts[2] == "states" and parts[5] == "activity":
        return Target(arn, "activity")
    if len(parts) >= 7 and parts[:3] == ["arn", "aws", "states"] and parts[3] == parts[4] == "":
        sdk = parts[5] == "aws-sdk"
        service, rest = (parts[6], ":".join(parts[7:])) if sdk else (parts[5], ":".join(parts[6:]))
        action, _, pattern = rest.partition(".")
        if (
            pattern in ("", "sync", "sync:2", "waitForTaskToken")
            and action
            and (sdk or action in _OPTIMIZED.get(service, ()))
        ):
            return Target(arn, "service", service, action, pattern, sdk)
    raise StatesError("States.Runtime", f"The resource '{arn}' is not supported by fogbank's Step Functions")


def sdk_metadata(request_id: str) -> dict[str, Any]:
    """The HTTP metadata optimized integrations add to their output."""
    headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": request_id}
    return {
        "SdkHttpMetadata": {
            "AllHttpHeaders": {name: [value] for name, value in headers.items()},
            "HttpHeaders": headers,
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
    }


def _service_error(error: AwsError, prefix: str, sdk: bool) -> StatesError:
    code = error.code
    if sdk and not code.endswith("Exception"):
        code += "Exception"
    cause = f"{error.message} (Service: {prefix}, Status Code: {error.status}, Request ID: {uuid.uuid4()})"
    return StatesError(f"{prefix}.{code}", cause)


async def _call(
    target: Target, service: str, operation: str, params: dict[str, Any], account: str, region: str
) -> dict[str, Any]:
    prefix = (
        _SDK_PREFIX.get(target.service, target.service[:1].upper() + target.service[1:])
        if target.sdk
        else _OPTIMIZED_PREFIX[target.service]
    )
    if not registry.is_implemented(service):
        raise StatesError(
            f"{prefix}.ServiceNotSupportedException", f"fogbank does not implement the {service} service yet"
        )
    try:
        return await calls.call_async(service, operation, params, account=account, region=region)
    except AwsError as error:
        raise _service_error(error, prefix, target.sdk) from None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else jsonpath.dumps(value)


def _parse_payload(raw: bytes | str | None) -> Any:
    text = raw.decode() if isinstance(raw, bytes) else (raw or "")
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def lambda_error(payload: Any, text: str) -> StatesError:
    error = payload.get("errorType") if isinstance(payload, dict) else None
    return StatesError(error or "Lambda.Unknown", text)


async def invoke_function(
    function: str, payload: Any, account: str, region: str, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Lambda's Invoke; a function error fails the task with the function's errorType."""
    request = {
        "FunctionName": function,
        "Payload": _text(payload if payload is not None else {}).encode(),
        **(extra or {}),
    }
    response = await _call(Target("", "service", "lambda"), "lambda", "Invoke", request, account, region)
    raw = response.get("Payload") or b""
    parsed = _parse_payload(raw)
    if response.get("FunctionError"):
        raise lambda_error(parsed, raw.decode() if isinstance(raw, bytes) else str(raw))
    response["Payload"] = parsed
    return response


async def _lambda_invoke(target: Target, params: dict[str, Any], account: str, region: str) -> Any:
    extra: dict[str, Any] = {
        key: params[key]
        for key in ("Qualifier", "InvocationType", "LogType", "ClientContext")
        if key in params
    }
    if "FunctionName" not in params:
        raise StatesError("States.Runtime", "The field 'FunctionName' is required by lambda:invoke")
    response = await invoke_function(params["FunctionName"], params.get("Payload"), account, region, extra)
    request_id = str(uuid.uuid4())
    output: dict[str, Any] = {
        "ExecutedVersion": response.get("ExecutedVersion", "$LATEST"),
        "Payload": response.get("Payload"),
        **sdk_metadata(request_id),
        "StatusCode": response.get("StatusCode", 200),
    }
    if "LogResult" in response:
        output["LogResult"] = response["LogResult"]
    return output


async def _sqs_send(target: Target, params: dict[str, Any], account: str, region: str) -> Any:
    request = {**params, "MessageBody": _text(params.get("MessageBody"))}
    response = await _call(target, "sqs", "SendMessage", request, account, region)
    return {**response, **sdk_metadata(str(uuid.uuid4()))}


async def _sns_publish(target: Target, params: dict[str, Any], account: str, region: str) -> Any:
    request = {**params, "Message": _text(params.get("Message"))}
    response = await _call(target, "sns", "Publish", request, account, region)
    return {**response, **sdk_metadata(str(uuid.uuid4()))}


async def _dynamodb(target: Target, params: dict[str, Any], account: str, region: str) -> Any:
    operation = target.action[:1].upper() + target.action[1:]
    response = await _call(target, "dynamodb", operation, params, account, region)
    return {**response, **sdk_metadata(str(uuid.uuid4()))}


async def _events(target: Target, params: dict[str, Any], account: str, region: str) -> Any:
    entries = [
        {**entry, "Detail": _text(entry["Detail"])} if "Detail" in entry else entry
        for entry in params.get("Entries", [])
    ]
    response = await _call(target, "events", "PutEvents", {**params, "Entries": entries}, account, region)
    return {**response, **sdk_metadata(str(uuid.uuid4()))}


async def _http(target: Target, params: dict[str, Any], account: str, region: str) -> Any:
    if target.pattern:
        raise StatesError("States.Runtime", f"The HTTP Task does not support the .{target.pattern} pattern")
    return await http_task.invoke(params, account, region)


Call = Callable[[Target, dict[str, Any], str, str], Awaitable[Any]]
OPTIMIZED: dict[tuple[str, str], Call] = {
    ("lambda", "invoke"): _lambda_invoke,
    ("sqs", "sendMessage"): _sqs_send,
    ("sns", "publish"): _sns_publish,
    ("dynamodb", "getItem"): _dynamodb,
    ("dynamodb", "putItem"): _dynamodb,
    ("dynamodb", "updateItem"): _dynamodb,
    ("dynamodb", "deleteItem"): _dynamodb,
    ("events", "putEvents"): _events,
    ("http", "invoke"): _http,
}


# -- AWS SDK integration ------------------------------------------------------------------------


def _pascal(name: str) -> str:
    return name[:1].upper() + name[1:]


def to_api(shape: Shape | None, value: Any) -> Any:
    """Step Functions' PascalCase parameters → the API's member names and types."""
    if shape is None:
        return value
    if shape.type_name == "structure" and isinstance(value, dict):
        members = {_pascal(name): name for name in shape.members}
        converted: dict[str, Any] = {}
        for key, item in value.items():
            member = key if key in shape.members else members.get(key)
            if member is None:
                raise StatesError("States.Runtime", f"The field '{key}' is not a parameter of {shape.name}")
            converted[member] = to_api(shape.members[member], item)
        return converted
    if shape.type_name == "list" and isinstance(value, list):
        return [to_api(shape.member, item) for item in value]
    if shape.type_name == "map" and isinstance(value, dict):
        return {key: to_api(shape.value, item) for key, item in value.items()}
    if shape.type_name == "blob" and isinstance(value, str):
        return value.encode()
    if shape.type_name == "timestamp" and isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value


def from_api(shape: Shape | None, value: Any) -> Any:
    """An API response as Step Functions outputs it: PascalCase members, JSON-safe values."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return value.decode(errors="replace")
    if shape is None:
        return value
    if shape.type_name == "structure" and isinstance(value, dict):
        return {_pascal(key): from_api(shape.members.get(key), item) for key, item in value.items()}
    if shape.type_name == "list" and isinstance(value, list):
        return [from_api(shape.member, item) for item in value]
    if shape.type_name == "map" and isinstance(value, dict):
        return {key: from_api(shape.value, item) for key, item in value.items()}
    if shape.type_name == "timestamp" and isinstance(value, int | float):
        return datetime.fromtimestamp(value).isoformat()
    return value


async def _sdk(target: Target, params: dict[str, Any], account: str, region: str) -> Any:
    service = _SDK_NAMES.get(target.service, target.service)
    operation = _pascal(target.action)
    try:
        model = service_model(service).operation_model(operation)
    except Exception:  # botocore raises several types for unknown services/operations
        raise StatesError(
            "States.Runtime", f"The resource '{target.arn}' names an unknown service or action"
        ) from None
    request = to_api(model.input_shape, params or {})
    response = await _call(target, service, operation, request, account, region)
    return from_api(model.output_shape, response)


async def call(target: Target, params: Any, account: str, region: str) -> Any:
    """Run a service integration (request-response part); the caller handles .sync and tokens."""
    if target.sdk:
        return await _sdk(target, params, account, region)
    handler = OPTIMIZED.get((target.service, target.action))
    if handler is None:
        raise StatesError(
            "States.Runtime", f"The resource '{target.arn}' is not supported by fogbank's Step Functions"
        )
    return await handler(target, params if isinstance(params, dict) else {}, account, region)


def blob_text(value: bytes) -> str:
    return base64.b64encode(value).decode()
