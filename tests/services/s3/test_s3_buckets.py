"""Buckets: create (regions, constraints, names, ownership), list, head, location, delete."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def test_create_bucket_us_east_1_without_constraint_lists_it(s3, unique_name):
    name = unique_name("b")
    response = s3.create_bucket(Bucket=name)
    assert response["Location"] == f"/{name}"
    listed = {b["Name"]: b for b in s3.list_buckets()["Buckets"]}
    assert listed[name]["BucketRegion"] == "us-east-1"
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] is None


def test_create_bucket_in_region_with_matching_constraint_reports_region(client_factory, unique_name):
    s3 = client_factory("s3", region="eu-west-1")
    name = unique_name("b")
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] == "eu-west-1"
    head = s3.head_bucket(Bucket=name)
    assert head["BucketRegion"] == "eu-west-1"
    assert head["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"] == "eu-west-1"


def test_create_bucket_us_east_1_with_other_region_constraint_creates_there(s3, unique_name):
    name = unique_name("b")
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "ap-southeast-2"})
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] == "ap-southeast-2"


def test_create_bucket_regional_endpoint_without_constraint_fails(client_factory, unique_name, error_of):
    s3 = client_factory("s3", region="eu-central-1")
    with pytest.raises(ClientError) as excinfo:
        s3.create_bucket(Bucket=unique_name("b"))
    assert error_of(excinfo) == (
        "IllegalLocationConstraintException",
        "The unspecified location constraint is incompatible for the region specific endpoint this request "
        "was sent to.",
        400,
    )


def test_create_bucket_regional_endpoint_with_other_constraint_fails(client_factory, unique_name, error_of):
    s3 = client_factory("s3", region="eu-central-1")
    with pytest.raises(ClientError) as excinfo:
        s3.create_bucket(
            Bucket=unique_name("b"), CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
        )
    assert error_of(excinfo) == (
        "IllegalLocationConstraintException",
        "The us-west-2 location constraint is incompatible for the region specific endpoint this request was "
        "sent to.",
        400,
    )


def test_create_bucket_us_east_1_constraint_is_invalid(s3, unique_name, error_of):
    with pytest.raises(ClientError) as excinfo:
        s3.create_bucket(
            Bucket=unique_name("b"), CreateBucketConfiguration={"LocationConstraint": "us-east-1"}
        )
    assert error_of(excinfo) == (
        "InvalidLocationConstraint",
        "The specified location-constraint is not valid",
        400,
    )
    assert excinfo.value.response["Error"]["LocationConstraint"] == "us-east-1"


@pytest.mark.parametrize(
    "name",
    [
        "ab",
        "UpperCase",
        "a" * 64,
        "-leading",
        "trailing-",
        "two..dots",
        "192.168.5.4",
        "xn--punycode",
        "x--ol-s3",
    ],
)
def test_create_bucket_invalid_name_fails(s3, name, error_of):
    with pytest.raises(ClientError) as excinfo:
        s3.create_bucket(Bucket=name)
    assert error_of(excinfo) == ("InvalidBucketName", "The specified bucket is not valid.", 400)
    assert excinfo.value.response["Error"]["BucketName"] == name


def test_create_bucket_again_in_us_east_1_succeeds(s3, bucket):
    assert s3.create_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_create_bucket_again_in_other_region_is_already_owned(client_factory, unique_name, error_of):
    s3 = client_factory("s3", region="us-west-2")
    name = unique_name("b")
    config = {"LocationConstraint": "us-west-2"}
    s3.create_bucket(Bucket=name, CreateBucketConfiguration=config)
    with pytest.raises(ClientError) as excinfo:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration=config)
    assert error_of(excinfo) == (
        "BucketAlreadyOwnedByYou",
        "Your previous request to create the named bucket succeeded and you already own it.",
        409,
    )


def test_create_bucket_owned_by_other_account_already_exists(client_factory, bucket, error_of):
    other = client_factory("s3", access_key="222233334444")
    with pytest.raises(ClientError) as excinfo:
        other.create_bucket(Bucket=bucket)
    code, message, status = error_of(excinfo)
    assert (code, status) == ("BucketAlreadyExists", 409)
    assert message.startswith("The requested bucket name is not available.")


def test_list_buckets_other_account_does_not_see_bucket(client_factory, bucket):
    other = client_factory("s3", access_key="222233334444")
    assert bucket not in [b["Name"] for b in other.list_buckets()["Buckets"]]


def test_list_buckets_with_prefix_and_max_buckets_paginates(s3, unique_name):
    prefix = unique_name("p")
    names = [f"{prefix}-{i}" for i in range(3)]
    for name in names:
        s3.create_bucket(Bucket=name)
    first = s3.list_buckets(Prefix=prefix, MaxBuckets=2)
    assert [b["Name"] for b in first["Buckets"]] == names[:2]
    assert first["Prefix"] == prefix
    second = s3.list_buckets(Prefix=prefix, MaxBuckets=2, ContinuationToken=first["ContinuationToken"])
    assert [b["Name"] for b in second["Buckets"]] == names[2:]
    assert "ContinuationToken" not in second
    assert len(first["Owner"]["ID"]) == 64


def test_head_bucket_missing_is_404_without_body(s3, unique_name, error_of):
    with pytest.raises(ClientError) as excinfo:
        s3.head_bucket(Bucket=unique_name("missing"))
    assert error_of(excinfo) == ("404", "Not Found", 404)


def test_delete_bucket_empty_removes_it(s3, bucket, error_of):
    assert s3.delete_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as excinfo:
        s3.get_bucket_location(Bucket=bucket)
    assert error_of(excinfo) == ("NoSuchBucket", "The specified bucket does not exist", 404)
    assert excinfo.value.response["Error"]["BucketName"] == bucket


def test_delete_bucket_not_empty_fails(s3, bucket, error_of):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as excinfo:
        s3.delete_bucket(Bucket=bucket)
    assert error_of(excinfo) == ("BucketNotEmpty", "The bucket you tried to delete is not empty", 409)


def test_delete_bucket_with_pending_upload_discards_it(s3, bucket):
    s3.create_multipart_upload(Bucket=bucket, Key="k")
    s3.delete_bucket(Bucket=bucket)
    s3.create_bucket(Bucket=bucket)
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=bucket)


def test_create_bucket_with_object_lock_enables_versioning(s3, unique_name):
    name = unique_name("b")
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"


def test_head_bucket_expected_owner_mismatch_is_denied(s3, bucket, error_of):
    assert s3.head_bucket(Bucket=bucket, ExpectedBucketOwner="000000000000")["BucketRegion"] == "us-east-1"
    with pytest.raises(ClientError) as excinfo:
        s3.list_objects_v2(Bucket=bucket, ExpectedBucketOwner="111122223333")
    assert error_of(excinfo) == ("AccessDenied", "Access Denied", 403)
