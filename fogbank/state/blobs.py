"""Payloads (S3 object bodies) by blob id: large ones as files, complete before anything refers
to them, small ones in SQLite; their metadata lives in SQLite.

Small bodies (up to `INLINE_LIMIT` bytes) are rows of the records table, next to the metadata
that names them, not files: creating, closing and later unlinking a file per object cost about
115 µs of server CPU per 1 KiB PutObject (a quarter of the request; measured with 16 keep-alive
clients, 2026-11-26), a row about 20 µs, and the row commits with the object's record (group
commit), so a `kill -9` never leaves one without the other. Their ids start with "i" (file ids
are hex); they are exported and imported with the records (as base64 text) and reset with S3.
Larger bodies stay files, so they stream from disk and never sit in memory or bloat the database.

The smallest bodies (up to `EMBED_LIMIT` bytes) need no row at all: their id is the content itself
("=" + base64 text), so they live in the record that names them (an object version, a part) and
are written, copied, exported and persisted with it; deleting one frees nothing. A second row per
1 KiB PutObject cost about 15 µs of server CPU (A/B, 16 keep-alive clients, median of 4 runs:
186 µs with the row, 171 µs embedded; 2026-11-26).
The limit keeps such a record within one 8 KiB page's local payload (about 2000 bytes, so no
overflow page) and bounds the memory the in-memory record holds. Bodies stored as "i…" rows by
earlier versions keep reading.

A tiny body that is ASCII text with few characters JSON must escape (most small objects: JSON,
CSV, logs) is embedded as itself ("~" + the text): no base64 to encode (1 KiB: 1.4 -> 0.6 µs)
and a quarter less to write to SQLite; its JSON is never longer than the base64 form would be.

Inline ids are time-ordered ("i" + `ids.ordered_hex()`, a version 7 UUID's digits, strictly
increasing in the process; older ids of other forms keep reading): SQLite keeps rows in key order, so a new row
appends at the end of the index instead of landing on a random page. With uuid4 ids the body row
cost most of a 1 KiB PutObject's SQLite time (see `_inline_id`). File ids stay random hex, so
their first two characters (the folder) spread files evenly.

Paths are built as text and folders created once: S3's small-object path writes a blob per
request, and `pathlib` joins and `mkdir` calls would cost more than the write itself.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import io
import os
import shutil
import threading
from collections import OrderedDict
from pathlib import Path
from typing import BinaryIO

import orjson

from fogbank.config import settings
from fogbank.ids import ordered_hex
from fogbank.state.database import Database, database

INLINE_LIMIT = 4096
EMBED_LIMIT = 1024
# The first character of an embedded id (never in file ids, which are hex, nor "i" row ids).
_EMBEDDED = "="
# The first character of an id embedding a body as its ASCII text.
_EMBEDDED_TEXT = "~"
# Where inline bodies are kept: S3 owns the blob store (a reset of S3 clears it).
_SERVICE, _SCOPE, _KIND = "s3", "blobs", "body"

# The blob root as text, with the data directory it was derived from (tests may change it).
_root: tuple[Path, str] | None = None
# Folders already created (checked once, not on every write).
_made: set[str] = set()
# Inline bodies read recently (oldest read first), their total size, and the database they came
# from: a FIFO bounded by size, so reading many small objects never grows the process unbounded.
CACHE_LIMIT = 16 * 1024 * 1024
_cached: OrderedDict[str, bytes] = OrderedDict()
_cached_bytes = 0
_cached_for: Database | None = None
_cache_lock = threading.Lock()


def _root_text() -> str:
    global _root
    data_dir = settings.data_dir
    if _root is None or _root[0] is not data_dir:
        folder = settings.blob_dir
        folder.mkdir(parents=True, exist_ok=True)
        _root = (data_dir, str(folder))
    return _root[1]


def _folder_of(blob_id: str) -> str:
    folder = f"{_root_text()}/{blob_id[:2]}"
    if folder not in _made:
        os.makedirs(folder, exist_ok=True)
        _made.add(folder)
    return folder


def root() -> Path:
    return Path(_root_text())


def is_inline(blob_id: str) -> bool:
    """True for bodies kept in SQLite (a row, or embedded in the id), False for files."""
    return blob_id[0] in "i=~"


def is_embedded(blob_id: str) -> bool:
    return blob_id[0] in "=~"


def location(blob_id: str) -> str:
    """The blob's file path as text (for opening it without pathlib's overhead); inline blobs have
    none (read them with `read` or `open_blob`)."""
    if is_inline(blob_id):
        raise ValueError(f"blob {blob_id} is kept in the database, not in a file")
    return f"{_root_text()}/{blob_id[:2]}/{blob_id}"


def path_of(blob_id: str) -> Path:
    return Path(location(blob_id))


def _file_id() -> str:
    """A random file blob id (32 hex digits, like the uuid4 ids of older data directories)."""
    return os.urandom(16).hex()


def _inline_id() -> str:
    """A new inline blob id, greater than every other this process made (`ids.ordered_hex`), so
    body rows append to SQLite's index. Measured on 1 KiB PutObject (16 clients, same tree,
    py-spy attached): 259 µs of server CPU per request with uuid4 ids, 215 µs with time-ordered
    ones (2026-11-26)."""
    return "i" + ordered_hex()


def store_file(source: Path) -> str:
    """Move a finished temporary file (same file system) into the store; returns its blob id."""
    blob_id = _file_id()
    os.replace(source, f"{_folder_of(blob_id)}/{blob_id}")
    return blob_id


def store(data: bytes, embed: bool = True) -> str:
    """A new blob holding `data`: embedded in its id when tiny (`EMBED_LIMIT`) and `embed`, a row
    when small (`INLINE_LIMIT`), else a file. Callers pass `embed=False` when the record naming
    the blob is rewritten with many others (every version of a key in a versioned bucket)."""
    if embed and len(data) <= EMBED_LIMIT:
        text = _short_text(data)
        if text is not None:
            return _EMBEDDED_TEXT + text
        return _EMBEDDED + binascii.b2a_base64(data, newline=False).decode("ascii")
    if len(data) > INLINE_LIMIT:
        return store_bytes(data)
    blob_id = _inline_id()
    text = base64.b64encode(data).decode("ascii")
    database().write(_SERVICE, _SCOPE, _KIND, blob_id, orjson.dumps(text))
    return blob_id


def _short_text(data: bytes) -> str | None:
    """The body as text when it is ASCII whose JSON string (escapes included) is no longer than
    its base64 form, so an embedded record stays within the size `EMBED_LIMIT` allows for.
    Measured by orjson itself: 1 KiB in about 2k instructions, where counting the characters JSON
    escapes with `bytes.translate` took 10k (valgrind)."""
    if not data.isascii():
        return None
    text = data.decode("ascii")
    if len(orjson.dumps(text)) - 2 > (len(data) + 2) // 3 * 4:
        return None
    return text


def store_bytes(data: bytes) -> str:
    """Write a new blob file. It goes straight to its final name: a blob id is new (exclusive
    create) and only reaches SQLite once the file is written and closed, so nothing can read it
    half written. (A temporary file and a rename cost five times the kernel time on ext4, on S3's
    small-object hot path.)"""
    blob_id = _file_id()
    with open(f"{_folder_of(blob_id)}/{blob_id}", "xb") as sink:
        sink.write(data)
    return blob_id


def store_copy(source_id: str, embed: bool = True) -> str:
    """A new blob with the same content. Blobs are never modified in place, so a hard link is an
    exact, instant copy (deleting either name leaves the other); a full copy where links fail."""
    if embed and is_embedded(source_id):
        return source_id  # the id is the content: nothing to copy, nothing shared to delete
    if is_inline(source_id):
        return store(read(source_id), embed)
    blob_id = _file_id()
    target = f"{_folder_of(blob_id)}/{blob_id}"
    try:
        os.link(location(source_id), target)
    except OSError:
        temporary = target + ".part"
        shutil.copyfile(location(source_id), temporary)
        os.replace(temporary, target)
    return blob_id


def read(blob_id: str) -> bytes:
    if is_embedded(blob_id):
        return _read_embedded(blob_id)
    if is_inline(blob_id):
        return _read_inline(blob_id)
    with open(location(blob_id), "rb") as source:
        return source.read()


def _read_inline(blob_id: str) -> bytes:
    """An inline body, from the cache of recently read ones when there. Blobs never change and
    ids are never reused, so an entry only goes stale by deletion (which drops it) or when another
    database is opened (which drops them all). Measured on 1 KiB GetObject (16 clients, py-spy
    attached): the SQLite lookup and base64 decoding were 10 % of the server's CPU."""
    global _cached_for
    db = database()
    if _cached_for is not db:
        _forget_cached()
        _cached_for = db
    data = _cached.get(blob_id)
    if data is not None:
        return data
    raw = db.load_one(_SERVICE, _SCOPE, _KIND, blob_id)
    if raw is None:
        raise FileNotFoundError(f"no blob {blob_id}")
    data = base64.b64decode(orjson.loads(raw))
    _remember(blob_id, data)
    return data


