"""The codec interface every wire protocol implements, and the choice of codec for a request."""

from __future__ import annotations

import functools
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape

from fogbank.errors import AwsError
from fogbank.protocol.http import HttpRequest, HttpResponse
from fogbank.protocol.validation import validate


class Codec:
    """Parses requests and serializes responses and errors of one service in one protocol."""

    protocol = ""

    def __init__(self, service: ServiceModel) -> None:
        self.service = service
        self.metadata = service.metadata

    def find_operation(self, request: HttpRequest) -> OperationModel:
        raise NotImplementedError

    def parse(self, operation: OperationModel, request: HttpRequest) -> dict[str, Any]:
        raise NotImplementedError

    def serialize(self, operation: OperationModel, result: dict[str, Any], request_id: str) -> HttpResponse:
        raise NotImplementedError

    def serialize_error(
        self, error: AwsError, operation: OperationModel | None, request_id: str, request: HttpRequest
    ) -> HttpResponse:
        raise NotImplementedError

    # -- shared --------------------------------------------------------------------------------

    @functools.cached_property
    def _operations(self) -> dict[str, OperationModel]:
        return {}

    @functools.cached_property
    def _operation_names(self) -> frozenset[str]:
        return frozenset(self.service.operation_names)

    def operation(self, name: str) -> OperationModel | None:
        """The operation named `name`, or None: a dict lookup per request (botocore's list of
        names is scanned linearly, and EC2 has 800 operations)."""
        found = self._operations.get(name)
        if found is None and name in self._operation_names:
            found = self._operations[name] = self.service.operation_model(name)
        return found

    @functools.cached_property
    def error_shapes(self) -> dict[str, Shape]:
        return {shape.name: shape for shape in self.service.error_shapes}

    def query_error_code(self, error: AwsError) -> str:
        """The code a query-protocol client sees: the error's own `query_code` (services whose model
        lost its legacy codes, e.g. SQS), else the model's `error.code` where one is declared."""
        legacy = getattr(error, "query_code", None)
        if legacy:
            return str(legacy)
        shape = self.error_shapes.get(error.code)
        if shape is not None:
            code = shape.metadata.get("error", {}).get("code")
            if code:
                return str(code)
        return error.code

    def validation_error_code(self) -> str:
        return "ValidationException"

    def validate(self, shape: Shape | None, params: dict[str, Any]) -> list[str]:
        """The model constraint violations of a parsed request (a codec may relax what its
        service does not check server-side)."""
        return validate(shape, params)


# Protocols a service still answers although its current botocore model no longer lists them:
# SQS moved to JSON, but older SDKs and the AWS CLI v1 still send it form-encoded query requests.
LEGACY_PROTOCOLS: dict[str, tuple[str, ...]] = {"sqs": ("query",)}


def detect_protocol(request: HttpRequest, protocols: tuple[str, ...], service: str = "") -> str:
    """The protocol a client used, among those its service speaks (CloudWatch speaks three)."""
    if len(protocols) == 1 and service not in LEGACY_PROTOCOLS:
        return protocols[0]
    protocols = protocols + LEGACY_PROTOCOLS.get(service, ())
    if len(protocols) == 1:
        return protocols[0]
    headers = request.headers
    if "smithy-protocol" in headers and "smithy-rpc-v2-cbor" in protocols:
        return "smithy-rpc-v2-cbor"
    if "x-amz-target" in headers and "json" in protocols:
        return "json"
    if "query" in protocols and (
        headers.get("content-type", "").startswith("application/x-www-form-urlencoded")
        or "Action=" in request.query_string
    ):
        return "query"
    return protocols[0]


# Generic codec per protocol, and the services whose wire format needs its own module.
_CODECS = {
    "json": "fogbank.protocol.json_rpc:JsonCodec",
    "smithy-rpc-v2-cbor": "fogbank.protocol.cbor:CborCodec",
    "query": "fogbank.protocol.query:QueryCodec",
    "ec2": "fogbank.protocol.query:Ec2Codec",
    "rest-json": "fogbank.protocol.rest_json:RestJsonCodec",
    "rest-xml": "fogbank.protocol.rest_xml:RestXmlCodec",
}
_QUIRK_CODECS = {
    ("sqs", "query"): "fogbank.protocol.sqs_query:SqsQueryCodec",
    ("sqs", "json"): "fogbank.protocol.sqs_json:SqsJsonCodec",
    ("s3", "rest-xml"): "fogbank.protocol.s3_xml:S3Codec",
    ("dynamodb", "json"): "fogbank.protocol.dynamodb_json:DynamoDbJsonCodec",
    ("dynamodbstreams", "json"): "fogbank.protocol.dynamodb_json:DynamoDbJsonCodec",
    ("kinesis", "json"): "fogbank.protocol.kinesis_cbor:KinesisCodec",
}


@functools.cache
def codec_for(service_name: str, protocol: str) -> Codec:
    import importlib

    from fogbank.protocol import models

    target = _QUIRK_CODECS.get((service_name, protocol)) or _CODECS.get(protocol)
    if target is None:
        raise ValueError(f"unsupported protocol {protocol}")
    module_name, _, class_name = target.partition(":")
    try:
        codec_class = getattr(importlib.import_module(module_name), class_name)
    except ModuleNotFoundError:
        if (service_name, protocol) not in _QUIRK_CODECS:
            raise
        generic = _CODECS[protocol].partition(":")
        codec_class = getattr(importlib.import_module(generic[0]), generic[2])
    return codec_class(models.service_model(service_name))  # type: ignore[no-any-return]
