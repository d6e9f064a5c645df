"""Putting messages into queues: SendMessage (and its batch entries) with per-message and
per-queue delays, FIFO deduplication and sequence numbers; and moving an existing message to
another queue (dead-lettering, message move tasks)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fogbank import clock
from fogbank.services.sqs import fifo
from fogbank.services.sqs.messages import Message, build, check_delay
from fogbank.services.sqs.queues import Queue, QueueStore


def send(store: QueueStore, queue: Queue, entry: dict[str, Any], sender: str) -> dict[str, Any]:
    """Send one message; answers the SendMessage result members."""
    now = clock.now()
    attributes = queue.attributes
    delay = entry.get("DelaySeconds")
    group: str | None
    dedup: str | None
    if queue.is_fifo:
        group, dedup = fifo.fifo_ids(entry, attributes.get("ContentBasedDeduplication") == "true")
    else:
        fifo.check_standard_entry(entry)
        group, dedup = entry.get("MessageGroupId"), None
        if delay is not None:
            check_delay(delay)
    message = build(entry, max_size=queue.number("MaximumMessageSize", 262144), now=now, sender=sender)
    message.group_id = group
    if delay is None:
        delay = queue.number("DelaySeconds", 0)
    message.visible_at = now + delay
    if queue.is_fifo:
        duplicate = _deduplicate(store, queue, message, group or "", dedup or "", now)
        if duplicate is not None:
            return duplicate
    else:
        store.index(queue).add(message, now)
    return _result(message)


def _deduplicate(
    store: QueueStore, queue: Queue, message: Message, group: str, dedup: str, now: float
) -> dict[str, Any] | None:
    """Within the window, a repeated deduplication id is accepted but not delivered again: the
    answer repeats the first send's message id and sequence number."""
    seen = fifo.Deduplication(queue.account, queue.region, queue.name)
    key = seen.key(group, dedup, queue.attributes.get("DeduplicationScope") == "messageGroup")
    earlier = seen.seen(key, now)
    if earlier is not None:
        return {
            **_result(message),
            "MessageId": earlier.message_id,
            "SequenceNumber": earlier.sequence_number,
        }
    message.dedup_id = dedup
    message.sequence_number = fifo.next_sequence_number(now)
    store.index(queue).add(message, now)
    seen.remember(key, message.id, message.sequence_number, now)
    return None


def _result(message: Message) -> dict[str, Any]:
    result: dict[str, Any] = {"MessageId": message.id, "MD5OfMessageBody": message.md5_body}
    if message.md5_attributes:
        result["MD5OfMessageAttributes"] = message.md5_attributes
    if message.md5_system:
        result["MD5OfMessageSystemAttributes"] = message.md5_system
    if message.sequence_number:
        result["SequenceNumber"] = message.sequence_number
    return result


def transfer(store: QueueStore, message: Message, source: Queue, target: Queue, *, dead_letter: bool) -> None:
    """Move a message to another queue, keeping its id, body, attributes and send time (AWS keeps
    the original enqueue timestamp). Dead-lettered messages remember their source queue."""
    now = clock.now()
    store.index(source).discard(message)
    moved = replace(message, visible_at=now, receipt="")
    if dead_letter:
        moved.dead_letter_source = source.arn
    else:  # redriven back from a dead-letter queue: a fresh start
        moved.dead_letter_source = None
        moved.receive_count = 0
        moved.first_receive = 0.0
    if target.is_fifo:
        moved.sequence_number = fifo.next_sequence_number(now)
    store.index(target).add(moved, now)
