"""The Lambda API's event source mapping operations, as a mixin of the Lambda provider:
CreateEventSourceMapping, GetEventSourceMapping, ListEventSourceMappings,
UpdateEventSourceMapping and DeleteEventSourceMapping. Records, checks and pollers live in
`fogbank.engines.event_sources`.

Not supported yet: Kafka, MQ and DocumentDB sources, Kinesis enhanced fan-out consumers as
sources, tumbling windows together with ParallelizationFactor above 1, metrics and
logging configs, KMS keys for filter criteria (each refused with a clear error).
"""

from __future__ import annotations

from typing import Any

from fogbank import state
from fogbank.context import RequestContext
from fogbank.engines.event_sources import engine, filters, mappings, stream_poller, subscriptions
from fogbank.errors import AwsError
from fogbank.services import calls
from fogbank.services.lambda_ import functions, invocations
from fogbank.services.lambda_.errors import InvalidParameterValueException
from fogbank.services.queue_calls import queue_url

Request = dict[str, Any]
Response = dict[str, Any]
MAX_ITEMS = 10000


def _function_arn(ctx: RequestContext, name_or_arn: str) -> str:
    """The (maybe qualified) ARN of an existing function version or alias."""
    name, qualifier = functions.split_name(ctx.account, ctx.region, name_or_arn, None)
    record = functions.require(ctx.account, ctx.region, name, qualifier)
    if qualifier:
        functions.version_config(ctx.account, ctx.region, record, name, qualifier)
    return functions.function_arn(ctx.account, ctx.region, name, qualifier)


def _source_facts(ctx: RequestContext, kind: str, arn: str) -> bool:
    """Check that the source exists; answers whether it is a FIFO queue."""
    parts = arn.split(":")
    if kind == mappings.SQS:
        try:
            url = queue_url(parts[3], parts[4], parts[5])
        except AwsError:
            raise InvalidParameterValueException(
                "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. "
                "SQS Error Message: The specified queue does not exist for this wsdl version."
            ) from None
        return str(url).endswith(".fifo")
    try:
        if kind == mappings.DYNAMODB:
            calls.call(
                "dynamodbstreams",
                "DescribeStream",
                {"StreamArn": arn},
                account=ctx.account,
                region=ctx.region,
            )
        else:
            params = {"StreamARN": arn}
            calls.call("kinesis", "DescribeStreamSummary", params, account=ctx.account, region=ctx.region)
    except AwsError:
        raise InvalidParameterValueException(f"Stream not found: {arn}") from None
    return False


def _check_visibility(ctx: RequestContext, queue_arn: str, function_arn: str) -> None:
    """AWS refuses a queue whose visibility timeout is shorter than the function's timeout."""
    parts = queue_arn.split(":")
    url = queue_url(parts[3], parts[4], parts[5])
    found = calls.call(
        "sqs",
        "GetQueueAttributes",
        {"QueueUrl": url, "AttributeNames": ["VisibilityTimeout"]},
        account=parts[4],
        region=parts[3],
    )
    visibility = int(found["Attributes"]["VisibilityTimeout"])
    timeout = int(invocations.resolve(ctx.account, ctx.region, function_arn, None).config.get("Timeout") or 3)
    if visibility < timeout:
        raise InvalidParameterValueException(
            f"Queue visibility timeout: {visibility} seconds is less than Function timeout: {timeout} seconds"
        )


def _check_stream_start(kind: str, request: Request) -> None:
    if kind == mappings.SQS:
        if request.get("StartingPosition"):
            raise InvalidParameterValueException("StartingPosition is not valid for SQS event sources.")
        return
    position = request.get("StartingPosition")
    if not position:
        raise InvalidParameterValueException(
            "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: "
            "Member must not be null."
        )
    if kind == mappings.DYNAMODB and position == "AT_TIMESTAMP":
        raise InvalidParameterValueException(
            "Unsupported starting position for DynamoDB streams: AT_TIMESTAMP"
        )
    if (position == "AT_TIMESTAMP") != (request.get("StartingPositionTimestamp") is not None):
        raise InvalidParameterValueException(
            "StartingPositionTimestamp must be given with, and only with, StartingPosition AT_TIMESTAMP."
        )


