"""The running pollers: one asyncio task per enabled mapping, started when a mapping is created,
enabled or updated, stopped when it is disabled or deleted, and resumed for every stored mapping
when fogbank starts (pollers continue from their stored checkpoints).

`start()` / `stop()` are called by the service registry at start-up, after a state import, and on
reset of the `lambda` service.
"""

from __future__ import annotations

import asyncio
import logging

from fogbank import state
from fogbank.engines.event_sources import mappings

log = logging.getLogger("fogbank.event_sources")

_tasks: dict[tuple[str, str, str], asyncio.Task[None]] = {}


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def refresh(account: str, region: str, mapping_id: str) -> None:
    """Make the poller of a mapping match its record: (re)started if enabled, stopped if not."""
    key = (account, region, mapping_id)
    running = _tasks.pop(key, None)
    if running is not None:
        running.cancel()
    record = mappings.collection(account, region).get(mapping_id)
    if record is None or not record["_enabled"] or not _loop_running():
        return
    # Imported on first use: fogbank without mappings starts without loading the Lambda engine.
    from fogbank.engines.event_sources.sqs_poller import SqsPoller
    from fogbank.engines.event_sources.stream_poller import StreamPoller
    from fogbank.engines.event_sources.subscriptions import for_mapping

    poller = SqsPoller if record["_kind"] == mappings.SQS else StreamPoller
    task = asyncio.ensure_future(poller(for_mapping(account, region, mapping_id)).run())
    _tasks[key] = task
    task.add_done_callback(lambda done: _finished(key, done))


def _finished(key: tuple[str, str, str], task: asyncio.Task[None]) -> None:
    if _tasks.get(key) is task:
        del _tasks[key]
    if not task.cancelled() and task.exception() is not None:
        log.error("the poller of mapping %s stopped", key[2], exc_info=task.exception())


def start() -> None:
    """Resume the pollers of every stored, enabled mapping."""
    if not _loop_running():
        return
    for scope in state.database().scopes("lambda", "event_source_mappings"):
        account, _, region = scope.partition("/")
        for mapping_id in list(mappings.collection(account, region)):
            if (account, region, mapping_id) not in _tasks:
                refresh(account, region, mapping_id)


def stop() -> None:
    for task in _tasks.values():
        task.cancel()
    _tasks.clear()
