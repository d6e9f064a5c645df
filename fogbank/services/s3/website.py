"""S3 static website hosting: validation of website configurations (PutBucketWebsite) and the data
plane serving the website endpoints (`<bucket>.s3-website.<region>.localhost.localstack.cloud`,
`<bucket>.s3-website-<region>.amazonaws.com`, `<bucket>.s3-website.localhost`, any port).

Behaviour follows https://docs.aws.amazon.com/AmazonS3/latest/userguide/WebsiteHosting.html:
index documents for `/` and folders (and a 302 to `key/` when only `key/<index>` exists), the
error document with the error's status, RoutingRules (evaluated before the lookup for prefix
conditions, after it for error-code conditions), RedirectAllRequestsTo, per-object
`x-amz-website-redirect-location`, and S3's HTML error pages. Objects are read through the public
GetObject operation, in the bucket owner's account.
"""

from __future__ import annotations

import base64
import re
from typing import Any
from urllib.parse import quote, unquote

from fogbank.errors import AwsError
from fogbank.gateway.exchange import Exchange
from fogbank.protocol.http import HttpRequest, HttpResponse
from fogbank.services.s3.errors import InvalidArgument, InvalidRequest

_HOST = re.compile(
    r"^(?P<bucket>[a-z0-9][a-z0-9.\-]*)\.s3-website(?:[.-][a-z0-9-]+)?\."
    r"(?:amazonaws\.com|localhost\.localstack\.cloud|localhost)(?::\d+)?$"
)


# -- configuration --------------------------------------------------------------------------------


def validate_website(configuration: dict[str, Any]) -> dict[str, Any]:
    """The configuration of a PutBucketWebsite request, or S3's error for what it refuses."""
    redirect_all = configuration.get("RedirectAllRequestsTo")
    redirects = [redirect_all or {}] + [
        rule.get("Redirect") or {} for rule in configuration.get("RoutingRules") or []
    ]
    for target in redirects:
        if target.get("Protocol") not in (None, "http", "https"):
            raise InvalidRequest(
                "Invalid protocol, protocol can be http or https. If not defined the protocol will be selected automatically."
            )
    if redirect_all:
        if any(configuration.get(name) for name in ("IndexDocument", "ErrorDocument", "RoutingRules")):
            raise InvalidRequest(
                "RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules."
            )
        return configuration
    suffix = (configuration.get("IndexDocument") or {}).get("Suffix")
    if suffix is None:
        raise InvalidArgument(
            "A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty",
            ArgumentName="IndexDocument",
            ArgumentValue="null",
        )
    if not suffix or "/" in suffix:
        raise InvalidArgument(
            "The IndexDocument Suffix is not well formed", ArgumentName="IndexDocument", ArgumentValue=suffix
        )
    for rule in configuration.get("RoutingRules") or []:
        redirect = rule.get("Redirect") or {}
        if "ReplaceKeyWith" in redirect and "ReplaceKeyPrefixWith" in redirect:
            raise InvalidRequest("You can only define ReplaceKeyPrefix or ReplaceKey but not both.")
        if not redirect:
            raise InvalidRequest("Invalid Request, RoutingRule must contain a Redirect.")
    return configuration


# -- data plane -----------------------------------------------------------------------------------


def matches(request: HttpRequest) -> bool:
    host = request.host
    return "s3-website" in host and _HOST.match(host.lower()) is not None


async def serve(exchange: Exchange) -> HttpResponse | None:
    from fogbank.services.s3 import cors
    from fogbank.services.s3.buckets import find_bucket
    from fogbank.services.s3.subresources import read_config

    request = exchange.request
    match = _HOST.match(request.host.lower())
    assert match is not None
    name = match.group("bucket")
    bucket = find_bucket(name)
    if bucket is None:
        return error_page(
            exchange, 404, "NoSuchBucket", "The specified bucket does not exist", BucketName=name
        )
    config = read_config(bucket, "website")
    if config is None:
        return error_page(
            exchange,
            404,
            "NoSuchWebsiteConfiguration",
            "The specified bucket does not have a website configuration",
            BucketName=name,
        )
    if request.method == "OPTIONS" and cors.matches(request):
        return cors.answer_preflight(exchange, bucket, unquote(request.path).lstrip("/"))
    if request.method not in ("GET", "HEAD"):
        return error_page(
            exchange,
            405,
            "MethodNotAllowed",
            "The specified method is not allowed against this resource.",
            Method=request.method,
            ResourceType="OBJECT",
        )
    site = Website(exchange, bucket, config)
    return await site.respond()


