"""Task tokens and activities: tasks that wait for someone else to report their result.

A `.waitForTaskToken` task or an activity task registers a `Callback` under its token;
SendTaskSuccess / SendTaskFailure resolve it and SendTaskHeartbeat pushes its heartbeat deadline.
Activity tasks queue per activity ARN until a worker's GetActivityTask (a long poll of up to 60
seconds on fogbank's clock) takes them.
https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token
https://docs.aws.amazon.com/step-functions/latest/dg/concepts-activities.html
"""

from __future__ import annotations

import asyncio
import base64
import collections
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fogbank import clock
from fogbank.services.stepfunctions.errors import InvalidToken, StatesError, TaskTimedOut

POLL_SECONDS = 60.0


@dataclass(slots=True)
class Callback:
    """A task waiting for its token: `future` gets the output (or a StatesError)."""

    token: str
    execution_arn: str
    future: asyncio.Future[Any]
    on_heartbeat: Callable[[], None] = lambda: None
    on_started: Callable[[str], None] = lambda worker: None
    input: str = ""


_callbacks: dict[str, Callback] = {}


@dataclass(slots=True)
class ActivityQueue:
    tasks: collections.deque[Callback] = field(default_factory=collections.deque)
    pollers: collections.deque[asyncio.Future[Callback | None]] = field(default_factory=collections.deque)


_activities: dict[str, ActivityQueue] = {}


def resolve(future: asyncio.Future[Any], value: Any) -> None:
    """Complete a future unless it already is (timers and callers may race)."""
    if not future.done():
        future.set_result(value)


def new_token(execution_arn: str) -> str:
    raw = f"{execution_arn}#{uuid.uuid4()}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def register(execution_arn: str, token: str, input_text: str = "") -> Callback:
    future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    callback = Callback(token, execution_arn, future, input=input_text)
    _callbacks[token] = callback
    return callback


def forget(token: str) -> None:
    _callbacks.pop(token, None)
    for queue in _activities.values():
        for callback in list(queue.tasks):
            if callback.token == token:
                queue.tasks.remove(callback)


def _find(token: str) -> Callback:
    callback = _callbacks.get(token)
    if callback is not None and not callback.future.done():
        return callback
    try:
        decoded = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        decoded = ""
    if "#" not in decoded or not decoded.startswith("arn:"):
        raise InvalidToken("Invalid Token: 'Invalid token'")
    raise TaskTimedOut("Task Timed Out: 'Provided task does not exist anymore'")


def succeed(token: str, output: Any) -> None:
    callback = _find(token)
    callback.future.set_result(output)


def fail(token: str, error: str, cause: str) -> None:
    callback = _find(token)
    callback.future.set_exception(StatesError(error, cause))


def heartbeat(token: str) -> None:
    _find(token).on_heartbeat()


# -- activities ------------------------------------------------------------------------------


def schedule_activity(activity_arn: str, callback: Callback) -> None:
    queue = _activities.setdefault(activity_arn, ActivityQueue())
    while queue.pollers:
        poller = queue.pollers.popleft()
        if not poller.done():
            poller.set_result(callback)
            return
    queue.tasks.append(callback)


async def poll_activity(activity_arn: str) -> Callback | None:
    """The next task of an activity, waiting up to 60 seconds (on the clock) for one."""
    queue = _activities.setdefault(activity_arn, ActivityQueue())
    while queue.tasks:
        callback = queue.tasks.popleft()
        if not callback.future.done():
            return callback
    poller: asyncio.Future[Callback | None] = asyncio.get_running_loop().create_future()
    queue.pollers.append(poller)
    timer = clock.call_later(POLL_SECONDS, lambda: resolve(poller, None))
    try:
        return await poller
    finally:
        timer.cancel()
        if poller in queue.pollers:
            queue.pollers.remove(poller)


def drop_activity(activity_arn: str) -> None:
    queue = _activities.pop(activity_arn, None)
    for poller in queue.pollers if queue else []:
        if not poller.done():
            poller.set_result(None)


def clear() -> None:
    """Forget every pending callback and poller (fogbank shuts down or resets)."""
    for queue in _activities.values():
        for poller in queue.pollers:
            if not poller.done():
                poller.cancel()
    _activities.clear()
    _callbacks.clear()
