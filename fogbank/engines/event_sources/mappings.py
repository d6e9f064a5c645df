"""Event source mapping records: one durable record per mapping (per account and region), their
settings with AWS's defaults per source type, the checks AWS makes on them, and the state machine
Creating → Enabled, Enabled → Updating → Enabled, Enabled → Disabling → Disabled, … → Deleting.

fogbank applies a change before it answers, so the answer to a change shows the transitional
state (`Creating`, `Updating`, `Enabling`, `Disabling`, `Deleting`) as AWS does, and every later
read sees the settled one (`Enabled`, `Disabled`, or gone).
https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
"""

from __future__ import annotations

import uuid
from typing import Any

from fogbank import clock, state
from fogbank.services.lambda_.errors import (
    InvalidParameterValueException,
    ResourceConflictException,
    ResourceNotFoundException,
)

SQS, KINESIS, DYNAMODB = "sqs", "kinesis", "dynamodb"
STREAM_KEYS = (
    "StartingPosition",
    "StartingPositionTimestamp",
    "ParallelizationFactor",
    "DestinationConfig",
    "MaximumRecordAgeInSeconds",
    "BisectBatchOnFunctionError",
    "MaximumRetryAttempts",
    "TumblingWindowInSeconds",
)
UNSUPPORTED = (
    "Topics",
    "Queues",
    "SourceAccessConfigurations",
    "SelfManagedEventSource",
    "AmazonManagedKafkaEventSourceConfig",
    "SelfManagedKafkaEventSourceConfig",
    "DocumentDBEventSourceConfig",
    "ProvisionedPollerConfig",
    "KMSKeyArn",
    "MetricsConfig",
    "LoggingConfig",
)
# Settings a mapping stores that the view shows as they are (present only once given or defaulted).
SETTINGS = (
    "BatchSize",
    "MaximumBatchingWindowInSeconds",
    "FilterCriteria",
    "ScalingConfig",
    "FunctionResponseTypes",
    *STREAM_KEYS,
)
SQS_DEFAULTS: dict[str, Any] = {"BatchSize": 10, "MaximumBatchingWindowInSeconds": 0}
STREAM_DEFAULTS: dict[str, Any] = {
    "BatchSize": 100,
    "MaximumBatchingWindowInSeconds": 0,
    "ParallelizationFactor": 1,
    "DestinationConfig": {"OnFailure": {}},
    "MaximumRecordAgeInSeconds": -1,
    "BisectBatchOnFunctionError": False,
    "MaximumRetryAttempts": -1,
    "TumblingWindowInSeconds": 0,
}


def collection(account: str, region: str) -> state.Collection[dict[str, Any]]:
    return state.collection("lambda", "event_source_mappings", account, region)


def source_type(arn: str) -> str:
    """Which poller reads an event source ARN (only SQS, Kinesis and DynamoDB Streams so far)."""
    parts = arn.split(":")
    service = parts[2] if len(parts) > 5 else ""
    if service == "sqs":
        return SQS
    if service == "kinesis" and parts[5].startswith("stream/") and "/consumer/" not in parts[5]:
        return KINESIS
    if service == "dynamodb" and "/stream/" in parts[5]:
        return DYNAMODB
    raise InvalidParameterValueException(
        f"Unsupported event source {arn}: fogbank maps Amazon SQS queues, Kinesis data streams and "
        "DynamoDB streams so far (Kinesis consumers, Kafka, MQ and DocumentDB are not supported yet)."
    )


def mapping_arn(account: str, region: str, mapping_id: str) -> str:
    return f"arn:aws:lambda:{region}:{account}:event-source-mapping:{mapping_id}"


def require(account: str, region: str, mapping_id: str) -> dict[str, Any]:
    found = collection(account, region).get(mapping_id)
    if found is None:
        raise ResourceNotFoundException("The resource you requested does not exist.")
    return found


def refuse_unsupported(request: dict[str, Any]) -> None:
    for key in UNSUPPORTED:
        if request.get(key):
            raise InvalidParameterValueException(
                f"{key} is not supported by fogbank's event source mappings yet."
            )


