"""`aws-chunked` bodies (SigV4 streaming uploads): botocore's own encoder produces them, our
decoder must give back the payload and the trailing checksum, however the bytes are split."""

from __future__ import annotations

import base64
import io
import zlib

import pytest
from botocore.httpchecksum import AwsChunkedWrapper, Crc32Checksum

from fogbank.errors import AwsError
from fogbank.protocol.aws_chunked import AwsChunkedDecoder, is_aws_chunked

PAYLOAD = bytes(range(256)) * 300  # 76,800 bytes: several chunks


def _encoded(payload: bytes, chunk_size: int) -> bytes:
    wrapper = AwsChunkedWrapper(
        io.BytesIO(payload),
        checksum_cls=Crc32Checksum,
        checksum_name="x-amz-checksum-crc32",
        chunk_size=chunk_size,
    )
    return wrapper.read()  # type: ignore[no-any-return]


def _decode(encoded: bytes, piece: int) -> AwsChunkedDecoder:
    decoder = AwsChunkedDecoder()
    out = b"".join(decoder.feed(encoded[start : start + piece]) for start in range(0, len(encoded), piece))
    decoder.finish()
    assert out == PAYLOAD
    return decoder


@pytest.mark.parametrize("piece", [1, 7, 8192, 10**6], ids=["byte-by-byte", "odd", "8k", "whole"])
def test_decode_botocore_chunked_body_any_split_returns_payload_and_trailer(piece: int) -> None:
    decoder = _decode(_encoded(PAYLOAD, 16 * 1024), piece)
    expected = base64.b64encode(zlib.crc32(PAYLOAD).to_bytes(4, "big")).decode()
    assert decoder.trailers == {"x-amz-checksum-crc32": expected}


def test_decode_signed_chunks_ignores_chunk_signatures() -> None:
    signature = ";chunk-signature=" + "0" * 64
    body = (
        f"{len(PAYLOAD):x}{signature}\r\n".encode()
        + PAYLOAD
        + f"\r\n0{signature}\r\n".encode()
        + b"x-amz-checksum-crc32:AAAAAA==\r\nx-amz-trailer-signature:abc\r\n\r\n"
    )
    decoder = _decode(body, 4096)
    assert decoder.trailers == {"x-amz-checksum-crc32": "AAAAAA=="}


def test_decode_truncated_body_raises_incomplete_body() -> None:
    encoded = _encoded(PAYLOAD, 16 * 1024)
    decoder = AwsChunkedDecoder()
    decoder.feed(encoded[: len(encoded) // 2])
    with pytest.raises(AwsError) as raised:
        decoder.finish()
    assert (raised.value.code, raised.value.status) == ("IncompleteBody", 400)


def test_decode_bad_chunk_size_raises_incomplete_body() -> None:
    with pytest.raises(AwsError) as raised:
        AwsChunkedDecoder().feed(b"zz\r\nabc")
    assert raised.value.code == "IncompleteBody"


@pytest.mark.parametrize(
    ("headers", "chunked"),
    [
        ({"content-encoding": "aws-chunked"}, True),
        ({"content-encoding": "gzip,aws-chunked"}, True),
        ({"x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER"}, True),
        ({"x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"}, True),
        ({"x-amz-content-sha256": "UNSIGNED-PAYLOAD"}, False),
        ({}, False),
    ],
)
def test_is_aws_chunked_reads_headers(headers: dict[str, str], chunked: bool) -> None:
    assert is_aws_chunked(headers) is chunked
