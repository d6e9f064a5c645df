"""S3 state on disk: buckets, object records and bodies survive a restart and `kill -9`."""

from __future__ import annotations

import json
import os
import sqlite3

import boto3
from botocore.config import Config

from fogbank.testing.server import FogbankServer


def _client(server: FogbankServer):
    return boto3.client(
        "s3",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )


def _stored_blobs(data_dir, bucket):
    """Key -> the blob id of its latest version, as stored in the object records on disk."""
    with sqlite3.connect(data_dir / "state.sqlite") as conn:
        rows = conn.execute(
            "SELECT key, value FROM records WHERE kind='objects' AND scope=?", (f"bucket/{bucket}",)
        )
        return {key: json.loads(value)["Versions"][0]["Blob"] for key, value in rows}


def test_put_object_survives_kill_and_restart(tmp_path):
    big = os.urandom(3 * 1024 * 1024)
    server = FogbankServer(data_dir=tmp_path).start()
    try:
        s3 = _client(server)
        s3.create_bucket(Bucket="durable")
        s3.put_bucket_versioning(Bucket="durable", VersioningConfiguration={"Status": "Enabled"})
        first = s3.put_object(Bucket="durable", Key="small", Body=b"tiny", Metadata={"m": "1"})["VersionId"]
        s3.put_object(Bucket="durable", Key="small", Body=b"tiny-2")
        s3.put_object(Bucket="durable", Key="big", Body=big)
    finally:
        server.kill()
    server = FogbankServer(data_dir=tmp_path, port=server.port).start()
    try:
        s3 = _client(server)
        assert s3.get_object(Bucket="durable", Key="small")["Body"].read() == b"tiny-2"
        old = s3.get_object(Bucket="durable", Key="small", VersionId=first)
        assert (old["Body"].read(), old["Metadata"]) == (b"tiny", {"m": "1"})
        assert s3.get_object(Bucket="durable", Key="big")["Body"].read() == big
        assert s3.get_bucket_versioning(Bucket="durable")["Status"] == "Enabled"
    finally:
        server.stop()


def test_delete_object_frees_blob_files(tmp_path):
    server = FogbankServer(data_dir=tmp_path).start()
    try:
        s3 = _client(server)
        s3.create_bucket(Bucket="freed")
        s3.put_object(Bucket="freed", Key="k", Body=b"1" * 8192)  # above blobs.INLINE_LIMIT: a file
        s3.put_object(Bucket="freed", Key="k", Body=b"2" * 8192)
        assert _blob_files(tmp_path) == 1
        s3.delete_object(Bucket="freed", Key="k")
        assert _blob_files(tmp_path) == 0
    finally:
        server.stop()


def test_delete_small_object_frees_its_body_row(tmp_path):
    server = FogbankServer(data_dir=tmp_path).start()
    try:
        s3 = _client(server)
        s3.create_bucket(Bucket="freed")
        # Small bodies (above blobs.EMBED_LIMIT, up to INLINE_LIMIT) are rows, not files.
        s3.put_object(Bucket="freed", Key="k", Body=b"1" * 2048)
        s3.put_object(Bucket="freed", Key="k", Body=b"2" * 2048)
        assert (_blob_files(tmp_path), _body_rows(tmp_path)) == (0, 1)
        s3.delete_object(Bucket="freed", Key="k")
        assert _body_rows(tmp_path) == 0
    finally:
        server.stop()


def test_put_object_small_bodies_rows_are_keyed_in_write_order(tmp_path):
    # Time-ordered ids append body rows at the end of SQLite's index (random ids cost ~5x more).
    server = FogbankServer(data_dir=tmp_path).start()
    try:
        s3 = _client(server)
        s3.create_bucket(Bucket="ordered")
        for number in range(5):
            s3.put_object(Bucket="ordered", Key=f"k{number}", Body=b"%d" % number * 2048)
        assert s3.get_object(Bucket="ordered", Key="k3")["Body"].read() == b"3" * 2048
    finally:
        server.stop()
    blob_of = _stored_blobs(tmp_path, "ordered")
    ids = [blob_of[f"k{number}"] for number in range(5)]
    assert all(blob.startswith("i") for blob in ids)
    assert ids == sorted(ids) and len(set(ids)) == 5


