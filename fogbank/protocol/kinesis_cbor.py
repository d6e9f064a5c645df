"""Kinesis's JSON protocol with CBOR bodies, and SubscribeToShard's event stream: the AWS SDK for Java (v1 and v2, and the KCL/KPL on
top of them) sends Kinesis requests as `Content-Type: application/x-amz-cbor-1.1` with the usual
`X-Amz-Target`, and reads CBOR answers in that content type.

The documents are those of the JSON protocol, except that blobs are CBOR byte strings and
timestamps are CBOR tag 1 carrying epoch *milliseconds* (what the SDK's `SdkCborGenerator` writes
and its unmarshaller reads), not the seconds RFC 8949 specifies. Whether a request used CBOR is
remembered per request task (a context variable), so the answer and any error use the same body
format. JSON requests go through the generic codec untouched.

SubscribeToShard answers `application/vnd.amazon.eventstream`: an `initial-response` event, then
one `SubscribeToShardEvent` per payload the provider's async iterator yields (JSON, or CBOR for a
CBOR request), and an exception message if the stream fails.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import cbor2
import orjson
from botocore.model import OperationModel, ServiceModel

from fogbank.errors import AwsError, SerializationException
from fogbank.protocol import event_stream
from fogbank.protocol.documents import DocumentReader, DocumentWriter, error_document_fields
from fogbank.protocol.http import HttpRequest, HttpResponse
from fogbank.protocol.json_rpc import JsonCodec

CBOR_CONTENT_TYPE = "application/x-amz-cbor-1.1"
EVENT_STREAM_CONTENT_TYPE = "application/vnd.amazon.eventstream"

log = logging.getLogger("fogbank.kinesis")

_speaks_cbor: contextvars.ContextVar[bool] = contextvars.ContextVar("kinesis_cbor", default=False)


def is_cbor(request: HttpRequest) -> bool:
    return request.headers.get("content-type", "").startswith(CBOR_CONTENT_TYPE)


def _epoch_milliseconds(first: Any, *_: Any) -> datetime:
    """Tag 1 as the Java SDK writes it. cbor2 passes the tagged value (its C decoder) or the
    decoder itself (its Python decoder), depending on the build."""
    value = first.decode() if isinstance(first, cbor2.CBORDecoder) else first
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise SerializationException("Expected epoch milliseconds in a CBOR timestamp")
    return datetime.fromtimestamp(value / 1000, UTC)


class KinesisCodec(JsonCodec):
    def __init__(self, service: ServiceModel) -> None:
        super().__init__(service)
        self.cbor_reader = DocumentReader(binary=True)
        self.cbor_writer = DocumentWriter(binary=True)

    def parse(self, operation: OperationModel, request: HttpRequest) -> dict[str, Any]:
        cbor = is_cbor(request)
        _speaks_cbor.set(cbor)
        if not cbor:
            return super().parse(operation, request)
        shape = operation.input_shape
        raw = request.body.read()
        if shape is None or not raw:
            return {}
        try:
            document = cbor2.loads(raw, semantic_decoders={1: _epoch_milliseconds})
        except (cbor2.CBORDecodeError, ValueError, EOFError):
            raise SerializationException("Malformed CBOR in the request body") from None
        if not isinstance(document, dict):
            raise SerializationException("Expected a CBOR map as the request body")
        return self.cbor_reader.reader(shape)(document)  # type: ignore[no-any-return]

    def serialize(self, operation: OperationModel, result: dict[str, Any], request_id: str) -> HttpResponse:
        stream_member = operation.output_shape.event_stream_name if operation.output_shape else None
        if stream_member and stream_member in result:
            headers = {"content-type": EVENT_STREAM_CONTENT_TYPE, "x-amzn-requestid": request_id}
            return HttpResponse(
                200, headers, self._events(operation, result[stream_member], _speaks_cbor.get())
            )
        if not _speaks_cbor.get():
            return super().serialize(operation, result, request_id)
        shape = operation.output_shape
        body: Any = {}
        if shape is not None and result:
            write = self.cbor_writer.writer(shape)
            body = write(result) if write else result
        body = _timestamps_as_tags(body)
        headers = {"content-type": CBOR_CONTENT_TYPE, "x-amzn-requestid": request_id}
        return HttpResponse(200, headers, cbor2.dumps(body))

    async def _events(
        self, operation: OperationModel, payloads: AsyncIterator[dict[str, Any]], cbor: bool
    ) -> AsyncIterator[bytes]:
        """The encoded event stream: initial response, each event, or an exception message."""
        content_type = CBOR_CONTENT_TYPE if cbor else "application/json"
        union = operation.output_shape.members[operation.output_shape.event_stream_name]
        writer = self.cbor_writer if cbor else self.writer
        yield event_stream.event("initial-response", dumps({}, cbor), content_type)
        try:
            async for payload in payloads:
                for name, body in payload.items():
                    write = writer.writer(union.members[name])
                    yield event_stream.event(name, dumps(write(body) if write else body, cbor), content_type)
        except AwsError as error:
            headers = {
                ":exception-type": error.code,
                ":content-type": content_type,
                ":message-type": "exception",
            }
            yield event_stream.message(headers, dumps({"message": error.message}, cbor))
        except Exception:  # our bug: end the stream with AWS's internal failure event, logged
            log.exception("SubscribeToShard event stream failed")
            headers = {
                ":exception-type": "InternalFailureException",
                ":content-type": content_type,
                ":message-type": "exception",
            }
            yield event_stream.message(headers, dumps({"message": "Internal failure"}, cbor))

    def serialize_error(
        self, error: AwsError, operation: OperationModel | None, request_id: str, request: HttpRequest
    ) -> HttpResponse:
        if not is_cbor(request):
            return super().serialize_error(error, operation, request_id, request)
        document: dict[str, Any] = {"__type": self.error_namespace + error.code, "message": error.message}
        document.update(
            error_document_fields(self.cbor_writer, self.error_shapes.get(error.code), error.fields)
        )
        headers = {
            "content-type": CBOR_CONTENT_TYPE,
            "x-amzn-requestid": request_id,
            "x-amzn-errortype": error.code,
            **error.headers,
        }
        return HttpResponse(error.status, headers, cbor2.dumps(_timestamps_as_tags(document)))


def dumps(document: Any, cbor: bool) -> bytes:
    return cbor2.dumps(_timestamps_as_tags(document)) if cbor else orjson.dumps(document)


def _timestamps_as_tags(value: Any) -> Any:
    """Datetimes (from the binary writer) as tag 1 with epoch milliseconds, as the Java SDK reads them."""
    if isinstance(value, datetime):
        return cbor2.CBORTag(1, int(round(value.timestamp() * 1000)))
    if isinstance(value, dict):
        return {key: _timestamps_as_tags(element) for key, element in value.items()}
    if isinstance(value, list):
        return [_timestamps_as_tags(element) for element in value]
    return value
