"""Delivery of one event to one target with AWS's retry policy and dead-letter queue, shared by
EventBridge rules, archives' replays and EventBridge Scheduler.

https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html: retriable failures
(throttling, service errors) are retried with exponential back-off, here on fogbank's clock, until
`MaximumRetryAttempts` or `MaximumEventAgeInSeconds` runs out; failures that need the user to act
(a target that no longer exists, missing permissions, invalid parameters) go straight to the
dead-letter queue. Each dead-lettered message carries the attributes AWS adds: RULE_ARN,
TARGET_ARN, ERROR_CODE, ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION (when retries ran out) and
RETRY_ATTEMPTS. Without a dead-letter queue the event is dropped (and logged).

Attempts start right after the current request is answered (`loop.call_soon`), never by polling.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fogbank import clock
from fogbank.errors import AwsError
from fogbank.services.queue_calls import send_to_queue

log = logging.getLogger("fogbank.events")
DEFAULT_MAX_RETRIES = 185
DEFAULT_MAX_AGE = 86400
MAX_BACKOFF = 300.0
_NOT_FOUND = {
    "QueueDoesNotExist",
    "AWS.SimpleQueueService.NonExistentQueue",
    "NotFound",
    "NotFoundException",
    "ResourceNotFoundException",
    "ResourceNotFound",
    "StateMachineDoesNotExist",
}
_NO_PERMISSIONS = {"AccessDenied", "AccessDeniedException", "AuthorizationError", "KMSAccessDenied"}
_THROTTLING = {
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "RequestThrottled",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
}
_home: asyncio.AbstractEventLoop | None = None
_tasks: set[asyncio.Future[Any]] = set()
_timers: dict[int, clock.Timer] = {}


@dataclass(slots=True)
class Attempt:
    """One event on its way to one target, and where it stands in its retry policy."""

    send: Callable[[], Any]  # one try; raises AwsError (or returns an awaitable that does)
    rule_arn: str
    target_arn: str
    body: str  # the event, as the dead-letter queue receives it
    event_time: float
    max_retries: int = DEFAULT_MAX_RETRIES
    max_age: float = DEFAULT_MAX_AGE
    dead_letter_arn: str | None = None
    dead_letter_extra: dict[str, str] = field(default_factory=dict)
    source_attribute: str = "RULE_ARN"  # EventBridge Scheduler names it SCHEDULE_ARN
    retries: int = 0
    # The instant the current try was due: back-off counts from it, so that a clock advanced past
    # several retries runs each of them, as if the time had passed.
    due: float | None = None


def bind_loop() -> None:
    """Remember fogbank's event loop, so that work submitted from worker threads runs on it."""
    global _home
    with contextlib.suppress(RuntimeError):
        _home = asyncio.get_running_loop()


def submit(attempt: Attempt) -> None:
    """Start delivering once the current request has been answered."""
    soon(_try, attempt)


def soon(callback: Callable[..., Any], *args: Any) -> None:
    """Run `callback` on fogbank's event loop right after the current work, from any thread."""
    try:
        asyncio.get_running_loop().call_soon(callback, *args)
        return
    except RuntimeError:
        pass
    if _home is not None and _home.is_running():
        _home.call_soon_threadsafe(callback, *args)
    else:  # no event loop: a script or unit test driving the engine directly
        callback(*args)


def _try(attempt: Attempt) -> None:
    try:
        result = attempt.send()
    except AwsError as error:
        _failed(attempt, error)
        return
    except Exception as error:  # our own bug: treat as a retriable internal failure, and log it
        log.exception("delivery to %s failed", attempt.target_arn)
        _failed(attempt, AwsError(str(error), code="InternalFailure", status=500))
        return
    if inspect.isawaitable(result):
        task = asyncio.ensure_future(_finish(attempt, result))
        _tasks.add(task)
        task.add_done_callback(_tasks.discard)


async def _finish(attempt: Attempt, awaitable: Any) -> None:
    try:
        await awaitable
    except AwsError as error:
        _failed(attempt, error)
    except Exception as error:
        log.exception("delivery to %s failed", attempt.target_arn)
        _failed(attempt, AwsError(str(error), code="InternalFailure", status=500))


def error_code(error: AwsError) -> str:
    """The DLQ ERROR_CODE AWS uses for a target's failure."""
    if error.code.isupper():  # already one of EventBridge's own codes (e.g. THIRD_ACCOUNT_HOP_DETECTED)
        return error.code
    if error.code in _NOT_FOUND:
        return "NO_RESOURCE"
    if error.code in _NO_PERMISSIONS:
        return "NO_PERMISSIONS"
    if error.code in _THROTTLING:
        return "THROTTLING"
    if error.status >= 500:
        return "THIRD_PARTY_FAILURE" if error.code != "InternalFailure" else "UNKNOWN"
    return "INVALID_PARAMETER" if error.code.startswith("Invalid") else "SDK_CLIENT_ERROR"


def is_retriable(error: AwsError) -> bool:
    return error.code in _THROTTLING or error.status >= 500


def backoff(retry: int) -> float:
    """Seconds before retry number `retry` (1-based): exponential, capped; deterministic (AWS adds
    jitter, which tests could not count on)."""
    return min(float(2 ** (retry - 1)), MAX_BACKOFF)


def _failed(attempt: Attempt, error: AwsError) -> None:
    code = error_code(error)
    if not is_retriable(error):
        _dead_letter(attempt, code, error.message, None)
        return
    if attempt.retries >= attempt.max_retries:
        _dead_letter(attempt, code, error.message, "MaximumRetryAttempts")
        return
    due = (attempt.due if attempt.due is not None else clock.now()) + backoff(attempt.retries + 1)
    if due - attempt.event_time > attempt.max_age:
        _dead_letter(attempt, code, error.message, "MaximumEventAgeInSeconds")
        return
    attempt.retries += 1
    attempt.due = due
    key = id(attempt)
    _timers[key] = clock.call_at(due, lambda: _retry(key, attempt))


def _retry(key: int, attempt: Attempt) -> None:
    _timers.pop(key, None)
    _try(attempt)


def _dead_letter(attempt: Attempt, code: str, message: str, exhausted: str | None) -> None:
    if not attempt.dead_letter_arn:
        log.info(
            "event to %s dropped after %d retries: %s %s", attempt.target_arn, attempt.retries, code, message
        )
        return
    attributes = {
        attempt.source_attribute: attempt.rule_arn,
        "TARGET_ARN": attempt.target_arn,
        "ERROR_CODE": code,
        "ERROR_MESSAGE": message or code,
        "RETRY_ATTEMPTS": str(attempt.retries),
        **attempt.dead_letter_extra,
    }
    if exhausted:
        attributes["EXHAUSTED_RETRY_CONDITION"] = exhausted
    params = {
        "MessageBody": attempt.body,
        "MessageAttributes": {k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()},
    }
    try:
        send_to_queue(attempt.dead_letter_arn, params)
    except AwsError as failure:
        log.warning("dead-letter queue %s refused an event: %s", attempt.dead_letter_arn, failure.message)


def stop() -> None:
    """Forget pending retries (shutdown and reset)."""
    for timer in _timers.values():
        timer.cancel()
    _timers.clear()
    for task in list(_tasks):
        task.cancel()
    _tasks.clear()