class Website:
    """One request to one bucket's website."""

    def __init__(self, exchange: Exchange, bucket: dict[str, Any], config: dict[str, Any]) -> None:
        self.exchange = exchange
        self.bucket = bucket
        self.config = config
        self.key = unquote(exchange.request.path).lstrip("/")

    async def respond(self) -> HttpResponse:
        redirect_all = self.config.get("RedirectAllRequestsTo")
        if redirect_all:
            protocol = redirect_all.get("Protocol") or self.exchange.request.scheme
            return redirect(self.exchange, 301, f"{protocol}://{redirect_all['HostName']}/{quote(self.key)}")
        rule = self.routing_rule(None)
        if rule is not None:
            return self.apply_rule(rule)
        suffix = self.config["IndexDocument"]["Suffix"]
        key = self.key + suffix if self.key == "" or self.key.endswith("/") else self.key
        try:
            return await self.fetch(key, 200)
        except AwsError as error:
            if error.status == 404 and not key.endswith(suffix) and await self.exists(f"{key}/{suffix}"):
                # A folder asked for without its slash: S3 redirects to the folder.
                return redirect(self.exchange, 302, "/" + quote(key) + "/")
            return await self.fail(error)

    async def fetch(self, key: str, status: int) -> HttpResponse:
        from fogbank.protocol.rest import write_blob_payload
        from fogbank.services.calls import call_async

        headers = self.exchange.request.headers
        params: dict[str, Any] = {"Bucket": self.bucket["Name"], "Key": key}
        if status == 200:
            for header, member in (
                ("if-none-match", "IfNoneMatch"),
                ("if-match", "IfMatch"),
                ("range", "Range"),
            ):
                if header in headers:
                    params[member] = headers[header]
            for header, member in (
                ("if-modified-since", "IfModifiedSince"),
                ("if-unmodified-since", "IfUnmodifiedSince"),
            ):
                if header in headers:
                    params[member] = _http_date(headers[header])
        result = await call_async(
            "s3", "GetObject", params, account=self.bucket["Account"], region=self.bucket["Region"]
        )
        location = result.get("WebsiteRedirectLocation")
        if location and status == 200:
            return redirect(self.exchange, 301, location)
        response = HttpResponse(status, self.object_headers(result))
        write_blob_payload(result.get("Body", b""), response)
        if result.get("ContentRange"):
            response.status = 206 if status == 200 else status
        return response

    def object_headers(self, result: dict[str, Any]) -> dict[str, str]:
        from email.utils import format_datetime, formatdate

        headers = {"x-amz-request-id": self.exchange.request_id, "server": "AmazonS3"}
        for member, header in (
            ("ContentType", "content-type"),
            ("ETag", "etag"),
            ("ContentLength", "content-length"),
            ("ContentRange", "content-range"),
            ("CacheControl", "cache-control"),
            ("ContentEncoding", "content-encoding"),
            ("ContentLanguage", "content-language"),
            ("ContentDisposition", "content-disposition"),
        ):
            if result.get(member) is not None:
                headers[header] = str(result[member])
        modified = result.get("LastModified")
        if isinstance(modified, (int, float)):
            headers["last-modified"] = formatdate(modified, usegmt=True)
        elif modified is not None:
            headers["last-modified"] = format_datetime(modified, usegmt=True)
        return headers

    async def exists(self, key: str) -> bool:
        from fogbank.services.calls import call_async

        try:
            await call_async(
                "s3",
                "HeadObject",
                {"Bucket": self.bucket["Name"], "Key": key},
                account=self.bucket["Account"],
                region=self.bucket["Region"],
            )
        except AwsError:
            return False
        return True

    async def fail(self, error: AwsError) -> HttpResponse:
        """An object could not be served: routing rules on the error code, then the error document."""
        if error.status in (304, 412):
            return HttpResponse(error.status, {**error.headers, "x-amz-request-id": self.exchange.request_id})
        rule = self.routing_rule(error.status)
        if rule is not None:
            return self.apply_rule(rule)
        status = error.status
        document = (self.config.get("ErrorDocument") or {}).get("Key")
        fields: dict[str, Any] = {"Key": self.key} if error.code == "NoSuchKey" else {}
        if document is None:
            return error_page(self.exchange, status, error.code, error.message, **fields)
        try:
            return await self.fetch(document, status)
        except AwsError as nested:
            return error_page(self.exchange, status, error.code, error.message, nested=nested, **fields)

    def routing_rule(self, status: int | None) -> dict[str, Any] | None:
        """The first rule whose condition holds: before the lookup only prefix conditions apply."""
        rule: dict[str, Any]
        for rule in self.config.get("RoutingRules") or []:
            condition = rule.get("Condition") or {}
            wanted = condition.get("HttpErrorCodeReturnedEquals")
            if (status is None) != (wanted is None) or (wanted is not None and wanted != str(status)):
                continue
            if self.key.startswith(condition.get("KeyPrefixEquals") or ""):
                return rule
        return None

    def apply_rule(self, rule: dict[str, Any]) -> HttpResponse:
        target = rule["Redirect"]
        prefix = (rule.get("Condition") or {}).get("KeyPrefixEquals") or ""
        key = self.key
        if "ReplaceKeyWith" in target:
            key = target["ReplaceKeyWith"]
        elif "ReplaceKeyPrefixWith" in target:
            key = target["ReplaceKeyPrefixWith"] + key[len(prefix) :]
        request = self.exchange.request
        host = target.get("HostName") or request.host
        protocol = target.get("Protocol") or request.scheme
        status = int(target.get("HttpRedirectCode") or 301)
        return redirect(self.exchange, status, f"{protocol}://{host}/{quote(key)}")


