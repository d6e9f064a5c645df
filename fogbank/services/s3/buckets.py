"""S3 buckets: one global namespace of bucket names (across accounts and regions, as in AWS).

A bucket record is a dict: {"Name", "Region", "Account", "CreationDate" (epoch seconds),
"Versioning" (None | "Enabled" | "Suspended"), "ObjectLock" (bool)} stored in the collection
("s3", "buckets", scope "global") keyed by bucket name.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

from fogbank import clock, state
from fogbank.context import RequestContext
from fogbank.services.s3.errors import (
    AccessDenied,
    BucketAlreadyExists,
    BucketAlreadyOwnedByYou,
    IllegalLocationConstraintException,
    InvalidArgument,
    InvalidBucketAclWithObjectOwnership,
    InvalidBucketName,
    InvalidLocationConstraint,
    NoSuchBucket,
)
from fogbank.state import Collection, database

US_EAST_1 = "us-east-1"
# Regions a LocationConstraint may name (S3's commercial, China and GovCloud regions).
REGIONS = frozenset(
    [
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
        "af-south-1",
        "ap-east-1",
        "ap-east-2",
        "ap-south-1",
        "ap-south-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-3",
        "ap-southeast-4",
        "ap-southeast-5",
        "ap-southeast-7",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ca-central-1",
        "ca-west-1",
        "eu-central-1",
        "eu-central-2",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "eu-south-1",
        "eu-south-2",
        "eu-north-1",
        "il-central-1",
        "me-south-1",
        "me-central-1",
        "mx-central-1",
        "sa-east-1",
        "cn-north-1",
        "cn-northwest-1",
        "us-gov-east-1",
        "us-gov-west-1",
    ]
)
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_IP_ADDRESS = re.compile(r"^\d+\.\d+\.\d+\.\d+$")
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


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


def canonical_user_id(account: str) -> str:
    """S3's canonical user id of an account (64 hex characters, stable per account)."""
    return hashlib.sha256(f"fogbank-canonical-{account}".encode()).hexdigest()


def owner(account: str) -> dict[str, str]:
    return {"ID": canonical_user_id(account)}


def is_valid_name(name: str) -> bool:
    return (
        bool(_NAME.match(name))
        and ".." not in name
        and ".-" not in name
        and "-." not in name
        and not _IP_ADDRESS.match(name)
        and not name.startswith(_RESERVED_PREFIXES)
        and not name.endswith(_RESERVED_SUFFIXES)
    )


def bucket_region(ctx: RequestContext, constraint: str | None) -> str:
    """The region a CreateBucket request places the bucket in, with S3's constraint rules:
    the us-east-1 endpoint takes any other valid region; a regional endpoint only its own."""
    if not constraint:
        if ctx.region != US_EAST_1:
            raise IllegalLocationConstraintException(
                "The unspecified location constraint is incompatible for the region specific endpoint "
                "this request was sent to."
            )
        return US_EAST_1
    if ctx.region == US_EAST_1:
        if constraint == US_EAST_1 or constraint not in REGIONS:
            raise InvalidLocationConstraint(
                "The specified location-constraint is not valid", LocationConstraint=constraint
            )
        return constraint
    if constraint != ctx.region:
        raise IllegalLocationConstraintException(
            f"The {constraint} location constraint is incompatible for the region specific endpoint "
            "this request was sent to."
        )
    return constraint


OWNERSHIPS = ("BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced")
_BUCKET_GRANTS = ("GrantFullControl", "GrantRead", "GrantReadACP", "GrantWrite", "GrantWriteACP")


def check_acl_and_ownership(request: dict[str, Any]) -> None:
    """CreateBucket's ObjectOwnership, and the ACLs it allows: with `BucketOwnerEnforced` (the
    default since April 2023) ACLs are disabled, so only `private`-equivalent ones are accepted."""
    ownership = request.get("ObjectOwnership") or "BucketOwnerEnforced"
    if ownership not in OWNERSHIPS:
        raise InvalidArgument(
            "Invalid x-amz-object-ownership header",
            ArgumentName="x-amz-object-ownership",
            ArgumentValue=ownership,
        )
    granted = any(request.get(name) for name in _BUCKET_GRANTS)
    if ownership == "BucketOwnerEnforced" and (granted or request.get("ACL") not in (None, "private")):
        raise InvalidBucketAclWithObjectOwnership(
            "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"
        )


def create_bucket(
    ctx: RequestContext, name: str, constraint: str | None, object_lock: bool
) -> dict[str, Any]:
    if not is_valid_name(name):
        raise InvalidBucketName("The specified bucket is not valid.", BucketName=name)
    region = bucket_region(ctx, constraint)
    store = bucket_store()
    existing = store.get(name)
    if existing is not None:
        if existing["Account"] != ctx.account:
            raise BucketAlreadyExists(
                "The requested bucket name is not available. The bucket namespace is shared by all users "
                "of the system. Please select a different name and try again.",
                BucketName=name,
            )
        # us-east-1 keeps its legacy answer: re-creating your own bucket there succeeds.
        if existing["Region"] == US_EAST_1 and region == US_EAST_1:
            return existing
        raise BucketAlreadyOwnedByYou(
            "Your previous request to create the named bucket succeeded and you already own it.",
            BucketName=name,
        )
    record: dict[str, Any] = {
        "Name": name,
        "Region": region,
        "Account": ctx.account,
        "CreationDate": clock.now(),
        # Object Lock needs versioning, so S3 enables it with the lock.
        "Versioning": "Enabled" if object_lock else None,
        "ObjectLock": object_lock,
    }
    store.put(name, record)
    return record


