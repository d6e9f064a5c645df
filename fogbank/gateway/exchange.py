"""One request on its way through the handler chain, and the reading of its body."""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

from botocore.model import OperationModel

from fogbank.config import settings
from fogbank.context import RequestContext
from fogbank.errors import AwsError
from fogbank.gateway.routing import Credentials
from fogbank.ids import random_uuid
from fogbank.protocol.aws_chunked import AwsChunkedDecoder, is_aws_chunked
from fogbank.protocol.codec import Codec
from fogbank.protocol.http import HttpRequest, HttpResponse, Payload

# Bodies up to this size stay in memory; larger streaming uploads go to a file as they arrive.
SPOOL_THRESHOLD = 1024 * 1024


@dataclass(slots=True)
class Exchange:
    request: HttpRequest
    receive: Any  # the ASGI receive callable
    started: float = field(default_factory=time.perf_counter)
    request_id: str = field(default_factory=random_uuid)
    body_read: bool = False
    credentials: Credentials | None = None
    service: str | None = None
    codec: Codec | None = None
    operation: OperationModel | None = None
    context: RequestContext | None = None
    params: dict[str, Any] | None = None
    response: HttpResponse | None = None

    async def read_body(self, *, spool: bool = False) -> None:
        """Read the whole body: into memory, or into a temporary file when `spool` and it is large."""
        if self.body_read:
            return
        self.body_read = True
        headers = self.request.headers
        decoder = AwsChunkedDecoder() if is_aws_chunked(headers) else None
        declared = int(headers.get("x-amz-decoded-content-length") or headers.get("content-length") or 0)
        to_file = spool and (declared > SPOOL_THRESHOLD or "content-length" not in headers)
        if to_file:
            await self._read_to_file(decoder)
        else:
            await self._read_to_memory(decoder)
        if decoder is not None:
            decoder.finish()
            headers.update(decoder.trailers)

    async def _read_to_memory(self, decoder: AwsChunkedDecoder | None) -> None:
        chunks = []
        more = True
        while more:
            message = await self.receive()
            if message["type"] == "http.disconnect":
                raise _incomplete_body()
            chunk = message.get("body", b"")
            if decoder is not None:
                chunk = decoder.feed(chunk)
            if chunk:
                chunks.append(chunk)
            more = message.get("more_body", False)
        data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        self.request.body = Payload(data=data, length=len(data))

    async def _read_to_file(self, decoder: AwsChunkedDecoder | None) -> None:
        folder = settings.data_dir / "tmp"
        folder.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=folder, prefix="upload-")
        length = 0
        try:
            with os.fdopen(handle, "wb") as sink:
                more = True
                while more:
                    message = await self.receive()
                    if message["type"] == "http.disconnect":
                        raise _incomplete_body()
                    chunk = message.get("body", b"")
                    if decoder is not None:
                        chunk = decoder.feed(chunk)
                    if chunk:
                        sink.write(chunk)
                        length += len(chunk)
                    more = message.get("more_body", False)
        except BaseException:
            os.unlink(name)
            raise
        from pathlib import Path

        self.request.body = Payload(path=Path(name), length=length)


def _incomplete_body() -> AwsError:
    """The client left before its whole body arrived: the request is abandoned, nothing of it is
    stored (S3's error for a body shorter than its Content-Length; the client no longer listens)."""
    return AwsError(
        "You did not provide the number of bytes specified by the Content-Length HTTP header.",
        code="IncompleteBody",
        status=400,
    )