def _http_date(text: str) -> Any:
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None


def redirect(exchange: Exchange, status: int, location: str) -> HttpResponse:
    headers = {"location": location, "x-amz-request-id": exchange.request_id, "content-length": "0"}
    return HttpResponse(status, headers, b"")


_REASONS = {403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 400: "Bad Request"}


def error_page(
    exchange: Exchange, status: int, code: str, message: str, *, nested: AwsError | None = None, **fields: str
) -> HttpResponse:
    """S3's HTML error page for website endpoints."""
    from fogbank.protocol.xml import escape

    title = f"{status} {_REASONS.get(status, 'Error')}"
    host_id = base64.b64encode(exchange.request_id.encode()).decode()
    items = [
        ("Code", code),
        ("Message", message),
        *fields.items(),
        ("RequestId", exchange.request_id),
        ("HostId", host_id),
    ]
    lines = [f"<html>\n<head><title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n<ul>"]
    lines += [f"<li>{name}: {escape(str(value))}</li>" for name, value in items]
    lines.append("</ul>")
    if nested is not None:
        lines.append("<h3>An Error Occurred While Attempting to Retrieve a Custom Error Document</h3>\n<ul>")
        lines += [
            f"<li>Code: {escape(nested.code)}</li>",
            f"<li>Message: {escape(nested.message)}</li>",
            *(f"<li>{name}: {escape(str(value))}</li>" for name, value in nested.fields.items()),
            "</ul>",
        ]
    lines.append("<hr/>\n</body>\n</html>\n")
    body = "\n".join(lines).encode()
    headers = {"content-type": "text/html; charset=utf-8", "x-amz-request-id": exchange.request_id}
    if code == "NoSuchKey" or code == "NoSuchBucket" or code == "NoSuchWebsiteConfiguration":
        headers["x-amz-error-code"] = code
        headers["x-amz-error-message"] = message
    return HttpResponse(status, headers, body)
