"""The running pipes: one poller task per RUNNING pipe (the shared event-source pollers, serving
the pipe's Subscription), restarted when the pipe changes, stopped when it stops or is deleted,
and resumed for every stored running pipe when the Pipes provider starts."""

from __future__ import annotations

import logging

from fogbank import state
from fogbank.engines.event_sources.poller_tasks import PollerTasks, loop_running
from fogbank.services.pipes import pipes, runner

_pollers = PollerTasks("pipe", logging.getLogger("fogbank.pipes"))


def refresh(account: str, region: str, name: str) -> None:
    """Make the poller of a pipe match its record: (re)started if RUNNING, stopped if not."""
    key = (account, region, name)
    _pollers.stop(key)
    record = pipes.collection(account, region).get(name)
    if record is None or not pipes.is_running(record) or not loop_running():
        return
    _pollers.start(key, runner.subscription(account, region, name), from_queue=record["_kind"] == pipes.SQS)


def start() -> None:
    """Resume the pollers of every stored running pipe."""
    if not loop_running():
        return
    for scope in state.database().scopes("pipes", "pipes"):
        account, _, region = scope.partition("/")
        for name in list(pipes.collection(account, region)):
            if (account, region, name) not in _pollers:
                refresh(account, region, name)


def stop() -> None:
    _pollers.stop_all()
