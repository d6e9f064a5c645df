"""Which messages a receive gets, without scanning the queue: the in-memory index of one queue.

Standard queues keep a deque of visible message ids and a heap of (visible-at, order, id) for
delayed and in-flight ones; due heap entries move to the deque when a receive looks. Heap and deque
entries are checked against the stored message when popped (a stale entry is skipped), so
changing or deleting a message costs no search. FIFO queues keep one deque per message group, in
send order; a group whose head is in flight (or delayed) is blocked, as AWS documents
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html).

Long polling: a waiting ReceiveMessage parks a future here; a send wakes one waiter per message,
and a clock timer (only while someone waits) wakes them all when the next hidden message is due.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from fogbank import clock
from fogbank.services.sqs.messages import Message, new_receipt
from fogbank.state import Collection


@dataclass(slots=True)
class ReceivePolicy:
    """What a receive applies to each candidate message."""

    queue_arn: str
    visibility: int
    retention: int
    max_receives: int | None  # RedrivePolicy.maxReceiveCount
    dead_letter: Callable[[Message], None] | None  # moves a message to the dead-letter queue


class QueueIndex:
    """The receive order of one queue's stored messages, and its long-polling waiters."""

    compaction_slack = 1024  # stale heap entries tolerated before the heap is rebuilt

    def __init__(self, messages: Collection[Message], fifo: bool) -> None:
        self.messages = messages
        self.fifo = fifo
        self.ready: deque[str] = deque()
        self.pending: list[tuple[float, int, str]] = []
        self.groups: dict[str, deque[str]] = {}
        self.waiters: deque[asyncio.Future[None]] = deque()
        self.timer: clock.Timer | None = None
        self.last_order = 0
        # FIFO ReceiveRequestAttemptId → (expiry, [(message id, receipt handle)]).
        self.attempts: dict[str, tuple[float, list[tuple[str, str]]]] = {}
        now = clock.now()
        for message in sorted(messages.values(), key=lambda item: item.order):
            self.last_order = max(self.last_order, message.order)
            self._place(message, now)

    # -- placing messages ----------------------------------------------------------------------

    def next_order(self) -> int:
        """A number that orders messages by arrival, increasing across restarts too."""
        self.last_order = max(self.last_order + 1, int(clock.now() * 1_000_000))
        return self.last_order

    def _place(self, message: Message, now: float) -> None:
        if self.fifo:
            self.groups.setdefault(message.group_id or "", deque()).append(message.id)
            if message.visible_at > now:
                heapq.heappush(self.pending, (message.visible_at, message.order, message.id))
        elif message.visible_at <= now:
            self.ready.append(message.id)
        else:
            heapq.heappush(self.pending, (message.visible_at, message.order, message.id))

    def add(self, message: Message, now: float) -> None:
        """Store a new message (one write) and make it receivable when due."""
        message.order = self.next_order()
        self.messages.put(message.id, message)
        self._place(message, now)
        if message.visible_at <= now:
            self.wake(1)
        else:
            self.schedule_wake()

    def set_visibility(self, message: Message, visible_at: float, now: float) -> None:
        """Hide a message until `visible_at` (or show it now) and store the change."""
        message.visible_at = visible_at
        self.messages.put(message.id, message)
        self._reindex(message, now)

    def _reindex(self, message: Message, now: float) -> None:
        if message.visible_at > now:
            heapq.heappush(self.pending, (message.visible_at, message.order, message.id))
            self.schedule_wake()
            return
        if not self.fifo:
            self.ready.append(message.id)
        self.wake(1)

    def discard(self, message: Message) -> None:
        self.messages.delete(message.id)
        if self.fifo and self.waiters:  # its group may be unblocked now
            self.wake(1)

    def release_due(self, now: float) -> None:
        if len(self.pending) > 4 * len(self.messages) + self.compaction_slack:
            self._compact(now)
        pending, messages = self.pending, self.messages
        while pending and pending[0][0] <= now:
            due, _, message_id = heapq.heappop(pending)
            if self.fifo:
                continue  # FIFO reads its groups; the heap only times wake-ups
            message = messages.get(message_id)
            if message is not None and message.visible_at == due:
                self.ready.append(message_id)

    def _compact(self, now: float) -> None:
        """Drop the heap's stale entries (deleted or re-timed messages) when they pile up, e.g.
        under long visibility timeouts with fast deletes."""
        if self.fifo:  # the heap only times wake-ups
            kept = [(m.visible_at, m.order, m.id) for m in self.messages.values() if m.visible_at > now]
        else:  # every message not already in the ready deque; due ones are released right after
            ready = set(self.ready)
            kept = [(m.visible_at, m.order, m.id) for m in self.messages.values() if m.id not in ready]
        heapq.heapify(kept)
        self.pending = kept

    # -- receiving -----------------------------------------------------------------------------

    def take(self, now: float, limit: int, policy: ReceivePolicy) -> list[tuple[Message, str]]:
        """Up to `limit` visible messages with fresh receipt handles, each marked received (one
        write each)."""
        self.release_due(now)
        if self.fifo:
            return self._take_fifo(now, limit, policy)
        taken: list[tuple[Message, str]] = []
        ready, messages = self.ready, self.messages
        while ready and len(taken) < limit:
            message = messages.get(ready.popleft())
            if message is None or message.visible_at > now:
                continue
            handle = self._accept(message, now, policy)
            if handle is not None:
                taken.append((message, handle))
        if policy.visibility == 0:  # received with no visibility timeout: still visible, re-queue
            for message, _ in taken:
                self._reindex(message, now)
        elif taken:
            self.schedule_wake()
        return taken

    def _take_fifo(self, now: float, limit: int, policy: ReceivePolicy) -> list[tuple[Message, str]]:
        taken: list[tuple[Message, str]] = []
        messages = self.messages
        for group_id in list(self.groups):
            queue = self.groups[group_id]
            position = 0
            while position < len(queue) and len(taken) < limit:
                message = messages.get(queue[position])
                if message is None:
                    del queue[position]
                    continue
                if message.visible_at > now:
                    break  # the group is blocked by an in-flight (or delayed) message
                handle = self._accept(message, now, policy)
                if handle is not None:
                    taken.append((message, handle))
                    position += 1
                elif message.id not in messages:
                    del queue[position]
            if not queue:
                del self.groups[group_id]
            if len(taken) >= limit:
                break
        if taken:
            self.schedule_wake()
        return taken

    def _accept(self, message: Message, now: float, policy: ReceivePolicy) -> str | None:
        """Mark a candidate received and answer its receipt handle; expired messages are dropped and
        exhausted ones dead-lettered (None)."""
        if message.sent + policy.retention <= now:
            self.discard(message)
            return None
        if (
            policy.max_receives is not None
            and policy.dead_letter
            and message.receive_count >= policy.max_receives
        ):
            policy.dead_letter(message)
            return None
        message.receive_count += 1
        if not message.first_receive:
            message.first_receive = now
        message.received_at = now
        message.visible_at = now + policy.visibility
        handle = new_receipt(message, policy.queue_arn)
        self.messages.put(message.id, message)
        if policy.visibility > 0:
            heapq.heappush(self.pending, (message.visible_at, message.order, message.id))
        return handle

    def counts(self, now: float, retention: int) -> tuple[int, int, int]:
        """(visible, in flight, delayed), dropping messages past their retention."""
        visible = in_flight = delayed = 0
        for message in list(self.messages.values()):
            if message.sent + retention <= now:
                self.discard(message)
            elif message.visible_at <= now:
                visible += 1
            elif message.receive_count:
                in_flight += 1
            else:
                delayed += 1
        return visible, in_flight, delayed

    # -- long polling --------------------------------------------------------------------------

    def wake(self, count: int) -> None:
        waiters = self.waiters
        while waiters and count > 0:
            future = waiters.popleft()
            if not future.done():
                future.set_result(None)
                count -= 1

    def wake_all(self) -> None:
        self.wake(len(self.waiters))

    def schedule_wake(self) -> None:
        """While receives wait, a clock timer wakes them when the next hidden message is due."""
        if not self.waiters or not self.pending:
            return
        due = self.pending[0][0]
        if self.timer is not None:
            if self.timer.due <= due and not self.timer.cancelled:
                return
            self.timer.cancel()
        self.timer = clock.call_at(due, self._on_timer)

    def _on_timer(self) -> None:
        self.timer = None
        self.wake_all()

    async def wait(self, deadline: float) -> None:
        """Park until woken, or until `deadline` on fogbank's clock (advancing it counts)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiters.append(future)
        self.schedule_wake()

        def expire() -> None:
            if not future.done():
                future.set_result(None)

        expiry = clock.call_at(deadline, expire)
        try:
            await asyncio.wait((future,), timeout=max(deadline - clock.now(), 0.0))
        finally:
            expiry.cancel()
            if not future.done():
                future.cancel()
                with contextlib.suppress(ValueError):
                    self.waiters.remove(future)

    def close(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        self.wake_all()
