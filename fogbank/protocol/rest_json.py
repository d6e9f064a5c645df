"""The `rest-json` protocol: operations routed by method and URI, JSON bodies."""

from __future__ import annotations

from typing import Any

import orjson
from botocore.model import OperationModel, ServiceModel, Shape

from fogbank.errors import AwsError
from fogbank.protocol.documents import (
    DocumentReader,
    DocumentWriter,
    error_document_fields,
    unmodeled_value,
)
from fogbank.protocol.http import HttpRequest, HttpResponse
from fogbank.protocol.json_rpc import JsonCodec
from fogbank.protocol.rest import (
    RestCodec,
    binds_content_type,
    write_blob_payload,
    write_located_members,
)


class RestJsonCodec(RestCodec):
    protocol = "rest-json"

    def __init__(self, service: ServiceModel) -> None:
        super().__init__(service)
        self.reader = DocumentReader()
        self.writer = DocumentWriter()

    def read_payload_document(self, member: Shape, raw: bytes) -> Any:
        document = JsonCodec.load(raw)
        # SDKs send `{}` when the payload structure is absent.
        return self.reader.read(member, document) if document else None

    def read_body_document(self, shape: Shape, raw: bytes) -> dict[str, Any]:
        return self.reader.read(shape, JsonCodec.load(raw))  # type: ignore[no-any-return]

    def serialize(self, operation: OperationModel, result: dict[str, Any], request_id: str) -> HttpResponse:
        response = HttpResponse(operation.http.get("responseCode", 200), {"x-amzn-requestid": request_id})
        shape = operation.output_shape
        if shape is None:
            response.headers["content-type"] = "application/json"
            response.body = b"{}"
            return response
        located, payload = write_located_members(shape, result, response)
        if payload:
            member = shape.members[payload]
            value = result.get(payload)
            if member.type_name in ("blob", "string"):
                if not binds_content_type(shape):
                    response.headers.setdefault("content-type", "application/octet-stream")
                if value is not None:
                    write_blob_payload(value, response)
            elif member.serialization.get("eventstream"):
                # Event streams come encoded from the provider (see protocol/event_stream.py).
                response.headers.setdefault("content-type", "application/vnd.amazon.eventstream")
                response.body = value if value is not None else b""
            else:
                response.headers.setdefault("content-type", "application/json")
                write = self.writer.writer(member)
                response.body = orjson.dumps((write(value) if write else value) if value is not None else {})
            return response
        body = {name: value for name, value in result.items() if name not in located}
        write = self.writer.writer(shape)
        if not binds_content_type(shape):
            response.headers.setdefault("content-type", "application/json")
        response.body = orjson.dumps(write(body) if write else body)
        return response

    def serialize_error(
        self, error: AwsError, operation: OperationModel | None, request_id: str, request: HttpRequest
    ) -> HttpResponse:
        shape = self.error_shapes.get(error.code)
        document: dict[str, Any] = {"message": error.message}
        document.update(error_document_fields(self.writer, shape, error.fields))
        headers = {
            "content-type": "application/json",
            "x-amzn-requestid": request_id,
            "x-amzn-errortype": error.code,
            **error.headers,
        }
        response = HttpResponse(error.status, headers, orjson.dumps(document, default=unmodeled_value))
        if shape is not None and error.fields:
            write_located_members(shape, error.fields, response)  # e.g. Lambda's `Retry-After`
        return response
