"""S3's wire quirks on top of `rest-xml`: virtual-host addressing, the S3 error document, request id
headers, S3's root element names and namespace, GetBucketLocation's bare document, bodiless
HEAD and 304 answers, and the expiry of presigned URLs.

See https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html and
https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html
"""

from __future__ import annotations

import functools
import re
from binascii import b2a_base64
from contextvars import ContextVar
from typing import Any

from botocore.model import OperationModel

from fogbank.config import settings
from fogbank.errors import AwsError, UnknownOperationException
from fogbank.protocol.http import HttpRequest, HttpResponse
from fogbank.protocol.rest_xml import RestXmlCodec
from fogbank.protocol.validation import validate as model_problems
from fogbank.protocol.xml import escape

NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"

# Host names that carry the bucket (virtual-hosted style): `bucket.s3.amazonaws.com`,
# `bucket.s3.<region>.amazonaws.com`, `bucket.s3-<region>.amazonaws.com`,
# `bucket.s3.localhost.localstack.cloud` and `bucket.localhost`. Website endpoints are not API hosts.
_VIRTUAL_HOST = re.compile(
    r"^(?P<bucket>[a-z0-9][a-z0-9.-]*?)\."
    r"(?:s3(?!-website)(?:[.-][a-z0-9-]+)*\.(?:amazonaws\.com(?:\.cn)?|localhost\.localstack\.cloud)|localhost)$"
)

# The document element S3 writes for each output without a payload member (botocore's models
# name the shapes, not the elements).
ROOT_ELEMENTS = {
    "ListBuckets": "ListAllMyBucketsResult",
    "ListDirectoryBuckets": "ListAllMyDirectoryBucketsResult",
    "ListObjects": "ListBucketResult",
    "ListObjectsV2": "ListBucketResult",
    "ListObjectVersions": "ListVersionsResult",
    "ListMultipartUploads": "ListMultipartUploadsResult",
    "ListParts": "ListPartsResult",
    "CreateMultipartUpload": "InitiateMultipartUploadResult",
    "CompleteMultipartUpload": "CompleteMultipartUploadResult",
    "DeleteObjects": "DeleteResult",
    "GetBucketVersioning": "VersioningConfiguration",
    "GetObjectAttributes": "GetObjectAttributesResponse",
    "GetBucketTagging": "Tagging",
    "GetObjectTagging": "Tagging",
    "GetBucketCors": "CORSConfiguration",
    "GetBucketAcl": "AccessControlPolicy",
    "GetObjectAcl": "AccessControlPolicy",
    "GetBucketLifecycleConfiguration": "LifecycleConfiguration",
    "GetBucketLifecycle": "LifecycleConfiguration",
    "GetBucketWebsite": "WebsiteConfiguration",
    "GetBucketNotificationConfiguration": "NotificationConfiguration",
    "GetBucketNotification": "NotificationConfiguration",
    "GetBucketLogging": "BucketLoggingStatus",
    "GetBucketAccelerateConfiguration": "AccelerateConfiguration",
    "GetBucketRequestPayment": "RequestPaymentConfiguration",
    "GetBucketPolicyStatus": "PolicyStatus",
    "ListBucketAnalyticsConfigurations": "ListBucketAnalyticsConfigurationResult",
    "ListBucketInventoryConfigurations": "ListInventoryConfigurationsResult",
    "ListBucketMetricsConfigurations": "ListMetricsConfigurationsResult",
    "ListBucketIntelligentTieringConfigurations": "ListBucketIntelligentTieringConfigurationsOutput",
}

# The form of a POST Object upload, from parsing to the answer (each request runs in its own task).
_POST_FORM: ContextVar[tuple[dict[str, str], str, str, str] | None] = ContextVar("s3_post_form", default=None)

# Codes of the generic layers, as S3 names them.
_CODES = {"SerializationException": "MalformedXML", "ValidationException": "InvalidArgument"}


def virtual_host_bucket(host: str) -> str | None:
    """The bucket named by a virtual-hosted-style host name, or None for path-style hosts."""
    match = _VIRTUAL_HOST.match(host.rpartition(":")[0] if ":" in host else host)
    return match.group("bucket") if match else None


@functools.lru_cache(maxsize=1024)
def _host_bucket(host: str) -> str:
    """The bucket a `Host` header names, or "": remembered per host, as clients send one host again
    and again (the regex cost 0.7 % of a PutObject's server CPU)."""
    return virtual_host_bucket(host.lower()) or ""


