"""S3 buckets: one global namespace of bucket names (across accounts and regions, as in AWS).

A bucket record is a dict: {"Name", "Region", "Account", "CreationDate" (epoch seconds),
"Versioning" (None | "Enabled" | "Suspended"), "ObjectLock" (bool)} stored in the collection
("s3", "buckets", scope "global") keyed by bucket name.
"""

from __future__ import annotations

from typing import Any

from fogbank.context import RequestContext
from fogbank.services.s3.errors import NoSuchBucket
from fogbank.state import Collection, database


def bucket_store() -> Collection[dict[str, Any]]:
    return database().collection("s3", "buckets", "global")


def find_bucket(name: str) -> dict[str, Any] | None:
    return bucket_store().get(name)


def require_bucket(ctx: RequestContext, name: str) -> dict[str, Any]:
    """The bucket, or AWS's NoSuchBucket error (bucket names are global, so any account finds it;
    access control between accounts comes with IAM enforcement)."""
    bucket = bucket_store().get(name)
    if bucket is None:
        raise NoSuchBucket("The specified bucket does not exist", BucketName=name)
    return bucket
