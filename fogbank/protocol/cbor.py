"""The `smithy-rpc-v2-cbor` protocol: `POST /service/{Service}/operation/{Operation}`, CBOR bodies."""

from __future__ import annotations

from typing import Any

import cbor2
from botocore.model import OperationModel, ServiceModel

from fogbank.errors import AwsError, SerializationException, UnknownOperationException
from fogbank.protocol.codec import Codec
from fogbank.protocol.documents import DocumentReader, DocumentWriter, error_document_fields
from fogbank.protocol.http import HttpRequest, HttpResponse

_CONTENT_TYPE = "application/cbor"


class CborCodec(Codec):
    protocol = "smithy-rpc-v2-cbor"

    def __init__(self, service: ServiceModel) -> None:
        super().__init__(service)
        self.reader = DocumentReader(binary=True)
        self.writer = DocumentWriter(binary=True)
        self.query_compatible = "awsQueryCompatible" in self.metadata
        self.error_namespace = f"com.amazonaws.{self.metadata.get('endpointPrefix', service.service_name)}#"

    def find_operation(self, request: HttpRequest) -> OperationModel:
        name = request.path.rstrip("/").rpartition("/")[2]
        operation = self.operation(name)
        if operation is None:
            raise UnknownOperationException(f"Unknown operation {name}", status=404)
        return operation

    def parse(self, operation: OperationModel, request: HttpRequest) -> dict[str, Any]:
        shape = operation.input_shape
        raw = request.body.read()
        if shape is None or not raw:
            return {}
        try:
            document = cbor2.loads(raw)
        except (cbor2.CBORDecodeError, ValueError, EOFError):
            raise SerializationException("Malformed CBOR in the request body") from None
        if not isinstance(document, dict):
            raise SerializationException("Expected a CBOR map as the request body")
        return self.reader.read(shape, document)  # type: ignore[no-any-return]

    def _headers(self, request_id: str) -> dict[str, str]:
        return {
            "content-type": _CONTENT_TYPE,
            "smithy-protocol": "rpc-v2-cbor",
            "x-amzn-requestid": request_id,
        }

    def serialize(self, operation: OperationModel, result: dict[str, Any], request_id: str) -> HttpResponse:
        shape = operation.output_shape
        body: Any = {}
        if shape is not None and result:
            write = self.writer.writer(shape)
            body = write(result) if write else result
        return HttpResponse(
            200, self._headers(request_id), cbor2.dumps(body, datetime_as_timestamp=True, timezone=None)
        )

    def serialize_error(
        self, error: AwsError, operation: OperationModel | None, request_id: str, request: HttpRequest
    ) -> HttpResponse:
        document: dict[str, Any] = {"__type": self.error_namespace + error.code, "message": error.message}
        document.update(error_document_fields(self.writer, self.error_shapes.get(error.code), error.fields))
        headers = {**self._headers(request_id), **error.headers}
        if self.query_compatible:
            fault = "Sender" if error.sender_fault else "Receiver"
            headers["x-amzn-query-error"] = f"{self.query_error_code(error)};{fault}"
        return HttpResponse(error.status, headers, cbor2.dumps(document, datetime_as_timestamp=True))