def test_put_object_tiny_bodies_live_in_the_object_record_and_survive_kill(tmp_path):
    server = FogbankServer(data_dir=tmp_path).start()
    try:
        s3 = _client(server)
        s3.create_bucket(Bucket="tiny")
        s3.put_object(Bucket="tiny", Key="k", Body=b"x" * 1024)
        s3.copy_object(Bucket="tiny", Key="copy", CopySource="tiny/k")
        s3.put_object(Bucket="tiny", Key="empty", Body=b"")
        assert (_blob_files(tmp_path), _body_rows(tmp_path)) == (0, 0)
    finally:
        server.kill()
    server = FogbankServer(data_dir=tmp_path, port=server.port).start()
    try:
        s3 = _client(server)
        assert s3.get_object(Bucket="tiny", Key="k")["Body"].read() == b"x" * 1024
        assert s3.get_object(Bucket="tiny", Key="copy", Range="bytes=1020-")["Body"].read() == b"xxxx"
        assert s3.get_object(Bucket="tiny", Key="empty")["Body"].read() == b""
        s3.delete_object(Bucket="tiny", Key="k")
        assert s3.get_object(Bucket="tiny", Key="copy")["Body"].read() == b"x" * 1024
    finally:
        server.stop()


def test_put_object_tiny_text_bodies_are_embedded_as_text_and_survive_kill(tmp_path):
    # ASCII text is kept as itself (no base64) unless JSON escaping would make it longer.
    bodies = {
        "plain": b"x" * 1024,
        "json": b'{"id": 12345, "name": "fogbank"}\n' * 20,
        "controls": b"abc\x01defghijklmnopqrst" * 40,
        "newlines": b"a\n" * 300,  # longer escaped than in base64
        "binary": bytes(range(256)) * 4,
        "empty": b"",
    }
    server = FogbankServer(data_dir=tmp_path).start()
    try:
        s3 = _client(server)
        s3.create_bucket(Bucket="texts")
        for key, body in bodies.items():
            s3.put_object(Bucket="texts", Key=key, Body=body)
        s3.copy_object(Bucket="texts", Key="copy", CopySource="texts/json")
        assert (_blob_files(tmp_path), _body_rows(tmp_path)) == (0, 0)
    finally:
        server.kill()
    kinds = {key: blob[0] for key, blob in _stored_blobs(tmp_path, "texts").items()}
    assert kinds == {
        "plain": "~",
        "json": "~",
        "controls": "~",
        "newlines": "=",
        "binary": "=",
        "empty": "~",
        "copy": "~",
    }
    server = FogbankServer(data_dir=tmp_path, port=server.port).start()
    try:
        s3 = _client(server)
        for key, body in bodies.items():
            got = s3.get_object(Bucket="texts", Key=key)
            assert (got["Body"].read(), got["ContentLength"]) == (body, len(body))
        assert s3.get_object(Bucket="texts", Key="copy", Range="bytes=1-6")["Body"].read() == b'"id": '
        s3.put_bucket_versioning(Bucket="texts", VersioningConfiguration={"Status": "Enabled"})
        s3.copy_object(Bucket="texts", Key="versioned", CopySource="texts/plain")  # becomes a row
        assert s3.get_object(Bucket="texts", Key="versioned")["Body"].read() == b"x" * 1024
        assert _body_rows(tmp_path) == 1
    finally:
        server.stop()


