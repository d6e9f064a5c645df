"""Objects: put/get/head/delete, metadata and content headers, ranges, copies, batch deletes,
special keys and large bodies."""

from __future__ import annotations

import hashlib
import io
import os
from datetime import UTC, datetime

import pytest
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError


def test_put_object_then_get_object_returns_body_and_headers(s3, bucket):
    put = s3.put_object(
        Bucket=bucket,
        Key="doc.txt",
        Body=b"hello world",
        ContentType="text/plain",
        ContentEncoding="identity",
        ContentDisposition='attachment; filename="doc.txt"',
        ContentLanguage="en",
        CacheControl="max-age=60",
        Expires=datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC),
        Metadata={"Owner": "Alice", "n": "1"},
    )
    etag = '"' + hashlib.md5(b"hello world").hexdigest() + '"'
    assert put["ETag"] == etag
    assert put["ServerSideEncryption"] == "AES256"
    got = s3.get_object(Bucket=bucket, Key="doc.txt")
    assert got["Body"].read() == b"hello world"
    assert got["ETag"] == etag
    assert got["ContentLength"] == 11
    assert got["ContentType"] == "text/plain"
    assert got["ContentEncoding"] == "identity"
    assert got["ContentDisposition"] == 'attachment; filename="doc.txt"'
    assert got["ContentLanguage"] == "en"
    assert got["CacheControl"] == "max-age=60"
    assert got["Expires"] == datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert got["Metadata"] == {"owner": "Alice", "n": "1"}
    assert got["AcceptRanges"] == "bytes"
    assert "StorageClass" not in got


def test_put_object_without_content_type_defaults_binary_octet_stream(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert s3.head_object(Bucket=bucket, Key="k")["ContentType"] == "binary/octet-stream"


def test_head_object_returns_metadata_without_body(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"12345", Metadata={"a": "b"}, StorageClass="STANDARD_IA")
    head = s3.head_object(Bucket=bucket, Key="k")
    assert head["ContentLength"] == 5
    assert head["Metadata"] == {"a": "b"}
    assert head["StorageClass"] == "STANDARD_IA"
    assert head["ResponseMetadata"]["HTTPHeaders"]["content-length"] == "5"


def test_head_object_missing_is_404_without_body(s3, bucket, error_of):
    with pytest.raises(ClientError) as excinfo:
        s3.head_object(Bucket=bucket, Key="missing")
    assert error_of(excinfo) == ("404", "Not Found", 404)


def test_get_object_missing_key_fails_no_such_key(s3, bucket, error_of):
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="missing")
    assert error_of(excinfo) == ("NoSuchKey", "The specified key does not exist.", 404)
    assert excinfo.value.response["Error"]["Key"] == "missing"


def test_get_object_missing_bucket_fails_no_such_bucket(s3, unique_name, error_of):
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=unique_name("nob"), Key="k")
    assert error_of(excinfo) == ("NoSuchBucket", "The specified bucket does not exist", 404)


def test_put_object_invalid_storage_class_fails(s3, bucket, error_of):
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", StorageClass="PLATINUM")
    assert error_of(excinfo) == ("InvalidStorageClass", "The storage class you specified is not valid", 400)


def test_get_object_glacier_fails_invalid_object_state(s3, bucket, error_of):
    s3.put_object(Bucket=bucket, Key="cold", Body=b"x", StorageClass="GLACIER")
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="cold")
    assert error_of(excinfo) == (
        "InvalidObjectState",
        "The operation is not valid for the object's storage class",
        403,
    )


def test_get_object_response_overrides_replace_headers(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ContentType="text/plain")
    got = s3.get_object(
        Bucket=bucket,
        Key="k",
        ResponseContentType="application/json",
        ResponseContentDisposition="inline",
        ResponseCacheControl="no-cache",
        ResponseContentLanguage="fr",
        ResponseContentEncoding="gzip",
    )
    assert got["ContentType"] == "application/json"
    assert got["ContentDisposition"] == "inline"
    assert got["CacheControl"] == "no-cache"
    assert got["ContentLanguage"] == "fr"
    assert got["ContentEncoding"] == "gzip"


@pytest.mark.parametrize(
    ("header", "body", "content_range"),
    [
        ("bytes=0-3", b"0123", "bytes 0-3/10"),
        ("bytes=7-", b"789", "bytes 7-9/10"),
        ("bytes=-2", b"89", "bytes 8-9/10"),
        ("bytes=5-100", b"56789", "bytes 5-9/10"),
    ],
)
def test_get_object_range_returns_partial_content(s3, bucket, header, body, content_range):
    s3.put_object(Bucket=bucket, Key="digits", Body=b"0123456789")
    got = s3.get_object(Bucket=bucket, Key="digits", Range=header)
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert got["Body"].read() == body
    assert got["ContentRange"] == content_range
    assert got["ContentLength"] == len(body)


def test_get_object_range_past_end_fails_invalid_range(s3, bucket, error_of):
    s3.put_object(Bucket=bucket, Key="digits", Body=b"0123456789")
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="digits", Range="bytes=10-20")
    assert error_of(excinfo) == ("InvalidRange", "The requested range is not satisfiable", 416)
    assert excinfo.value.response["Error"]["ActualObjectSize"] == "10"


