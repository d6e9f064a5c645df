"""HTTP/1.1 on the wire (`fogbank.gateway.http11`), spoken over raw sockets: keep-alive and
pipelining, `Expect: 100-continue`, chunked request bodies, HTTP/1.0 and `Connection: close`,
garbage, and WebSocket upgrades; after each, the server still answers."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlparse

import pytest

from fogbank.testing.server import FogbankServer

GET_IDENTITY = (
    "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    "Content-Length: 43\r\n\r\nAction=GetCallerIdentity&Version=2011-06-15"
)


@pytest.fixture
def connect(fogbank: FogbankServer) -> Iterator[Callable[[], socket.socket]]:
    address = urlparse(fogbank.url)
    opened: list[socket.socket] = []

    def open_one() -> socket.socket:
        connection = socket.create_connection((address.hostname, address.port), timeout=10)
        opened.append(connection)
        return connection

    yield open_one
    for connection in opened:
        connection.close()


@pytest.fixture
def bucket(client_factory: Callable[..., Any], unique_name: Callable[[str], str]) -> str:
    name = unique_name("http11")
    client_factory("s3").create_bucket(Bucket=name)
    return name


class Reader:
    """Reads answers framed by Content-Length or chunks off one connection."""

    def __init__(self, connection: socket.socket) -> None:
        self.connection = connection
        self.pending = b""

    def _fill(self) -> None:
        chunk = self.connection.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        self.pending += chunk

    def line_block(self) -> bytes:
        while b"\r\n\r\n" not in self.pending:
            self._fill()
        head, self.pending = self.pending.split(b"\r\n\r\n", 1)
        return head

    def exactly(self, count: int) -> bytes:
        while len(self.pending) < count:
            self._fill()
        data, self.pending = self.pending[:count], self.pending[count:]
        return data

    def answer(self) -> tuple[int, dict[str, str], bytes]:
        head = self.line_block().decode("latin-1").split("\r\n")
        headers = {k.lower(): v for k, v in (line.split(": ", 1) for line in head[1:])}
        if headers.get("transfer-encoding") == "chunked":
            body = b""
            while True:
                size = int(self._line(), 16)
                body += self.exactly(size)
                self.exactly(2)
                if size == 0:
                    break
        else:
            body = self.exactly(int(headers.get("content-length", "0")))
        return int(head[0].split()[1]), headers, body

    def _line(self) -> bytes:
        while b"\r\n" not in self.pending:
            self._fill()
        line, self.pending = self.pending.split(b"\r\n", 1)
        return line

    def closed(self) -> bool:
        try:
            return self.connection.recv(1) == b""
        except ConnectionResetError:
            return True


def test_keep_alive_connection_answers_requests_in_turn(connect: Callable[[], socket.socket]) -> None:
    connection = connect()
    reader = Reader(connection)
    for _ in range(3):
        connection.sendall(GET_IDENTITY.encode())
        status, headers, body = reader.answer()
        assert status == 200
        assert b"<Account>000000000000</Account>" in body
        assert "connection" not in headers


def test_pipelined_requests_answered_in_order(connect: Callable[[], socket.socket], bucket: str) -> None:
    connection = connect()
    requests = b"".join(
        f"PUT /{bucket}/k{n} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\n\r\nv{n}".encode()
        for n in range(3)
    ) + b"".join(f"GET /{bucket}/k{n} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode() for n in range(3))
    connection.sendall(requests)
    reader = Reader(connection)
    puts = [reader.answer()[0] for _ in range(3)]
    gets = [reader.answer() for _ in range(3)]
    assert puts == [200, 200, 200]
    assert [(status, body) for status, _, body in gets] == [(200, b"v0"), (200, b"v1"), (200, b"v2")]


def test_expect_continue_gets_100_before_the_body_is_sent(
    connect: Callable[[], socket.socket], bucket: str
) -> None:
    connection = connect()
    reader = Reader(connection)
    connection.sendall(
        f"PUT /{bucket}/waited HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n"
        "Expect: 100-continue\r\n\r\n".encode()
    )
    assert reader.line_block() == b"HTTP/1.1 100 Continue"
    connection.sendall(b"hello")
    assert reader.answer()[0] == 200
    connection.sendall(f"GET /{bucket}/waited HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
    assert reader.answer()[2] == b"hello"


def test_chunked_request_body_is_stored_whole(connect: Callable[[], socket.socket], bucket: str) -> None:
    connection = connect()
    reader = Reader(connection)
    connection.sendall(
        f"PUT /{bucket}/chunked HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n".encode()
    )
    assert reader.answer()[0] == 200
    connection.sendall(f"GET /{bucket}/chunked HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
    assert reader.answer()[2] == b"hello world"


def test_http10_request_answered_then_connection_closed(connect: Callable[[], socket.socket]) -> None:
    connection = connect()
    connection.sendall(GET_IDENTITY.replace("HTTP/1.1", "HTTP/1.0").encode())
    reader = Reader(connection)
    status, headers, _ = reader.answer()
    assert (status, headers.get("connection")) == (200, "close")
    assert reader.closed()


def test_connection_close_request_answered_then_connection_closed(
    connect: Callable[[], socket.socket],
) -> None:
    connection = connect()
    connection.sendall(
        GET_IDENTITY.replace("Host: localhost\r\n", "Host: localhost\r\nConnection: close\r\n").encode()
    )
    reader = Reader(connection)
    assert reader.answer()[0] == 200
    assert reader.closed()


def test_garbage_answers_400_and_server_keeps_serving(connect: Callable[[], socket.socket]) -> None:
    connection = connect()
    connection.sendall(b"NOT HTTP AT ALL\r\n\r\n")
    reader = Reader(connection)
    status, headers, body = reader.answer()
    assert (status, headers["connection"], body) == (400, "close", b"Invalid HTTP request received.")
    assert reader.closed()
    other = connect()
    other.sendall(GET_IDENTITY.encode())
    assert Reader(other).answer()[0] == 200


def test_websocket_upgrade_is_handed_to_the_websocket_protocol(
    connect: Callable[[], socket.socket],
) -> None:
    connection = connect()
    connection.sendall(
        b"GET /socket HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    # No fogbank service takes WebSockets yet: the handshake is refused by the WebSocket side.
    status, _, _ = Reader(connection).answer()
    assert status == 403
    other = connect()
    other.sendall(GET_IDENTITY.encode())
    assert Reader(other).answer()[0] == 200


def test_client_leaving_before_its_body_arrives_leaves_server_serving(
    connect: Callable[[], socket.socket], bucket: str
) -> None:
    connection = connect()
    connection.sendall(
        f"PUT /{bucket}/partial HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\nabc".encode()
    )
    connection.close()
    other = connect()
    other.sendall(GET_IDENTITY.encode())
    assert Reader(other).answer()[0] == 200
    other.sendall(f"GET /{bucket}/partial HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
    assert Reader(other).answer()[0] == 404