def _read_embedded(blob_id: str) -> bytes:
    """An embedded body, decoded once and then cached like a row's: decoding 1 KiB takes 3.3 µs,
    the lookup well under one (the id is the record's own string, its hash computed once).
    A text body is encoded back (a copy, no decoding): not cached."""
    if blob_id[0] == _EMBEDDED_TEXT:
        return blob_id[1:].encode("ascii")
    data = _cached.get(blob_id)
    if data is None:
        data = binascii.a2b_base64(blob_id[1:])
        _remember(blob_id, data)
    return data


def _remember(blob_id: str, data: bytes) -> None:
    """Cache a body read, dropping the oldest over `CACHE_LIMIT` (under a lock: multipart
    completion reads parts in a worker thread). Ids count too: an embedded one is its body."""
    global _cached_bytes
    with _cache_lock:
        if blob_id not in _cached:
            _cached[blob_id] = data
            _cached_bytes += len(blob_id) + len(data)
        while _cached_bytes > CACHE_LIMIT and _cached:
            oldest, dropped = _cached.popitem(last=False)
            _cached_bytes -= len(oldest) + len(dropped)


def _forget_cached(blob_id: str | None = None) -> None:
    """Drop one body (or all) from the read cache."""
    global _cached_bytes
    with _cache_lock:
        if blob_id is None:
            _cached.clear()
            _cached_bytes = 0
        elif (data := _cached.pop(blob_id, None)) is not None:
            _cached_bytes -= len(blob_id) + len(data)


def open_blob(blob_id: str) -> BinaryIO:
    """The blob's content as a readable binary file (in memory for an inline blob)."""
    if is_inline(blob_id):
        return io.BytesIO(read(blob_id))
    return open(location(blob_id), "rb")  # noqa: SIM115 - the caller closes it


def size(blob_id: str) -> int:
    if is_inline(blob_id):
        return len(read(blob_id))
    return os.stat(location(blob_id)).st_size


def delete(blob_id: str) -> None:
    if is_embedded(blob_id):
        _forget_cached(blob_id)  # the body itself goes with the record that holds it
        return
    if is_inline(blob_id):
        _forget_cached(blob_id)
        database().remove(_SERVICE, _SCOPE, _KIND, blob_id)
        return
    with contextlib.suppress(FileNotFoundError):
        os.unlink(location(blob_id))


def clear() -> None:
    global _root
    _forget_cached()
    database().remove_kind(_SERVICE, _SCOPE, _KIND)
    folder = settings.blob_dir
    _made.clear()
    _root = None
    if folder.exists():
        shutil.rmtree(folder)
