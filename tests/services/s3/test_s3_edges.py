"""Less common S3 paths: part numbers, CRC64NVME, unsupported settings refused, versions by prefix."""

from __future__ import annotations

import base64
import os

import pytest
from botocore.exceptions import ClientError

from fogbank.services.s3.checksums import new_hasher


def test_get_object_part_number_past_count_fails(s3, bucket, error_of):
    s3.put_object(Bucket=bucket, Key="k", Body=b"single")
    assert s3.get_object(Bucket=bucket, Key="k", PartNumber=1)["Body"].read() == b"single"
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="k", PartNumber=2)
    assert error_of(excinfo) == ("InvalidPartNumber", "The requested partnumber is not satisfiable", 416)


def test_put_object_crc64nvme_header_is_verified_and_returned(s3, bucket, error_of):
    hasher = new_hasher("CRC64NVME")
    hasher.update(b"payload")
    value = base64.b64encode(hasher.digest()).decode()
    s3.put_object(Bucket=bucket, Key="k", Body=b"payload", ChecksumCRC64NVME=value)
    assert s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")["ChecksumCRC64NVME"] == value
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="k2", Body=b"other", ChecksumCRC64NVME=value)
    assert error_of(excinfo)[0::2] == ("BadDigest", 400)


def test_put_object_sse_customer_key_is_not_supported(s3, bucket, error_of):
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(
            Bucket=bucket, Key="k", Body=b"x", SSECustomerAlgorithm="AES256", SSECustomerKey="k" * 32
        )
    code, message, status = error_of(excinfo)
    assert (code, status) == ("NotImplemented", 501)
    assert "SSE-C" in message


def test_put_object_kms_encryption_is_echoed(s3, bucket):
    put = s3.put_object(
        Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId="alias/mine"
    )
    assert (put["ServerSideEncryption"], put["SSEKMSKeyId"]) == ("aws:kms", "alias/mine")
    head = s3.head_object(Bucket=bucket, Key="k")
    assert (head["ServerSideEncryption"], head["SSEKMSKeyId"]) == ("aws:kms", "alias/mine")


def test_put_bucket_versioning_mfa_delete_is_not_supported(s3, bucket, error_of):
    with pytest.raises(ClientError) as excinfo:
        s3.put_bucket_versioning(
            Bucket=bucket, VersioningConfiguration={"Status": "Enabled", "MFADelete": "Enabled"}
        )
    assert error_of(excinfo)[0::2] == ("NotImplemented", 501)


def test_put_bucket_versioning_suspended_on_new_bucket_stays_unversioned(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)


def test_copy_object_tagging_directive_replace_sets_new_tags(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"x", Tagging="a=1")
    s3.copy_object(Bucket=bucket, Key="same-tags", CopySource=f"{bucket}/src")
    s3.copy_object(
        Bucket=bucket, Key="new-tags", CopySource=f"{bucket}/src", TaggingDirective="REPLACE", Tagging="b=2"
    )
    assert s3.get_object_tagging(Bucket=bucket, Key="same-tags")["TagSet"] == [{"Key": "a", "Value": "1"}]
    assert s3.get_object_tagging(Bucket=bucket, Key="new-tags")["TagSet"] == [{"Key": "b", "Value": "2"}]


def test_list_object_versions_prefix_and_delimiter_group_keys(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for key in ("logs/a", "logs/b", "data/x/1", "data/y"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    listed = s3.list_object_versions(Bucket=bucket, Prefix="data/", Delimiter="/")
    assert [v["Key"] for v in listed["Versions"]] == ["data/y"]
    assert listed["CommonPrefixes"] == [{"Prefix": "data/x/"}]


def test_put_object_empty_body_roundtrips(s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="empty", Body=b"")
    assert put["ETag"] == '"d41d8cd98f00b204e9800998ecf8427e"'
    got = s3.get_object(Bucket=bucket, Key="empty")
    assert (got["ContentLength"], got["Body"].read()) == (0, b"")


def test_upload_fileobj_of_2_mib_single_put_streams_to_disk(s3, bucket):
    import io

    data = os.urandom(2 * 1024 * 1024)
    s3.upload_fileobj(io.BytesIO(data), bucket, "spooled")
    assert s3.get_object(Bucket=bucket, Key="spooled")["Body"].read() == data


def test_put_object_unsupported_checksum_algorithm_fails(endpoint, bucket):
    import requests

    response = requests.put(
        f"{endpoint}/{bucket}/k", data=b"x", headers={"x-amz-sdk-checksum-algorithm": "ADLER32"}, timeout=10
    )
    assert response.status_code == 400
    assert "<Code>InvalidRequest</Code><Message>Checksum algorithm provided is unsupported." in response.text


def test_put_object_without_sse_gets_bucket_default_kms(s3, bucket):
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": "alias/default-key",
                    },
                    "BucketKeyEnabled": True,
                }
            ]
        },
    )
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert (put["ServerSideEncryption"], put["SSEKMSKeyId"], put["BucketKeyEnabled"]) == (
        "aws:kms",
        "alias/default-key",
        True,
    )
    copied = s3.copy_object(Bucket=bucket, Key="c", CopySource=f"{bucket}/k")
    assert copied["ServerSideEncryption"] == "aws:kms"
    explicit = s3.put_object(Bucket=bucket, Key="e", Body=b"x", ServerSideEncryption="AES256")
    assert explicit["ServerSideEncryption"] == "AES256" and "SSEKMSKeyId" not in explicit
