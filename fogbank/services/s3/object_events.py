"""Event notifications for object operations: what each operation announces to the bucket's
notification configuration (delivery itself lives in `notifications`).
https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-event-types-and-destinations.html
"""

from __future__ import annotations

from typing import Any

from fogbank.context import RequestContext
from fogbank.services.s3 import notifications
from fogbank.services.s3.subresources import may_be_configured


def announce(
    ctx: RequestContext, bucket: dict[str, Any], event: str, key: str, details: dict[str, Any]
) -> None:
    """Announce `event` (e.g. "ObjectCreated:Put") about `key`; `details` may carry Size, ETag and
    VersionId (an operation's result, or the stored version). Most buckets have no configuration at
    all (known without a lookup) or none for notifications: checked before any event is described."""
    if not may_be_configured(bucket) or not notifications.may_notify(bucket["Name"]):
        return
    info = {
        "Key": key,
        "Size": details.get("Size"),
        "ETag": details.get("ETag"),
        "VersionId": details.get("VersionId"),
    }
    notifications.notify(ctx, bucket["Name"], event, info)


def announce_delete(
    ctx: RequestContext, bucket: dict[str, Any], key: str, version_id: str | None, result: dict[str, Any]
) -> None:
    """A delete without a version id in a versioned bucket creates a delete marker; any other
    delete removes something (or nothing, which S3 announces all the same)."""
    if result.get("DeleteMarker") and version_id is None:
        announce(ctx, bucket, "ObjectRemoved:DeleteMarkerCreated", key, result)
    else:
        announce(ctx, bucket, "ObjectRemoved:Delete", key, {"VersionId": version_id})
