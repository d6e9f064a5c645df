"""Export and import of the whole state: one zip with every record (`records.jsonl`) and every
blob file (`blobs/…`). Exports are written to a temporary file and streamed, so large S3 bodies
never sit in memory; an import is checked completely before anything is replaced."""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path, PurePosixPath
from typing import IO

import orjson

from fogbank.config import settings
from fogbank.state import blobs
from fogbank.state.database import database

_RECORDS = "records.jsonl"
_BLOBS = "blobs/"
Row = tuple[str, str, str, str, bytes]


def export_to(sink: IO[bytes] | Path) -> None:
    """Write the whole state as a zip to a file object or path."""
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
        lines = [
            orjson.dumps({"service": s, "scope": sc, "kind": k, "key": key, "value": orjson.loads(value)})
            for s, sc, k, key, value in database().dump()
        ]
        archive.writestr(_RECORDS, b"\n".join(lines))
        folder = blobs.root()
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.endswith(".part"):
                # Object bodies are often compressed already; storing them keeps exports fast.
                archive.write(path, _BLOBS + path.relative_to(folder).as_posix(), zipfile.ZIP_STORED)


def export_bytes() -> bytes:
    with tempfile.TemporaryFile() as handle:
        export_to(handle)
        handle.seek(0)
        return handle.read()


async def export_stream(scratch: Path, chunk_size: int = 256 * 1024) -> AsyncIterator[bytes]:
    """The export zip in chunks, from a temporary file in `scratch` that is removed afterwards."""
    scratch.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=scratch, prefix="export-", suffix=".zip")
    try:
        with os.fdopen(handle, "w+b") as file:
            export_to(file)
            file.seek(0)
            while chunk := file.read(chunk_size):
                yield chunk
    finally:
        os.unlink(name)


def _blob_target(folder: Path, name: str) -> Path:
    """Where an archived blob goes; refuses names that would escape the blob folder."""
    relative = PurePosixPath(name[len(_BLOBS) :])
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise ValueError(f"unsafe path in export: {name}")
    return folder.joinpath(*relative.parts)


def _read_rows(archive: zipfile.ZipFile) -> list[Row]:
    rows = []
    try:
        raw = archive.read(_RECORDS)
    except KeyError:
        raise ValueError(f"{_RECORDS} is missing") from None
    for number, line in enumerate(raw.splitlines(), start=1):
        if line.strip():
            try:
                row = orjson.loads(line)
                rows.append(
                    (row["service"], row["scope"], row["kind"], row["key"], orjson.dumps(row["value"]))
                )
            except (orjson.JSONDecodeError, KeyError, TypeError) as problem:
                raise ValueError(f"{_RECORDS} line {number}: {problem}") from None
    return rows


def import_archive(source: Path | IO[bytes]) -> None:
    """Replace the whole state (records and blobs) with an export. Raises ValueError, before
    changing anything, when the archive is not a valid export."""
    try:
        archive = zipfile.ZipFile(source)
    except zipfile.BadZipFile as problem:
        raise ValueError(str(problem)) from None
    with archive:
        rows = _read_rows(archive)
        folder = settings.blob_dir
        names = [n for n in archive.namelist() if n.startswith(_BLOBS) and not n.endswith("/")]
        targets = [_blob_target(folder, name) for name in names]
        blobs.clear()
        for name, target in zip(names, targets, strict=True):
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".part")
            with archive.open(name) as reader, open(partial, "wb") as writer:
                while chunk := reader.read(1024 * 1024):
                    writer.write(chunk)
            os.replace(partial, target)
        database().restore(rows)


def import_bytes(raw: bytes) -> None:
    import io

    import_archive(io.BytesIO(raw))
