"""A pipe's enrichment and target: which kinds fogbank serves (checked when a pipe is created or
updated) and how a batch reaches them, through each service's public operation or Lambda's
invoke API.

As AWS documents (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-event-target.html):
Lambda functions and Step Functions state machines receive the batch as one JSON array; queues,
topics, buses, streams and log groups receive one message, event, record or log event per item.
Dynamic parameters (`$.path` values of MessageGroupId, PartitionKey, DetailType, …) are read from
the event before the input template is applied. API destinations (enrichment and target) are called
through `fogbank.events.api_calls`, shared with EventBridge rules: an enrichment receives the batch
as one JSON array, a target one request per item, with the `HttpParameters` of the pipe.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from fogbank import clock
from fogbank.errors import AwsError
from fogbank.events import api_calls
from fogbank.services import calls
from fogbank.services.pipes import templates
from fogbank.services.pipes.errors import ValidationException

TARGET_KINDS = ("lambda", "states", "sqs", "sns", "events", "kinesis", "logs")
UNSUPPORTED_TARGET_PARAMETERS = (
    "EcsTaskParameters",
    "BatchJobParameters",
    "RedshiftDataParameters",
    "SageMakerPipelineParameters",
    "TimestreamParameters",
)
OWN_PARAMETERS = {
    "lambda": "LambdaFunctionParameters",
    "states": "StepFunctionStateMachineParameters",
    "kinesis": "KinesisStreamParameters",
    "sqs": "SqsQueueParameters",
    "events": "EventBridgeEventBusParameters",
    "logs": "CloudWatchLogsParameters",
}


class Failure(Exception):
    """The enrichment or target failed for a reason the customer owns (a function error, a failed
    execution, a missing resource): counts as a failed attempt of the batch."""

    def __init__(
        self, error: str, request_id: str = "", executed_version: str | None = None, message: str = ""
    ) -> None:
        super().__init__(error)
        self.error = error
        self.request_id = request_id
        self.executed_version = executed_version
        self.message = message or error


@dataclass(slots=True)
class Sent:
    """What the target answered: a partial batch response, when a function or state machine
    reported `batchItemFailures`."""

    payload: bytes = b""
    request_id: str = ""
    executed_version: str | None = None


def arn_parts(arn: str) -> tuple[str, str, str, str]:
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        raise ValidationException(f"{arn} is not a valid ARN.")
    return parts[2], parts[3], parts[4], parts[5]


def is_api_destination(arn: str | None) -> bool:
    return (
        bool(arn)
        and arn_parts(str(arn))[3].startswith("api-destination/")
        and arn_parts(str(arn))[0] == "events"
    )


def _check_api_destination(arn: str, field: str) -> None:
    """The destination must exist (asked through EventBridge's public DescribeApiDestination)."""
    _, region, account, resource = arn_parts(arn)
    name = resource.split("/")[1]
    try:
        found = calls.call("events", "DescribeApiDestination", {"Name": name}, account=account, region=region)
    except AwsError:
        found = {}
    if found.get("ApiDestinationArn") != arn:
        raise ValidationException(f"API destination {arn} does not exist.", field)


def check_enrichment(arn: str | None, parameters: dict[str, Any], account: str, region: str) -> None:
    if parameters.get("HttpParameters") and not is_api_destination(arn):
        raise ValidationException(
            "EnrichmentParameters.HttpParameters apply to API destinations and API Gateway; fogbank's "
            "pipes support them for API destinations only.",
            "EnrichmentParameters.HttpParameters",
        )
    if not arn:
        return
    kind = arn_parts(arn)[0]
    if is_api_destination(arn):
        _check_api_destination(arn, "Enrichment")
        return
    if kind == "lambda":
        calls.call("lambda", "GetFunction", {"FunctionName": arn}, account=account, region=region)
        return
    if kind == "states":
        machine = calls.call(
            "stepfunctions", "DescribeStateMachine", {"stateMachineArn": arn}, account=account, region=region
        )
        if machine.get("type") != "EXPRESS":
            raise ValidationException(
                "Enrichment with a STANDARD state machine is not supported: only EXPRESS workflows "
                "can be invoked synchronously.",
                "Enrichment",
            )
        return
    raise ValidationException(
        f"Enrichment {arn} is not supported by fogbank's pipes yet: Lambda functions, Step "
        "Functions EXPRESS state machines and API destinations are (API Gateway is not).",
        "Enrichment",
    )


def check_target(arn: str, parameters: dict[str, Any], account: str, region: str) -> None:
    kind, _, _, resource = arn_parts(arn)
    if is_api_destination(arn):
        _check_api_destination(arn, "Target")
    elif kind not in TARGET_KINDS or (kind == "events" and not resource.startswith("event-bus/")):
        raise ValidationException(
            f"Target {arn} is not supported by fogbank's pipes yet: Lambda, Step Functions, SQS, SNS, "
            "EventBridge event buses, Kinesis, CloudWatch Logs and API destination targets are (API "
            "Gateway is not).",
            "Target",
        )
    if parameters.get("HttpParameters") and not is_api_destination(arn):
        raise ValidationException(
            "TargetParameters.HttpParameters apply to API destinations and API Gateway; fogbank's pipes "
            "support them for API destinations only.",
            "TargetParameters.HttpParameters",
        )
    for key in UNSUPPORTED_TARGET_PARAMETERS:
        if parameters.get(key):
            raise ValidationException(
                f"TargetParameters.{key} is not supported by fogbank's pipes yet.", f"TargetParameters.{key}"
            )
    for other, key in OWN_PARAMETERS.items():
        if other != kind and parameters.get(key):
            raise ValidationException(
                f"TargetParameters.{key} cannot be used with a {kind} target.", f"TargetParameters.{key}"
            )
    if (parameters.get("EventBridgeEventBusParameters") or {}).get("EndpointId"):
        raise ValidationException(
            "Global endpoints (EventBridgeEventBusParameters.EndpointId) are not supported by fogbank yet.",
            "TargetParameters.EventBridgeEventBusParameters.EndpointId",
        )
    if kind == "kinesis" and not (parameters.get("KinesisStreamParameters") or {}).get("PartitionKey"):
        raise ValidationException(
            "TargetParameters.KinesisStreamParameters.PartitionKey is required for a Kinesis stream target.",
            "TargetParameters.KinesisStreamParameters.PartitionKey",
        )
    machine = parameters.get("StepFunctionStateMachineParameters") or {}
    # REQUEST_RESPONSE is the default, and STANDARD workflows cannot be invoked synchronously.
    if kind == "states" and machine.get("InvocationType", "REQUEST_RESPONSE") == "REQUEST_RESPONSE":
        found = calls.call(
            "stepfunctions", "DescribeStateMachine", {"stateMachineArn": arn}, account=account, region=region
        )
        if found.get("type") != "EXPRESS":
            raise ValidationException(
                "StepFunctionStateMachineParameters.InvocationType REQUEST_RESPONSE (the default) is not "
                "supported for STANDARD state machine workflows: use FIRE_AND_FORGET.",
                "TargetParameters.StepFunctionStateMachineParameters.InvocationType",
            )


def _aws_failure(error: AwsError) -> Failure | AwsError:
    """Throttling and service faults are retried without counting; the rest are the customer's."""
    if error.status >= 500 or "Throttl" in error.code or error.code == "TooManyRequestsException":
        return error
    return Failure(f"{error.code}: {error.message}")


async def invoke_function(arn: str, payload: Any, asynchronous: bool = False) -> Sent:
    from fogbank.services.lambda_ import invocations

    _, region, account, _ = arn_parts(arn)
    kind = "Event" if asynchronous else "RequestResponse"
    result = await invocations.invoke(account, region, arn, None, orjson.dumps(payload), kind)
    if result.function_error:
        raise Failure(
            result.function_error, result.request_id, result.executed_version, _error_message(result.payload)
        )
    return Sent(result.payload, result.request_id, result.executed_version)


def _error_message(payload: bytes) -> str:
    """The `errorMessage` of a function error's payload, when it has one."""
    try:
        document = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return ""
    return str(document.get("errorMessage") or "") if isinstance(document, dict) else ""


async def run_state_machine(arn: str, payload: Any, synchronous: bool) -> Sent:
    _, region, account, _ = arn_parts(arn)
    params = {"stateMachineArn": arn, "input": orjson.dumps(payload).decode()}
    if not synchronous:
        await calls.call_async("stepfunctions", "StartExecution", params, account=account, region=region)
        return Sent()
    answer = await calls.call_async(
        "stepfunctions", "StartSyncExecution", params, account=account, region=region
    )
    if answer.get("status") != "SUCCEEDED":
        raise Failure(str(answer.get("error") or answer.get("status") or "ExecutionFailed"))
    return Sent(str(answer.get("output") or "null").encode())


async def enrich(arn: str, batch: list[Any], http: dict[str, Any] | None = None) -> list[Any]:
    """The events the enrichment answers: an array is the new batch, null or [] drops the batch,
    anything else is one event (https://docs.aws.amazon.com/eventbridge/latest/userguide/pipes-enrichment.html)."""
    try:
        if is_api_destination(arn):
            answer = await api_calls.deliver(arn, orjson.dumps(batch).decode(), http or {})
        elif arn_parts(arn)[0] == "lambda":
            answer = (await invoke_function(arn, batch)).payload
        else:
            answer = (await run_state_machine(arn, batch, True)).payload
    except AwsError as error:
        raise _aws_failure(error) from None
    try:
        document = orjson.loads(answer) if answer.strip() else None
    except orjson.JSONDecodeError:
        document = answer.decode("utf-8", "replace")
    if document is None:
        return []
    return document if isinstance(document, list) else [document]


def dynamic(value: Any, event: Any) -> Any:
    """A `$.path` parameter read from the event (before the input template); others as given."""
    if isinstance(value, str) and value.startswith("$."):
        found = templates.resolve(value, templates.expanded(event))
        return None if found is templates.MISSING else found
    return value


async def send(
    arn: str, parameters: dict[str, Any], events: list[Any], rendered: list[Any], pipe: dict[str, Any]
) -> Sent:
    """Deliver a batch to the target; raises Failure (counted) or AwsError (retried)."""
    kind, region, account, resource = arn_parts(arn)
    try:
        if kind == "lambda":
            invocation = (parameters.get("LambdaFunctionParameters") or {}).get("InvocationType")
            return await invoke_function(arn, rendered, invocation == "FIRE_AND_FORGET")
        if kind == "states":
            invocation = (parameters.get("StepFunctionStateMachineParameters") or {}).get("InvocationType")
            return await run_state_machine(arn, rendered, invocation != "FIRE_AND_FORGET")
        if is_api_destination(arn):
            for value in rendered:
                text = templates.as_text(value)
                await api_calls.deliver(arn, text, parameters.get("HttpParameters") or {})
            return Sent()
        for event, value in zip(events, rendered, strict=True):
            operation, params = _request(kind, arn, resource, parameters, event, value, pipe)
            if kind == "sqs":
                params["QueueUrl"] = _queue_url(resource, account, region)
            if kind == "logs":
                await _ensure_log_stream(params["logGroupName"], params["logStreamName"], account, region)
            answer = await calls.call_async(kind, operation, params, account=account, region=region)
            _check_entries(answer)
    except AwsError as error:
        raise _aws_failure(error) from None
    return Sent()


def _check_entries(answer: dict[str, Any]) -> None:
    """PutEvents answers per-entry failures instead of an error."""
    if answer.get("FailedEntryCount"):
        entry = next(item for item in answer["Entries"] if item.get("ErrorCode"))
        raise Failure(
            str(entry["ErrorCode"]), message=f"{entry['ErrorCode']}: {entry.get('ErrorMessage', '')}"
        )


def _queue_url(name: str, account: str, region: str) -> str:
    params = {"QueueName": name, "QueueOwnerAWSAccountId": account}
    return str(calls.call("sqs", "GetQueueUrl", params, account=account, region=region)["QueueUrl"])


def _request(
    kind: str,
    arn: str,
    resource: str,
    parameters: dict[str, Any],
    event: Any,
    value: Any,
    pipe: dict[str, Any],
) -> tuple[str, dict[str, Any]]:
    text = templates.as_text(value)
    if kind == "sqs":
        own = parameters.get("SqsQueueParameters") or {}
        params: dict[str, Any] = {"MessageBody": text}
        for key in ("MessageGroupId", "MessageDeduplicationId"):
            if own.get(key) is not None:
                params[key] = str(dynamic(own[key], event))
        return "SendMessage", params
    if kind == "sns":
        return "Publish", {"TopicArn": arn, "Message": text}
    if kind == "kinesis":
        key = dynamic((parameters.get("KinesisStreamParameters") or {}).get("PartitionKey"), event)
        return "PutRecord", {"StreamARN": arn, "Data": text.encode(), "PartitionKey": str(key)}
    if kind == "events":
        return "PutEvents", {"Entries": [_bus_entry(arn, parameters, event, value, pipe)]}
    own = parameters.get("CloudWatchLogsParameters") or {}
    stamp = dynamic(own.get("Timestamp"), event)
    group = resource.split(":", 1)[1].removesuffix(":*")
    stream = str(dynamic(own.get("LogStreamName"), event) or pipe["Name"])
    moment = (
        int(stamp)
        if isinstance(stamp, int | float) or str(stamp or "").isdigit()
        else int(clock.now() * 1000)
    )
    return "PutLogEvents", {
        "logGroupName": group,
        "logStreamName": stream,
        "logEvents": [{"timestamp": moment, "message": text}],
    }


def _bus_entry(
    arn: str, parameters: dict[str, Any], event: Any, value: Any, pipe: dict[str, Any]
) -> dict[str, Any]:
    """One PutEvents entry; AWS's defaults: source `Pipe <name>`, detail type `Event from <source>`."""
    own = parameters.get("EventBridgeEventBusParameters") or {}
    source_service = pipe["Source"].split(":")[2]
    entry: dict[str, Any] = {
        "EventBusName": arn,
        "Source": str(dynamic(own.get("Source"), event) or f"Pipe {pipe['Name']}"),
        "DetailType": str(dynamic(own.get("DetailType"), event) or f"Event from aws:{source_service}"),
        "Detail": templates.as_text(value),
    }
    if not isinstance(value, dict):
        raise Failure("An event bus target needs a JSON object event (the entry's Detail).")
    resources = [str(dynamic(item, event)) for item in own.get("Resources") or []]
    if resources:
        entry["Resources"] = resources
    when = dynamic(own.get("Time"), event)
    if when:
        try:
            entry["Time"] = datetime.fromisoformat(str(when).replace("Z", "+00:00"))
        except ValueError:
            raise Failure(
                f"EventBridgeEventBusParameters.Time {when!r} is not an RFC 3339 time stamp."
            ) from None
    return entry


async def _ensure_log_stream(group: str, stream: str, account: str, region: str) -> None:
    try:
        params = {"logGroupName": group, "logStreamName": stream}
        await calls.call_async("logs", "CreateLogStream", params, account=account, region=region)
    except AwsError as error:
        if error.code != "ResourceAlreadyExistsException":
            raise
