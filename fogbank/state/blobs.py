"""Large payloads (S3 object bodies) as files, written atomically; their metadata lives in SQLite."""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from pathlib import Path

from fogbank.config import settings

# Folders already created (checked once, not on every write: S3's small-object path is hot).
_made: set[Path] = set()


def _ensure(folder: Path) -> Path:
    if folder not in _made:
        folder.mkdir(parents=True, exist_ok=True)
        _made.add(folder)
    return folder


def root() -> Path:
    return _ensure(settings.blob_dir)


def path_of(blob_id: str) -> Path:
    return root() / blob_id[:2] / blob_id


def store_file(source: Path) -> str:
    """Move a finished temporary file (same file system) into the store; returns its blob id."""
    blob_id = uuid.uuid4().hex
    target = path_of(blob_id)
    _ensure(target.parent)
    os.replace(source, target)
    return blob_id


def store_bytes(data: bytes) -> str:
    blob_id = uuid.uuid4().hex
    target = path_of(blob_id)
    _ensure(target.parent)
    temporary = target.with_suffix(".part")
    with open(temporary, "wb") as sink:
        sink.write(data)
    os.replace(temporary, target)
    return blob_id


def read(blob_id: str) -> bytes:
    return path_of(blob_id).read_bytes()


def size(blob_id: str) -> int:
    return path_of(blob_id).stat().st_size


def delete(blob_id: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path_of(blob_id))


def clear() -> None:
    folder = settings.blob_dir
    _made.clear()
    if folder.exists():
        shutil.rmtree(folder)
