"""Bucket sub-resources (tagging, CORS, policy, ACL, lifecycle, encryption, website, notifications,
Block Public Access, Object Ownership, accelerate, logging, request payment) and object ACLs: the
operations that read and write these configuration documents (object tags are `object_tagging`'s).

Documents live in `subresources`; their rules in concept modules (`tagging`, `acl`, `policy`,
`cors`, `lifecycle`, `website`, `notifications`). Defaults follow S3 for buckets created since
2023: Block Public Access on, Object Ownership `BucketOwnerEnforced` (ACLs disabled), SSE-S3
default encryption.

Not supported yet (refused with a clear error): server access logging delivery (PutBucketLogging
with LoggingEnabled), lifecycle transitions.
"""

from __future__ import annotations

from typing import Any

from fogbank.context import RequestContext
from fogbank.services.s3 import acl, cors, lifecycle, notifications, policy, tagging, website
from fogbank.services.s3.buckets import require_bucket
from fogbank.services.s3.errors import (
    AccessDenied,
    InvalidArgument,
    InvalidBucketAclWithObjectOwnership,
    InvalidRequest,
    MalformedXML,
    NoSuchBucketPolicy,
    NoSuchCORSConfiguration,
    NoSuchLifecycleConfiguration,
    NoSuchPublicAccessBlockConfiguration,
    NoSuchTagSet,
    NoSuchWebsiteConfiguration,
    OwnershipControlsNotFoundError,
)
from fogbank.services.s3.subresources import delete_config, may_be_configured, read_config, write_config

MALFORMED = "The XML you provided was not well-formed or did not validate against our published schema"
DEFAULT_ENCRYPTION = {
    "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}]
}
DEFAULT_PUBLIC_ACCESS_BLOCK = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
DEFAULT_TRANSITION_MINIMUM = "all_storage_classes_128K"
OWNERSHIPS = ("BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced")


def default_encryption(bucket: dict[str, Any]) -> dict[str, Any]:
    """The bucket's default encryption (what PutObject applies when a request names none)."""
    if not may_be_configured(bucket):
        return DEFAULT_ENCRYPTION
    return read_config(bucket, "encryption") or DEFAULT_ENCRYPTION


def object_ownership(bucket: dict[str, Any]) -> str | None:
    """The bucket's Object Ownership setting, or None when its controls were deleted."""
    stored = read_config(bucket, "ownership")
    if stored is not None:
        rules = stored.get("Rules") or []
        return rules[0]["ObjectOwnership"] if rules else None
    return bucket.get("ObjectOwnership") or "BucketOwnerEnforced"


def public_access_block(bucket: dict[str, Any]) -> dict[str, Any] | None:
    stored = read_config(bucket, "public-access-block")
    if stored is None:
        return dict(DEFAULT_PUBLIC_ACCESS_BLOCK)
    return stored or None


def configure_new_bucket(bucket: dict[str, Any], request: dict[str, Any]) -> None:
    """Apply a CreateBucket request's `x-amz-object-ownership`, canned ACL and grant headers to the
    bucket just created (call inside CreateBucket's atomic block: an error undoes the creation).
    An ACL other than `private` needs ACLs enabled, as in S3."""
    ownership = request.get("ObjectOwnership")
    if ownership is not None and ownership not in OWNERSHIPS:
        raise InvalidArgument("Invalid x-amz-object-ownership header", ArgumentName="x-amz-object-ownership")
    if ownership:
        write_config(bucket, "ownership", {"Rules": [{"ObjectOwnership": ownership}]})
    if request.get("ACL") or any(request.get(name) for name in acl.GRANT_MEMBERS):
        document = acl.acl_from_request(request, bucket["Account"])
        if ownership in (None, "BucketOwnerEnforced") and not acl.is_owner_only(document):
            raise InvalidBucketAclWithObjectOwnership(
                "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"
            )
        write_config(bucket, "acl", document)


