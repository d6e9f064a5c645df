"""Multipart uploads: create, upload part, copy part, list parts, complete (ETag and part rules),
abort, list uploads."""

from __future__ import annotations

import hashlib
import os

import pytest
from botocore.exceptions import ClientError

MIB = 1024 * 1024


def _upload(s3, bucket, key, parts):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    etags = [
        s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=n, Body=data)["ETag"]
        for n, data in enumerate(parts, 1)
    ]
    return upload_id, etags


def _complete(s3, bucket, key, upload_id, etags, **kwargs):
    return s3.complete_multipart_upload(
        Bucket=bucket,
        Key=key,
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": n, "ETag": e} for n, e in enumerate(etags, 1)]},
        **kwargs,
    )


def test_complete_multipart_upload_etag_is_md5_of_part_md5s(s3, bucket):
    parts = [os.urandom(5 * MIB), b"tail"]
    upload_id, etags = _upload(s3, bucket, "obj", parts)
    assert etags == ['"' + hashlib.md5(p).hexdigest() + '"' for p in parts]
    done = _complete(s3, bucket, "obj", upload_id, etags)
    expected = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest() + "-2"
    assert done["ETag"] == f'"{expected}"'
    assert (done["Bucket"], done["Key"]) == (bucket, "obj")
    got = s3.get_object(Bucket=bucket, Key="obj")
    assert got["ETag"] == f'"{expected}"'
    assert got["PartsCount"] == 2
    assert got["Body"].read() == b"".join(parts)
    second = s3.get_object(Bucket=bucket, Key="obj", PartNumber=2)
    assert (second["Body"].read(), second["ContentRange"]) == (
        b"tail",
        f"bytes {5 * MIB}-{5 * MIB + 3}/{5 * MIB + 4}",
    )
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads") is None


def test_complete_multipart_upload_small_middle_part_fails_entity_too_small(s3, bucket, error_of):
    upload_id, etags = _upload(s3, bucket, "obj", [b"a", b"b"])
    with pytest.raises(ClientError) as excinfo:
        _complete(s3, bucket, "obj", upload_id, etags)
    assert error_of(excinfo) == (
        "EntityTooSmall",
        "Your proposed upload is smaller than the minimum allowed object size.",
        400,
    )
    error = excinfo.value.response["Error"]
    assert (error["ProposedSize"], error["MinSizeAllowed"], error["PartNumber"]) == ("1", str(5 * MIB), "1")


def test_complete_multipart_upload_single_small_part_succeeds(s3, bucket):
    upload_id, etags = _upload(s3, bucket, "obj", [b"only"])
    _complete(s3, bucket, "obj", upload_id, etags)
    assert s3.get_object(Bucket=bucket, Key="obj")["Body"].read() == b"only"


def test_complete_multipart_upload_wrong_etag_fails_invalid_part(s3, bucket, error_of):
    upload_id, _ = _upload(s3, bucket, "obj", [b"only"])
    with pytest.raises(ClientError) as excinfo:
        _complete(s3, bucket, "obj", upload_id, ['"00000000000000000000000000000000"'])
    code, message, status = error_of(excinfo)
    assert (code, status) == ("InvalidPart", 400)
    assert message.startswith("One or more of the specified parts could not be found.")


def test_complete_multipart_upload_parts_out_of_order_fails(s3, bucket, error_of):
    upload_id, etags = _upload(s3, bucket, "obj", [b"a", b"b"])
    with pytest.raises(ClientError) as excinfo:
        s3.complete_multipart_upload(
            Bucket=bucket,
            Key="obj",
            UploadId=upload_id,
            MultipartUpload={
                "Parts": [{"PartNumber": 2, "ETag": etags[1]}, {"PartNumber": 1, "ETag": etags[0]}]
            },
        )
    assert error_of(excinfo) == (
        "InvalidPartOrder",
        "The list of parts was not in ascending order. Parts must be ordered by part number.",
        400,
    )


def test_complete_multipart_upload_if_none_match_existing_fails(s3, bucket, error_of):
    s3.put_object(Bucket=bucket, Key="obj", Body=b"old")
    upload_id, etags = _upload(s3, bucket, "obj", [b"new"])
    with pytest.raises(ClientError) as excinfo:
        _complete(s3, bucket, "obj", upload_id, etags, IfNoneMatch="*")
    assert error_of(excinfo)[0::2] == ("PreconditionFailed", 412)


def test_upload_part_unknown_upload_fails_no_such_upload(s3, bucket, error_of):
    with pytest.raises(ClientError) as excinfo:
        s3.upload_part(Bucket=bucket, Key="obj", UploadId="nope", PartNumber=1, Body=b"x")
    code, message, status = error_of(excinfo)
    assert (code, status) == ("NoSuchUpload", 404)
    assert message.startswith("The specified upload does not exist.")


def test_upload_part_number_out_of_range_fails(s3, bucket, error_of):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="obj")["UploadId"]
    with pytest.raises(ClientError) as excinfo:
        s3.upload_part(Bucket=bucket, Key="obj", UploadId=upload_id, PartNumber=10001, Body=b"x")
    assert error_of(excinfo) == (
        "InvalidArgument",
        "Part number must be an integer between 1 and 10000, inclusive",
        400,
    )


