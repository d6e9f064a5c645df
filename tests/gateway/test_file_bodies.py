"""File response bodies (S3 objects stored as files) are spliced to the socket on plain HTTP: whole
objects, ranges, HEAD, keep-alive and pipelined requests keep their exact framing, and a client
that leaves mid-body or reads slowly does not disturb the server."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest

MIB = 1024 * 1024


@pytest.fixture
def s3(client_factory: Callable[..., Any]) -> Any:
    return client_factory("s3")


@pytest.fixture
def stored(s3: Any, unique_name: Callable[[str], str]) -> tuple[str, bytes]:
    """A bucket holding object `big` of 5 MiB + 3 bytes of random data (stored as a file)."""
    bucket = unique_name("b")[-63:].lstrip("-")
    s3.create_bucket(Bucket=bucket)
    data = os.urandom(5 * MIB + 3)
    s3.put_object(Bucket=bucket, Key="big", Body=data)
    return bucket, data


def _request(s3: Any, method: str, bucket: str, key: str, headers: str = "") -> bytes:
    """A raw request signed with a SigV4 header fogbank does not verify by default (a presigned URL
    would expire when other tests advance the shared server's clock)."""
    host = urlsplit(s3.meta.endpoint_url).netloc
    auth = "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0"
    return (
        f"{method} /{bucket}/{key} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {auth}\r\n"
        f"x-amz-content-sha256: UNSIGNED-PAYLOAD\r\n{headers}\r\n"
    ).encode()


def _connect(s3: Any, receive_buffer: int | None = None) -> socket.socket:
    url = urlsplit(s3.meta.endpoint_url)
    connection = socket.socket()
    if receive_buffer is not None:
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    connection.connect((url.hostname, url.port))
    connection.settimeout(30)
    return connection


def _read_exactly(connection: socket.socket, pending: bytearray, count: int) -> bytes:
    while len(pending) < count:
        chunk = connection.recv(1 << 20)
        if not chunk:
            raise ConnectionError(f"closed after {len(pending)} of {count} bytes")
        pending += chunk
    taken = bytes(pending[:count])
    del pending[:count]
    return taken


def _read_answer(
    connection: socket.socket, pending: bytearray, *, head: bool = False
) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of one answer framed by Content-Length (what remains stays in
    `pending`, so the next answer on the connection must start exactly there)."""
    while b"\r\n\r\n" not in pending:
        chunk = connection.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the head")
        pending += chunk
    end = pending.index(b"\r\n\r\n")
    lines = bytes(pending[:end]).decode("latin-1").split("\r\n")
    del pending[: end + 4]
    headers = dict(line.split(": ", 1) for line in lines[1:])
    headers = {name.lower(): value for name, value in headers.items()}
    length = 0 if head else int(headers["content-length"])
    return int(lines[0].split()[1]), headers, _read_exactly(connection, pending, length)


def test_get_object_multi_mib_boto3_returns_whole_body(s3: Any, stored: tuple[str, bytes]) -> None:
    bucket, data = stored
    answer = s3.get_object(Bucket=bucket, Key="big")
    assert answer["ContentLength"] == len(data)
    assert answer["Body"].read() == data


def test_get_object_keep_alive_sequence_each_answer_exactly_framed(
    s3: Any, stored: tuple[str, bytes]
) -> None:
    bucket, data = stored
    with _connect(s3) as connection:
        pending = bytearray()
        for _ in range(3):
            connection.sendall(_request(s3, "GET", bucket, "big"))
            status, headers, body = _read_answer(connection, pending)
            assert (status, headers["content-length"], body == data) == (200, str(len(data)), True)
            assert "transfer-encoding" not in headers
        assert pending == b""


def test_get_object_pipelined_requests_answered_in_order(s3: Any, stored: tuple[str, bytes]) -> None:
    bucket, data = stored
    ranged = _request(s3, "GET", bucket, "big", "Range: bytes=10-19\r\n")
    with _connect(s3) as connection:
        connection.sendall(_request(s3, "GET", bucket, "big") + ranged + _request(s3, "GET", bucket, "big"))
        pending = bytearray()
        answers = [_read_answer(connection, pending) for _ in range(3)]
    assert [(status, body == data) for status, _, body in answers] == [(200, True), (206, False), (200, True)]
    assert answers[1][2] == data[10:20]


def test_get_object_range_returns_206_with_slice(s3: Any, stored: tuple[str, bytes]) -> None:
    bucket, data = stored
    answer = s3.get_object(Bucket=bucket, Key="big", Range="bytes=1000-3000999")
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert answer["ContentRange"] == f"bytes 1000-3000999/{len(data)}"
    assert answer["ContentLength"] == 3_000_000
    assert answer["Body"].read() == data[1000:3_001_000]
    suffix = s3.get_object(Bucket=bucket, Key="big", Range="bytes=-5")
    assert suffix["ContentRange"] == f"bytes {len(data) - 5}-{len(data) - 1}/{len(data)}"
    assert suffix["Body"].read() == data[-5:]


def test_head_object_large_object_sends_length_without_body(s3: Any, stored: tuple[str, bytes]) -> None:
    bucket, data = stored
    with _connect(s3) as connection:
        connection.sendall(
            _request(s3, "HEAD", bucket, "big") + _request(s3, "GET", bucket, "big", "Range: bytes=0-3\r\n")
        )
        pending = bytearray()
        status, headers, body = _read_answer(connection, pending, head=True)
        assert (status, headers["content-length"], body) == (200, str(len(data)), b"")
        status, headers, body = _read_answer(connection, pending)
    assert (status, headers["content-range"], body) == (206, f"bytes 0-3/{len(data)}", data[:4])


def test_get_object_slow_reader_receives_whole_body(s3: Any, stored: tuple[str, bytes]) -> None:
    # A small receive window fills the server's socket at once: it must wait until writable.
    bucket, data = stored
    with _connect(s3, receive_buffer=4096) as connection:
        pending = bytearray()
        connection.sendall(_request(s3, "GET", bucket, "big"))
        received = bytearray()
        while len(received) < 64 * 1024:
            received += connection.recv(1024)  # a trickle, while the server keeps sending
        pending += received
        status, _, body = _read_answer(connection, pending)
    assert (status, body == data) == (200, True)


def test_get_object_client_leaves_mid_body_server_keeps_serving(s3: Any, stored: tuple[str, bytes]) -> None:
    bucket, data = stored
    for linger in (False, True):
        connection = _connect(s3, receive_buffer=4096)
        if linger:  # close with a reset rather than a FIN
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        connection.sendall(_request(s3, "GET", bucket, "big"))
        assert connection.recv(4096).startswith(b"HTTP/1.1 200")
        connection.close()
    for _ in range(2):
        assert s3.get_object(Bucket=bucket, Key="big")["Body"].read() == data


@pytest.mark.parametrize("size", [4097, 64 * 1024, 64 * 1024 + 1, MIB])
def test_get_object_around_splice_threshold_returns_body(
    s3: Any, unique_name: Callable[[str], str], size: int
) -> None:
    # Up to 64 KiB a file body is read and sent from memory; above, it is spliced.
    bucket = unique_name("b")[-63:].lstrip("-")
    s3.create_bucket(Bucket=bucket)
    data = os.urandom(size)
    s3.put_object(Bucket=bucket, Key="k", Body=data)
    answer = s3.get_object(Bucket=bucket, Key="k", Range=f"bytes=1-{size - 2}")
    assert (answer["ContentLength"], answer["Body"].read()) == (size - 2, data[1:-1])
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == data


def test_get_object_pipelined_behind_full_socket_answered_in_order(
    s3: Any, stored: tuple[str, bytes]
) -> None:
    # GIVEN a client that reads slowly, so a small answer waits in the server's write buffer
    # WHEN a large answer follows it THEN that one goes the buffered way, after the small one.
    bucket, data = stored
    small = _request(s3, "GET", bucket, "big", "Range: bytes=0-999\r\n")
    requests = [_request(s3, "GET", bucket, "big"), small, _request(s3, "GET", bucket, "big"), small]
    with _connect(s3, receive_buffer=4096) as connection:
        connection.sendall(b"".join(requests))
        pending = bytearray()
        while len(pending) < 256 * 1024:
            pending += connection.recv(1024)
        answers = [_read_answer(connection, pending) for _ in requests]
        assert pending == b""
    assert [(status, len(body)) for status, _, body in answers] == [
        (200, len(data)),
        (206, 1000),
        (200, len(data)),
        (206, 1000),
    ]
    assert answers[0][2] == answers[2][2] == data
    assert answers[1][2] == answers[3][2] == data[:1000]
