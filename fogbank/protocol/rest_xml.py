"""The `rest-xml` protocol: operations routed by method and URI, XML bodies (S3's own details
live in `s3_xml`)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from botocore.model import OperationModel, ServiceModel

from fogbank.errors import AwsError, SerializationException, UnknownOperationException
from fogbank.protocol.codec import Codec
from fogbank.protocol.http import HttpRequest, HttpResponse
from fogbank.protocol.rest import (
    read_located_members,
    read_payload,
    router_for,
    write_blob_payload,
    write_located_members,
)
from fogbank.protocol.xml import XmlReader, XmlWriter, error_fields_xml, escape, parse_document


class RestXmlCodec(Codec):
    protocol = "rest-xml"

    def __init__(self, service: ServiceModel) -> None:
        super().__init__(service)
        self.router = router_for(service.service_name)
        self.reader = XmlReader()
        self.writer = XmlWriter()

    def match_path(self, request: HttpRequest) -> str:
        """The path to route by (S3 rewrites virtual-host requests to path style here)."""
        return request.path

    def find_operation(self, request: HttpRequest) -> OperationModel:
        found = self.router.match(request, self.match_path(request))
        if found is None:
            raise UnknownOperationException(
                f"No operation of {self.service.service_name} matches {request.method} {request.path}",
                status=404,
            )
        request.memo["labels"] = found[1]
        return found[0]

    def parse(self, operation: OperationModel, request: HttpRequest) -> dict[str, Any]:
        shape = operation.input_shape
        if shape is None:
            return {}
        params: dict[str, Any] = {}
        labels = request.memo.get("labels") or {}
        reserved = self.router.literal_query_keys(operation)
        located = read_located_members(shape, request, labels, params, reserved)  # type: ignore[arg-type]
        payload = shape.serialization.get("payload")
        if payload:
            member = shape.members[payload]
            if member.type_name in ("blob", "string"):
                if not request.body.is_empty or member.metadata.get("streaming"):
                    params[payload] = read_payload(member, request.body)
            else:
                raw = request.body.read()
                if raw.strip():
                    params[payload] = _read_deep(lambda: self.reader.value(member, parse_document(raw)))
        elif len(located) < len(shape.members):
            raw = request.body.read()
            if raw.strip():
                params.update(_read_deep(lambda: self.reader.structure(shape, parse_document(raw))))
        return params

    def root_name(self, operation: OperationModel) -> str:
        shape = operation.output_shape
        assert shape is not None
        return str(shape.serialization.get("name") or shape.name)

    def serialize(self, operation: OperationModel, result: dict[str, Any], request_id: str) -> HttpResponse:
        response = HttpResponse(operation.http.get("responseCode", 200), self.response_headers(request_id))
        shape = operation.output_shape
        if shape is None:
            return response
        located, payload = write_located_members(shape, result, response)
        if payload:
            member = shape.members[payload]
            value = result.get(payload)
            if value is None:
                return response
            if member.type_name in ("blob", "string"):
                write_blob_payload(value, response)
            else:
                tag = member.serialization.get("name") or member.name
                response.body = self.document(tag, member, value)
            return response
        body = {name: value for name, value in result.items() if name not in located}
        if any(name not in located for name in shape.members):
            response.body = self.document(self.root_name(operation), shape, body)
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
