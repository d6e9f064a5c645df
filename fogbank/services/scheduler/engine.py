"""The schedule engine: every enabled schedule has a timer on fogbank's clock for its next
occurrence; when it fires, the target is invoked through the shared delivery engine (retry policy,
dead-letter queue) and the following occurrence is armed. Chained timers make an advanced clock
fire each missed occurrence once, in order.

Flexible time windows fire at a deterministic offset inside the window (derived from the schedule
and the occurrence). `ActionAfterCompletion: DELETE` deletes a schedule after its last invocation.
Context attributes in the target input are substituted as AWS documents
(https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-context-attributes.html).
"""

from __future__ import annotations

import json
import uuid
import zlib
from typing import Any

from fogbank import clock, state
from fogbank.errors import AwsError
from fogbank.events import delivery, schedule_expressions, targets
from fogbank.events.envelope_time import iso_seconds
from fogbank.services import calls
from fogbank.services.scheduler import schedules

_timers: dict[tuple[str, str, str], clock.Timer] = {}
EARLIEST = 0.001  # a rate schedule without StartDate fires at once: look just before creation


def next_occurrence(schedule: dict[str, Any], after: float) -> float | None:
    expression = schedule_expressions.parse(schedule["ScheduleExpression"], allow_at=True)
    start, end = schedule.get("StartDate"), schedule.get("EndDate")
    anchor = start if start is not None else schedule["CreationDate"]
    lower = after if start is None else max(after, start - EARLIEST)
    due = schedule_expressions.next_after(
        expression, lower, schedule["ScheduleExpressionTimezone"], anchor=anchor
    )
    if due is None or (end is not None and due > end):
        return None
    return due


def window_offset(schedule: dict[str, Any], occurrence: float) -> float:
    window = schedule["FlexibleTimeWindow"]
    if window["Mode"] != "FLEXIBLE":
        return 0.0
    seconds = int(window["MaximumWindowInMinutes"]) * 60
    return float(zlib.crc32(f"{schedule['Arn']}|{occurrence}".encode()) % seconds)


def arm(account: str, region: str, schedule: dict[str, Any], after: float | None = None) -> None:
    ident = (account, region, schedules.key(schedule["GroupName"], schedule["Name"]))
    disarm(*ident)
    if schedule["State"] != "ENABLED":
        return
    occurrence = next_occurrence(schedule, clock.now() - EARLIEST if after is None else after)
    if occurrence is None:
        return
    version = schedule.get("Version", 0)
    due = occurrence + window_offset(schedule, occurrence)
    _timers[ident] = clock.call_at(due, lambda: _fire(ident, version, occurrence))


def disarm(account: str, region: str, key: str) -> None:
    timer = _timers.pop((account, region, key), None)
    if timer is not None:
        timer.cancel()


def _fire(ident: tuple[str, str, str], version: int, occurrence: float) -> None:
    account, region, key = ident
    _timers.pop(ident, None)
    store = schedules.collection(account, region)
    schedule = store.get(key)
    if schedule is None or schedule.get("Version", 0) != version or schedule["State"] != "ENABLED":
        return
    invoke(account, region, schedule, occurrence)
    if next_occurrence(schedule, occurrence) is not None:
        arm(account, region, schedule, after=occurrence)
    elif schedule.get("ActionAfterCompletion") == "DELETE":
        store.delete(key)


def invoke(account: str, region: str, schedule: dict[str, Any], occurrence: float) -> None:
    target = schedule["Target"]
    execution = str(uuid.uuid4())
    attempts = {"number": 0}

    def payload() -> str:
        attempts["number"] += 1
        return _context(target.get("Input") or "{}", schedule, occurrence, execution, attempts["number"])

    retry = target["RetryPolicy"]
    delivery.submit(
        delivery.Attempt(
            send=_sender(account, region, schedule, payload, execution),
            rule_arn=schedule["Arn"],
            target_arn=target["Arn"],
            body=_context(target.get("Input") or "{}", schedule, occurrence, execution, 1),
            event_time=occurrence,
            max_retries=retry["MaximumRetryAttempts"],
            max_age=retry["MaximumEventAgeInSeconds"],
            dead_letter_arn=(target.get("DeadLetterConfig") or {}).get("Arn"),
            source_attribute="SCHEDULE_ARN",
        )
    )


def _context(text: str, schedule: dict[str, Any], occurrence: float, execution: str, attempt: int) -> str:
    values = {
        "<aws.scheduler.schedule-arn>": schedule["Arn"],
        "<aws.scheduler.scheduled-time>": iso_seconds(occurrence),
        "<aws.scheduler.execution-id>": execution,
        "<aws.scheduler.attempt-number>": str(attempt),
    }
    for name, value in values.items():
        text = text.replace(name, value)
    return text


def _sender(account: str, region: str, schedule: dict[str, Any], payload: Any, execution: str) -> Any:
    target = schedule["Target"]
    arn = target["Arn"]
    if arn.startswith(schedules.UNIVERSAL_PREFIX):
        service, operation = schedules.universal_operation(arn)
        return lambda: calls.call_async(
            service, operation, json.loads(payload()), account=account, region=region
        )
    if arn.startswith("arn:aws:events:"):
        return lambda: _put_event(account, region, schedule, payload())

    async def send() -> Any:
        return await targets.sender(arn, payload(), target, {}, event_id=execution)()

    return send


async def _put_event(account: str, region: str, schedule: dict[str, Any], detail: str) -> None:
    parameters = schedule["Target"]["EventBridgeParameters"]
    entry = {
        "EventBusName": schedule["Target"]["Arn"],
        "Source": parameters["Source"],
        "DetailType": parameters["DetailType"],
        "Detail": detail,
        "Resources": [schedule["Arn"]],
    }
    result = await calls.call_async(
        "events", "PutEvents", {"Entries": [entry]}, account=account, region=region
    )
    failed = result["Entries"][0]
    if "ErrorCode" in failed:
        raise AwsError(failed.get("ErrorMessage", ""), code=failed["ErrorCode"])


def arm_all() -> None:
    for scope in state.database().scopes("scheduler", "schedules"):
        account, _, region = scope.partition("/")
        for schedule in schedules.collection(account, region).values():
            arm(account, region, schedule)


def disarm_all() -> None:
    for timer in _timers.values():
        timer.cancel()
    _timers.clear()
