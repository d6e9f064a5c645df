"""The AWS CLI v1 against fogbank's S3: s3api and the high-level s3 commands."""

from __future__ import annotations

import os
import subprocess

import pytest


def test_s3api_create_bucket_and_head_bucket(aws_cli, unique_name):
    name = unique_name("cli")
    created = aws_cli("s3api", "create-bucket", "--bucket", name)
    assert created["Location"] == f"/{name}"
    head = aws_cli("s3api", "head-bucket", "--bucket", name)
    assert head["BucketRegion"] == "us-east-1"


def test_s3api_create_bucket_in_region_requires_constraint(aws_cli, unique_name):
    completed = aws_cli(
        "s3api", "create-bucket", "--bucket", unique_name("cli"), "--region", "eu-west-1", check=False
    )
    assert completed.returncode != 0
    assert "IllegalLocationConstraintException" in completed.stderr


def test_s3_cp_upload_download_and_ls(aws_cli, bucket, tmp_path):
    small = tmp_path / "small.txt"
    small.write_bytes(b"hello from the cli")
    large = tmp_path / "large.bin"
    large.write_bytes(os.urandom(9 * 1024 * 1024))  # above the CLI's 8 MiB multipart threshold
    subprocess_text(aws_cli, "s3", "cp", str(small), f"s3://{bucket}/docs/small.txt")
    subprocess_text(aws_cli, "s3", "cp", str(large), f"s3://{bucket}/large.bin")
    listing = subprocess_text(aws_cli, "s3", "ls", f"s3://{bucket}/")
    assert "PRE docs/" in listing
    assert "large.bin" in listing
    recursive = subprocess_text(aws_cli, "s3", "ls", f"s3://{bucket}/", "--recursive")
    assert "docs/small.txt" in recursive
    back = tmp_path / "back.bin"
    subprocess_text(aws_cli, "s3", "cp", f"s3://{bucket}/large.bin", str(back))
    assert back.read_bytes() == large.read_bytes()
    head = aws_cli("s3api", "head-object", "--bucket", bucket, "--key", "large.bin")
    assert head["ContentLength"] == 9 * 1024 * 1024
    assert head["ETag"].endswith('-2"')


def test_s3_rm_recursive_empties_bucket(aws_cli, bucket, tmp_path):
    source = tmp_path / "f.txt"
    source.write_text("x")
    for key in ("a/1.txt", "a/2.txt", "b.txt"):
        subprocess_text(aws_cli, "s3", "cp", str(source), f"s3://{bucket}/{key}")
    subprocess_text(aws_cli, "s3", "rm", f"s3://{bucket}/", "--recursive")
    listed = aws_cli("s3api", "list-objects-v2", "--bucket", bucket)
    assert "Contents" not in listed
    aws_cli("s3api", "delete-bucket", "--bucket", bucket)


def test_s3api_get_object_missing_key_reports_no_such_key(aws_cli, bucket, tmp_path):
    with pytest.raises(subprocess.CalledProcessError) as excinfo:
        aws_cli("s3api", "get-object", "--bucket", bucket, "--key", "missing", str(tmp_path / "out"))
    assert "NoSuchKey" in excinfo.value.stderr


def subprocess_text(aws_cli, *args: str) -> str:
    """Commands whose output is text (s3 ls), not JSON."""
    completed = aws_cli(*args, check=False)
    assert completed.returncode == 0, completed.stderr
    return str(completed.stdout)


def test_s3_mb_ls_sync_and_rb_force(aws_cli, unique_name, tmp_path):
    name = unique_name("cli")
    assert f"make_bucket: {name}" in subprocess_text(aws_cli, "s3", "mb", f"s3://{name}")
    assert name in subprocess_text(aws_cli, "s3", "ls")
    folder = tmp_path / "tree"
    (folder / "sub").mkdir(parents=True)
    (folder / "one.txt").write_text("1")
    (folder / "sub" / "two.txt").write_text("22")
    for path in (folder / "one.txt", folder / "sub" / "two.txt"):
        # Written well before the upload: S3 times have whole seconds, and sync re-sends files
        # newer than the stored object.
        os.utime(path, (path.stat().st_mtime - 60, path.stat().st_mtime - 60))
    subprocess_text(aws_cli, "s3", "sync", str(folder), f"s3://{name}/tree")
    again = subprocess_text(aws_cli, "s3", "sync", str(folder), f"s3://{name}/tree")
    assert "upload:" not in again  # nothing changed, nothing sent
    keys = [o["Key"] for o in aws_cli("s3api", "list-objects-v2", "--bucket", name)["Contents"]]
    assert keys == ["tree/one.txt", "tree/sub/two.txt"]
    assert f"remove_bucket: {name}" in subprocess_text(aws_cli, "s3", "rb", f"s3://{name}", "--force")
