"""Large object bodies stream between the socket and the disk: the server's memory does not grow
with the size of an upload or a download."""

from __future__ import annotations

import hashlib
import http.client
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

MIB = 1024 * 1024
SIZE = 128 * MIB


def _peak_rss(pid: int) -> int:
    """The process's peak resident memory in bytes (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM in /proc")


def _chunks() -> Iterator[bytes]:
    block = bytes(range(256)) * (MIB // 256)
    for _ in range(SIZE // MIB):
        yield block


def test_put_and_get_object_of_128_mib_stream_without_holding_the_body(
    fogbank_factory: Callable[..., Any],
) -> None:
    server = fogbank_factory()
    server.client("s3").create_bucket(Bucket="large")
    assert server.process is not None
    before = _peak_rss(server.process.pid)
    expected = hashlib.md5()
    connection = http.client.HTTPConnection("localhost", server.port, timeout=60)
    try:
        connection.putrequest("PUT", "/large/object")
        connection.putheader("Content-Length", str(SIZE))
        connection.endheaders()
        for chunk in _chunks():
            expected.update(chunk)
            connection.send(chunk)
        put = connection.getresponse()
        put.read()
        assert put.status == 200 and put.getheader("ETag") == f'"{expected.hexdigest()}"'
        after_put = _peak_rss(server.process.pid) - before
        connection.request("GET", "/large/object")
        got = connection.getresponse()
        received = hashlib.md5()
        length = 0
        while block := got.read(MIB):
            received.update(block)
            length += len(block)
        assert (got.status, length, received.hexdigest()) == (200, SIZE, expected.hexdigest())
    finally:
        connection.close()
    assert after_put < 32 * MIB, f"PutObject of 128 MiB grew peak memory by {after_put / MIB:.0f} MiB"
    after_get = _peak_rss(server.process.pid) - before
    assert after_get < 32 * MIB, f"GetObject of 128 MiB grew peak memory by {after_get / MIB:.0f} MiB"
