"""Large payloads (S3 object bodies) as files, complete before anything refers to them; their
metadata lives in SQLite.

Paths are built as text and folders created once: S3's small-object path writes a blob per
request, and `pathlib` joins and `mkdir` calls would cost more than the write itself.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from pathlib import Path

from fogbank.config import settings

# The blob root as text, with the data directory it was derived from (tests may change it).
_root: tuple[Path, str] | None = None
# Folders already created (checked once, not on every write).
_made: set[str] = set()


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


def location(blob_id: str) -> str:
    """The blob's file path as text (for opening it without pathlib's overhead)."""
    return f"{_root_text()}/{blob_id[:2]}/{blob_id}"


def path_of(blob_id: str) -> Path:
    return Path(location(blob_id))


def store_file(source: Path) -> str:
    """Move a finished temporary file (same file system) into the store; returns its blob id."""
    blob_id = uuid.uuid4().hex
    os.replace(source, f"{_folder_of(blob_id)}/{blob_id}")
    return blob_id


def store_bytes(data: bytes) -> str:
    """Write a new blob. It goes straight to its final name: a blob id is new (exclusive create)
    and only reaches SQLite once the file is written and closed, so nothing can read it half
    written. (A temporary file and a rename cost five times the kernel time on ext4, on S3's
    small-object hot path.)"""
    blob_id = uuid.uuid4().hex
    with open(f"{_folder_of(blob_id)}/{blob_id}", "xb") as sink:
        sink.write(data)
    return blob_id


def store_copy(source_id: str) -> str:
    """A new blob with the same content. Blobs are never modified in place, so a hard link is an
    exact, instant copy (deleting either name leaves the other); a full copy where links fail."""
    blob_id = uuid.uuid4().hex
    target = f"{_folder_of(blob_id)}/{blob_id}"
    try:
        os.link(location(source_id), target)
    except OSError:
        temporary = target + ".part"
        shutil.copyfile(location(source_id), temporary)
        os.replace(temporary, target)
    return blob_id


def read(blob_id: str) -> bytes:
    with open(location(blob_id), "rb") as source:
        return source.read()


def size(blob_id: str) -> int:
    return os.stat(location(blob_id)).st_size


def delete(blob_id: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(location(blob_id))


def clear() -> None:
    global _root
    folder = settings.blob_dir
    _made.clear()
    _root = None
    if folder.exists():
        shutil.rmtree(folder)
