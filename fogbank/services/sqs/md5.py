"""The MD5 digests SQS returns: of the body, and of message (or system) attributes.

Attributes are digested in the binary form AWS documents
(https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html
"Calculating the MD5 message digest for message attributes"): for each attribute, sorted by name,
the name, the data type (each as a 4-byte big-endian length then UTF-8 bytes), one transport byte
(1 for String and Number, 2 for Binary) and the value (4-byte length then bytes).
"""

from __future__ import annotations

import base64
import hashlib
import struct
from typing import Any

_STRING, _BINARY = b"\x01", b"\x02"


def md5_of_body(body: str) -> str:
    return hashlib.md5(body.encode("utf-8")).hexdigest()  # noqa: S324 - AWS's checksum, not security


def _sized(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def md5_of_attributes(attributes: dict[str, dict[str, Any]]) -> str | None:
    """The digest of stored attributes (`BinaryValue` as base64 text); None when there are none."""
    if not attributes:
        return None
    digest = hashlib.md5()  # noqa: S324
    for name in sorted(attributes):
        value = attributes[name]
        data_type = value["DataType"]
        digest.update(_sized(name.encode("utf-8")))
        digest.update(_sized(data_type.encode("utf-8")))
        if "BinaryValue" in value:
            digest.update(_BINARY)
            digest.update(_sized(base64.b64decode(value["BinaryValue"])))
        else:
            digest.update(_STRING)
            digest.update(_sized(value.get("StringValue", "").encode("utf-8")))
    return digest.hexdigest()
