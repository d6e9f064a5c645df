"""The `application/vnd.amazon.eventstream` message encoding (prelude, headers, payload, CRC32s),
used by responses that stream events (Lambda's InvokeWithResponseStream, later Kinesis
SubscribeToShard); see https://docs.aws.amazon.com/lambda/latest/dg/API_InvokeWithResponseStream.html
and botocore's `eventstream` parser, which reads what this writes."""

from __future__ import annotations

import struct
import zlib

_STRING = 7


def _header(name: str, value: str) -> bytes:
    encoded_name, encoded_value = name.encode(), value.encode()
    return (
        struct.pack(">B", len(encoded_name))
        + encoded_name
        + struct.pack(">BH", _STRING, len(encoded_value))
        + encoded_value
    )


def message(headers: dict[str, str], payload: bytes) -> bytes:
    """One event-stream message with string headers."""
    encoded = b"".join(_header(name, value) for name, value in headers.items())
    total = 12 + len(encoded) + len(payload) + 4
    prelude = struct.pack(">II", total, len(encoded))
    body = prelude + struct.pack(">I", zlib.crc32(prelude)) + encoded + payload
    return body + struct.pack(">I", zlib.crc32(body))


def event(event_type: str, payload: bytes, content_type: str = "application/octet-stream") -> bytes:
    return message(
        {":event-type": event_type, ":content-type": content_type, ":message-type": "event"}, payload
    )
