"""Export and import of the whole state (records and blob files) used directly."""

from __future__ import annotations

import asyncio
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from fogbank import state
from fogbank.config import settings
from fogbank.state import blobs, snapshot


@pytest.fixture(autouse=True)
def isolated_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(settings, "data_dir", tmp_path)
    state.open_database(tmp_path / "state.sqlite")
    yield
    state.open_database(None)


def archive_with(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_export_then_import_restores_records_and_blob_bytes() -> None:
    body = bytes(range(256)) * 4096  # 1 MiB
    blob_id = blobs.store_bytes(body)
    state.collection("s3", "objects", "global").put("b/k", {"Blob": blob_id, "Size": len(body)})
    exported = snapshot.export_bytes()

    state.database().reset()
    blobs.clear()
    assert len(state.collection("s3", "objects", "global")) == 0

    snapshot.import_bytes(exported)
    assert state.collection("s3", "objects", "global")["b/k"] == {"Blob": blob_id, "Size": len(body)}
    assert blobs.read(blob_id) == body


def test_import_replaces_state_created_after_the_export() -> None:
    state.collection("sqs", "queues", "a/r").put("old", {})
    exported = snapshot.export_bytes()
    state.collection("sqs", "queues", "a/r").put("new", {})
    newer_blob = blobs.store_bytes(b"newer")
    snapshot.import_bytes(exported)
    assert list(state.collection("sqs", "queues", "a/r")) == ["old"]
    assert not blobs.path_of(newer_blob).exists()


def test_export_skips_partly_written_blobs() -> None:
    blob_id = blobs.store_bytes(b"done")
    (blobs.root() / "ab").mkdir(exist_ok=True)
    (blobs.root() / "ab" / "abc.part").write_bytes(b"half")
    names = zipfile.ZipFile(io.BytesIO(snapshot.export_bytes())).namelist()
    assert names == ["records.jsonl", f"blobs/{blob_id[:2]}/{blob_id}"]


def test_export_stream_yields_the_zip_and_removes_its_file(tmp_path: Path) -> None:
    state.collection("sqs", "queues", "a/r").put("q", {"v": 1})

    async def collect() -> bytes:
        return b"".join(
            [chunk async for chunk in snapshot.export_stream(tmp_path / "scratch", chunk_size=64)]
        )

    raw = asyncio.run(collect())
    assert zipfile.ZipFile(io.BytesIO(raw)).read("records.jsonl").startswith(b'{"service":"sqs"')
    assert list((tmp_path / "scratch").iterdir()) == []


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ({"other.txt": b"x"}, "records.jsonl is missing"),
        ({"records.jsonl": b'{"service": "sqs"}'}, "records.jsonl line 1"),
        ({"records.jsonl": b"not json"}, "records.jsonl line 1"),
        ({"records.jsonl": b"", "blobs/../../escape": b"x"}, "unsafe path in export"),
        ({"records.jsonl": b"", "blobs//etc/escape": b"x"}, "unsafe path in export"),
    ],
)
def test_import_invalid_archive_raises_and_changes_nothing(entries: dict[str, bytes], message: str) -> None:
    blob_id = blobs.store_bytes(b"kept")
    state.collection("sqs", "queues", "a/r").put("kept", {})
    with pytest.raises(ValueError, match=message):
        snapshot.import_bytes(archive_with(entries))
    assert blobs.read(blob_id) == b"kept"
    assert list(state.collection("sqs", "queues", "a/r")) == ["kept"]


def test_import_not_a_zip_raises_value_error() -> None:
    with pytest.raises(ValueError, match="not a zip file"):
        snapshot.import_bytes(b"plain text")