class S3Codec(RestXmlCodec):
    def match_path(self, request: HttpRequest) -> str:
        """Virtual-hosted requests are routed as their path-style equivalent (`/{Bucket}/{Key+}`)."""
        path = request.path
        bucket = _host_bucket(request.headers.get("host", "localhost"))  # `request.host`, inline
        if bucket:
            path = "/" + bucket + (path if path.startswith("/") else "/" + path)
        # `/bucket/` names the bucket, not an object with an empty key.
        if path.endswith("/") and len(path) > 2 and path.count("/") == 2:
            path = path[:-1]
        return path

    def find_operation(self, request: HttpRequest) -> OperationModel:
        # Presigned URLs expire before anything else is looked at (their body is not even read).
        if "X-Amz-Expires" in request.query_string or "Expires=" in request.query_string:
            from fogbank.services.s3.presign import check_expiry

            check_expiry(request)
        path = self.match_path(request)
        if request.method == "POST" and "multipart/form-data" in request.headers.get("content-type", ""):
            from fogbank.services.s3 import post_object

            if post_object.is_post_object(request, path):
                # A browser-based upload: PutObject's parameters come from the form.
                request.memo["s3_post_bucket"] = path[1:]
                return self.service.operation_model("PutObject")
        try:
            return self.route(request, path)
        except UnknownOperationException:
            # S3 answers a method it has no operation for on a resource with 405.
            kind = "SERVICE" if path in ("", "/") else ("OBJECT" if path.count("/") > 1 else "BUCKET")
            raise AwsError(
                "The specified method is not allowed against this resource.",
                code="MethodNotAllowed",
                status=405,
                Method=request.method,
                ResourceType=kind,
            ) from None

    def parse(self, operation: OperationModel, request: HttpRequest) -> dict[str, Any]:
        if "s3_post_bucket" not in request.memo:
            return RestXmlCodec.parse(self, operation, request)  # not `super()`: 0.8k instructions
        bucket = request.memo["s3_post_bucket"]
        assert isinstance(bucket, str)
        from urllib.parse import quote

        from fogbank.services.s3 import post_object

        form = post_object.read_form(request)
        try:
            post_object.check_policy(bucket, form)
            if settings.verify_signatures:
                post_object.check_signature(form)
            params = post_object.put_parameters(bucket, form)
        except BaseException:
            if form.file is not None:
                form.file.discard()  # a large file field was copied to its own temporary file
            raise
        location = f"{request.base_url}/{bucket}/{quote(params['Key'])}"
        _POST_FORM.set((form.fields, bucket, params["Key"], location))
        return params

    def root_name(self, operation: OperationModel) -> str:
        return ROOT_ELEMENTS.get(operation.name) or super().root_name(operation)

    def validation_error_code(self) -> str:
        return "InvalidArgument"

    def validate(self, shape: Any, params: dict[str, Any]) -> list[str]:
        # S3 does not check enums against the model: each operation checks the values it uses and
        # answers S3's own errors (InvalidLocationConstraint, InvalidStorageClass, MalformedXML...).
        # The model's checks themselves (RestXmlCodec adds none): no `super()` object, no frame.
        problems = model_problems(shape, params)
        return [problem for problem in problems if "enum value set" not in problem] if problems else problems

    def serialize(self, operation: OperationModel, result: dict[str, Any], request_id: str) -> HttpResponse:
        if operation.name == "GetBucketLocation":
            return self._bucket_location(result, request_id)
        posted = _POST_FORM.get()
        if posted is not None and operation.name == "PutObject":
            return self._post_response(posted, result, request_id)
        response = RestXmlCodec.serialize(self, operation, result, request_id)  # not `super()`: 0.8k
        if "_Status" in result:
            response.status = int(result["_Status"])  # RestoreObject's 202 (no status member)
        if "ContentRange" in result and operation.name in ("GetObject", "HeadObject"):
            response.status = 206  # a partial body (the model has no status member for it)
        if response.body and "content-type" not in response.headers:
            response.headers["content-type"] = "application/xml"
        return response

    def _post_response(
        self, posted: tuple[dict[str, str], str, str, str], result: dict[str, Any], request_id: str
    ) -> HttpResponse:
        from fogbank.services.s3.post_object import success_response

        _POST_FORM.set(None)
        fields, bucket, key, location = posted
        status, headers, body = success_response(fields, bucket, key, result["ETag"], location)
        headers.update(self.response_headers(request_id))
        if "VersionId" in result:
            headers["x-amz-version-id"] = result["VersionId"]
        return HttpResponse(status, headers, body)

    def _bucket_location(self, result: dict[str, Any], request_id: str) -> HttpResponse:
        # S3 answers a bare element whose text is the region (empty for us-east-1).
        region = escape(result.get("LocationConstraint") or "")
        body = f'<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="{NAMESPACE}">{region}</LocationConstraint>'
        headers = self.response_headers(request_id)
        headers["content-type"] = "application/xml"
        return HttpResponse(200, headers, body.encode())

    def document(self, tag: str, shape: Any, value: Any) -> bytes:
        out = ['<?xml version="1.0" encoding="UTF-8"?>\n']
        self.writer.element(tag, shape, value, out)
        first = out[1]
        close = first.index(">")
        if "xmlns=" not in first[:close]:
            out[1] = f'{first[:close]} xmlns="{NAMESPACE}"{first[close:]}'
        return "".join(out).encode()

    def response_headers(self, request_id: str) -> dict[str, str]:
        # `binascii` itself: `base64.b64encode` adds a Python call (3.9k -> 3.4k instructions).
        return {
            "x-amz-request-id": request_id,
            "x-amz-id-2": b2a_base64(request_id.encode(), newline=False).decode(),
            "server": "AmazonS3",
        }

    def serialize_error(
        self, error: AwsError, operation: OperationModel | None, request_id: str, request: HttpRequest
    ) -> HttpResponse:
        headers = {**self.response_headers(request_id), **error.headers}
        if request.method == "HEAD" or error.status == 304:
            # HEAD answers carry no body (clients see only the status); 304 never has one.
            return HttpResponse(error.status, headers, b"")
        code = _CODES.get(error.code, error.code)
        if error.code == "SerializationException" and "XML" not in error.message:
            code = "InvalidArgument"  # a header or query value that does not parse, not a document
        extra = "".join(f"<{key}>{escape(str(value))}</{key}>" for key, value in error.fields.items())
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{escape(code)}</Code>'
            f"<Message>{escape(error.message)}</Message>{extra}<RequestId>{request_id}</RequestId>"
            f"<HostId>{headers['x-amz-id-2']}</HostId></Error>"
        )
        headers["content-type"] = "application/xml"
        return HttpResponse(error.status, headers, body.encode())
