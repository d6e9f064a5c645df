"""Browser-based uploads (POST Object) with presigned POST policies."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from datetime import UTC, datetime, timedelta

import requests


def _server_now(fogbank) -> datetime:
    return datetime.fromtimestamp(fogbank.get("/_fogbank/clock")["epoch"], UTC)


def _policy(fogbank, bucket: str, conditions: list, seconds: int = 300) -> str:
    expiration = (_server_now(fogbank) + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
    document = {"expiration": expiration, "conditions": [{"bucket": bucket}, *conditions]}
    return base64.b64encode(json.dumps(document).encode()).decode()


def test_post_object_presigned_post_uploads_file(fogbank, endpoint, s3, bucket):
    post = s3.generate_presigned_post(
        bucket,
        "uploads/${filename}",
        Fields={"Content-Type": "text/plain", "x-amz-meta-origin": "browser"},
        Conditions=[
            {"Content-Type": "text/plain"},
            {"x-amz-meta-origin": "browser"},
            ["content-length-range", 1, 100],
        ],
        ExpiresIn=10 * 365 * 86400,  # the server's clock may have been moved ahead by other tests
    )
    response = requests.post(
        post["url"], data=post["fields"], files={"file": ("hello.txt", b"hello post")}, timeout=10
    )
    assert response.status_code == 204
    assert response.headers["etag"] == '"' + hashlib.md5(b"hello post").hexdigest() + '"'
    assert response.headers["location"].endswith(f"/{bucket}/uploads/hello.txt")
    got = s3.get_object(Bucket=bucket, Key="uploads/hello.txt")
    assert (got["Body"].read(), got["ContentType"], got["Metadata"]) == (
        b"hello post",
        "text/plain",
        {"origin": "browser"},
    )


def test_post_object_success_action_status_201_returns_post_response(fogbank, endpoint, bucket):
    fields = {
        "key": "doc.bin",
        "success_action_status": "201",
        "policy": _policy(fogbank, bucket, [["eq", "$key", "doc.bin"], {"success_action_status": "201"}]),
    }
    response = requests.post(f"{endpoint}/{bucket}", data=fields, files={"file": ("x", b"data")}, timeout=10)
    assert response.status_code == 201
    assert f"<Bucket>{bucket}</Bucket><Key>doc.bin</Key>" in response.text
    assert response.text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse><Location>')


def test_post_object_redirect_answers_303(fogbank, endpoint, bucket):
    fields = {
        "key": "r.txt",
        "success_action_redirect": "http://example.com/done",
        "policy": _policy(
            fogbank,
            bucket,
            [["starts-with", "$key", ""], ["starts-with", "$success_action_redirect", "http://example.com/"]],
        ),
    }
    response = requests.post(
        f"{endpoint}/{bucket}", data=fields, files={"file": ("x", b"d")}, timeout=10, allow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"http://example.com/done?bucket={bucket}&key=r.txt&etag=")


def test_post_object_expired_policy_is_denied(fogbank, endpoint, bucket):
    fields = {"key": "late.txt", "policy": _policy(fogbank, bucket, [["eq", "$key", "late.txt"]], seconds=60)}
    fogbank.advance_clock("PT2M")
    response = requests.post(f"{endpoint}/{bucket}", data=fields, files={"file": ("x", b"d")}, timeout=10)
    assert response.status_code == 403
    assert (
        "<Code>AccessDenied</Code><Message>Invalid according to Policy: Policy expired.</Message>"
        in response.text
    )


def test_post_object_condition_failure_is_denied(fogbank, endpoint, bucket):
    fields = {"key": "other.txt", "policy": _policy(fogbank, bucket, [["eq", "$key", "expected.txt"]])}
    response = requests.post(f"{endpoint}/{bucket}", data=fields, files={"file": ("x", b"d")}, timeout=10)
    assert response.status_code == 403
    assert (
        'Invalid according to Policy: Policy Condition failed: ["eq","$key","expected.txt"]' in response.text
    )


def test_post_object_field_outside_policy_is_denied(fogbank, endpoint, bucket):
    fields = {
        "key": "k",
        "x-amz-meta-extra": "1",
        "policy": _policy(fogbank, bucket, [["starts-with", "$key", ""]]),
    }
    response = requests.post(f"{endpoint}/{bucket}", data=fields, files={"file": ("x", b"d")}, timeout=10)
    assert response.status_code == 403
    assert "Invalid according to Policy: Extra input fields: x-amz-meta-extra" in response.text


def test_post_object_file_over_content_length_range_is_too_large(fogbank, endpoint, bucket):
    fields = {
        "key": "k",
        "policy": _policy(fogbank, bucket, [["starts-with", "$key", ""], ["content-length-range", 0, 3]]),
    }
    response = requests.post(
        f"{endpoint}/{bucket}", data=fields, files={"file": ("x", b"too long")}, timeout=10
    )
    assert response.status_code == 400
    assert "<Code>EntityTooLarge</Code>" in response.text


def test_post_object_large_file_streams(fogbank, endpoint, s3, bucket):
    data = os.urandom(3 * 1024 * 1024)
    fields = {"key": "big.bin", "policy": _policy(fogbank, bucket, [["eq", "$key", "big.bin"]])}
    response = requests.post(
        f"{endpoint}/{bucket}", data=fields, files={"file": ("big.bin", data)}, timeout=30
    )
    assert response.status_code == 204
    assert s3.get_object(Bucket=bucket, Key="big.bin")["Body"].read() == data


def test_post_object_sigv4_presigned_post_uploads_file(client_factory, bucket):
    s3 = client_factory("s3", signature_version="s3v4")
    post = s3.generate_presigned_post(bucket, "v4.txt", ExpiresIn=10 * 365 * 86400)
    assert "x-amz-signature" in post["fields"]
    response = requests.post(
        post["url"], data=post["fields"], files={"file": ("v4.txt", b"signed v4")}, timeout=10
    )
    assert response.status_code == 204
    assert s3.get_object(Bucket=bucket, Key="v4.txt")["Body"].read() == b"signed v4"


def test_post_object_signatures_checked_when_verification_is_on(bucket):
    import boto3
    from botocore.config import Config

    from fogbank.testing.server import FogbankServer

    server = FogbankServer(extra_args=["--verify-signatures"]).start()
    try:
        for version in ("s3v4", "s3"):
            s3 = boto3.client(
                "s3",
                endpoint_url=server.url,
                region_name="us-east-1",
                aws_access_key_id="test",
                aws_secret_access_key="test",
                config=Config(signature_version=version),
            )
            s3.create_bucket(Bucket=bucket)
            post = s3.generate_presigned_post(bucket, "signed.txt", ExpiresIn=3600)
            ok = requests.post(post["url"], data=post["fields"], files={"file": ("f", b"ok")}, timeout=10)
            assert ok.status_code == 204, ok.text
            forged = dict(post["fields"])
            name = "x-amz-signature" if "x-amz-signature" in forged else "signature"
            forged[name] = ("0" * 64) if name == "x-amz-signature" else "AAAA"
            denied = requests.post(post["url"], data=forged, files={"file": ("f", b"no")}, timeout=10)
            assert denied.status_code == 403
            assert "<Code>SignatureDoesNotMatch</Code>" in denied.text
    finally:
        server.stop()