def test_put_object_tiny_bodies_in_versioned_buckets_are_rows(tmp_path):
    # A versioned key's record holds every version: tiny bodies are not embedded in it.
    server = FogbankServer(data_dir=tmp_path).start()
    try:
        s3 = _client(server)
        s3.create_bucket(Bucket="plain")
        s3.create_bucket(Bucket="versioned")
        s3.put_bucket_versioning(Bucket="versioned", VersioningConfiguration={"Status": "Enabled"})
        s3.put_object(Bucket="plain", Key="k", Body=b"plain")
        first = s3.put_object(Bucket="versioned", Key="k", Body=b"first")["VersionId"]
        copied = s3.copy_object(Bucket="versioned", Key="k", CopySource="plain/k")["VersionId"]
        assert _body_rows(tmp_path) == 2
        assert s3.get_object(Bucket="versioned", Key="k", VersionId=first)["Body"].read() == b"first"
        assert s3.get_object(Bucket="versioned", Key="k")["Body"].read() == b"plain"
        s3.delete_object(Bucket="versioned", Key="k", VersionId=first)
        s3.delete_object(Bucket="versioned", Key="k", VersionId=copied)
        assert _body_rows(tmp_path) == 0
        assert s3.get_object(Bucket="plain", Key="k")["Body"].read() == b"plain"
    finally:
        server.stop()


def test_get_object_reads_small_bodies_stored_as_rows_by_earlier_versions(tmp_path):
    # Earlier versions kept every body up to 4 KiB as an "i…" row beside the object record.
    server = FogbankServer(data_dir=tmp_path).start()
    try:
        s3 = _client(server)
        s3.create_bucket(Bucket="upgraded")
        s3.put_object(Bucket="upgraded", Key="old", Body=b"tiny", Metadata={"m": "1"})
    finally:
        server.stop()
    row_id = "i0000000000000001abcd"
    with sqlite3.connect(tmp_path / "state.sqlite") as conn:
        (raw,) = conn.execute(
            "SELECT value FROM records WHERE scope='bucket/upgraded' AND key='old'"
        ).fetchone()
        record = json.loads(raw)
        record["Versions"][0]["Blob"] = row_id
        conn.execute(
            "UPDATE records SET value=? WHERE scope='bucket/upgraded' AND key='old'", (json.dumps(record),)
        )
        conn.execute("INSERT INTO records VALUES ('s3', 'blobs', 'body', ?, ?)", (row_id, b'"dGlueQ=="'))
    server = FogbankServer(data_dir=tmp_path, port=server.port).start()
    try:
        s3 = _client(server)
        got = s3.get_object(Bucket="upgraded", Key="old")
        assert (got["Body"].read(), got["Metadata"]) == (b"tiny", {"m": "1"})
        s3.copy_object(Bucket="upgraded", Key="copied", CopySource="upgraded/old")
        s3.delete_object(Bucket="upgraded", Key="old")
        assert _body_rows(tmp_path) == 0
        assert s3.get_object(Bucket="upgraded", Key="copied")["Body"].read() == b"tiny"
    finally:
        server.stop()


def test_small_object_body_survives_export_reset_import(fogbank_factory, tmp_path):
    server = fogbank_factory(data_dir=tmp_path / "data")
    s3 = server.client("s3")
    s3.create_bucket(Bucket="carried")
    s3.put_object(Bucket="carried", Key="small", Body=b"small body")
    s3.put_object(Bucket="carried", Key="row", Body=b"r" * 2048)  # above blobs.EMBED_LIMIT: a row
    assert s3.get_object(Bucket="carried", Key="small")["Body"].read() == b"small body"
    assert s3.get_object(Bucket="carried", Key="row")["Body"].read() == b"r" * 2048  # now cached
    status, exported = server.call_raw("GET", "/_fogbank/state/export")
    assert status == 200
    assert server.reset("s3") == {"reset": "s3"}
    assert server.call("POST", "/_fogbank/state/import", exported) == (200, {"imported": True})
    assert s3.get_object(Bucket="carried", Key="small")["Body"].read() == b"small body"
    assert s3.get_object(Bucket="carried", Key="row")["Body"].read() == b"r" * 2048
    s3.put_object(Bucket="carried", Key="later", Body=b"later body")
    assert s3.get_object(Bucket="carried", Key="later")["Body"].read() == b"later body"


def _blob_files(data_dir) -> int:
    folder = data_dir / "blobs"
    return sum(1 for path in folder.rglob("*") if path.is_file()) if folder.exists() else 0


def _body_rows(data_dir) -> int:
    with sqlite3.connect(data_dir / "state.sqlite") as conn:
        return conn.execute("SELECT count(*) FROM records WHERE scope='blobs' AND kind='body'").fetchone()[0]
