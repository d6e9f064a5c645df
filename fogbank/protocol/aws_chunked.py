"""Decoding of SigV4 streaming bodies (`Content-Encoding: aws-chunked`), signed or unsigned, with
trailing checksum headers, as the SDKs send S3 uploads."""

from __future__ import annotations

from fogbank.errors import AwsError


class IncompleteBody(AwsError):
    code = "IncompleteBody"


class AwsChunkedDecoder:
    """Feed raw bytes as they arrive; `feed` returns the decoded data available so far."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._remaining = 0  # bytes of chunk data still expected
        self._expect_crlf = False
        self.done = False
        self.trailers: dict[str, str] = {}

    def feed(self, data: bytes) -> bytes:
        self._buffer += data
        out = bytearray()
        while True:
            if self._remaining:
                take = min(self._remaining, len(self._buffer))
                if not take:
                    break
                out += self._buffer[:take]
                del self._buffer[:take]
                self._remaining -= take
                if not self._remaining:
                    self._expect_crlf = True
                continue
            if self._expect_crlf:
                if len(self._buffer) < 2:
                    break
                del self._buffer[:2]
                self._expect_crlf = False
            end = self._buffer.find(b"\r\n")
            if end < 0:
                break
            line = bytes(self._buffer[:end])
            del self._buffer[: end + 2]
            if self.done:
                self._read_trailer(line)
                continue
            size_text = line.split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise IncompleteBody("The request body is not valid aws-chunked encoding") from None
            if size == 0:
                self.done = True
            else:
                self._remaining = size
        return bytes(out)

    def _read_trailer(self, line: bytes) -> None:
        if not line:
            return
        name, _, value = line.decode("latin-1").partition(":")
        if name.strip().lower() == "x-amz-trailer-signature":
            return
        self.trailers[name.strip().lower()] = value.strip()

    def finish(self) -> None:
        if self._remaining or not self.done:
            raise IncompleteBody(
                "You did not provide the number of bytes specified by the Content-Length HTTP header"
            )


def is_aws_chunked(headers: dict[str, str]) -> bool:
    return "aws-chunked" in headers.get("content-encoding", "") or headers.get(
        "x-amz-content-sha256", ""
    ).startswith("STREAMING-")