def _check(record: dict[str, Any], fifo: bool) -> None:
    mappings.check_settings(record["_kind"], record, fifo)
    mappings.check_response_types(record)
    filters.check(record.get("FilterCriteria"))
    destination = ((record.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
    if destination and destination.split(":")[2:3] not in (["sqs"], ["sns"], ["s3"]):
        raise InvalidParameterValueException(
            "The provided destination config DestinationConfig(onSuccess=null, onFailure=OnFailure("
            f"destination={destination})) is invalid: only SQS, SNS and S3 destinations are supported."
        )


class EventSourceMappingOperations:
    """Mixed into the Lambda provider."""

    def create_event_source_mapping(self, ctx: RequestContext, request: Request) -> Response:
        mappings.refuse_unsupported(request)
        source = request.get("EventSourceArn")
        if not source:
            raise InvalidParameterValueException("EventSourceArn is required for this event source type.")
        kind = mappings.source_type(source)
        function_arn = _function_arn(ctx, request["FunctionName"])
        _check_stream_start(kind, request)
        fifo = _source_facts(ctx, kind, source)
        if kind == mappings.SQS:
            _check_visibility(ctx, source, function_arn)
        record = mappings.new_record(ctx.account, ctx.region, source, function_arn, request)
        _check(record, fifo)
        mappings.check_unique(ctx.account, ctx.region, source, function_arn)
        with state.atomic():
            mappings.collection(ctx.account, ctx.region).put(record["UUID"], record)
            if kind != mappings.SQS:
                subscription = subscriptions.for_mapping(ctx.account, ctx.region, record["UUID"])
                stream_poller.initial_positions(subscription, record)
        engine.refresh(ctx.account, ctx.region, record["UUID"])
        return mappings.view(record, "Creating")

    def get_event_source_mapping(self, ctx: RequestContext, request: Request) -> Response:
        return mappings.view(mappings.require(ctx.account, ctx.region, request["UUID"]))

    def list_event_source_mappings(self, ctx: RequestContext, request: Request) -> Response:
        found = sorted(
            mappings.collection(ctx.account, ctx.region).values(), key=lambda item: item["LastModified"]
        )
        if request.get("EventSourceArn"):
            found = [item for item in found if item["EventSourceArn"] == request["EventSourceArn"]]
        if request.get("FunctionName"):
            wanted = _function_arn(ctx, request["FunctionName"])
            found = [item for item in found if _same_function(item["FunctionArn"], wanted)]
        start = int(request.get("Marker") or 0)
        size = min(request.get("MaxItems") or 100, MAX_ITEMS)
        result: Response = {
            "EventSourceMappings": [mappings.view(item) for item in found[start : start + size]]
        }
        if start + size < len(found):
            result["NextMarker"] = str(start + size)
        return result

    def update_event_source_mapping(self, ctx: RequestContext, request: Request) -> Response:
        mappings.refuse_unsupported(request)
        record = mappings.require(ctx.account, ctx.region, request["UUID"])
        was_enabled = record["_enabled"]
        function_arn = _function_arn(ctx, request["FunctionName"]) if request.get("FunctionName") else None
        updated = dict(record)
        mappings.apply_update(updated, request, function_arn)
        fifo = updated["_kind"] == mappings.SQS and updated["EventSourceArn"].endswith(".fifo")
        _check(updated, fifo)
        mappings.collection(ctx.account, ctx.region).put(updated["UUID"], updated)
        engine.refresh(ctx.account, ctx.region, updated["UUID"])
        transition = "Updating"
        if updated["_enabled"] != was_enabled:
            transition = "Enabling" if updated["_enabled"] else "Disabling"
        return mappings.view(updated, transition)

    def delete_event_source_mapping(self, ctx: RequestContext, request: Request) -> Response:
        record = mappings.require(ctx.account, ctx.region, request["UUID"])
        with state.atomic():
            mappings.collection(ctx.account, ctx.region).delete(record["UUID"])
            store = subscriptions.checkpoints(ctx.account, ctx.region)
            stream_poller.forget_positions(store, record["UUID"])
        engine.refresh(ctx.account, ctx.region, record["UUID"])
        return mappings.view(record, "Deleting")


def _same_function(stored: str, wanted: str) -> bool:
    """A name without qualifier lists the mappings of every version and alias of the function."""
    if stored == wanted:
        return True
    return len(wanted.split(":")) == 7 and stored.split(":")[:7] == wanted.split(":")
