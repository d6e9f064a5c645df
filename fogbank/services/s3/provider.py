"""Amazon S3 operations (buckets, objects, multipart uploads, versioning, object tags, restores);
the bucket configuration sub-resources come from `BucketConfiguration`. Browser uploads (POST
Object) arrive here as PutObject (see `post_object`).

Not supported yet (answered with a clear error, never ignored): SSE-C, Object Lock retention and
legal holds, appends (x-amz-write-offset-bytes), MFA delete, XXHASH checksums, directory buckets,
S3 Select restores, conditional deletes (directory buckets only in S3).
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from fogbank import state
from fogbank.context import RequestContext
from fogbank.services.provider import Provider
from fogbank.services.s3 import (
    bodies,
    buckets,
    checksums,
    listing,
    multipart,
    object_events,
    object_tagging,
    objects,
    reads,
    restore,
    writes,
)
from fogbank.services.s3.configuration import BucketConfiguration
from fogbank.services.s3.errors import BucketNotEmpty, MalformedXML


class S3Provider(BucketConfiguration, Provider):
    service = "s3"
    validation_error_code = "InvalidArgument"

    def stop(self) -> None:
        # A reset or an import replaces every S3 collection: cached ones are let go.
        objects.forget_stores()
        super().stop()

    # -- buckets ---------------------------------------------------------------------------------

    def create_bucket(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        configuration = request.get("CreateBucketConfiguration") or {}
        buckets.refuse_unsupported_configuration(configuration, request)
        buckets.check_acl_and_ownership(request)
        with state.atomic():
            bucket = buckets.create_bucket(
                ctx,
                request["Bucket"],
                configuration.get("LocationConstraint"),
                bool(request.get("ObjectLockEnabledForBucket")),
            )
            buckets.keep_acl_and_ownership(bucket, request)
        return {"Location": f"/{bucket['Name']}", "BucketArn": f"arn:{ctx.partition}:s3:::{bucket['Name']}"}

    def delete_bucket(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = buckets.require_expected_bucket(ctx, request)
        if not objects.is_empty(bucket["Name"]):
            message = "The bucket you tried to delete is not empty"
            if bucket.get("Versioning"):
                message += ". You must delete all versions in the bucket."
            raise BucketNotEmpty(message, BucketName=bucket["Name"])
        multipart.abort_all(bucket["Name"])
        buckets.delete_bucket(bucket["Name"])
        return {}

    def head_bucket(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = buckets.require_expected_bucket(ctx, request)
        return {"BucketRegion": bucket["Region"], "AccessPointAlias": False}

    def list_buckets(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return buckets.list_buckets(ctx, request)

    def get_bucket_location(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = buckets.require_expected_bucket(ctx, request)
        # us-east-1 buckets answer an empty LocationConstraint.
        return {"LocationConstraint": None if bucket["Region"] == buckets.US_EAST_1 else bucket["Region"]}

    def put_bucket_versioning(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = buckets.require_expected_bucket(ctx, request)
        buckets.set_versioning(bucket, request.get("VersioningConfiguration") or {}, request.get("MFA"))
        return {}

    def get_bucket_versioning(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = buckets.require_expected_bucket(ctx, request)
        return {"Status": bucket["Versioning"]} if bucket.get("Versioning") else {}

    # -- objects ---------------------------------------------------------------------------------

    def put_object(
        self, ctx: RequestContext, request: dict[str, Any]
    ) -> dict[str, Any] | Coroutine[Any, Any, dict[str, Any]]:
        # Bodies in memory are stored inline (the hot path, and callable from other services
        # synchronously); bodies spooled to disk are hashed in a worker thread, so the answer is
        # a coroutine the gateway awaits.
        bucket = buckets.require_expected_bucket(ctx, request)
        plan = writes.plan_put(bucket, request, ctx.account)
        body = request.get("Body")
        if bodies.is_spooled(body):
            return self._put_spooled(ctx, bucket, request, plan)
        # A versioned key's record holds all its versions and is rewritten whole on each write:
        # tiny bodies are embedded in it only when it holds one (unversioned buckets).
        stored = bodies.ingest(body, plan.algorithms, not bucket.get("Versioning"))
        # Nothing else ran since `plan_put` checked the bucket and the conditions: not again.
        result = writes.finish_put(bucket, request, ctx.account, plan, stored, False)
        object_events.announce(ctx, bucket, "ObjectCreated:Put", request["Key"], result)
        return result

    async def _put_spooled(
        self, ctx: RequestContext, bucket: dict[str, Any], request: dict[str, Any], plan: writes.PutPlan
    ) -> dict[str, Any]:
        stored = await bodies.ingest_async(request.get("Body"), plan.algorithms)
        result = writes.finish_put(bucket, request, ctx.account, plan, stored, True)
        object_events.announce(ctx, bucket, "ObjectCreated:Put", request["Key"], result)
        return result

    def get_object(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = buckets.require_expected_bucket(ctx, request)
        return reads.read_object(bucket, request, with_body=True)

    def head_object(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = buckets.require_expected_bucket(ctx, request)
        return reads.read_object(bucket, request, with_body=False)

    def delete_object(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = buckets.require_expected_bucket(ctx, request)
        writes.refuse_delete_conditions(request)
        result = objects.delete(bucket, request["Key"], request.get("VersionId"), ctx.account)
        object_events.announce_delete(ctx, bucket, request["Key"], request.get("VersionId"), result)
        return result

    def delete_objects(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = buckets.require_expected_bucket(ctx, request)
        checksums.verify_document(ctx.request.headers, ctx.request.body.data)
        delete = request["Delete"]
        entries = delete.get("Objects") or []
        if not entries or len(entries) > 1000:
            raise MalformedXML(
                "The XML you provided was not well-formed or did not validate against our published schema"
            )
        result = objects.delete_many(bucket, entries, bool(delete.get("Quiet")), ctx.account)
        failed = {(e["Key"], e.get("VersionId")) for e in result.get("Errors", [])}
        for entry in entries:
            if (entry["Key"], entry.get("VersionId")) not in failed:
                marker = (
                    {"DeleteMarker": True} if bucket.get("Versioning") and not entry.get("VersionId") else {}
                )
                object_events.announce_delete(ctx, bucket, entry["Key"], entry.get("VersionId"), marker)
        return result

    def copy_object(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = buckets.require_expected_bucket(ctx, request)
        source_name = writes.parse_copy_source(request["CopySource"])[0]
        result = writes.copy_object(
            bucket, buckets.require_expected_source(ctx, source_name, request), request, ctx.account
        )
        details = {**result["CopyObjectResult"], "VersionId": result.get("VersionId")}
        object_events.announce(ctx, bucket, "ObjectCreated:Copy", request["Key"], details)
        return result

    def list_objects(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = buckets.require_expected_bucket(ctx, request)
        return listing.list_objects(bucket["Name"], request)

    def list_objects_v2(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = buckets.require_expected_bucket(ctx, request)
        return listing.list_objects_v2(bucket["Name"], request)

    def list_object_versions(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = buckets.require_expected_bucket(ctx, request)
        return listing.list_object_versions(bucket["Name"], request)

    def get_object_attributes(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = buckets.require_expected_bucket(ctx, request)
        return reads.object_attributes(bucket, request)

    def restore_object(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = buckets.require_expected_bucket(ctx, request)
        started = restore.restore_object(bucket, request)
        if started:
            object_events.announce(ctx, bucket, "ObjectRestore:Post", request["Key"], request)
        # 202 Accepted for a new restore, 200 OK when an existing restored copy is extended.
        return {"_Status": 202 if started else 200}

    def get_object_tagging(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = buckets.require_expected_bucket(ctx, request)
        return object_tagging.get_tags(bucket, request["Key"], request.get("VersionId"))

    def put_object_tagging(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = buckets.require_expected_bucket(ctx, request)
        tag_set = (request.get("Tagging") or {}).get("TagSet") or []
        with state.atomic():
            result = object_tagging.set_tags(bucket, request["Key"], request.get("VersionId"), tag_set)
        object_events.announce(ctx, bucket, "ObjectTagging:Put", request["Key"], result)
        return result

    def delete_object_tagging(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = buckets.require_expected_bucket(ctx, request)
        with state.atomic():
            result = object_tagging.set_tags(bucket, request["Key"], request.get("VersionId"), [])
        object_events.announce(ctx, bucket, "ObjectTagging:Delete", request["Key"], result)
        return result

    # -- multipart uploads -----------------------------------------------------------------------

    def create_multipart_upload(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = buckets.require_expected_bucket(ctx, request)
        return multipart.create(bucket, request, ctx.account)

    async def upload_part(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = buckets.require_expected_bucket(ctx, request)
        return await multipart.upload_part(bucket, request)

    def upload_part_copy(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = buckets.require_expected_bucket(ctx, request)
        source_name = writes.parse_copy_source(request["CopySource"])[0]
        return multipart.upload_part_copy(
            bucket, buckets.require_expected_source(ctx, source_name, request), request
        )

    async def complete_multipart_upload(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = buckets.require_expected_bucket(ctx, request)
        result = await multipart.complete(bucket, request)
        details = {**result, "Size": result.pop("Size")}
        object_events.announce(ctx, bucket, "ObjectCreated:CompleteMultipartUpload", request["Key"], details)
        return result

    def abort_multipart_upload(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = buckets.require_expected_bucket(ctx, request)
        multipart.abort(bucket, request["Key"], request["UploadId"])
        return {}

    def list_parts(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = buckets.require_expected_bucket(ctx, request)
        return multipart.list_parts(bucket, request)

    def list_multipart_uploads(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bucket = buckets.require_expected_bucket(ctx, request)
        return multipart.list_uploads(bucket, request)
