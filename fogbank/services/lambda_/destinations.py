"""Where asynchronous outcomes go: `OnSuccess` / `OnFailure` destinations (SQS, SNS, Lambda)
with AWS's invocation record, and the dead-letter queue (SQS or SNS) with the original event
(https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).
Deliveries use the target services' public operations.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import orjson

from fogbank import clock
from fogbank.errors import AwsError
from fogbank.services import calls
from fogbank.services.lambda_.functions import function_arn, iso_millis
from fogbank.services.lambda_.invocations import InvokeResult
from fogbank.services.queue_calls import queue_url

if TYPE_CHECKING:
    from fogbank.services.lambda_.async_invocations import Event

log = logging.getLogger("fogbank.lambda")


def record(event: Event, result: InvokeResult | None, condition: str) -> dict[str, Any]:
    """The invocation record AWS sends to a destination."""
    target = event.target
    document: dict[str, Any] = {
        "version": "1.0",
        "timestamp": iso_millis(clock.now()) + "Z",
        "requestContext": {
            "requestId": event.request_id,
            "functionArn": function_arn(
                target.account, target.region, target.name, target.qualifier or "$LATEST"
            ),
            "condition": condition,
            "approximateInvokeCount": event.attempts,
        },
        "requestPayload": _json_or_text(event.payload),
        "responseContext": {"statusCode": 200, "executedVersion": target.version},
    }
    if result is not None:
        if result.function_error:
            document["responseContext"]["functionError"] = result.function_error
        document["responsePayload"] = _json_or_text(result.payload)
    return document


def _json_or_text(payload: bytes) -> Any:
    try:
        return orjson.loads(payload)
    except orjson.JSONDecodeError:
        return payload.decode("utf-8", "replace")


async def succeed(event: Event, config: dict[str, Any], result: InvokeResult) -> None:
    destination = ((config.get("DestinationConfig") or {}).get("OnSuccess") or {}).get("Destination")
    if destination:
        await send(event, destination, record(event, result, "Success"))


async def fail(event: Event, config: dict[str, Any], result: InvokeResult | None, condition: str) -> None:
    destination = ((config.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
    if destination:
        await send(event, destination, record(event, result, condition))
    dead_letter = (event.target.config.get("DeadLetterConfig") or {}).get("TargetArn")
    if dead_letter:
        await dead_letter_send(event, dead_letter, result)


async def send(event: Event, destination: str, document: dict[str, Any]) -> None:
    body = json.dumps(document)
    parts = destination.split(":")
    service, region, account = parts[2], parts[3], parts[4]
    try:
        if service == "sqs":
            queue = _queue_url(parts)
            calls.call(
                "sqs", "SendMessage", {"QueueUrl": queue, "MessageBody": body}, account=account, region=region
            )
        elif service == "sns":
            calls.call(
                "sns", "Publish", {"TopicArn": destination, "Message": body}, account=account, region=region
            )
        elif service == "lambda":
            from fogbank.services.lambda_ import invocations

            await invocations.invoke(account, region, destination, None, body.encode(), "Event")
        elif service == "events":
            entry = {
                "Source": "lambda",
                "DetailType": _detail_type(document),
                "Detail": body,
                "EventBusName": destination,
            }
            calls.call("events", "PutEvents", {"Entries": [entry]}, account=account, region=region)
        else:
            log.warning("destination %s of %s is not a supported service", destination, event.request_id)
    except AwsError as error:
        log.warning("could not deliver the record of %s to %s: %s", event.request_id, destination, error)


def _detail_type(document: dict[str, Any]) -> str:
    if document["requestContext"]["condition"] == "Success":
        return "Lambda Function Invocation Result - Success"
    return "Lambda Function Invocation Result - Failure"


def _queue_url(parts: list[str]) -> str:
    return queue_url(parts[3], parts[4], parts[5])


async def dead_letter_send(event: Event, target: str, result: InvokeResult | None) -> None:
    """The original event, with the request id and error as message attributes."""
    message = event.payload.decode("utf-8", "replace")
    error = (result.payload if result is not None else b"").decode("utf-8", "replace")
    attributes = {
        "RequestID": {"DataType": "String", "StringValue": event.request_id},
        "ErrorCode": {"DataType": "Number", "StringValue": "200"},
        "ErrorMessage": {"DataType": "String", "StringValue": _error_message(error)},
    }
    parts = target.split(":")
    try:
        if parts[2] == "sqs":
            params = {"QueueUrl": _queue_url(parts), "MessageBody": message, "MessageAttributes": attributes}
            calls.call("sqs", "SendMessage", params, account=parts[4], region=parts[3])
        else:
            params = {"TopicArn": target, "Message": message, "MessageAttributes": attributes}
            calls.call("sns", "Publish", params, account=parts[4], region=parts[3])
    except AwsError as problem:
        log.warning("could not deliver %s to the dead-letter queue %s: %s", event.request_id, target, problem)


def _error_message(error: str) -> str:
    try:
        return str(json.loads(error).get("errorMessage") or error) or "Unknown"
    except (ValueError, AttributeError):
        return error or "Unknown"
