"""Schedule records and their validation: expressions (`at`, `rate`, `cron`) in a time zone,
start and end dates, flexible time windows, targets (templated and universal `aws-sdk`), retry
policy and dead-letter queue (https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from botocore import xform_name

from fogbank import state
from fogbank.events import schedule_expressions, targets
from fogbank.services import registry
from fogbank.services.scheduler.errors import ResourceNotFoundException, ValidationException

DEFAULT_RETRY = {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185}
UNIVERSAL_PREFIX = "arn:aws:scheduler:::aws-sdk:"
# The service names the universal target uses where they differ from botocore's.
SDK_SERVICES = {"sfn": "stepfunctions", "eventbridge": "events", "cloudwatchlogs": "logs"}
UNSUPPORTED_TARGET_PARAMETERS = (
    "EcsParameters",
    "SageMakerPipelineParameters",
    "EventBridgePutEventsV2Parameters",
    "EventBridgePutRawEventsParameters",
)


def collection(account: str, region: str) -> state.Collection[dict[str, Any]]:
    return state.collection("scheduler", "schedules", account, region)


def key(group: str, name: str) -> str:
    return f"{group}/{name}"


def arn(account: str, region: str, group: str, name: str) -> str:
    return f"arn:aws:scheduler:{region}:{account}:schedule/{group}/{name}"


def require(account: str, region: str, group: str, name: str) -> dict[str, Any]:
    found = collection(account, region).get(key(group, name))
    if found is None:
        raise ResourceNotFoundException(f"Schedule {name} does not exist.")
    return found


def epoch(value: Any) -> float | None:
    if value is None:
        return None
    return value.timestamp() if isinstance(value, datetime) else float(value)


def validate(request: dict[str, Any]) -> None:
    """Raise ValidationException for a schedule AWS would refuse or fogbank cannot run."""
    zone = request.get("ScheduleExpressionTimezone") or "UTC"
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationException(f"Invalid time zone: {zone}.") from None
    try:
        schedule_expressions.parse(request["ScheduleExpression"], allow_at=True)
    except schedule_expressions.InvalidExpression:
        raise ValidationException(f"Invalid Schedule Expression {request['ScheduleExpression']}.") from None
    start, end = epoch(request.get("StartDate")), epoch(request.get("EndDate"))
    if start is not None and end is not None and end <= start:
        raise ValidationException("The EndDate must be after the StartDate.")
    _check_window(request["FlexibleTimeWindow"])
    _check_target(request["Target"])
    if request.get("KmsKeyArn"):
        raise ValidationException("KmsKeyArn is not supported by fogbank yet.")


def _check_window(window: dict[str, Any]) -> None:
    maximum = window.get("MaximumWindowInMinutes")
    if window["Mode"] == "FLEXIBLE" and maximum is None:
        raise ValidationException("MaximumWindowInMinutes must be provided when Mode is FLEXIBLE.")
    if window["Mode"] == "OFF" and maximum is not None:
        raise ValidationException("MaximumWindowInMinutes must not be provided when Mode is OFF.")


def _check_target(target: dict[str, Any]) -> None:
    for name in UNSUPPORTED_TARGET_PARAMETERS:
        if target.get(name):
            raise ValidationException(f"{name} is not supported by fogbank yet.")
    dead_letter = (target.get("DeadLetterConfig") or {}).get("Arn")
    if dead_letter and not dead_letter.startswith("arn:aws:sqs:"):
        raise ValidationException("DeadLetterConfig Arn must be an Amazon SQS queue ARN.")
    if dead_letter and dead_letter.endswith(".fifo"):
        # https://docs.aws.amazon.com/scheduler/latest/UserGuide/configuring-schedule-dlq.html
        raise ValidationException(
            "EventBridge Scheduler does not support a FIFO queue as a dead-letter queue."
        )
    arn_text = target["Arn"]
    if arn_text.startswith(UNIVERSAL_PREFIX):
        _check_universal(arn_text)
        return
    try:
        targets.check(arn_text)
    except targets.UnsupportedTarget as error:
        raise ValidationException(str(error)) from None
    if arn_text.startswith("arn:aws:events:") and not target.get("EventBridgeParameters"):
        raise ValidationException("EventBridgeParameters must be provided for an event bus target.")
    fifo = arn_text.startswith("arn:aws:sqs:") and arn_text.endswith(".fifo")
    if fifo and not (target.get("SqsParameters") or {}).get("MessageGroupId"):
        raise ValidationException("MessageGroupId must be provided for a FIFO queue target.")


def universal_operation(arn_text: str) -> tuple[str, str]:
    """(botocore service, operation) of `arn:aws:scheduler:::aws-sdk:<service>:<apiAction>`."""
    service, _, action = arn_text.removeprefix(UNIVERSAL_PREFIX).partition(":")
    return SDK_SERVICES.get(service, service), action[:1].upper() + action[1:]


def _check_universal(arn_text: str) -> None:
    service, operation = universal_operation(arn_text)
    if not operation or not registry.is_implemented(service):
        raise ValidationException(f"Universal target {arn_text} names a service fogbank does not serve yet.")
    if getattr(registry.provider(service), xform_name(operation), None) is None:
        raise ValidationException(
            f"Universal target {arn_text} names an operation fogbank does not implement yet."
        )


def record(account: str, region: str, group: str, request: dict[str, Any], created: float) -> dict[str, Any]:
    target = dict(request["Target"])
    target["RetryPolicy"] = {**DEFAULT_RETRY, **(target.get("RetryPolicy") or {})}
    return {
        "Arn": arn(account, region, group, request["Name"]),
        "Name": request["Name"],
        "GroupName": group,
        "ScheduleExpression": request["ScheduleExpression"],
        "ScheduleExpressionTimezone": request.get("ScheduleExpressionTimezone") or "UTC",
        "StartDate": epoch(request.get("StartDate")),
        "EndDate": epoch(request.get("EndDate")),
        "Description": request.get("Description"),
        "State": request.get("State") or "ENABLED",
        "Target": target,
        "FlexibleTimeWindow": request["FlexibleTimeWindow"],
        "ActionAfterCompletion": request.get("ActionAfterCompletion") or "NONE",
        "CreationDate": created,
        "LastModificationDate": created,
    }


def describe(schedule: dict[str, Any]) -> dict[str, Any]:
    hidden = ("Version",)
    return {name: value for name, value in schedule.items() if value is not None and name not in hidden}


def summary(schedule: dict[str, Any]) -> dict[str, Any]:
    out = {
        name: schedule[name]
        for name in ("Arn", "Name", "GroupName", "State", "CreationDate", "LastModificationDate")
    }
    out["Target"] = {"Arn": schedule["Target"]["Arn"]}
    return out
