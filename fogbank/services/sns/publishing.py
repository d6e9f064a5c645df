"""Publish and PublishBatch: from request entries to `Message`s (with every check AWS makes), FIFO
sequence numbers and topic-level deduplication, then hand-off to delivery.

FIFO rules: https://docs.aws.amazon.com/sns/latest/dg/fifo-message-dedup.html
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from fogbank import state
from fogbank.errors import AwsError
from fogbank.services.sns import delivery, messages, topics
from fogbank.services.sns.errors import (
    BatchEntryIdsNotDistinct,
    BatchRequestTooLong,
    EmptyBatchRequest,
    InvalidBatchEntryId,
    TooManyEntriesInBatchRequest,
    invalid,
)
from fogbank.services.sns.messages import Message

MAX_BATCH_ENTRIES = 10
_ENTRY_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


def build(topic: dict[str, Any], entry: dict[str, Any], index: int | None = None) -> Message:
    """Check one message (a Publish request or a batch entry) and build it."""
    text = messages.check_message(entry.get("Message"))
    messages.check_subject(entry.get("Subject"))
    attributes = entry.get("MessageAttributes") or {}
    messages.check_attributes(attributes, index)
    messages.check_size(text, attributes)
    structure = messages.parse_structure(text, entry.get("MessageStructure"))
    group_id, dedup_id = entry.get("MessageGroupId"), entry.get("MessageDeduplicationId")
    messages.check_fifo_id("MessageGroupId", group_id)
    messages.check_fifo_id("MessageDeduplicationId", dedup_id)
    if topics.is_fifo(topic):
        _check_fifo(topic, group_id, dedup_id)
    elif dedup_id is not None:
        raise invalid(
            "MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is "
            "not valid for this topic type"
        )
    return Message(
        message=text,
        subject=entry.get("Subject"),
        structure=structure,
        attributes=attributes,
        group_id=group_id,
        deduplication_id=dedup_id,
    )


def _check_fifo(topic: dict[str, Any], group_id: str | None, dedup_id: str | None) -> None:
    if not group_id:
        raise invalid("The MessageGroupId parameter is required for FIFO topics")
    content_based = topic["Attributes"].get("ContentBasedDeduplication") == "true"
    if not dedup_id and not content_based:
        raise invalid(
            "The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId "
            "provided explicitly"
        )


def publish(topic: dict[str, Any], batch: list[Message], base_url: str) -> list[Message]:
    """Number FIFO messages, drop duplicates within the deduplication window, deliver the rest.
    Returns the messages as the caller sees them (a duplicate answers with the original's ids)."""
    if not topics.is_fifo(topic):
        delivery.dispatch(topic, batch, base_url)
        return batch
    answered, fresh = [], []
    with state.atomic():
        for message in batch:
            dedup_id = message.deduplication_id or hashlib.sha256(message.message.encode()).hexdigest()
            original = topics.find_duplicate(topic, dedup_id)
            if original is not None:
                message.message_id = original["MessageId"]
                message.sequence_number = original["SequenceNumber"]
            else:
                message.sequence_number = topics.next_sequence_number(topic)
                topics.remember(topic, dedup_id, message.message_id, message.sequence_number)
                fresh.append(message)
            answered.append(message)
        region, account, name = topics.parse_arn(topic["TopicArn"])
        topics.collection(account, region).put(name, topic)
    delivery.dispatch(topic, fresh, base_url)
    return answered


def check_batch(entries: list[dict[str, Any]]) -> None:
    """Whole-request rules of PublishBatch."""
    if not entries:
        raise EmptyBatchRequest("The batch request doesn't contain any entries.")
    if len(entries) > MAX_BATCH_ENTRIES:
        raise TooManyEntriesInBatchRequest("The batch request contains more entries than permissible.")
    ids = [entry["Id"] for entry in entries]
    if len(set(ids)) != len(ids):
        raise BatchEntryIdsNotDistinct("Two or more batch entries in the request have the same Id.")
    for entry_id in ids:
        if not _ENTRY_ID.match(entry_id):
            raise InvalidBatchEntryId(
                "The Id of a batch entry in a batch request doesn't abide by the specification."
            )
    total = sum(
        messages.message_size(entry.get("Message") or "", entry.get("MessageAttributes") or {})
        for entry in entries
    )
    if total > messages.MAX_MESSAGE_BYTES:
        raise BatchRequestTooLong("The length of all the messages put together is more than the limit.")


def build_batch(
    topic: dict[str, Any], entries: list[dict[str, Any]]
) -> tuple[list[tuple[str, Message]], list[dict[str, Any]]]:
    """Entries that pass their checks, and per-entry failures for those that do not."""
    built: list[tuple[str, Message]] = []
    failed: list[dict[str, Any]] = []
    for index, entry in enumerate(entries, start=1):
        try:
            built.append((entry["Id"], build(topic, entry, index)))
        except AwsError as problem:
            failed.append(
                {"Id": entry["Id"], "Code": problem.code, "Message": problem.message, "SenderFault": True}
            )
    return built, failed
