"""Versioning: enable/suspend, version ids, delete markers, reads by version, ListObjectVersions."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def versioned(s3, bucket):
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    return bucket


def test_get_bucket_versioning_never_enabled_is_empty(s3, bucket):
    result = s3.get_bucket_versioning(Bucket=bucket)
    assert "Status" not in result


def test_put_bucket_versioning_enabled_then_suspended(s3, versioned):
    assert s3.get_bucket_versioning(Bucket=versioned)["Status"] == "Enabled"
    s3.put_bucket_versioning(Bucket=versioned, VersioningConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_versioning(Bucket=versioned)["Status"] == "Suspended"


def test_put_object_versioned_keeps_every_version(s3, versioned):
    first = s3.put_object(Bucket=versioned, Key="k", Body=b"one")["VersionId"]
    second = s3.put_object(Bucket=versioned, Key="k", Body=b"two")["VersionId"]
    assert first != second and len(first) == 32
    assert s3.get_object(Bucket=versioned, Key="k")["Body"].read() == b"two"
    old = s3.get_object(Bucket=versioned, Key="k", VersionId=first)
    assert (old["Body"].read(), old["VersionId"]) == (b"one", first)
    assert s3.head_object(Bucket=versioned, Key="k", VersionId=second)["ContentLength"] == 3


def test_delete_object_versioned_adds_delete_marker(s3, versioned, error_of):
    version = s3.put_object(Bucket=versioned, Key="k", Body=b"one")["VersionId"]
    deleted = s3.delete_object(Bucket=versioned, Key="k")
    assert deleted["DeleteMarker"] is True
    marker = deleted["VersionId"]
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=versioned, Key="k")
    assert error_of(excinfo) == ("NoSuchKey", "The specified key does not exist.", 404)
    headers = excinfo.value.response["ResponseMetadata"]["HTTPHeaders"]
    assert (headers["x-amz-delete-marker"], headers["x-amz-version-id"]) == ("true", marker)
    assert s3.get_object(Bucket=versioned, Key="k", VersionId=version)["Body"].read() == b"one"
    assert "Contents" not in s3.list_objects_v2(Bucket=versioned)


def test_get_object_by_delete_marker_id_is_method_not_allowed(s3, versioned, error_of):
    s3.put_object(Bucket=versioned, Key="k", Body=b"one")
    marker = s3.delete_object(Bucket=versioned, Key="k")["VersionId"]
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=versioned, Key="k", VersionId=marker)
    assert error_of(excinfo) == (
        "MethodNotAllowed",
        "The specified method is not allowed against this resource.",
        405,
    )


def test_delete_object_delete_marker_by_id_restores_object(s3, versioned):
    s3.put_object(Bucket=versioned, Key="k", Body=b"one")
    marker = s3.delete_object(Bucket=versioned, Key="k")["VersionId"]
    removed = s3.delete_object(Bucket=versioned, Key="k", VersionId=marker)
    assert (removed["DeleteMarker"], removed["VersionId"]) == (True, marker)
    assert s3.get_object(Bucket=versioned, Key="k")["Body"].read() == b"one"


def test_delete_object_by_version_id_removes_only_that_version(s3, versioned, error_of):
    first = s3.put_object(Bucket=versioned, Key="k", Body=b"one")["VersionId"]
    s3.put_object(Bucket=versioned, Key="k", Body=b"two")
    assert s3.delete_object(Bucket=versioned, Key="k", VersionId=first)["VersionId"] == first
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=versioned, Key="k", VersionId=first)
    assert error_of(excinfo) == ("NoSuchVersion", "The specified version does not exist.", 404)
    assert s3.get_object(Bucket=versioned, Key="k")["Body"].read() == b"two"


def test_list_object_versions_lists_versions_and_markers(s3, versioned):
    v1 = s3.put_object(Bucket=versioned, Key="a", Body=b"1")["VersionId"]
    v2 = s3.put_object(Bucket=versioned, Key="a", Body=b"22")["VersionId"]
    marker = s3.delete_object(Bucket=versioned, Key="a")["VersionId"]
    vb = s3.put_object(Bucket=versioned, Key="b", Body=b"3")["VersionId"]
    listed = s3.list_object_versions(Bucket=versioned)
    assert [(v["Key"], v["VersionId"], v["IsLatest"], v["Size"]) for v in listed["Versions"]] == [
        ("a", v2, False, 2),
        ("a", v1, False, 1),
        ("b", vb, True, 1),
    ]
    assert [(m["Key"], m["VersionId"], m["IsLatest"]) for m in listed["DeleteMarkers"]] == [
        ("a", marker, True)
    ]
    page = s3.list_object_versions(Bucket=versioned, MaxKeys=2)
    assert page["IsTruncated"] is True
    assert (page["NextKeyMarker"], page["NextVersionIdMarker"]) == ("a", v2)
    rest = s3.list_object_versions(Bucket=versioned, KeyMarker="a", VersionIdMarker=v2)
    assert [v["VersionId"] for v in rest["Versions"]] == [v1, vb]


def test_put_object_suspended_replaces_null_version(s3, versioned):
    kept = s3.put_object(Bucket=versioned, Key="k", Body=b"kept")["VersionId"]
    s3.put_bucket_versioning(Bucket=versioned, VersioningConfiguration={"Status": "Suspended"})
    s3.put_object(Bucket=versioned, Key="k", Body=b"null-1")
    s3.put_object(Bucket=versioned, Key="k", Body=b"null-2")
    versions = s3.list_object_versions(Bucket=versioned)["Versions"]
    assert [v["VersionId"] for v in versions] == ["null", kept]
    assert s3.get_object(Bucket=versioned, Key="k", VersionId="null")["Body"].read() == b"null-2"


def test_delete_bucket_versioned_with_versions_fails_not_empty(s3, versioned, error_of):
    s3.put_object(Bucket=versioned, Key="k", Body=b"x")
    s3.delete_object(Bucket=versioned, Key="k")
    with pytest.raises(ClientError) as excinfo:
        s3.delete_bucket(Bucket=versioned)
    assert error_of(excinfo)[0::2] == ("BucketNotEmpty", 409)


def test_delete_objects_versioned_reports_delete_marker(s3, versioned):
    s3.put_object(Bucket=versioned, Key="k", Body=b"x")
    result = s3.delete_objects(Bucket=versioned, Delete={"Objects": [{"Key": "k"}]})
    deleted = result["Deleted"][0]
    assert deleted["Key"] == "k" and deleted["DeleteMarker"] is True
    assert len(deleted["DeleteMarkerVersionId"]) == 32


def test_copy_object_by_version_id_copies_old_version(s3, versioned):
    first = s3.put_object(Bucket=versioned, Key="k", Body=b"one")["VersionId"]
    s3.put_object(Bucket=versioned, Key="k", Body=b"two")
    copied = s3.copy_object(
        Bucket=versioned, Key="c", CopySource={"Bucket": versioned, "Key": "k", "VersionId": first}
    )
    assert copied["CopySourceVersionId"] == first
    assert s3.get_object(Bucket=versioned, Key="c")["Body"].read() == b"one"
