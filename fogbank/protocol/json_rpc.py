"""The `json` protocol (awsJson 1.0 / 1.1): `X-Amz-Target: Prefix.Operation`, JSON in and out."""

from __future__ import annotations

from typing import Any

import orjson
from botocore.model import OperationModel, ServiceModel

from fogbank.errors import AwsError, SerializationException, UnknownOperationException
from fogbank.protocol.codec import Codec
from fogbank.protocol.documents import DocumentReader, DocumentWriter, error_document_fields, unmodeled_value
from fogbank.protocol.http import HttpRequest, HttpResponse


class JsonCodec(Codec):
    protocol = "json"

    def __init__(self, service: ServiceModel) -> None:
        super().__init__(service)
        self.content_type = f"application/x-amz-json-{self.metadata.get('jsonVersion', '1.0')}"
        self.reader = DocumentReader()
        self.writer = DocumentWriter()
        self.query_compatible = "awsQueryCompatible" in self.metadata
        # The namespace AWS puts in `__type`; clients read the part after '#'.
        self.error_namespace = f"com.amazonaws.{self.metadata.get('endpointPrefix', service.service_name)}#"

    def find_operation(self, request: HttpRequest) -> OperationModel:
        target = request.headers.get("x-amz-target", "")
        operation = self.operation(target.rpartition(".")[2])
        if operation is None:
            raise UnknownOperationException(f"Unknown operation {target or '(none)'}".strip())
        return operation

    def parse(self, operation: OperationModel, request: HttpRequest) -> dict[str, Any]:
        shape = operation.input_shape
        raw = request.body.read()
        if shape is None:
            return {}
        document = self.load(raw)
        return self.reader.read(shape, document)  # type: ignore[no-any-return]

    @staticmethod
    def load(raw: bytes) -> Any:
        if not raw.strip():
            return {}
        try:
            document = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise SerializationException(
                "Unexpected character or malformed JSON in the request body"
            ) from None
        if not isinstance(document, dict):
            raise SerializationException("Start of list found where not expected")
        return document

    def serialize(self, operation: OperationModel, result: dict[str, Any], request_id: str) -> HttpResponse:
        shape = operation.output_shape
        body: Any = {}
        if shape is not None and result:
            write = self.writer.writer(shape)
            body = write(result) if write else result
        return HttpResponse(
            200,
            {"content-type": self.content_type, "x-amzn-requestid": request_id},
            orjson.dumps(body),
        )

    def serialize_error(
        self, error: AwsError, operation: OperationModel | None, request_id: str, request: HttpRequest
    ) -> HttpResponse:
        document: dict[str, Any] = {"__type": self.error_namespace + error.code, "message": error.message}
        document.update(error_document_fields(self.writer, self.error_shapes.get(error.code), error.fields))
        headers = {
            "content-type": self.content_type,
            "x-amzn-requestid": request_id,
            "x-amzn-errortype": error.code,
            **error.headers,
        }
        if self.query_compatible:
            fault = "Sender" if error.sender_fault else "Receiver"
            headers["x-amzn-query-error"] = f"{self.query_error_code(error)};{fault}"
        return HttpResponse(error.status, headers, orjson.dumps(document, default=unmodeled_value))