def test_list_parts_pages_by_part_number(s3, bucket):
    upload_id, etags = _upload(s3, bucket, "obj", [b"a", b"bb", b"ccc"])
    first = s3.list_parts(Bucket=bucket, Key="obj", UploadId=upload_id, MaxParts=2)
    assert [(p["PartNumber"], p["Size"], p["ETag"]) for p in first["Parts"]] == [
        (1, 1, etags[0]),
        (2, 2, etags[1]),
    ]
    assert first["IsTruncated"] is True
    assert first["NextPartNumberMarker"] == 2
    rest = s3.list_parts(Bucket=bucket, Key="obj", UploadId=upload_id, PartNumberMarker=2)
    assert [p["PartNumber"] for p in rest["Parts"]] == [3]
    assert rest["IsTruncated"] is False


def test_abort_multipart_upload_forgets_upload(s3, bucket, error_of):
    upload_id, _ = _upload(s3, bucket, "obj", [b"a"])
    assert (
        s3.abort_multipart_upload(Bucket=bucket, Key="obj", UploadId=upload_id)["ResponseMetadata"][
            "HTTPStatusCode"
        ]
        == 204
    )
    with pytest.raises(ClientError) as excinfo:
        s3.list_parts(Bucket=bucket, Key="obj", UploadId=upload_id)
    assert error_of(excinfo)[0::2] == ("NoSuchUpload", 404)


def test_list_multipart_uploads_lists_by_key_with_prefix_and_paging(s3, bucket):
    ids = {key: s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"] for key in ("a/1", "a/2", "b")}
    listed = s3.list_multipart_uploads(Bucket=bucket)
    assert [(u["Key"], u["UploadId"]) for u in listed["Uploads"]] == [
        (k, ids[k]) for k in ("a/1", "a/2", "b")
    ]
    grouped = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/")
    assert grouped["CommonPrefixes"] == [{"Prefix": "a/"}]
    assert [u["Key"] for u in grouped["Uploads"]] == ["b"]
    page = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=1)
    assert page["IsTruncated"] is True
    after = s3.list_multipart_uploads(
        Bucket=bucket, KeyMarker=page["NextKeyMarker"], UploadIdMarker=page["NextUploadIdMarker"]
    )
    assert [u["Key"] for u in after["Uploads"]] == ["a/2", "b"]


def test_upload_part_copy_copies_range_of_source(s3, bucket):
    source = os.urandom(6 * MIB)
    s3.put_object(Bucket=bucket, Key="src", Body=source)
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="obj")["UploadId"]
    first = s3.upload_part_copy(
        Bucket=bucket,
        Key="obj",
        UploadId=upload_id,
        PartNumber=1,
        CopySource=f"{bucket}/src",
        CopySourceRange=f"bytes=0-{5 * MIB - 1}",
    )
    assert first["CopyPartResult"]["ETag"] == '"' + hashlib.md5(source[: 5 * MIB]).hexdigest() + '"'
    second = s3.upload_part_copy(
        Bucket=bucket,
        Key="obj",
        UploadId=upload_id,
        PartNumber=2,
        CopySource={"Bucket": bucket, "Key": "src"},
    )
    _complete(
        s3, bucket, "obj", upload_id, [first["CopyPartResult"]["ETag"], second["CopyPartResult"]["ETag"]]
    )
    assert s3.get_object(Bucket=bucket, Key="obj")["Body"].read() == source[: 5 * MIB] + source


def test_upload_part_copy_range_past_end_fails(s3, bucket, error_of):
    s3.put_object(Bucket=bucket, Key="src", Body=b"0123456789")
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="obj")["UploadId"]
    with pytest.raises(ClientError) as excinfo:
        s3.upload_part_copy(
            Bucket=bucket,
            Key="obj",
            UploadId=upload_id,
            PartNumber=1,
            CopySource=f"{bucket}/src",
            CopySourceRange="bytes=5-10",
        )
    assert error_of(excinfo) == (
        "InvalidArgument",
        "Range specified is not valid for source object of size: 10",
        400,
    )


def test_complete_multipart_upload_with_sha256_has_composite_checksum(s3, bucket):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="obj", ChecksumAlgorithm="SHA256")["UploadId"]
    part = s3.upload_part(
        Bucket=bucket, Key="obj", UploadId=upload_id, PartNumber=1, Body=b"abc", ChecksumAlgorithm="SHA256"
    )
    assert part["ChecksumSHA256"] == "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
    done = s3.complete_multipart_upload(
        Bucket=bucket,
        Key="obj",
        UploadId=upload_id,
        MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": part["ETag"], "ChecksumSHA256": part["ChecksumSHA256"]}]
        },
    )
    import base64

    composite = base64.b64encode(hashlib.sha256(hashlib.sha256(b"abc").digest()).digest()).decode() + "-1"
    assert done["ChecksumSHA256"] == composite
    assert done["ChecksumType"] == "COMPOSITE"
    head = s3.head_object(Bucket=bucket, Key="obj", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == composite


def test_list_multipart_uploads_encoding_type_url_encodes_keys(s3, bucket):
    s3.create_multipart_upload(Bucket=bucket, Key="a b+c")
    listed = s3.list_multipart_uploads(Bucket=bucket, EncodingType="url")
    assert [u["Key"] for u in listed["Uploads"]] == ["a+b%2Bc"]
    assert listed["EncodingType"] == "url"


def test_complete_multipart_upload_wrong_object_size_fails(s3, bucket, error_of):
    upload_id, etags = _upload(s3, bucket, "obj", [b"four"])
    with pytest.raises(ClientError) as excinfo:
        _complete(s3, bucket, "obj", upload_id, etags, MpuObjectSize=5)
    code, message, status = error_of(excinfo)
    assert (code, status) == ("InvalidRequest", 400)
    assert "x-amz-mp-object-size" in message
    _complete(s3, bucket, "obj", upload_id, etags, MpuObjectSize=4)
    assert s3.get_object(Bucket=bucket, Key="obj")["Body"].read() == b"four"