def test_get_object_malformed_range_returns_whole_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key="digits", Body=b"0123456789")
    got = s3.get_object(Bucket=bucket, Key="digits", Range="lines=1-2")
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert got["Body"].read() == b"0123456789"


@pytest.mark.parametrize(
    "key", ["with space.txt", "ünïcødé/文件", "a//double//slash", "plus+and%percent", "trailing/", "?&=#;"]
)
def test_put_object_special_key_roundtrips(s3, bucket, key):
    s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == key.encode()
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == [key]
    assert [o["Key"] for o in s3.list_objects(Bucket=bucket)["Contents"]] == [key]


def test_delete_object_removes_it_and_missing_key_succeeds(s3, bucket, error_of):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert s3.delete_object(Bucket=bucket, Key="k")["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.delete_object(Bucket=bucket, Key="k")["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="k")
    assert error_of(excinfo)[0] == "NoSuchKey"


def test_put_object_overwrite_replaces_body(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"first")
    s3.put_object(Bucket=bucket, Key="k", Body=b"second")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"second"
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 1


def test_get_object_small_body_read_before_overwrite_and_copy_returns_current_body(s3, bucket):
    # Small bodies read once are served from memory afterwards: a new write must never answer the old.
    s3.put_object(Bucket=bucket, Key="k", Body=b"first")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"first"
    s3.put_object(Bucket=bucket, Key="k", Body=b"second")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"second"
    s3.copy_object(Bucket=bucket, Key="copy", CopySource=f"{bucket}/k")
    s3.delete_object(Bucket=bucket, Key="k")
    assert s3.get_object(Bucket=bucket, Key="copy")["Body"].read() == b"second"


def test_delete_objects_reports_deleted_keys(s3, bucket):
    for key in ("a", "b"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    result = s3.delete_objects(
        Bucket=bucket, Delete={"Objects": [{"Key": "a"}, {"Key": "b"}, {"Key": "never"}]}
    )
    assert sorted(d["Key"] for d in result["Deleted"]) == ["a", "b", "never"]
    assert "Errors" not in result
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def test_delete_objects_quiet_mode_omits_deleted(s3, bucket):
    s3.put_object(Bucket=bucket, Key="a", Body=b"x")
    result = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a"}], "Quiet": True})
    assert "Deleted" not in result and "Errors" not in result


def test_delete_objects_bad_version_id_reports_per_key_error(s3, bucket):
    s3.put_object(Bucket=bucket, Key="a", Body=b"x")
    result = s3.delete_objects(
        Bucket=bucket, Delete={"Objects": [{"Key": "a"}, {"Key": "b", "VersionId": "not-a-version"}]}
    )
    assert result["Deleted"] == [{"Key": "a"}]
    assert result["Errors"] == [
        {
            "Key": "b",
            "VersionId": "not-a-version",
            "Code": "InvalidArgument",
            "Message": "Invalid version id specified",
        }
    ]


def test_copy_object_copies_body_and_metadata(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"data", ContentType="text/csv", Metadata={"m": "1"})
    copied = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    assert copied["CopyObjectResult"]["ETag"] == '"' + hashlib.md5(b"data").hexdigest() + '"'
    got = s3.get_object(Bucket=bucket, Key="dst")
    assert (got["Body"].read(), got["ContentType"], got["Metadata"]) == (b"data", "text/csv", {"m": "1"})


def test_copy_object_replace_directive_uses_new_metadata(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"data", ContentType="text/csv", Metadata={"m": "1"})
    s3.copy_object(
        Bucket=bucket,
        Key="src",
        CopySource=f"{bucket}/src",
        MetadataDirective="REPLACE",
        Metadata={"new": "2"},
        ContentType="text/plain",
    )
    head = s3.head_object(Bucket=bucket, Key="src")
    assert (head["ContentType"], head["Metadata"]) == ("text/plain", {"new": "2"})


def test_copy_object_to_itself_without_changes_fails(s3, bucket, error_of):
    s3.put_object(Bucket=bucket, Key="src", Body=b"data")
    with pytest.raises(ClientError) as excinfo:
        s3.copy_object(Bucket=bucket, Key="src", CopySource=f"{bucket}/src")
    code, message, status = error_of(excinfo)
    assert (code, status) == ("InvalidRequest", 400)
    assert message.startswith("This copy request is illegal because it is trying to copy an object to itself")


def test_copy_object_across_buckets_and_missing_source_fails(s3, bucket, unique_name, error_of):
    other = unique_name("dst")
    s3.create_bucket(Bucket=other)
    s3.put_object(Bucket=bucket, Key="src", Body=b"data")
    s3.copy_object(Bucket=other, Key="copy", CopySource={"Bucket": bucket, "Key": "src"})
    assert s3.get_object(Bucket=other, Key="copy")["Body"].read() == b"data"
    with pytest.raises(ClientError) as excinfo:
        s3.copy_object(Bucket=other, Key="copy", CopySource={"Bucket": bucket, "Key": "absent"})
    assert error_of(excinfo)[0] == "NoSuchKey"


def test_copy_object_source_is_independent_of_copy(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"data")
    s3.copy_object(Bucket=bucket, Key="dst", CopySource=f"{bucket}/src")
    s3.delete_object(Bucket=bucket, Key="src")
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == b"data"


def test_put_object_key_too_long_fails(s3, bucket, error_of):
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="k" * 1025, Body=b"x")
    assert error_of(excinfo) == ("KeyTooLongError", "Your key is too long", 400)


