"""The running poller tasks of one kind of consumer (Lambda event source mappings, Pipes): one
asyncio task per consumer, keyed by account, region and name, replaced when the consumer changes."""

from __future__ import annotations

import asyncio
import logging

from fogbank.engines.event_sources.subscriptions import Subscription

Key = tuple[str, str, str]


def loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class PollerTasks:
    def __init__(self, noun: str, log: logging.Logger) -> None:
        self._noun = noun  # how failures name a consumer, e.g. "mapping"
        self._log = log
        self._tasks: dict[Key, asyncio.Task[None]] = {}

    def __contains__(self, key: object) -> bool:
        return key in self._tasks

    def stop(self, key: Key) -> None:
        running = self._tasks.pop(key, None)
        if running is not None:
            running.cancel()

    def start(self, key: Key, subscription: Subscription, *, from_queue: bool) -> None:
        """Run the SQS poller (`from_queue`) or the stream poller for `subscription`."""
        # Imported on first use: fogbank without consumers starts without loading the pollers.
        from fogbank.engines.event_sources.sqs_poller import SqsPoller
        from fogbank.engines.event_sources.stream_poller import StreamPoller

        poller = SqsPoller if from_queue else StreamPoller
        task = asyncio.ensure_future(poller(subscription).run())
        self._tasks[key] = task
        task.add_done_callback(lambda done: self._finished(key, done))

    def _finished(self, key: Key, task: asyncio.Task[None]) -> None:
        if self._tasks.get(key) is task:
            del self._tasks[key]
        if not task.cancelled() and task.exception() is not None:
            self._log.error("the poller of %s %s stopped", self._noun, key[2], exc_info=task.exception())

    def stop_all(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        self._tasks.clear()
