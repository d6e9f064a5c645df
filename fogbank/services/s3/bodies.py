"""Object bodies: taking an upload into the blob store (moved, never copied into memory when it
was spooled to disk), verifying its digests, and reading it back whole or by byte range.

Bodies live in `fogbank.state.blobs` files; object records hold the blob id.
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fogbank.config import settings
from fogbank.protocol.http import FileBody, Payload
from fogbank.services.s3 import checksums
from fogbank.services.s3.errors import InvalidRange
from fogbank.state import blobs

# Bodies up to this size are answered from memory (one read, one send); larger ones as a file
# range, which the gateway splices from the page cache to the socket (`gateway/file_sending.py`).
# GetObject server CPU per request at c16, read vs spliced (2026-11-26): 8 KiB 174 vs 233 µs,
# 64 KiB 211 vs 219, 256 KiB 268 vs 254, 1 MiB ~500 vs ~360.
INLINE_LIMIT = 64 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


@dataclass(slots=True)
class StoredBody:
    blob: str
    size: int
    md5: bytes
    digests: dict[str, bytes]  # algorithm → raw checksum
    etag: str  # the MD5 as quoted hex, computed once


def ingest(body: Payload | bytes | None, algorithms: Iterable[str], embed: bool = True) -> StoredBody:
    """Store an upload as a blob and compute its MD5 and the requested checksums. `embed`: a tiny
    body may live in the record naming it (see `blobs.store`)."""
    if body is None:
        body = b""
    elif isinstance(body, Payload):
        if body.path is not None:
            digests = checksums.digest_all(checksums.chunks_of_file(body.path), algorithms)
            md5 = digests.pop("ETAG-MD5")
            blob = blobs.store_file(body.path)
            return StoredBody(blob, body.length, md5, digests, f'"{md5.hex()}"')
        body = body.data
    md5, digests = checksums.digest_bytes(body, algorithms)
    return StoredBody(blobs.store(body, embed), len(body), md5, digests, f'"{md5.hex()}"')


def is_spooled(body: object) -> bool:
    return isinstance(body, Payload) and body.path is not None


async def ingest_async(body: Payload | bytes | None, algorithms: Iterable[str]) -> StoredBody:
    """`ingest`, with bodies spooled to disk hashed and moved in a worker thread: a large upload
    must not stall every other request (small bodies stay on the fast, inline path)."""
    if isinstance(body, Payload) and body.path is not None:
        return await asyncio.to_thread(ingest, body, list(algorithms))
    return ingest(body, algorithms)


async def assemble_async(pieces: list[tuple[str, int, int]], algorithms: list[str]) -> StoredBody:
    """A new blob made of (blob, start, length) pieces, hashed; in a worker thread, as it reads
    and writes the whole object."""
    return await asyncio.to_thread(lambda: ingest(concatenate(pieces), algorithms))


def discard(blob: str | None) -> None:
    if blob:
        blobs.delete(blob)


def temporary_file() -> tuple[int, Path]:
    """A temporary file on the blob store's file system (so `store_file` is an atomic rename)."""
    folder = settings.data_dir / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=folder, prefix="s3-")
    return handle, Path(name)


def concatenate(pieces: list[tuple[str, int, int]]) -> Payload:
    """A new spooled file holding the given (blob, start, length) ranges one after another."""
    handle, path = temporary_file()
    total = 0
    try:
        with os.fdopen(handle, "wb") as sink:
            for blob, start, length in pieces:
                with blobs.open_blob(blob) as source:
                    source.seek(start)
                    _copy_exactly(source, sink, length)
                total += length
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Payload(path=path, length=total)


def _copy_exactly(source: Any, sink: Any, length: int) -> None:
    remaining = length
    while remaining > 0:
        chunk = source.read(min(checksums.READ_CHUNK, remaining))
        if not chunk:
            break
        sink.write(chunk)
        remaining -= len(chunk)


def copy_blob(blob: str | None, embed: bool = True) -> str:
    """A new blob with the same content (copies never share names, so deletes stay independent;
    an embedded body is its own copy)."""
    return blobs.store_copy(blob, embed) if blob else blobs.store(b"", embed)


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(start, length) of a single `bytes=` range, None to send everything (no or malformed range,
    as S3 ignores what it cannot parse), or InvalidRange when it starts past the end."""
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if match is None or (not match.group(1) and not match.group(2)):
        return None
    first, last = match.group(1), match.group(2)
    if not first:
        suffix = int(last)
        if suffix == 0:
            raise _unsatisfiable(header, size)
        start = max(size - suffix, 0)
        return start, size - start
    start = int(first)
    end = int(last) if last else size - 1
    if end < start:
        return None
    if start >= size:
        raise _unsatisfiable(header, size)
    end = min(end, size - 1)
    return start, end - start + 1


def _unsatisfiable(header: str, size: int) -> InvalidRange:
    return InvalidRange(
        "The requested range is not satisfiable", RangeRequested=header, ActualObjectSize=size
    )


def read(blob: str | None, start: int, length: int) -> bytes | FileBody:
    """The body (or a range of it): bytes when small, a streamed file range otherwise."""
    if not blob or length == 0:
        return b""
    if blobs.is_inline(blob):
        return blobs.read(blob)[start : start + length]
    if length > INLINE_LIMIT:
        return FileBody(blobs.path_of(blob), start, length)
    # One pread on a raw descriptor: a buffered `open` adds an fstat, an lseek, an ioctl and a
    # second read per GetObject.
    descriptor = os.open(blobs.location(blob), os.O_RDONLY)
    try:
        return os.pread(descriptor, length, start)
    finally:
        os.close(descriptor)
