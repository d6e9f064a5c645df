"""S3 events in EventBridge's shape: with `EventBridgeConfiguration` on a bucket, every event S3
sends to EventBridge goes to the default bus of the bucket's account and region, whatever the
bucket's other notification filters say.

Detail types and fields: https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-mapping-troubleshooting.html
and https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html (the key is not
URL-encoded here, unlike in the S3 event record; `source-ip-address` only for events caused by a
request; the requester is the account or the AWS service principal).
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from fogbank import clock
from fogbank.context import RequestContext
from fogbank.errors import AwsError
from fogbank.events.service_events import publish_service_event

_sequence = itertools.count()
EMPTY_ETAG = "d41d8cd98f00b204e9800998ecf8427e"  # what S3 reports for a delete marker

# S3 event name (or its family) → EventBridge detail type; other events are not sent.
DETAIL_TYPES = {
    "ObjectCreated": "Object Created",
    "ObjectRemoved": "Object Deleted",
    "LifecycleExpiration": "Object Deleted",
    "ObjectRestore:Post": "Object Restore Initiated",
    "ObjectRestore:Completed": "Object Restore Completed",
    "ObjectRestore:Delete": "Object Restore Expired",
    "LifecycleTransition": "Object Storage Class Changed",
    "IntelligentTiering": "Object Access Tier Changed",
    "ObjectTagging:Put": "Object Tags Added",
    "ObjectTagging:Delete": "Object Tags Deleted",
    "ObjectAcl:Put": "Object ACL Updated",
}
CREATED_REASONS = {
    "Put": "PutObject",
    "Post": "PostObject",
    "Copy": "CopyObject",
    "CompleteMultipartUpload": "CompleteMultipartUpload",
}


def detail_type(event_name: str) -> str | None:
    """The detail type of an S3 event name such as "ObjectCreated:Put", or None when S3 does not
    send that event to EventBridge."""
    return DETAIL_TYPES.get(event_name) or DETAIL_TYPES.get(event_name.split(":", 1)[0])


def publish(
    ctx: RequestContext,
    bucket: dict[str, Any],
    event_name: str,
    object_info: dict[str, Any],
    principal: str | None,
) -> None:
    """Put the event on the default bus of the bucket's account and region."""
    kind = detail_type(event_name)
    if kind is None:
        return
    detail = event_detail(ctx, bucket, event_name, object_info, principal)
    resources = [f"arn:aws:s3:::{bucket['Name']}"]
    publish_service_event(bucket["Account"], bucket["Region"], "aws.s3", kind, detail, resources)


def event_detail(
    ctx: RequestContext,
    bucket: dict[str, Any],
    event_name: str,
    object_info: dict[str, Any],
    principal: str | None,
) -> dict[str, Any]:
    family, _, operation = event_name.partition(":")
    detail: dict[str, Any] = {
        "version": "0",
        "event-version": "1.0",
        "bucket": {"name": bucket["Name"]},
        "object": _object(bucket, family, operation, object_info),
        "request-id": ctx.request_id,
        "requester": principal or ctx.account,
    }
    if principal is None:  # caused by a request, not by S3 itself (lifecycle, restores)
        detail["source-ip-address"] = ctx.extras.get("source_ip", "127.0.0.1")
    if family == "ObjectCreated":
        detail["reason"] = CREATED_REASONS.get(operation, operation)
    elif family in ("ObjectRemoved", "LifecycleExpiration"):
        detail["reason"] = "DeleteObject" if family == "ObjectRemoved" else "Lifecycle Expiration"
        marker = operation == "DeleteMarkerCreated"
        detail["deletion-type"] = "Delete Marker Created" if marker else "Permanently Deleted"
    elif event_name == "ObjectRestore:Post":
        stored = _stored_version(bucket, object_info)
        detail["source-storage-class"] = (stored or {}).get("StorageClass", "GLACIER")
    elif event_name == "ObjectRestore:Completed" and object_info.get("RestoreExpiryTime") is not None:
        expiry = datetime.fromtimestamp(object_info["RestoreExpiryTime"], UTC)
        detail["restore-expiry-time"] = expiry.strftime("%Y-%m-%dT%H:%M:%SZ")
        detail["source-storage-class"] = object_info.get("RestoreStorageClass") or "GLACIER"
    return detail


def _object(bucket: dict[str, Any], family: str, operation: str, info: dict[str, Any]) -> dict[str, Any]:
    """The `object` member: key, then size and etag where S3 reports them, version and sequencer."""
    deleted = family in ("ObjectRemoved", "LifecycleExpiration")
    facts = dict(info)
    # An expired restored copy is reported by key and version only.
    described = not deleted and (family, operation) != ("ObjectRestore", "Delete")
    if described and not facts.get("ETag"):  # tags, ACLs, restores: describe the stored version
        stored = _stored_version(bucket, info) or {}
        facts.update({name: stored.get(name) for name in ("Size", "ETag") if stored.get(name) is not None})
    obj: dict[str, Any] = {"key": info["Key"]}
    if family in ("ObjectCreated", "ObjectRestore") and facts.get("Size") is not None:
        obj["size"] = int(facts["Size"])
    if deleted and operation == "DeleteMarkerCreated":
        obj["etag"] = EMPTY_ETAG
    elif facts.get("ETag"):
        obj["etag"] = str(facts["ETag"]).strip('"')
    version_id = info.get("VersionId")
    if version_id and version_id != "null":
        obj["version-id"] = version_id
    if family in ("ObjectCreated", "ObjectRemoved", "LifecycleExpiration"):
        obj["sequencer"] = f"{int(clock.now() * 1000):012x}{next(_sequence) % 0x10000:04x}"
    return obj


def _stored_version(bucket: dict[str, Any], info: dict[str, Any]) -> dict[str, Any] | None:
    from fogbank.services.s3 import objects

    version_id = info.get("VersionId")
    try:
        return objects.find(bucket["Name"], info["Key"], version_id if version_id else None)
    except AwsError:
        return None
