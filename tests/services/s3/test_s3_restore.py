"""Archived objects: RestoreObject on fogbank's clock, x-amz-restore, reads of restored copies."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def test_restore_object_glacier_expedited_becomes_readable_then_expires(fogbank, s3, bucket, error_of):
    s3.put_object(Bucket=bucket, Key="cold", Body=b"archived", StorageClass="GLACIER")
    with pytest.raises(ClientError) as excinfo:
        s3.copy_object(Bucket=bucket, Key="copy", CopySource=f"{bucket}/cold")
    assert error_of(excinfo)[0::2] == ("InvalidObjectState", 403)
    request = {"Days": 1, "GlacierJobParameters": {"Tier": "Expedited"}}
    started = s3.restore_object(Bucket=bucket, Key="cold", RestoreRequest=request)
    assert started["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert s3.head_object(Bucket=bucket, Key="cold")["Restore"] == 'ongoing-request="true"'
    with pytest.raises(ClientError) as excinfo:
        s3.restore_object(Bucket=bucket, Key="cold", RestoreRequest=request)
    assert error_of(excinfo) == ("RestoreAlreadyInProgress", "Object restore is already in progress", 409)
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="cold")
    assert error_of(excinfo)[0::2] == ("InvalidObjectState", 403)
    fogbank.advance_clock("PT6M")
    restored = s3.head_object(Bucket=bucket, Key="cold")["Restore"]
    assert restored.startswith('ongoing-request="false", expiry-date="') and restored.endswith(
        ' 00:00:00 GMT"'
    )
    assert s3.get_object(Bucket=bucket, Key="cold")["Body"].read() == b"archived"
    extended = s3.restore_object(Bucket=bucket, Key="cold", RestoreRequest={"Days": 1})
    assert extended["ResponseMetadata"]["HTTPStatusCode"] == 200
    fogbank.advance_clock("P2D")
    assert "Restore" not in s3.head_object(Bucket=bucket, Key="cold")
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="cold")
    assert error_of(excinfo)[0::2] == ("InvalidObjectState", 403)


def test_restore_object_standard_class_is_invalid_object_state(s3, bucket, error_of):
    s3.put_object(Bucket=bucket, Key="warm", Body=b"x")
    with pytest.raises(ClientError) as excinfo:
        s3.restore_object(Bucket=bucket, Key="warm", RestoreRequest={"Days": 1})
    assert error_of(excinfo) == (
        "InvalidObjectState",
        "Restore is not allowed for the object's current storage class",
        403,
    )


def test_restore_object_deep_archive_expedited_is_invalid(s3, bucket, error_of):
    s3.put_object(Bucket=bucket, Key="deep", Body=b"x", StorageClass="DEEP_ARCHIVE")
    with pytest.raises(ClientError) as excinfo:
        s3.restore_object(
            Bucket=bucket,
            Key="deep",
            RestoreRequest={"Days": 1, "GlacierJobParameters": {"Tier": "Expedited"}},
        )
    assert error_of(excinfo)[0::2] == ("InvalidArgument", 400)
