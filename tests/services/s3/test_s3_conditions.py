"""Conditional reads (304/412), copy-source conditions and conditional writes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def stored(s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"content")
    modified = s3.head_object(Bucket=bucket, Key="k")["LastModified"]
    return bucket, put["ETag"], modified


def test_get_object_if_match_matching_returns_object(s3, stored):
    bucket, etag, _ = stored
    assert s3.get_object(Bucket=bucket, Key="k", IfMatch=etag)["Body"].read() == b"content"


def test_get_object_if_match_different_fails_precondition(s3, stored, error_of):
    bucket, _, _ = stored
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="k", IfMatch='"0000"')
    assert error_of(excinfo) == (
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
        412,
    )
    assert excinfo.value.response["Error"]["Condition"] == "If-Match"


def test_get_object_if_none_match_matching_is_not_modified(s3, stored, error_of):
    bucket, etag, _ = stored
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="k", IfNoneMatch=etag)
    assert error_of(excinfo) == ("304", "Not Modified", 304)
    assert excinfo.value.response["ResponseMetadata"]["HTTPHeaders"]["etag"] == etag


def test_get_object_if_modified_since_unchanged_is_not_modified(s3, stored, error_of):
    bucket, _, modified = stored
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="k", IfModifiedSince=modified)
    assert error_of(excinfo)[2] == 304
    older = modified - timedelta(hours=1)
    assert s3.get_object(Bucket=bucket, Key="k", IfModifiedSince=older)["Body"].read() == b"content"


def test_get_object_if_unmodified_since_earlier_fails_precondition(s3, stored, error_of):
    bucket, _, modified = stored
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="k", IfUnmodifiedSince=modified - timedelta(hours=1))
    assert error_of(excinfo)[0::2] == ("PreconditionFailed", 412)
    assert s3.get_object(Bucket=bucket, Key="k", IfUnmodifiedSince=modified)["ContentLength"] == 7


def test_get_object_true_if_match_overrides_false_if_unmodified_since(s3, stored):
    bucket, etag, modified = stored
    got = s3.get_object(Bucket=bucket, Key="k", IfMatch=etag, IfUnmodifiedSince=modified - timedelta(hours=1))
    assert got["ContentLength"] == 7


def test_head_object_if_none_match_matching_is_304(s3, stored, error_of):
    bucket, etag, _ = stored
    with pytest.raises(ClientError) as excinfo:
        s3.head_object(Bucket=bucket, Key="k", IfNoneMatch=etag)
    assert error_of(excinfo)[2] == 304


def test_put_object_if_none_match_star_on_existing_fails(s3, stored, error_of):
    bucket, _, _ = stored
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="k", Body=b"other", IfNoneMatch="*")
    assert error_of(excinfo) == (
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
        412,
    )
    assert excinfo.value.response["Error"]["Condition"] == "If-None-Match"
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"content"


def test_put_object_if_none_match_star_on_new_key_writes(s3, bucket):
    s3.put_object(Bucket=bucket, Key="fresh", Body=b"x", IfNoneMatch="*")
    assert s3.get_object(Bucket=bucket, Key="fresh")["Body"].read() == b"x"


def test_put_object_if_match_current_etag_overwrites(s3, stored):
    bucket, etag, _ = stored
    s3.put_object(Bucket=bucket, Key="k", Body=b"next", IfMatch=etag)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"next"


def test_put_object_if_match_stale_etag_fails(s3, stored, error_of):
    bucket, _, _ = stored
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="k", Body=b"next", IfMatch='"stale"')
    assert error_of(excinfo)[0::2] == ("PreconditionFailed", 412)


def test_put_object_if_match_missing_key_fails_no_such_key(s3, bucket, error_of):
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="absent", Body=b"x", IfMatch='"abc"')
    assert error_of(excinfo) == ("NoSuchKey", "The specified key does not exist.", 404)


def test_copy_object_copy_source_if_match_different_fails(s3, stored, error_of):
    bucket, _, _ = stored
    with pytest.raises(ClientError) as excinfo:
        s3.copy_object(Bucket=bucket, Key="dst", CopySource=f"{bucket}/k", CopySourceIfMatch='"nope"')
    assert error_of(excinfo)[0::2] == ("PreconditionFailed", 412)
    assert excinfo.value.response["Error"]["Condition"] == "x-amz-copy-source-If-Match"


def test_copy_object_copy_source_if_none_match_matching_fails(s3, stored, error_of):
    bucket, etag, _ = stored
    with pytest.raises(ClientError) as excinfo:
        s3.copy_object(Bucket=bucket, Key="dst", CopySource=f"{bucket}/k", CopySourceIfNoneMatch=etag)
    assert error_of(excinfo)[0::2] == ("PreconditionFailed", 412)


def test_copy_object_copy_source_conditions_holding_copies(s3, stored):
    bucket, etag, modified = stored
    s3.copy_object(
        Bucket=bucket,
        Key="dst",
        CopySource=f"{bucket}/k",
        CopySourceIfMatch=etag,
        CopySourceIfModifiedSince=modified - timedelta(days=1),
    )
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == b"content"
