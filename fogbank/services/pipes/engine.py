"""The running pipes: one poller task per RUNNING pipe (the shared event-source pollers, serving
the pipe's Subscription), restarted when the pipe changes, stopped when it stops or is deleted,
and resumed for every stored running pipe when the Pipes provider starts."""

from __future__ import annotations

import asyncio
import logging

from fogbank import state
from fogbank.services.pipes import pipes, runner

log = logging.getLogger("fogbank.pipes")

_tasks: dict[tuple[str, str, str], asyncio.Task[None]] = {}


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def refresh(account: str, region: str, name: str) -> None:
    """Make the poller of a pipe match its record: (re)started if RUNNING, stopped if not."""
    key = (account, region, name)
    running = _tasks.pop(key, None)
    if running is not None:
        running.cancel()
    record = pipes.collection(account, region).get(name)
    if record is None or not pipes.is_running(record) or not _loop_running():
        return
    from fogbank.engines.event_sources.sqs_poller import SqsPoller
    from fogbank.engines.event_sources.stream_poller import StreamPoller

    poller = SqsPoller if record["_kind"] == pipes.SQS else StreamPoller
    task = asyncio.ensure_future(poller(runner.subscription(account, region, name)).run())
    _tasks[key] = task
    task.add_done_callback(lambda done: _finished(key, done))


def _finished(key: tuple[str, str, str], task: asyncio.Task[None]) -> None:
    if _tasks.get(key) is task:
        del _tasks[key]
    if not task.cancelled() and task.exception() is not None:
        log.error("the poller of pipe %s stopped", key[2], exc_info=task.exception())


def start() -> None:
    """Resume the pollers of every stored running pipe."""
    if not _loop_running():
        return
    for scope in state.database().scopes("pipes", "pipes"):
        account, _, region = scope.partition("/")
        for name in list(pipes.collection(account, region)):
            if (account, region, name) not in _tasks:
                refresh(account, region, name)


def stop() -> None:
    for task in _tasks.values():
        task.cancel()
    _tasks.clear()
