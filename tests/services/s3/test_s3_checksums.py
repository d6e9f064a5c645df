"""Checksums (CRC32, CRC32C, CRC64NVME, SHA1, SHA256) and Content-MD5: verified on upload, returned
when ChecksumMode is ENABLED."""

from __future__ import annotations

import base64
import hashlib
import zlib

import pytest
from botocore.exceptions import ClientError

from fogbank.services.s3.checksums import new_hasher

BODY = b"The quick brown fox jumps over the lazy dog"


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()


def test_crc_implementations_match_reference_check_values():
    # The "123456789" check values of the CRC catalogue.
    for algorithm, expected in (
        ("CRC32C", 0xE3069283),
        ("CRC64NVME", 0xAE8B14860A799888),
        ("CRC32", 0xCBF43926),
    ):
        hasher = new_hasher(algorithm)
        hasher.update(b"1234")
        hasher.update(b"56789")
        assert int.from_bytes(hasher.digest(), "big") == expected


@pytest.mark.parametrize(
    ("algorithm", "expected"),
    [
        ("CRC32", _b64(zlib.crc32(BODY).to_bytes(4, "big"))),
        ("CRC32C", _b64((0x22620404).to_bytes(4, "big"))),
        ("SHA1", _b64(hashlib.sha1(BODY).digest())),
        ("SHA256", _b64(hashlib.sha256(BODY).digest())),
    ],
)
def test_put_object_checksum_algorithm_is_stored_and_returned(s3, bucket, algorithm, expected):
    if algorithm == "CRC32C":  # botocore needs awscrt to compute CRC32C, so the test sends it
        put = s3.put_object(Bucket=bucket, Key="k", Body=BODY, ChecksumCRC32C=expected)
    else:
        put = s3.put_object(Bucket=bucket, Key="k", Body=BODY, ChecksumAlgorithm=algorithm)
    assert put[f"Checksum{algorithm}"] == expected
    got = s3.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert got[f"Checksum{algorithm}"] == expected
    assert got["ChecksumType"] == "FULL_OBJECT"
    assert got["Body"].read() == BODY
    head = s3.head_object(Bucket=bucket, Key="k")
    assert f"Checksum{algorithm}" not in head


def test_put_object_wrong_sha256_checksum_fails_bad_digest(s3, bucket, error_of):
    wrong = _b64(hashlib.sha256(b"other").digest())
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="k", Body=BODY, ChecksumSHA256=wrong)
    assert error_of(excinfo) == (
        "BadDigest",
        "The SHA256 you specified did not match the calculated checksum.",
        400,
    )


def test_put_object_malformed_checksum_fails_invalid_request(s3, bucket, error_of):
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="k", Body=BODY, ChecksumCRC32="not-base64!")
    assert error_of(excinfo) == ("InvalidRequest", "Value for x-amz-checksum-crc32 header is invalid.", 400)


def test_put_object_content_md5_matching_is_accepted(s3, bucket):
    md5 = _b64(hashlib.md5(BODY).digest())
    assert (
        s3.put_object(Bucket=bucket, Key="k", Body=BODY, ContentMD5=md5)["ETag"]
        == f'"{hashlib.md5(BODY).hexdigest()}"'
    )


def test_put_object_content_md5_mismatch_fails_bad_digest(s3, bucket, error_of):
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="k", Body=BODY, ContentMD5=_b64(hashlib.md5(b"x").digest()))
    assert error_of(excinfo) == (
        "BadDigest",
        "The Content-MD5 you specified did not match what we received.",
        400,
    )
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="k")


def test_put_object_content_md5_malformed_fails_invalid_digest(s3, bucket, error_of):
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="k", Body=BODY, ContentMD5="short")
    assert error_of(excinfo) == ("InvalidDigest", "The Content-MD5 you specified was not valid.", 400)


def test_get_object_range_omits_whole_object_checksum(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=BODY, ChecksumAlgorithm="SHA256")
    got = s3.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED", Range="bytes=0-2")
    assert got["Body"].read() == b"The"
    assert "ChecksumSHA256" not in got


def test_copy_object_with_new_checksum_algorithm_computes_it(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=BODY, ChecksumAlgorithm="SHA1")
    copied = s3.copy_object(Bucket=bucket, Key="dst", CopySource=f"{bucket}/src", ChecksumAlgorithm="SHA256")
    expected = _b64(hashlib.sha256(BODY).digest())
    assert copied["CopyObjectResult"]["ChecksumSHA256"] == expected
    assert s3.head_object(Bucket=bucket, Key="dst", ChecksumMode="ENABLED")["ChecksumSHA256"] == expected
    kept = s3.copy_object(Bucket=bucket, Key="same", CopySource=f"{bucket}/src")
    assert kept["CopyObjectResult"]["ChecksumSHA1"] == _b64(hashlib.sha1(BODY).digest())


def test_put_object_default_crc32_trailer_is_verified_and_kept(s3, bucket):
    # boto3 sends CRC32 by default in an aws-chunked trailer; S3 verifies and keeps it.
    put = s3.put_object(Bucket=bucket, Key="k", Body=BODY)
    expected = _b64(zlib.crc32(BODY).to_bytes(4, "big"))
    assert (put["ChecksumCRC32"], put["ChecksumType"]) == (expected, "FULL_OBJECT")
    assert s3.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")["ChecksumCRC32"] == expected


def test_put_object_wrong_crc32_trailer_fails_bad_digest(endpoint, bucket):
    import requests

    wrong = _b64((zlib.crc32(BODY) ^ 1).to_bytes(4, "big"))
    chunked = f"{len(BODY):x}\r\n".encode() + BODY + f"\r\n0\r\nx-amz-checksum-crc32:{wrong}\r\n\r\n".encode()
    headers = {
        "content-encoding": "aws-chunked",
        "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "x-amz-decoded-content-length": str(len(BODY)),
        "x-amz-trailer": "x-amz-checksum-crc32",
    }
    response = requests.put(f"{endpoint}/{bucket}/k", data=chunked, headers=headers, timeout=10)
    assert response.status_code == 400
    assert (
        "<Code>BadDigest</Code><Message>The CRC32 you specified did not match the calculated checksum.</Message>"
        in response.text
    )