def check_settings(kind: str, settings: dict[str, Any], queue_is_fifo: bool = False) -> None:
    """The rules the model cannot express (AWS's messages)."""
    size = settings["BatchSize"]
    window = settings.get("MaximumBatchingWindowInSeconds") or 0
    if kind == SQS:
        for key in STREAM_KEYS:
            if settings.get(key) not in (None, STREAM_DEFAULTS.get(key)):
                raise InvalidParameterValueException(f"Unsupported parameter for SQS event source: {key}")
        if queue_is_fifo and size > 10:
            raise InvalidParameterValueException("Batch size for SQS FIFO queues must be between 1 and 10.")
        if queue_is_fifo and window:
            raise InvalidParameterValueException("Batching window is not supported for FIFO queues.")
        if size > 10 and window == 0:
            raise InvalidParameterValueException(
                "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10"
            )
        return
    if kind == DYNAMODB and size > 10000:
        raise InvalidParameterValueException("BatchSize must be between 1 and 10000 for DynamoDB streams.")
    if settings.get("ScalingConfig"):
        raise InvalidParameterValueException("ScalingConfig is only supported for Amazon SQS event sources.")
    age = settings.get("MaximumRecordAgeInSeconds", -1)
    if age != -1 and age < 60:
        raise InvalidParameterValueException(
            "MaximumRecordAgeInSeconds must be -1 (infinite) or between 60 and 604800 seconds."
        )
    if settings.get("TumblingWindowInSeconds") and (settings.get("ParallelizationFactor") or 1) > 1:
        raise InvalidParameterValueException(
            "TumblingWindowInSeconds with a ParallelizationFactor above 1 is not supported by fogbank yet."
        )


def check_response_types(settings: dict[str, Any]) -> None:
    for kind in settings.get("FunctionResponseTypes") or []:
        if kind != "ReportBatchItemFailures":
            raise InvalidParameterValueException(f"Unsupported FunctionResponseType: {kind}")


def check_unique(account: str, region: str, source: str, function_arn: str) -> None:
    for record in collection(account, region).values():
        if record["EventSourceArn"] == source and record["FunctionArn"] == function_arn:
            raise ResourceConflictException(
                f'The event source arn (" {source} ") and function (" {function_arn.split(":")[6]} ") '
                f"provided mapping already exists. Please update or delete the existing mapping with UUID "
                f"{record['UUID']}"
            )


def new_record(
    account: str, region: str, source: str, function_arn: str, request: dict[str, Any]
) -> dict[str, Any]:
    kind = source_type(source)
    defaults = SQS_DEFAULTS if kind == SQS else STREAM_DEFAULTS
    mapping_id = str(uuid.uuid4())
    record: dict[str, Any] = {
        "UUID": mapping_id,
        "EventSourceArn": source,
        "FunctionArn": function_arn,
        "EventSourceMappingArn": mapping_arn(account, region, mapping_id),
        "FunctionResponseTypes": [],
        **defaults,
        "LastModified": clock.now(),
        "StateTransitionReason": "USER_INITIATED",
        "_enabled": request.get("Enabled", True),
        "_kind": kind,
        "_tags": dict(request.get("Tags") or {}),
    }
    for key in SETTINGS:
        if request.get(key) is not None:
            record[key] = request[key]
    if kind != SQS:
        record["LastProcessingResult"] = "No records processed"
        stamp = record.get("StartingPositionTimestamp")
        if stamp is not None and not isinstance(stamp, int | float):
            record["StartingPositionTimestamp"] = stamp.timestamp()
    return record


def apply_update(record: dict[str, Any], request: dict[str, Any], function_arn: str | None) -> None:
    for key in SETTINGS:
        if key in ("StartingPosition", "StartingPositionTimestamp"):
            continue
        if request.get(key) is not None:
            record[key] = request[key]
    if function_arn:
        record["FunctionArn"] = function_arn
    if request.get("Enabled") is not None:
        record["_enabled"] = bool(request["Enabled"])
    record["LastModified"] = clock.now()
    record["StateTransitionReason"] = "USER_INITIATED"


def settled_state(record: dict[str, Any]) -> str:
    return "Enabled" if record["_enabled"] else "Disabled"


def view(record: dict[str, Any], state_name: str | None = None) -> dict[str, Any]:
    """The `EventSourceMappingConfiguration` a client sees: private keys dropped, State computed."""
    result = {key: value for key, value in record.items() if not key.startswith("_")}
    result["State"] = state_name or settled_state(record)
    filters = result.get("FilterCriteria")
    if filters is not None and not filters.get("Filters"):
        result.pop("FilterCriteria")
    return result
