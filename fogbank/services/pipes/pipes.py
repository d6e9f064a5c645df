"""Pipe records: one durable record per pipe (per account and region, by name), the checks AWS
makes on a pipe's source, enrichment, target and their parameters, the defaults AWS fills in, and
the state machine CREATING → RUNNING, RUNNING → STOPPING → STOPPED, STOPPED → STARTING → RUNNING,
… → UPDATING → …, … → DELETING.

fogbank applies a change before it answers, so the answer to a change shows the transitional state
(`CREATING`, `STARTING`, `STOPPING`, `UPDATING`, `DELETING`) and every later read the settled one.
https://docs.aws.amazon.com/eventbridge/latest/pipes-reference/API_CreatePipe.html
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from fogbank import clock, state
from fogbank.events import patterns
from fogbank.services.pipes.errors import ConflictException, NotFoundException, ValidationException

SQS, KINESIS, DYNAMODB = "sqs", "kinesis", "dynamodb"
SOURCE_PARAMETERS = {
    SQS: "SqsQueueParameters",
    KINESIS: "KinesisStreamParameters",
    DYNAMODB: "DynamoDBStreamParameters",
}
# Defaults AWS reports for a source's parameters
# (https://docs.aws.amazon.com/eventbridge/latest/pipes-reference/API_PipeSourceKinesisStreamParameters.html).
SQS_DEFAULTS: dict[str, Any] = {"BatchSize": 10}
STREAM_DEFAULTS: dict[str, Any] = {
    "BatchSize": 1,
    "MaximumRecordAgeInSeconds": -1,
    "MaximumRetryAttempts": -1,
    "ParallelizationFactor": 1,
}
UNSUPPORTED_SOURCE_PARAMETERS = (
    "ActiveMQBrokerParameters",
    "RabbitMQBrokerParameters",
    "ManagedStreamingKafkaParameters",
    "SelfManagedKafkaParameters",
)
MAX_FILTERS = 5
# Members a view never shows (kept privately).
PRIVATE = ("_kind", "_id")


def collection(account: str, region: str) -> state.Collection[dict[str, Any]]:
    return state.collection("pipes", "pipes", account, region)


def pipe_arn(account: str, region: str, name: str) -> str:
    return f"arn:aws:pipes:{region}:{account}:pipe/{name}"


def require(account: str, region: str, name: str) -> dict[str, Any]:
    found = collection(account, region).get(name)
    if found is None:
        raise NotFoundException(f"Pipe {name} does not exist.")
    return found


def source_kind(arn: str) -> str:
    """Which poller reads a source ARN (SQS queues, Kinesis data streams, DynamoDB streams)."""
    parts = arn.split(":")
    service = parts[2] if len(parts) > 5 and parts[0] == "arn" else ""
    if service == "sqs":
        return SQS
    if service == "kinesis" and parts[5].startswith("stream/") and "/consumer/" not in parts[5]:
        return KINESIS
    if service == "dynamodb" and "/stream/" in parts[5]:
        return DYNAMODB
    raise ValidationException(
        f"Source {arn} is not supported by fogbank's pipes yet: Amazon SQS queues, Kinesis data "
        "streams and DynamoDB streams are (Amazon MQ, Amazon MSK and self-managed Kafka are not).",
        "Source",
    )


NAME_PATTERN = r"[\.\-_A-Za-z0-9]+"
ROLE_PATTERN = r"arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z0-9+=,.@\-_/]+"


def check_patterns(request: dict[str, Any]) -> None:
    """The model's patterns for the pipe name and role, with AWS's validation message."""
    for member, wire, pattern in (("Name", "name", NAME_PATTERN), ("RoleArn", "roleArn", ROLE_PATTERN)):
        value = request.get(member)
        if value is not None and re.fullmatch(pattern, value) is None:
            message = (
                f"1 validation error detected: Value '{value}' at '{wire}' failed to satisfy constraint: "
                f"Member must satisfy regular expression pattern: {pattern}"
            )
            raise ValidationException(message, member)


def new_record(account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
    check_patterns(request)
    name = request["Name"]
    kind = source_kind(request["Source"])
    now = clock.now()
    record: dict[str, Any] = {
        "Name": name,
        "Arn": pipe_arn(account, region, name),
        "DesiredState": request.get("DesiredState") or "RUNNING",
        "Source": request["Source"],
        "SourceParameters": source_parameters(kind, request.get("SourceParameters") or {}),
        "Target": request["Target"],
        "RoleArn": request["RoleArn"],
        "Tags": dict(request.get("Tags") or {}),
        "CreationTime": now,
        "LastModifiedTime": now,
        "_kind": kind,
        "_id": str(uuid.uuid4()),
    }
    for key in ("Description", "Enrichment", "EnrichmentParameters", "TargetParameters", "LogConfiguration"):
        if request.get(key) is not None:
            record[key] = request[key]
    return record


def source_parameters(kind: str, given: dict[str, Any]) -> dict[str, Any]:
    """The source parameters with AWS's defaults for the source's kind."""
    for key in UNSUPPORTED_SOURCE_PARAMETERS:
        if given.get(key):
            raise ValidationException(
                f"SourceParameters.{key} is not supported by fogbank's pipes yet.", f"SourceParameters.{key}"
            )
    own = SOURCE_PARAMETERS[kind]
    for key in SOURCE_PARAMETERS.values():
        if key != own and given.get(key):
            raise ValidationException(
                f"SourceParameters.{key} cannot be used with a {kind} source.", f"SourceParameters.{key}"
            )
    defaults = SQS_DEFAULTS if kind == SQS else STREAM_DEFAULTS
    settings = {**defaults, **(given.get(own) or {})}
    stamp = settings.get("StartingPositionTimestamp")
    if stamp is not None and not isinstance(stamp, int | float):
        settings["StartingPositionTimestamp"] = stamp.timestamp()  # stored as epoch seconds
    result: dict[str, Any] = {own: settings}
    if given.get("FilterCriteria") is not None:
        result["FilterCriteria"] = given["FilterCriteria"]
    return result


def check_source(kind: str, parameters: dict[str, Any], creating: bool) -> None:
    """The rules the model cannot express, as AWS applies them."""
    own = parameters[SOURCE_PARAMETERS[kind]]
    path = f"SourceParameters.{SOURCE_PARAMETERS[kind]}"
    if kind != SQS and creating and not own.get("StartingPosition"):
        raise ValidationException(
            f"{path}.StartingPosition is required for {kind} stream sources.", f"{path}.StartingPosition"
        )
    if kind == SQS and own["BatchSize"] > 10 and not own.get("MaximumBatchingWindowInSeconds"):
        raise ValidationException(
            "MaximumBatchingWindowInSeconds must be greater than 0 if BatchSize is greater than 10.",
            f"{path}.MaximumBatchingWindowInSeconds",
        )
    position = own.get("StartingPosition")
    if (position == "AT_TIMESTAMP") != (own.get("StartingPositionTimestamp") is not None):
        raise ValidationException(
            "StartingPositionTimestamp must be given with, and only with, StartingPosition AT_TIMESTAMP.",
            f"{path}.StartingPositionTimestamp",
        )
    age = own.get("MaximumRecordAgeInSeconds", -1)
    if age != -1 and age < 60:
        raise ValidationException(
            "MaximumRecordAgeInSeconds must be -1 (infinite) or between 60 and 604800 seconds.",
            f"{path}.MaximumRecordAgeInSeconds",
        )
    dead_letter = (own.get("DeadLetterConfig") or {}).get("Arn")
    if dead_letter and dead_letter.split(":")[2:3] not in (["sqs"], ["sns"]):
        raise ValidationException(
            "DeadLetterConfig.Arn must be an Amazon SQS queue or Amazon SNS topic ARN.",
            f"{path}.DeadLetterConfig.Arn",
        )
    check_filters(parameters.get("FilterCriteria"))


def check_filters(criteria: dict[str, Any] | None) -> None:
    filters = (criteria or {}).get("Filters") or []
    if len(filters) > MAX_FILTERS:
        raise ValidationException(
            f"The number of filters in FilterCriteria exceeds the limit of {MAX_FILTERS}.",
            "SourceParameters.FilterCriteria.Filters",
        )
    for item in filters:
        try:
            patterns.compile_text(item.get("Pattern") or "")
        except patterns.InvalidPattern as problem:
            raise ValidationException(
                f"Invalid filter pattern definition: {problem}", "SourceParameters.FilterCriteria"
            ) from None


def check_unique(account: str, region: str, name: str) -> None:
    if name in collection(account, region):
        raise ConflictException(f"Pipe {name} already exists.", resourceId=name, resourceType="pipe")


def apply_update(record: dict[str, Any], request: dict[str, Any]) -> None:
    """UpdatePipe as AWS documents it: only the given members change, but a service-specific
    parameters object (`SqsQueueParameters`, `DynamoDBStreamParameters`,
    `EventBridgeEventBusParameters`, …) is replaced as one, its omitted fields back to their
    defaults (https://docs.aws.amazon.com/eventbridge/latest/pipes-reference/API_UpdatePipe.html).
    A stream's starting position cannot change."""
    for key in ("Description", "DesiredState", "Target", "RoleArn", "LogConfiguration"):
        if request.get(key) is not None:
            record[key] = request[key]
    if request.get("Enrichment") is not None:
        record["Enrichment"] = request["Enrichment"]
        if not request["Enrichment"]:  # "" removes the enrichment
            record.pop("Enrichment")
            record.pop("EnrichmentParameters", None)
    for key in ("EnrichmentParameters", "TargetParameters"):
        if request.get(key) is not None:
            record[key] = {**(record.get(key) or {}), **request[key]}
    given = request.get("SourceParameters") or {}
    if given:
        own = SOURCE_PARAMETERS[record["_kind"]]
        stored = record["SourceParameters"]
        update = {**stored, **given}
        if given.get(own) is not None:
            kept = {k: v for k, v in stored[own].items() if k.startswith("StartingPosition")}
            update[own] = {**given[own], **kept}
        record["SourceParameters"] = source_parameters(record["_kind"], update)
    record["LastModifiedTime"] = clock.now()


def is_running(record: dict[str, Any]) -> bool:
    return bool(record["DesiredState"] == "RUNNING")


def summary(record: dict[str, Any], current: str | None = None, desired: str | None = None) -> dict[str, Any]:
    """What Create/Start/Stop/Update/DeletePipe answer."""
    return {
        "Arn": record["Arn"],
        "Name": record["Name"],
        "DesiredState": desired or record["DesiredState"],
        "CurrentState": current or record["DesiredState"],
        "CreationTime": record["CreationTime"],
        "LastModifiedTime": record["LastModifiedTime"],
    }


def view(record: dict[str, Any]) -> dict[str, Any]:
    """DescribePipe: private members dropped, CurrentState the settled state."""
    result = {key: value for key, value in record.items() if key not in PRIVATE}
    result["CurrentState"] = record["DesiredState"]
    criteria = (result.get("SourceParameters") or {}).get("FilterCriteria")
    if criteria is not None and not criteria.get("Filters"):
        result["SourceParameters"] = {
            key: value for key, value in result["SourceParameters"].items() if key != "FilterCriteria"
        }
    return result


def listed(record: dict[str, Any]) -> dict[str, Any]:
    """A ListPipes entry."""
    result = {
        key: record[key]
        for key in ("Name", "Arn", "DesiredState", "CreationTime", "LastModifiedTime", "Source", "Target")
    }
    result["CurrentState"] = record["DesiredState"]
    if record.get("Enrichment"):
        result["Enrichment"] = record["Enrichment"]
    return result
