"""Persistence over HTTP: state survives a clean restart and `kill -9`, `--ephemeral` keeps nothing,
and export → reset → import gives the same state back."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from fogbank.testing.server import FogbankServer

Factory = Callable[..., FogbankServer]


def queue_urls(server: FogbankServer, **client_options: str) -> list[str]:
    return sorted(server.client("sqs", **client_options).list_queues().get("QueueUrls", []))


def test_create_queue_then_clean_restart_keeps_queue(fogbank_factory: Factory, tmp_path: Path) -> None:
    server = fogbank_factory(data_dir=tmp_path)
    url = server.client("sqs").create_queue(QueueName="kept")["QueueUrl"]
    server.stop()
    server.start()
    assert queue_urls(server) == [url]
    assert server.client("sqs").get_queue_url(QueueName="kept")["QueueUrl"] == url
    assert (tmp_path / "state.sqlite").is_file()


def test_create_queue_then_kill_9_keeps_every_acknowledged_write(
    fogbank_factory: Factory, tmp_path: Path
) -> None:
    server = fogbank_factory(data_dir=tmp_path)
    sqs = server.client("sqs")
    urls = [sqs.create_queue(QueueName=f"q{index}")["QueueUrl"] for index in range(20)]
    other = server.client("sqs", region="eu-west-1", access_key="111111111111")
    other_url = other.create_queue(QueueName="elsewhere")["QueueUrl"]
    server.kill()  # SIGKILL right after the last acknowledged write: no shutdown code runs
    server.start()
    assert queue_urls(server) == sorted(urls)
    assert queue_urls(server, region="eu-west-1", access_key="111111111111") == [other_url]


def test_ephemeral_server_restart_loses_state(fogbank_factory: Factory) -> None:
    server = fogbank_factory()  # no data_dir: --ephemeral
    server.client("sqs").create_queue(QueueName="gone")
    server.stop()
    server.start()
    assert queue_urls(server) == []


def test_ephemeral_flag_with_data_dir_writes_nothing_there(fogbank_factory: Factory, tmp_path: Path) -> None:
    server = fogbank_factory(data_dir=tmp_path, extra_args=["--ephemeral"])
    server.client("sqs").create_queue(QueueName="gone")
    server.kill()
    assert not (tmp_path / "state.sqlite").exists()
    server.extra_args = []
    server.start()
    assert queue_urls(server) == []


def test_export_reset_import_roundtrip_restores_all_accounts(
    fogbank_factory: Factory, tmp_path: Path
) -> None:
    server = fogbank_factory(data_dir=tmp_path)
    default_url = server.client("sqs").create_queue(QueueName="a")["QueueUrl"]
    other_url = server.client("sqs", region="eu-west-1", access_key="222222222222").create_queue(
        QueueName="b"
    )["QueueUrl"]
    status, exported = server.call_raw("GET", "/_fogbank/state/export")
    assert status == 200
    assert "records.jsonl" in zipfile.ZipFile(io.BytesIO(exported)).namelist()

    assert server.reset() == {"reset": "all"}
    assert queue_urls(server) == []

    assert server.call("POST", "/_fogbank/state/import", exported) == (200, {"imported": True})
    assert queue_urls(server) == [default_url]
    assert queue_urls(server, region="eu-west-1", access_key="222222222222") == [other_url]
    server.kill()  # the imported state is durable too
    server.start()
    assert queue_urls(server) == [default_url]


def test_import_not_an_export_answers_400_and_keeps_state(fogbank_factory: Factory, tmp_path: Path) -> None:
    server = fogbank_factory(data_dir=tmp_path)
    url = server.client("sqs").create_queue(QueueName="kept")["QueueUrl"]
    status, body = server.call("POST", "/_fogbank/state/import", b"this is not a zip")
    assert status == 400
    assert body["error"].startswith("not a fogbank state export:")
    assert queue_urls(server) == [url]


def test_s3_objects_survive_kill_9_and_export_reset_import(fogbank_factory: Factory, tmp_path: Path) -> None:
    server = fogbank_factory(data_dir=tmp_path / "data")
    s3 = server.client("s3")
    s3.create_bucket(Bucket="persisted-bucket")
    big = bytes(range(256)) * 8192  # 2 MiB: a body that streams to disk
    s3.put_object(Bucket="persisted-bucket", Key="small.txt", Body=b"hello", ContentType="text/plain")
    s3.put_object(Bucket="persisted-bucket", Key="dir/big.bin", Body=big)
    server.kill()
    server.start()
    s3 = server.client("s3")
    small = s3.get_object(Bucket="persisted-bucket", Key="small.txt")
    assert (small["Body"].read(), small["ContentType"]) == (b"hello", "text/plain")
    assert s3.get_object(Bucket="persisted-bucket", Key="dir/big.bin")["Body"].read() == big

    status, exported = server.call_raw("GET", "/_fogbank/state/export")
    assert status == 200
    assert server.reset("s3") == {"reset": "s3"}
    assert s3.list_buckets()["Buckets"] == []
    assert server.call("POST", "/_fogbank/state/import", exported) == (200, {"imported": True})
    assert [bucket["Name"] for bucket in s3.list_buckets()["Buckets"]] == ["persisted-bucket"]
    assert s3.get_object(Bucket="persisted-bucket", Key="dir/big.bin")["Body"].read() == big
    listed = s3.list_objects_v2(Bucket="persisted-bucket")["Contents"]
    assert [(item["Key"], item["Size"]) for item in listed] == [("dir/big.bin", len(big)), ("small.txt", 5)]