def delete_bucket(name: str) -> None:
    with state.atomic():
        bucket_store().delete(name)


def list_buckets(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    """The caller's buckets by name, filtered and paginated as ListBuckets documents."""
    prefix = request.get("Prefix") or ""
    region = request.get("BucketRegion")
    after = _decode_token(request["ContinuationToken"]) if request.get("ContinuationToken") else ""
    limit = request.get("MaxBuckets") or 10000
    names = sorted(
        name
        for name, bucket in bucket_store().items()
        if bucket["Account"] == ctx.account
        and name.startswith(prefix)
        and name > after
        and (region is None or bucket["Region"] == region)
    )
    page = names[:limit]
    store = bucket_store()
    result: dict[str, Any] = {
        "Buckets": [
            {"Name": name, "CreationDate": store[name]["CreationDate"], "BucketRegion": store[name]["Region"]}
            for name in page
        ],
        "Owner": owner(ctx.account),
    }
    if "Prefix" in request:
        result["Prefix"] = prefix
    if len(names) > limit:
        result["ContinuationToken"] = base64.urlsafe_b64encode(page[-1].encode()).decode()
    return result


def _decode_token(token: str) -> str:
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        raise InvalidArgument(
            "The continuation token provided is incorrect", ArgumentName="continuation-token"
        ) from None


def set_versioning(bucket: dict[str, Any], configuration: dict[str, Any], mfa: str | None) -> None:
    """PutBucketVersioning: Enabled or Suspended (a bucket never returns to unversioned).
    https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketVersioning.html"""
    from fogbank.services.s3.errors import InvalidBucketState, MalformedXML, S3NotImplemented

    if configuration.get("MFADelete") == "Enabled" or mfa:
        raise S3NotImplemented("MFA delete is not supported by fogbank yet")
    status = configuration.get("Status")
    if status not in (None, "Enabled", "Suspended"):
        raise MalformedXML(
            "The XML you provided was not well-formed or did not validate against our published schema"
        )
    if status is None:
        if configuration.get("MFADelete") is None:
            raise MalformedXML(
                "The XML you provided was not well-formed or did not validate against our published schema"
            )
        return
    if status == "Suspended" and bucket.get("ObjectLock"):
        raise InvalidBucketState(
            "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed."
        )
    if status == "Suspended" and not bucket.get("Versioning"):
        return  # suspending a never-versioned bucket leaves it unversioned
    bucket["Versioning"] = status
    with state.atomic():
        bucket_store().put(bucket["Name"], bucket)


def keep_acl_and_ownership(bucket: dict[str, Any], request: dict[str, Any]) -> None:
    """Remember CreateBucket's ObjectOwnership and ACL where the bucket sub-resources read them."""
    changed = False
    if request.get("ObjectOwnership") and bucket.get("ObjectOwnership") != request["ObjectOwnership"]:
        bucket["ObjectOwnership"] = request["ObjectOwnership"]
        changed = True
    if request.get("ACL") and bucket.get("ACL") != request["ACL"]:
        bucket["ACL"] = request["ACL"]
        changed = True
    if changed:
        bucket_store().put(bucket["Name"], bucket)
    if any(request.get(name) for name in _BUCKET_GRANTS):
        from fogbank.services.s3 import acl
        from fogbank.services.s3.subresources import write_config

        write_config(bucket, "acl", acl.acl_from_request(request, bucket["Account"]))


def refuse_unsupported_configuration(configuration: dict[str, Any], request: dict[str, Any]) -> None:
    """Directory buckets (Location / Bucket in CreateBucketConfiguration) and bucket tags at
    creation are not supported yet: said clearly rather than ignored."""
    from fogbank.services.s3.errors import S3NotImplemented

    if configuration.get("Location") or configuration.get("Bucket"):
        raise S3NotImplemented("Directory buckets are not supported by fogbank yet")
    if configuration.get("Tags"):
        raise S3NotImplemented("Tags in CreateBucketConfiguration are not supported by fogbank yet")
    if request.get("BucketNamespace"):
        raise S3NotImplemented("Bucket namespaces are not supported by fogbank yet")


def require_expected_bucket(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    """The request's bucket, checked against x-amz-expected-bucket-owner when sent (a mismatch is
    403 AccessDenied, as S3 answers). Every object operation starts here: imports stay at module
    level (a function-level import costs about 0.5 µs per call)."""
    bucket = bucket_store().get(request["Bucket"])
    if bucket is None:
        raise NoSuchBucket("The specified bucket does not exist", BucketName=request["Bucket"])
    expected = request.get("ExpectedBucketOwner")
    if expected is not None and expected != bucket["Account"]:
        raise AccessDenied("Access Denied")
    return bucket


def require_expected_source(ctx: RequestContext, name: str, request: dict[str, Any]) -> dict[str, Any]:
    """A copy's source bucket, checked against x-amz-source-expected-bucket-owner when sent."""
    bucket = require_bucket(ctx, name)
    expected = request.get("ExpectedSourceBucketOwner")
    if expected is not None and expected != bucket["Account"]:
        raise AccessDenied("Access Denied")
    return bucket
