"""FIFO queues: message group and deduplication ids, the 5-minute deduplication window (on
fogbank's clock, by id or by the body's SHA-256), and sequence numbers.

https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-exactly-once-processing.html
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from fogbank import state
from fogbank.services.sqs.errors import InvalidParameterValue, MissingParameter, invalid_parameter
from fogbank.state import Collection

DEDUPLICATION_WINDOW = 300.0
# Alphanumeric and punctuation characters, up to 128 (MessageGroupId and MessageDeduplicationId).
_ID = re.compile(r"^[!-~]{1,128}$")
_last_sequence = 0


@dataclass(slots=True)
class SentRecord:
    """A deduplication id seen within the window, and what its first send answered."""

    message_id: str
    sequence_number: str
    expires: float


def next_sequence_number(now: float) -> str:
    """A 20-digit, ever-increasing number, as AWS returns for FIFO messages."""
    global _last_sequence
    _last_sequence = max(_last_sequence + 1, int(now * 1_000_000_000) * 10)
    return str(_last_sequence).zfill(20)


def _check_id(name: str, value: str) -> None:
    if not _ID.match(value):
        raise invalid_parameter(
            name,
            value,
            f"{name} can only include alphanumeric and punctuation characters. 1 to 128 in length.",
        )


def check_standard_entry(entry: dict[str, Any]) -> None:
    """Standard queues take no deduplication id (MessageGroupId is allowed: fair queues)."""
    if entry.get("MessageDeduplicationId") is not None:
        raise invalid_parameter(
            "MessageDeduplicationId",
            entry["MessageDeduplicationId"],
            "The request include parameter that is not valid for this queue type.",
        )
    if entry.get("MessageGroupId") is not None:
        _check_id("MessageGroupId", entry["MessageGroupId"])


def fifo_ids(entry: dict[str, Any], content_based: bool) -> tuple[str, str]:
    """(group id, deduplication id) of a send to a FIFO queue, checked as AWS does."""
    if entry.get("DelaySeconds") is not None:
        raise invalid_parameter(
            "DelaySeconds",
            entry["DelaySeconds"],
            "The request include parameter that is not valid for this queue type.",
        )
    group = entry.get("MessageGroupId")
    if group is None:
        raise MissingParameter("The request must contain the parameter MessageGroupId.")
    _check_id("MessageGroupId", group)
    dedup = entry.get("MessageDeduplicationId")
    if dedup is None:
        if not content_based:
            raise InvalidParameterValue(
                "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId "
                "provided explicitly"
            )
        dedup = hashlib.sha256(str(entry.get("MessageBody") or "").encode("utf-8")).hexdigest()
    _check_id("MessageDeduplicationId", dedup)
    return group, dedup


def check_batch_entries(entries: list[dict[str, Any]], content_based: bool) -> None:
    """In a FIFO batch, a missing group or deduplication id fails the whole request (as AWS does),
    not only its entry."""
    for entry in entries:
        if entry.get("MessageGroupId") is None:
            raise InvalidParameterValue("The request must contain the parameter MessageGroupId.")
        if entry.get("MessageDeduplicationId") is None and not content_based:
            raise InvalidParameterValue(
                "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId "
                "provided explicitly"
            )


class Deduplication:
    """The deduplication ids one FIFO queue saw within the window (persisted)."""

    def __init__(self, account: str, region: str, queue_name: str) -> None:
        self.records: Collection[SentRecord] = state.collection(
            "sqs", f"dedup/{queue_name}", account, region, SentRecord
        )

    @staticmethod
    def key(group: str, dedup: str, per_group: bool) -> str:
        return f"{group}\n{dedup}" if per_group else dedup

    def seen(self, key: str, now: float) -> SentRecord | None:
        record = self.records.get(key)
        if record is None or record.expires <= now:
            return None
        return record

    def remember(self, key: str, message_id: str, sequence_number: str, now: float) -> None:
        if len(self.records) % 256 == 255:
            self.prune(now)
        self.records.put(key, SentRecord(message_id, sequence_number, now + DEDUPLICATION_WINDOW))

    def prune(self, now: float) -> None:
        for key, record in list(self.records.items()):
            if record.expires <= now:
                self.records.delete(key)

    def clear(self) -> None:
        self.records.clear()
