"""Export and import of the whole state: one zip with every record and every blob file."""

from __future__ import annotations

import io
import zipfile

import orjson

from fogbank.state import blobs
from fogbank.state.database import database

_RECORDS = "records.jsonl"


def export_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        lines = [
            orjson.dumps({"service": s, "scope": sc, "kind": k, "key": key, "value": orjson.loads(value)})
            for s, sc, k, key, value in database().dump()
        ]
        archive.writestr(_RECORDS, b"\n".join(lines))
        folder = blobs.root()
        for path in folder.rglob("*"):
            if path.is_file() and not path.name.endswith(".part"):
                archive.write(path, "blobs/" + path.relative_to(folder).as_posix())
    return buffer.getvalue()


def import_bytes(raw: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile as problem:
        raise ValueError(str(problem)) from None
    with archive:
        rows = []
        for line in archive.read(_RECORDS).splitlines():
            if line.strip():
                row = orjson.loads(line)
                rows.append((row["service"], row["scope"], row["kind"], row["key"], orjson.dumps(row["value"])))
        blobs.clear()
        folder = blobs.root()
        for name in archive.namelist():
            if name.startswith("blobs/") and not name.endswith("/"):
                target = folder / name[len("blobs/"):]
                if ".." in target.parts:
                    raise ValueError(f"unsafe path in export: {name}")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.read(name))
        database().restore(rows)
