"""Restoring archived objects (GLACIER, DEEP_ARCHIVE): RestoreObject starts a restore that
completes after the retrieval tier's time on fogbank's clock; the restored copy can be read until
its expiry, and `x-amz-restore` reports the state.

Completion times are the documented upper bounds (advance the clock to cross them).
See https://docs.aws.amazon.com/AmazonS3/latest/userguide/restoring-objects.html

Events (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-event-types-and-destinations.html):
the provider announces `ObjectRestore:Post` when a restore starts; this module announces
`ObjectRestore:Completed` when the restored copy becomes readable and `ObjectRestore:Delete` when
it expires, both from timers on fogbank's clock. Not supported yet: those timers are not re-armed
after a restart (the restore state itself is durable and read lazily).
"""

from __future__ import annotations

import math
from email.utils import formatdate
from typing import Any

from fogbank import clock
from fogbank.errors import AwsError
from fogbank.services.s3 import objects
from fogbank.services.s3.errors import (
    InvalidArgument,
    InvalidObjectState,
    RestoreAlreadyInProgress,
    S3NotImplemented,
)

ARCHIVED = ("GLACIER", "DEEP_ARCHIVE")
HOUR = 3600.0
# Retrieval time by storage class and tier (https://docs.aws.amazon.com/AmazonS3/latest/userguide/restoring-objects-retrieval-options.html).
RETRIEVAL_SECONDS = {
    ("GLACIER", "Expedited"): 5 * 60.0,
    ("GLACIER", "Standard"): 5 * HOUR,
    ("GLACIER", "Bulk"): 12 * HOUR,
    ("DEEP_ARCHIVE", "Standard"): 12 * HOUR,
    ("DEEP_ARCHIVE", "Bulk"): 48 * HOUR,
}


def restore_state(version: dict[str, Any]) -> str | None:
    """The `x-amz-restore` header value, or None when no restore was asked for (or it expired)."""
    restore = version.get("Restore")
    if not restore:
        return None
    now = clock.now()
    if now < restore["ReadyAt"]:
        return 'ongoing-request="true"'
    if now >= restore["ExpiresAt"]:
        return None
    return f'ongoing-request="false", expiry-date="{formatdate(restore["ExpiresAt"], usegmt=True)}"'


def is_readable(version: dict[str, Any]) -> bool:
    """Archived objects can be read only while a restored copy exists."""
    if version["StorageClass"] not in ARCHIVED:
        return True
    restore = version.get("Restore")
    if not restore:
        return False
    return bool(restore["ReadyAt"] <= clock.now() < restore["ExpiresAt"])


def _expiry(ready_at: float, days: int) -> float:
    # The restored copy lives `days` days, to the following midnight UTC.
    return math.ceil((ready_at + days * 86400) / 86400) * 86400


def restore_object(bucket: dict[str, Any], request: dict[str, Any]) -> bool:
    """Start (True) or extend (False: already restored, only the days change) a restore."""
    key = request["Key"]
    version = objects.find(bucket["Name"], key, request.get("VersionId"))
    if version["StorageClass"] not in ARCHIVED:
        raise InvalidObjectState(
            "Restore is not allowed for the object's current storage class",
            StorageClass=version["StorageClass"],
        )
    order = request.get("RestoreRequest") or {}
    if order.get("Type") or order.get("SelectParameters") or order.get("OutputLocation"):
        raise S3NotImplemented(
            "S3 Select restores (Type SELECT, OutputLocation) are not supported by fogbank"
        )
    days = order.get("Days")
    if days is None or days < 1:
        raise InvalidArgument("Days must be a positive integer", ArgumentName="Days", ArgumentValue=str(days))
    tier = (order.get("GlacierJobParameters") or {}).get("Tier") or order.get("Tier") or "Standard"
    seconds = RETRIEVAL_SECONDS.get((version["StorageClass"], tier))
    if seconds is None:
        raise InvalidArgument(
            f"{tier} retrieval is not supported for the {version['StorageClass']} storage class",
            ArgumentName="Tier",
            ArgumentValue=tier,
        )
    now = clock.now()
    current = version.get("Restore")
    if current and now < current["ReadyAt"]:
        raise RestoreAlreadyInProgress("Object restore is already in progress")
    started = not (current and now < current["ExpiresAt"])
    ready_at = now + seconds if started else current["ReadyAt"]  # type: ignore[index]
    restored = {"ReadyAt": ready_at, "ExpiresAt": _expiry(max(ready_at, now), days), "Tier": tier}
    version["Restore"] = restored
    store = objects.object_store(bucket["Name"])
    store.put(key, store[key])
    _schedule_events(bucket, key, version["VersionId"], restored, started=started)
    return started


# -- events on the clock ----------------------------------------------------------------------------


def _schedule_events(
    bucket: dict[str, Any], key: str, version_id: str, restored: dict[str, Any], *, started: bool
) -> None:
    """Completion (for a new restore) and expiry (always: an extension moves it) of a restored copy;
    each timer checks the stored restore still is the one it was set for."""
    place = (bucket["Name"], bucket["Account"], bucket["Region"], key, version_id)
    if started:
        clock.call_at(restored["ReadyAt"], lambda: _announce(place, "ObjectRestore:Completed", restored))
    clock.call_at(restored["ExpiresAt"], lambda: _announce(place, "ObjectRestore:Delete", restored))


def _announce(place: tuple[str, str, str, str, str], event: str, restored: dict[str, Any]) -> None:
    from fogbank.services.calls import internal_context
    from fogbank.services.s3.notifications import notify

    bucket_name, account, region, key, version_id = place
    try:
        version = objects.find(bucket_name, key, version_id)
    except AwsError:  # the version was deleted meanwhile: nothing left to announce
        return
    current = version.get("Restore") or {}
    due = "ReadyAt" if event == "ObjectRestore:Completed" else "ExpiresAt"
    if current.get(due) != restored[due]:
        return  # restored again or extended since: a later timer announces that one
    info: dict[str, Any] = {"Key": key, "VersionId": version_id}
    if event == "ObjectRestore:Completed":
        # S3's record carries the copy's expiry and the archive's storage class (glacierEventData).
        info.update(Size=version.get("Size"), ETag=version.get("ETag"))
        info.update(RestoreExpiryTime=current["ExpiresAt"], RestoreStorageClass=version["StorageClass"])
    ctx = internal_context("s3", "RestoreObject", account, region)
    notify(ctx, bucket_name, event, info, principal="s3.amazonaws.com")
