"""The `rest-xml` protocol: operations routed by method and URI, XML bodies (S3's own details
live in `s3_xml`)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape

from fogbank.errors import AwsError, SerializationException
from fogbank.protocol.http import HttpRequest, HttpResponse
from fogbank.protocol.located import write_bound
from fogbank.protocol.rest import (
    RestCodec,
    write_blob_payload,
    write_located_members,
)
from fogbank.protocol.xml import XmlReader, XmlWriter, error_fields_xml, escape, parse_document


class RestXmlCodec(RestCodec):
    protocol = "rest-xml"

    def __init__(self, service: ServiceModel) -> None:
        super().__init__(service)
        self.reader = XmlReader()
        self.writer = XmlWriter()

    def read_payload_document(self, member: Shape, raw: bytes) -> Any:
        if not raw.strip():
            return None
        return _read_deep(lambda: self.reader.value(member, parse_document(raw)))

    def read_body_document(self, shape: Shape, raw: bytes) -> dict[str, Any]:
        if not raw.strip():
            return {}
        return _read_deep(lambda: self.reader.structure(shape, parse_document(raw)))  # type: ignore[no-any-return]

    def root_name(self, operation: OperationModel) -> str:
        shape = operation.output_shape
        assert shape is not None
        return str(shape.serialization.get("name") or shape.name)

    def serialize(self, operation: OperationModel, result: dict[str, Any], request_id: str) -> HttpResponse:
        writing = self._writings.get(operation) or self._writing(operation)
        response = HttpResponse(writing.status, self.response_headers(request_id))
        compiled = writing.bindings
        if compiled is None:
            return response
        write_bound(compiled, result, response)
        payload = compiled.payload
        if payload:
            member = compiled.payload_shape
            assert member is not None
            value = result.get(payload)
            if value is None:
                return response
            if member.type_name in ("blob", "string"):
                write_blob_payload(value, response)
            else:
                tag = member.serialization.get("name") or member.name
                response.body = self.document(tag, member, value)
            return response
        if compiled.has_body:
            located = compiled.names
            body = {name: value for name, value in result.items() if name not in located}
            response.body = self.document(self.root_name(operation), writing.shape, body)
        return response

    @functools.cached_property
    def default_namespace(self) -> str | None:
        """The namespace of the service's documents. Models declare it on request shapes only
        (Route 53, CloudFront), but AWS writes it on responses too."""
        declared = self.metadata.get("xmlNamespace")
        if declared:
            return str(declared)
        for name in self.service.operation_names:
            shape = self.service.operation_model(name).input_shape
            if shape is None:
                continue
            payload = shape.serialization.get("payload")
            for candidate in (shape, shape.members.get(payload) if payload else None):
                uri = candidate.serialization.get("xmlNamespace", {}).get("uri") if candidate else None
                if uri:
                    return str(uri)
        return None

    def document(self, tag: str, shape: Any, value: Any) -> bytes:
        out = ['<?xml version="1.0" encoding="UTF-8"?>\n']
        namespace = shape.serialization.get("xmlNamespace", {}).get("uri") or self.default_namespace
        self.writer.element(tag, shape, value, out)
        if namespace and len(out) > 1:
            first = out[1]
            close = first.index(">")
            out[1] = f'{first[:close]} xmlns="{namespace}"{first[close:]}'
        text = "".join(out)
        return text.encode()

    def response_headers(self, request_id: str) -> dict[str, str]:
        return {"content-type": "application/xml", "x-amzn-requestid": request_id}

    def serialize_error(
        self, error: AwsError, operation: OperationModel | None, request_id: str, request: HttpRequest
    ) -> HttpResponse:
        fault = "Sender" if error.sender_fault else "Receiver"
        shape = self.error_shapes.get(error.code)
        extra = error_fields_xml(self.writer, shape, error.fields)
        body = (
            f'<ErrorResponse xmlns="{self.default_namespace or ""}"><Error><Type>{fault}</Type>'
            f"<Code>{escape(error.code)}</Code><Message>{escape(error.message)}</Message>{extra}</Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        headers = {**self.response_headers(request_id), **error.headers}
        response = HttpResponse(error.status, headers, body.encode())
        if shape is not None and error.fields:
            write_located_members(shape, error.fields, response)
        return response


def _read_deep(read: Callable[[], Any]) -> Any:
    """Run a document read; nesting deeper than Python can follow is the client's error."""
    try:
        return read()
    except RecursionError:
        raise SerializationException("The request document is nested too deeply") from None