def test_object_tagging_put_get_delete(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="a=1&b=two")
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == [
        {"Key": "a", "Value": "1"},
        {"Key": "b", "Value": "two"},
    ]
    assert s3.get_object(Bucket=bucket, Key="k")["TagCount"] == 2
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": [{"Key": "c", "Value": "3"}]})
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == [{"Key": "c", "Value": "3"}]
    s3.delete_object_tagging(Bucket=bucket, Key="k")
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == []


def test_get_object_attributes_returns_requested_attributes(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"abc", ChecksumAlgorithm="SHA256")
    attributes = s3.get_object_attributes(
        Bucket=bucket, Key="k", ObjectAttributes=["ETag", "ObjectSize", "StorageClass", "Checksum"]
    )
    assert attributes["ETag"] == hashlib.md5(b"abc").hexdigest()
    assert attributes["ObjectSize"] == 3
    assert attributes["StorageClass"] == "STANDARD"
    assert attributes["Checksum"]["ChecksumSHA256"] == "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="


def test_put_object_20_mib_roundtrips_streaming(s3, bucket, tmp_path):
    data = os.urandom(20 * 1024 * 1024)
    s3.put_object(Bucket=bucket, Key="big", Body=data)
    got = s3.get_object(Bucket=bucket, Key="big")
    assert got["ContentLength"] == len(data)
    assert got["ETag"] == '"' + hashlib.md5(data).hexdigest() + '"'
    assert got["Body"].read() == data
    ranged = s3.get_object(Bucket=bucket, Key="big", Range="bytes=10485760-10485769")
    assert ranged["Body"].read() == data[10485760:10485770]


def test_upload_fileobj_multipart_20_mib_roundtrips(s3, bucket):
    data = os.urandom(20 * 1024 * 1024)
    config = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024)
    s3.upload_fileobj(io.BytesIO(data), bucket, "multi", Config=config)
    head = s3.head_object(Bucket=bucket, Key="multi")
    assert head["ContentLength"] == len(data)
    assert head["ETag"].endswith('-4"')
    sink = io.BytesIO()
    s3.download_fileobj(bucket, "multi", sink, Config=config)
    assert sink.getvalue() == data


def test_delete_objects_wrong_content_md5_fails_bad_digest(endpoint, s3, bucket):
    import base64

    import requests

    s3.put_object(Bucket=bucket, Key="a", Body=b"x")
    document = b"<Delete><Object><Key>a</Key></Object></Delete>"
    wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    response = requests.post(
        f"{endpoint}/{bucket}?delete", data=document, headers={"Content-MD5": wrong}, timeout=10
    )
    assert response.status_code == 400
    assert "<Code>BadDigest</Code>" in response.text
    right = base64.b64encode(hashlib.md5(document).digest()).decode()
    response = requests.post(
        f"{endpoint}/{bucket}?delete", data=document, headers={"Content-MD5": right}, timeout=10
    )
    assert response.status_code == 200
    assert "<Deleted><Key>a</Key></Deleted>" in response.text


def test_get_object_response_content_disposition_unicode_is_sent_as_utf8(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    got = s3.get_object(Bucket=bucket, Key="k", ResponseContentDisposition='attachment; filename="文件.txt"')
    raw = got["ResponseMetadata"]["HTTPHeaders"]["content-disposition"]
    assert raw.encode("latin-1").decode() == 'attachment; filename="文件.txt"'


def test_head_object_range_is_partial(s3, bucket):
    s3.put_object(Bucket=bucket, Key="digits", Body=b"0123456789")
    head = s3.head_object(Bucket=bucket, Key="digits", Range="bytes=2-4")
    assert head["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert (head["ContentLength"], head["ContentRange"]) == (3, "bytes 2-4/10")


def test_copy_object_special_character_source_key(s3, bucket):
    key = "dir with space/ünï+cøde?&.txt"
    s3.put_object(Bucket=bucket, Key=key, Body=b"special")
    s3.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": key})
    assert s3.get_object(Bucket=bucket, Key="copy")["Body"].read() == b"special"
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="part-copy")["UploadId"]
    part = s3.upload_part_copy(
        Bucket=bucket,
        Key="part-copy",
        UploadId=upload_id,
        PartNumber=1,
        CopySource={"Bucket": bucket, "Key": key},
    )
    s3.complete_multipart_upload(
        Bucket=bucket,
        Key="part-copy",
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["CopyPartResult"]["ETag"]}]},
    )
    assert s3.get_object(Bucket=bucket, Key="part-copy")["Body"].read() == b"special"
