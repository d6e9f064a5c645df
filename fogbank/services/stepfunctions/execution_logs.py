"""Execution history delivered to CloudWatch Logs, as a state machine's loggingConfiguration asks:
level ALL (every event), ERROR (failures) or FATAL (executions that did not succeed), with or
without input/output (includeExecutionData), one JSON log event per history event.

Events are delivered when the execution closes, in one PutLogEvents call, to a stream named
`states/<machine>/<date>/<execution id>`; the log group must exist, as in AWS.
https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from fogbank.errors import AwsError
from fogbank.services import calls, registry
from fogbank.services.stepfunctions.errors import InvalidLoggingConfiguration
from fogbank.services.stepfunctions.history import details_key, without_data

log = logging.getLogger("fogbank.stepfunctions")
_FATAL = {"ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut"}
_ERROR_SUFFIXES = ("Failed", "TimedOut", "Aborted", "StartFailed", "ScheduleFailed", "SubmitFailed")


def check(configuration: dict[str, Any] | None) -> None:
    """CreateStateMachine/UpdateStateMachine: a level other than OFF needs one log group."""
    if not configuration or configuration.get("level", "OFF") == "OFF":
        return
    destinations = configuration.get("destinations") or []
    if len(destinations) != 1 or not (destinations[0].get("cloudWatchLogsLogGroup") or {}).get("logGroupArn"):
        raise InvalidLoggingConfiguration(
            "Invalid Logging Configuration: Must specify exactly one Log Destination."
        )


def _wanted(level: str, event_type: str) -> bool:
    if level == "ALL":
        return True
    if level == "FATAL":
        return event_type in _FATAL
    return event_type.endswith(_ERROR_SUFFIXES)


def _message(event: dict[str, Any], execution_arn: str, redrive_count: int) -> str:
    key = details_key(event["type"])
    return json.dumps(
        {
            "id": str(event["id"]),
            "type": event["type"],
            "details": event.get(key, {}) if key else {},
            "previous_event_id": str(event["previousEventId"]),
            "event_timestamp": str(int(event["timestamp"] * 1000)),
            "execution_arn": execution_arn,
            "redrive_count": str(redrive_count),
        },
        separators=(",", ":"),
    )


def deliver(record: dict[str, Any], events: list[dict[str, Any]], account: str, region: str) -> None:
    """Write the wanted events of a closed execution; a delivery failure is logged, never raised."""
    configuration = record.get("loggingConfiguration") or {}
    level = configuration.get("level", "OFF")
    if level == "OFF" or not registry.is_implemented("logs"):
        return
    group = (
        configuration["destinations"][0]["cloudWatchLogsLogGroup"]["logGroupArn"]
        .split(":log-group:", 1)[1]
        .removesuffix(":*")
    )
    include = configuration.get("includeExecutionData", False)
    chosen = [event if include else without_data(event) for event in events if _wanted(level, event["type"])]
    if not chosen:
        return
    day = datetime.fromtimestamp(record["startDate"], UTC).strftime("%Y-%m-%d-%H-%M")
    stream = f"states/{record['machineName']}/{day}/{uuid.uuid4().hex[:8]}"
    entries = [
        {
            "timestamp": int(event["timestamp"] * 1000),
            "message": _message(event, record["executionArn"], record.get("redriveCount", 0)),
        }
        for event in chosen
    ]
    try:
        calls.call(
            "logs",
            "CreateLogStream",
            {"logGroupName": group, "logStreamName": stream},
            account=account,
            region=region,
        )
        calls.call(
            "logs",
            "PutLogEvents",
            {"logGroupName": group, "logStreamName": stream, "logEvents": entries},
            account=account,
            region=region,
        )
    except AwsError:
        log.exception("could not deliver the logs of %s to %s", record["executionArn"], group)