def bucket_of(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    """The request's bucket; `x-amz-expected-bucket-owner` naming another account is refused
    (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-owner-condition.html)."""
    bucket = require_bucket(ctx, request["Bucket"])
    expected = request.get("ExpectedBucketOwner")
    if expected is not None and expected != bucket["Account"]:
        raise AccessDenied("Access Denied")
    return bucket


class BucketConfiguration:
    """Mixed into `S3Provider`: one method per bucket-configuration operation."""

    def start(self) -> None:
        """Resume lifecycle sweeps for configurations stored before a restart."""
        from fogbank.services.s3.subresources import buckets_with

        if buckets_with("lifecycle"):
            # Not swept here: start() runs while the provider is being loaded, and a sweep calls it.
            lifecycle.ensure_scheduled(catch_up=True)
        super().start()  # type: ignore[misc]

    def stop(self) -> None:
        lifecycle.cancel()
        super().stop()  # type: ignore[misc]

    # -- tagging ---------------------------------------------------------------------------------

    def put_bucket_tagging(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = bucket_of(ctx, request)
        tags = request["Tagging"].get("TagSet") or []
        tagging.validate_tag_set(tags, limit=tagging.BUCKET_TAG_LIMIT, kind="Bucket")
        write_config(bucket, "tagging", tagging.clean_tag_set(tags))
        return {}

    def get_bucket_tagging(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = bucket_of(ctx, request)
        tags = read_config(bucket, "tagging")
        if tags is None:
            raise NoSuchTagSet("The TagSet does not exist", BucketName=bucket["Name"])
        return {"TagSet": tags}

    def delete_bucket_tagging(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        delete_config(bucket_of(ctx, request), "tagging")
        return {}

    # -- CORS ------------------------------------------------------------------------------------

    def put_bucket_cors(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = bucket_of(ctx, request)
        write_config(bucket, "cors", cors.validate_cors(request["CORSConfiguration"]))
        return {}

    def get_bucket_cors(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = bucket_of(ctx, request)
        rules = read_config(bucket, "cors")
        if rules is None:
            raise NoSuchCORSConfiguration("The CORS configuration does not exist", BucketName=bucket["Name"])
        return {"CORSRules": rules}

    def delete_bucket_cors(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        delete_config(bucket_of(ctx, request), "cors")
        return {}

    # -- policy ----------------------------------------------------------------------------------

    def put_bucket_policy(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = bucket_of(ctx, request)
        text = request["Policy"]
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        document = policy.parse_policy(text, bucket["Name"])
        block = public_access_block(bucket)
        if block and block.get("BlockPublicPolicy") and policy.is_public_policy(document):
            # https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html
            raise AccessDenied(
                f"User: {ctx.arn('iam', 'root', region=False)} is not authorized to perform: s3:PutBucketPolicy "
                f'on resource: "arn:aws:s3:::{bucket["Name"]}" because public policies are blocked by the '
                "BlockPublicPolicy block public access setting."
            )
        write_config(bucket, "policy", text)
        return {}

    def get_bucket_policy(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = bucket_of(ctx, request)
        text = read_config(bucket, "policy")
        if text is None:
            raise NoSuchBucketPolicy("The bucket policy does not exist", BucketName=bucket["Name"])
        return {"Policy": text}

    def delete_bucket_policy(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        delete_config(bucket_of(ctx, request), "policy")
        return {}

    def get_bucket_policy_status(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = bucket_of(ctx, request)
        text = read_config(bucket, "policy")
        if text is None:
            raise NoSuchBucketPolicy("The bucket policy does not exist", BucketName=bucket["Name"])
        return {
            "PolicyStatus": {"IsPublic": policy.is_public_policy(policy.parse_policy(text, bucket["Name"]))}
        }

    # -- ACLs ------------------------------------------------------------------------------------

    def put_bucket_acl(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = bucket_of(ctx, request)
        document = acl.acl_from_request(request, bucket["Account"])
        acl.check_acls_enabled(object_ownership(bucket), document)
        self._check_public_acl(bucket, document)
        write_config(bucket, "acl", document)
        return {}

    def get_bucket_acl(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = bucket_of(ctx, request)
        stored = read_config(bucket, "acl")
        if stored is None:
            stored = acl.canned_acl(bucket.get("ACL") or "private", bucket["Account"])
        return {"Owner": stored["Owner"], "Grants": stored["Grants"]}

    def put_object_acl(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        from fogbank.services.s3 import objects
        from fogbank.services.s3.subresources import write_object_config

        bucket = bucket_of(ctx, request)
        version = objects.find(bucket["Name"], request["Key"], request.get("VersionId"))
        document = acl.acl_from_request(request, version.get("Owner") or bucket["Account"])
        acl.check_acls_enabled(object_ownership(bucket), document)
        self._check_public_acl(bucket, document)
        write_object_config(bucket["Name"], "acl", version, document)
        info = {
            "Key": version["Key"],
            "VersionId": version["VersionId"] if bucket.get("Versioning") else None,
        }
        notifications.notify(ctx, bucket["Name"], "ObjectAcl:Put", info)
        return {}

    def get_object_acl(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        from fogbank.services.s3 import objects
        from fogbank.services.s3.subresources import read_object_config

        bucket = bucket_of(ctx, request)
        version = objects.find(bucket["Name"], request["Key"], request.get("VersionId"))
        stored = read_object_config(bucket["Name"], "acl", version)
        if stored is None:
            stored = acl.canned_acl(
                version.get("ACL") or "private", version.get("Owner") or bucket["Account"]
            )
        return {"Owner": stored["Owner"], "Grants": stored["Grants"]}

    @staticmethod
    def _check_public_acl(bucket: dict[str, Any], document: dict[str, Any]) -> None:
        block = public_access_block(bucket)
        if block and block.get("BlockPublicAcls") and acl.is_public_acl(document):
            raise AccessDenied("Access Denied")

    # -- lifecycle -------------------------------------------------------------------------------

    def put_bucket_lifecycle_configuration(
        self, ctx: RequestContext, request: dict[str, Any]
    ) -> dict[str, Any]:
        bucket = bucket_of(ctx, request)
        rules = lifecycle.validate_lifecycle(request.get("LifecycleConfiguration"))
        minimum = request.get("TransitionDefaultMinimumObjectSize") or DEFAULT_TRANSITION_MINIMUM
        write_config(bucket, "lifecycle", {"Rules": rules, "TransitionDefaultMinimumObjectSize": minimum})
        lifecycle.ensure_scheduled()
        return {"TransitionDefaultMinimumObjectSize": minimum}

    def get_bucket_lifecycle_configuration(
        self, ctx: RequestContext, request: dict[str, Any]
    ) -> dict[str, Any]:
        bucket = bucket_of(ctx, request)
        stored = read_config(bucket, "lifecycle")
        if stored is None:
            raise NoSuchLifecycleConfiguration(
                "The lifecycle configuration does not exist", BucketName=bucket["Name"]
            )
        return dict(stored)

    def delete_bucket_lifecycle(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        delete_config(bucket_of(ctx, request), "lifecycle")
        return {}

    # -- encryption ------------------------------------------------------------------------------

    def put_bucket_encryption(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = bucket_of(ctx, request)
        configuration = request["ServerSideEncryptionConfiguration"]
        rules = configuration.get("Rules") or []
        if len(rules) != 1:
            raise MalformedXML(MALFORMED)
        default = rules[0].get("ApplyServerSideEncryptionByDefault") or {}
        algorithm = default.get("SSEAlgorithm")
        if algorithm not in ("AES256", "aws:kms", "aws:kms:dsse"):
            raise MalformedXML(MALFORMED)
        if default.get("KMSMasterKeyID") and algorithm not in ("aws:kms", "aws:kms:dsse"):
            raise InvalidArgument(
                "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse",
                ArgumentName="ApplyServerSideEncryptionByDefault",
            )
        write_config(bucket, "encryption", {"Rules": rules})
        return {}

    def get_bucket_encryption(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = bucket_of(ctx, request)
        return {"ServerSideEncryptionConfiguration": default_encryption(bucket)}

    def delete_bucket_encryption(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        # S3 falls back to SSE-S3, its default for every bucket since January 2023.
        delete_config(bucket_of(ctx, request), "encryption")
        return {}

    # -- website ---------------------------------------------------------------------------------

    def put_bucket_website(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = bucket_of(ctx, request)
        write_config(bucket, "website", website.validate_website(request["WebsiteConfiguration"]))
        return {}

    def get_bucket_website(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = bucket_of(ctx, request)
        stored = read_config(bucket, "website")
        if stored is None:
            raise NoSuchWebsiteConfiguration(
                "The specified bucket does not have a website configuration", BucketName=bucket["Name"]
            )
        return dict(stored)

    def delete_bucket_website(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        delete_config(bucket_of(ctx, request), "website")
        return {}

    # -- notifications ---------------------------------------------------------------------------

    def put_bucket_notification_configuration(
        self, ctx: RequestContext, request: dict[str, Any]
    ) -> dict[str, Any]:
        bucket = bucket_of(ctx, request)
        configuration = notifications.validate_notifications(
            request["NotificationConfiguration"],
            bucket,
            check_destinations=not request.get("SkipDestinationValidation"),
        )
        write_config(bucket, "notification", configuration)
        notifications.send_test_events(ctx, bucket, configuration)
        return {}

    def get_bucket_notification_configuration(
        self, ctx: RequestContext, request: dict[str, Any]
    ) -> dict[str, Any]:
        bucket = bucket_of(ctx, request)
        return dict(read_config(bucket, "notification") or {})

    # -- Block Public Access and Object Ownership ------------------------------------------------

    def put_public_access_block(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = bucket_of(ctx, request)
        configuration = request["PublicAccessBlockConfiguration"]
        # Settings left out are false (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutPublicAccessBlock.html).
        write_config(
            bucket,
            "public-access-block",
            {name: bool(configuration.get(name)) for name in DEFAULT_PUBLIC_ACCESS_BLOCK},
        )
        return {}

    def get_public_access_block(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = bucket_of(ctx, request)
        block = public_access_block(bucket)
        if block is None:
            raise NoSuchPublicAccessBlockConfiguration(
                "The public access block configuration was not found", BucketName=bucket["Name"]
            )
        return {"PublicAccessBlockConfiguration": block}

    def delete_public_access_block(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        write_config(bucket_of(ctx, request), "public-access-block", {})
        return {}

    def put_bucket_ownership_controls(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = bucket_of(ctx, request)
        rules = request["OwnershipControls"].get("Rules") or []
        if len(rules) != 1 or rules[0].get("ObjectOwnership") not in OWNERSHIPS:
            raise MalformedXML(MALFORMED)
        if rules[0]["ObjectOwnership"] == "BucketOwnerEnforced":
            stored = read_config(bucket, "acl")
            if stored is not None and not acl.is_owner_only(stored):
                raise InvalidBucketAclWithObjectOwnership(
                    "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"
                )
        write_config(bucket, "ownership", {"Rules": [{"ObjectOwnership": rules[0]["ObjectOwnership"]}]})
        return {}

    def get_bucket_ownership_controls(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = bucket_of(ctx, request)
        ownership = object_ownership(bucket)
        if ownership is None:
            raise OwnershipControlsNotFoundError(
                "The bucket ownership controls were not found", BucketName=bucket["Name"]
            )
        return {"OwnershipControls": {"Rules": [{"ObjectOwnership": ownership}]}}

    def delete_bucket_ownership_controls(
        self, ctx: RequestContext, request: dict[str, Any]
    ) -> dict[str, Any]:
        write_config(bucket_of(ctx, request), "ownership", {})
        return {}

    # -- accelerate, logging, request payment ----------------------------------------------------

    def put_bucket_accelerate_configuration(
        self, ctx: RequestContext, request: dict[str, Any]
    ) -> dict[str, Any]:
        bucket = bucket_of(ctx, request)
        status = request["AccelerateConfiguration"].get("Status")
        if status not in ("Enabled", "Suspended"):
            raise MalformedXML(MALFORMED)
        if "." in bucket["Name"]:
            raise InvalidRequest(
                "S3 Transfer Acceleration is not supported for buckets with periods (.) in their names"
            )
        write_config(bucket, "accelerate", status)
        return {}

    def get_bucket_accelerate_configuration(
        self, ctx: RequestContext, request: dict[str, Any]
    ) -> dict[str, Any]:
        status = read_config(bucket_of(ctx, request), "accelerate")
        return {"Status": status} if status else {}

    def put_bucket_logging(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        from fogbank.services.s3.buckets import find_bucket
        from fogbank.services.s3.errors import InvalidTargetBucketForLogging, S3NotImplemented

        bucket = bucket_of(ctx, request)
        enabled = request["BucketLoggingStatus"].get("LoggingEnabled")
        if enabled:
            target = find_bucket(enabled.get("TargetBucket", ""))
            if target is None:
                raise InvalidTargetBucketForLogging(
                    "The target bucket for logging does not exist",
                    TargetBucket=enabled.get("TargetBucket", ""),
                )
            raise S3NotImplemented(
                "fogbank does not deliver S3 server access logs yet, so logging cannot be enabled"
            )
        delete_config(bucket, "logging")
        return {}

    def get_bucket_logging(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket_of(ctx, request)
        return {}

    def put_bucket_request_payment(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = bucket_of(ctx, request)
        payer = request["RequestPaymentConfiguration"].get("Payer")
        if payer not in ("BucketOwner", "Requester"):
            raise MalformedXML(MALFORMED)
        write_config(bucket, "request-payment", payer)
        return {}

    def get_bucket_request_payment(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = bucket_of(ctx, request)
        return {"Payer": read_config(bucket, "request-payment") or "BucketOwner"}
