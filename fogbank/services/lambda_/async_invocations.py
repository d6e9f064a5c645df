"""Asynchronous invocation (`InvocationType: Event`): Lambda's internal event queue, on fogbank's
clock (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html).

An event runs at once; when the function returns an error it is retried twice, one minute and
then two minutes later (or `MaximumRetryAttempts` times), and dropped once older than
`MaximumEventAgeInSeconds` (6 hours by default). Throttled events wait and try again without
using up a retry. Then the outcome goes to the `OnSuccess` / `OnFailure` destination of the event
invoke configuration and, for failures, to the function's dead-letter queue.

Accepted events are kept in fogbank's state until they are settled, so an event acknowledged
with 202 survives a restart: `resume` schedules the waiting ones again when Lambda starts.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass, field
from typing import Any

from fogbank import clock, state
from fogbank.errors import AwsError
from fogbank.services.lambda_ import concurrency, destinations, functions, invocations
from fogbank.services.lambda_.errors import TooManyRequestsException
from fogbank.services.lambda_.functions import LATEST
from fogbank.services.lambda_.invocations import InvokeResult, Target

log = logging.getLogger("fogbank.lambda")

RETRY_DELAYS = (60.0, 120.0)
DEFAULT_RETRIES = 2
DEFAULT_MAX_AGE = 21600
THROTTLE_DELAY = 1.0
MAX_THROTTLE_DELAY = 300.0


# Events queued before a reset belong to a world that no longer exists: they are dropped.
_generation = 0


def reset() -> None:
    global _generation
    _generation += 1


@dataclass(slots=True)
class Event:
    target: Target
    payload: bytes
    request_id: str
    received: float = field(default_factory=clock.now)
    attempts: int = 0
    attempt_started: float = 0.0
    generation: int = field(default_factory=lambda: _generation)
    throttle_delay: float = THROTTLE_DELAY


def stored() -> state.Collection[dict[str, Any]]:
    """Waiting events of every account and region, by request id."""
    return state.database().collection("lambda", "async_events", "global")


def enqueue(target: Target, payload: bytes, request_id: str) -> None:
    event = Event(target, payload, request_id)
    schedule(event, clock.now())


def schedule(event: Event, due: float) -> None:
    """Keep the event (durably) and run its next attempt when the clock reads `due`."""
    target = event.target
    stored().put(
        event.request_id,
        {
            "account": target.account,
            "region": target.region,
            "name": target.name,
            "qualifier": target.qualifier,
            "payload": base64.b64encode(event.payload).decode(),
            "received": event.received,
            "attempts": event.attempts,
            "due": due,
        },
    )
    clock.call_at(due, lambda: attempt(event))


def settled(event: Event) -> None:
    stored().delete(event.request_id)


def resume() -> None:
    """Schedule the events that were waiting when fogbank stopped (functions since deleted drop
    theirs)."""
    for request_id, record in list(stored().items()):
        try:
            target = invocations.resolve(
                record["account"], record["region"], record["name"], record["qualifier"]
            )
        except AwsError:
            stored().delete(request_id)
            continue
        event = Event(
            target, base64.b64decode(record["payload"]), request_id, record["received"], record["attempts"]
        )
        clock.call_at(record["due"], lambda event=event: attempt(event))  # type: ignore[misc]


def invoke_config(target: Target) -> dict[str, Any]:
    """The event invoke config of the invoked qualifier (an alias or version), else of $LATEST
    for unqualified invokes."""
    configs = target.record.get("event_invoke") or {}
    return configs.get(target.qualifier or LATEST) or {}


async def attempt(event: Event) -> None:
    if event.generation != _generation:
        return
    target = event.target
    record = functions.collection(target.account, target.region).get(target.name)
    if record is None:  # the function was deleted: its waiting events go with it
        settled(event)
        return
    target.record = record  # concurrency and event invoke settings as they are now
    config = invoke_config(target)
    max_age = config.get("MaximumEventAgeInSeconds", DEFAULT_MAX_AGE)
    if clock.now() - event.received > max_age:
        settled(event)
        await destinations.fail(event, config, None, "EventAgeExceeded")
        return
    try:
        shared = concurrency.acquire(target.account, target.region, target.name, target.record)
    except TooManyRequestsException:
        schedule(event, clock.now() + event.throttle_delay)
        event.throttle_delay = min(event.throttle_delay * 2, MAX_THROTTLE_DELAY)
        return
    event.attempts += 1
    event.attempt_started = clock.now()
    try:
        result = await invocations.run(target, event.payload, event.request_id)
    finally:
        concurrency.release(target.account, target.region, target.name, shared)
    await settle(event, config, result)


async def settle(event: Event, config: dict[str, Any], result: InvokeResult) -> None:
    if result.function_error is None:
        settled(event)
        await destinations.succeed(event, config, result)
        return
    retries = config.get("MaximumRetryAttempts", DEFAULT_RETRIES)
    if event.attempts <= retries:
        # Counted from the start of the failed attempt, so that the schedule does not drift with
        # the function's run time.
        delay = RETRY_DELAYS[min(event.attempts - 1, len(RETRY_DELAYS) - 1)]
        schedule(event, event.attempt_started + delay)
        return
    settled(event)
    await destinations.fail(event, config, result, "RetriesExhausted")
