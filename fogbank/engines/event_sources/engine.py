"""The running pollers: one asyncio task per enabled mapping, started when a mapping is created,
enabled or updated, stopped when it is disabled or deleted, and resumed for every stored mapping
when fogbank starts (pollers continue from their stored checkpoints).

`start()` / `stop()` are called by the service registry at start-up, after a state import, and on
reset of the `lambda` service.
"""

from __future__ import annotations

import logging

from fogbank import state
from fogbank.engines.event_sources import mappings
from fogbank.engines.event_sources.poller_tasks import PollerTasks, loop_running

_pollers = PollerTasks("mapping", logging.getLogger("fogbank.event_sources"))


def refresh(account: str, region: str, mapping_id: str) -> None:
    """Make the poller of a mapping match its record: (re)started if enabled, stopped if not."""
    key = (account, region, mapping_id)
    _pollers.stop(key)
    record = mappings.collection(account, region).get(mapping_id)
    if record is None or not record["_enabled"] or not loop_running():
        return
    from fogbank.engines.event_sources.subscriptions import for_mapping

    _pollers.start(key, for_mapping(account, region, mapping_id), from_queue=record["_kind"] == mappings.SQS)


def start() -> None:
    """Resume the pollers of every stored, enabled mapping."""
    if not loop_running():
        return
    for scope in state.database().scopes("lambda", "event_source_mappings"):
        account, _, region = scope.partition("/")
        for mapping_id in list(mappings.collection(account, region)):
            if (account, region, mapping_id) not in _pollers:
                refresh(account, region, mapping_id)


def stop() -> None:
    _pollers.stop_all()
