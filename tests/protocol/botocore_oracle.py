"""botocore as the oracle: its client serializer builds the requests our codecs parse, and its
response parser reads the responses and errors our codecs serialize."""

from __future__ import annotations

import functools
import io
import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from botocore.awsrequest import HeadersDict, create_request_object, prepare_request_dict
from botocore.model import OperationModel
from botocore.parsers import create_parser
from botocore.response import StreamingBody
from botocore.serialize import create_serializer
from shape_samples import has_event_stream, operations

from fogbank.protocol.codec import Codec, codec_for
from fogbank.protocol.http import HttpRequest, HttpResponse, Payload
from fogbank.protocol.json_rpc import JsonCodec
from fogbank.protocol.models import service_model
from fogbank.protocol.rest_xml import RestXmlCodec

ENDPOINT = "http://localhost:4566"

# (service, protocol) pairs in scope: every protocol each service speaks.
SERVICES: list[tuple[str, str]] = [
    ("sqs", "json"),
    ("sns", "query"),
    ("iam", "query"),
    ("sts", "query"),
    ("ssm", "json"),
    ("secretsmanager", "json"),
    ("dynamodb", "json"),
    ("kinesis", "json"),
    ("events", "json"),
    ("lambda", "rest-json"),
    ("apigateway", "rest-json"),
    ("scheduler", "rest-json"),
    ("s3", "rest-xml"),
    ("route53", "rest-xml"),
    ("cloudfront", "rest-xml"),
    ("ec2", "ec2"),
    ("cloudwatch", "smithy-rpc-v2-cbor"),
    ("cloudwatch", "json"),
    ("cloudwatch", "query"),
    # Features the services above do not use: document types (json, rest-json) and `jsonvalue`
    # headers (Lex's session attributes).
    ("identitystore", "json"),
    ("s3vectors", "rest-json"),
    ("bedrock-runtime", "rest-json"),
    ("lex-runtime", "rest-json"),
]


@functools.cache
def serializer(protocol: str) -> Any:
    return create_serializer(protocol, include_validation=False)


@functools.cache
def parser(protocol: str) -> Any:
    return create_parser(protocol)


# Services whose own codec deliberately changes what providers see (S3's virtual hosts and
# documents; DynamoDB's attribute values kept in wire form): their generic codec is tested here,
# their quirks with the service.
GENERIC_ONLY = {("s3", "rest-xml"): RestXmlCodec, ("dynamodb", "json"): JsonCodec}


@functools.cache
def codec(service: str, protocol: str) -> Codec:
    """Our codec, compiled once per service."""
    generic = GENERIC_ONLY.get((service, protocol))
    if generic is not None:
        return generic(service_model(service))
    return codec_for(service, protocol)


def operation_ids(direction: str) -> list[tuple[str, str, str]]:
    """(service, protocol, operation) for every operation whose `direction` shape has no event stream."""
    cases = []
    for service, protocol in SERVICES:
        for operation in operations(service_model(service)):
            shape = operation.input_shape if direction == "input" else operation.output_shape
            if not has_event_stream(shape):
                cases.append((service, protocol, operation.name))
    return cases


def greedy_labels(operation: OperationModel) -> set[str]:
    return set(re.findall(r"\{([^}]+)\+\}", operation.http.get("requestUri", "")))


def botocore_request(protocol: str, operation: OperationModel, params: dict[str, Any]) -> HttpRequest:
    """The request botocore's client would send for `params`, as our gateway would receive it."""
    request_dict = serializer(protocol).serialize_to_request(params, operation)
    prepare_request_dict(request_dict, endpoint_url=ENDPOINT)
    prepared = create_request_object(request_dict).prepare()
    url = urlsplit(prepared.url)
    headers = {name.lower(): _text(value) for name, value in prepared.headers.items()}
    headers["host"] = url.netloc
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode()
    elif not isinstance(body, bytes):
        body = body.read()
    return HttpRequest(
        method=prepared.method,
        path=url.path or "/",
        query_string=url.query,
        headers=headers,
        body=Payload(data=body, length=len(body)),
    )


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def botocore_parse(protocol: str, operation: OperationModel, response: HttpResponse) -> dict[str, Any]:
    """What botocore's client returns for our response (without `ResponseMetadata`)."""
    body: Any = response.body
    assert isinstance(body, bytes), "streamed bodies are not part of these tests"
    if operation.has_streaming_output:  # as botocore's endpoint hands blob payloads over
        body = StreamingBody(io.BytesIO(body), len(body))
    response_dict = {
        "status_code": response.status,
        "headers": HeadersDict(response.headers),
        "body": body,
        "context": {"operation_name": operation.name},
    }
    parsed = parser(protocol).parse(response_dict, operation.output_shape)
    parsed.pop("ResponseMetadata", None)
    return parsed  # type: ignore[no-any-return]


def botocore_parse_error(
    protocol: str, response: HttpResponse, operation: OperationModel | None
) -> dict[str, Any]:
    response_dict = {
        "status_code": response.status,
        "headers": HeadersDict(response.headers),
        "body": response.body,
        "context": {"operation_name": operation.name if operation else "Unknown"},
    }
    return parser(protocol).parse(response_dict, None)  # type: ignore[no-any-return]


def normalized(value: Any) -> Any:
    """Values compared across wire formats: timestamps as epoch seconds, blobs as bytes."""
    if isinstance(value, datetime):
        return ("timestamp", value.timestamp())
    if isinstance(value, Payload):
        return value.read()
    if isinstance(value, bytearray):
        return bytes(value)
    if isinstance(value, dict):
        return {key: normalized(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [normalized(item) for item in value]
    if hasattr(value, "read"):
        return value.read()
    return value
