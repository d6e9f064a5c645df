"""The rules every SQS batch request shares: 1 to 10 entries with distinct, well-formed ids, and
per-entry failures reported in `Failed` while the others succeed.

https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fogbank.services.sqs.errors import (
    BatchEntryIdsNotDistinct,
    EmptyBatchRequest,
    InvalidBatchEntryId,
    SqsError,
    TooManyEntriesInBatchRequest,
)

MAX_ENTRIES = 10
_ENTRY_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


def check_entries(entries: list[dict[str, Any]], entry_name: str) -> None:
    if not entries:
        raise EmptyBatchRequest(f"There should be at least one {entry_name} in the request.")
    if len(entries) > MAX_ENTRIES:
        raise TooManyEntriesInBatchRequest(
            f"Maximum number of entries per request are {MAX_ENTRIES}. You have sent {len(entries)}."
        )
    seen: set[str] = set()
    for entry in entries:
        entry_id = entry["Id"]
        if entry_id in seen:
            raise BatchEntryIdsNotDistinct(f"Id {entry_id} repeated.")
        seen.add(entry_id)
    for entry in entries:
        if not _ENTRY_ID.match(entry["Id"]):
            raise InvalidBatchEntryId(
                "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
                "It can be at most 80 letters long."
            )


def run_entries(
    entries: list[dict[str, Any]], action: Callable[[dict[str, Any]], dict[str, Any]]
) -> dict[str, Any]:
    """Apply `action` to each entry; an SQS error fails only its own entry."""
    successful: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for entry in entries:
        try:
            result = action(entry)
        except SqsError as error:
            failed.append(
                {
                    "Id": entry["Id"],
                    "SenderFault": error.sender_fault,
                    "Code": error.code,
                    "Message": error.message,
                }
            )
        else:
            successful.append({"Id": entry["Id"], **result})
    return {"Successful": successful, "Failed": failed}
