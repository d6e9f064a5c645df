"""S3 lifecycle configurations: stored, validated, and expiration applied on fogbank's clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def s3(client_factory: Callable[..., Any]) -> Any:
    return client_factory("s3")


@pytest.fixture
def bucket(s3: Any, unique_name: Callable[[str], str]) -> str:
    name = unique_name("lc")
    s3.create_bucket(Bucket=name)
    return name


def put_rules(s3: Any, bucket: str, *rules: dict[str, Any]) -> None:
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": list(rules)})


def keys(s3: Any, bucket: str) -> list[str]:
    return [entry["Key"] for entry in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]


def error_of(call: Callable[..., Any], **kwargs: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    response = caught.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


# -- configuration ----------------------------------------------------------------------------------


def test_put_bucket_lifecycle_configuration_rules_are_returned(s3: Any, bucket: str) -> None:
    rules = [
        {"ID": "logs", "Filter": {"Prefix": "logs/"}, "Status": "Enabled", "Expiration": {"Days": 30}},
        {
            "ID": "tmp",
            "Filter": {"And": {"Prefix": "tmp/", "Tags": [{"Key": "kind", "Value": "scratch"}]}},
            "Status": "Disabled",
            "NoncurrentVersionExpiration": {"NoncurrentDays": 7, "NewerNoncurrentVersions": 2},
        },
        {
            "ID": "uploads",
            "Filter": {},
            "Status": "Enabled",
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 3},
        },
    ]
    response = s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
    assert response["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"
    stored = s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert stored["Rules"] == rules
    assert stored["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"


def test_get_bucket_lifecycle_configuration_none_set_fails_not_found(s3: Any, bucket: str) -> None:
    assert error_of(s3.get_bucket_lifecycle_configuration, Bucket=bucket) == (
        "NoSuchLifecycleConfiguration",
        "The lifecycle configuration does not exist",
        404,
    )


def test_delete_bucket_lifecycle_after_put_removes_rules(s3: Any, bucket: str) -> None:
    put_rules(s3, bucket, {"ID": "a", "Filter": {}, "Status": "Enabled", "Expiration": {"Days": 1}})
    assert s3.delete_bucket_lifecycle(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert error_of(s3.get_bucket_lifecycle_configuration, Bucket=bucket)[0] == "NoSuchLifecycleConfiguration"


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            {"ID": "a", "Filter": {}, "Status": "Enabled"},
            ("InvalidRequest", "At least one action needs to be specified in a rule", 400),
        ),
        (
            {"ID": "a", "Filter": {}, "Status": "Enabled", "Expiration": {"Days": 0}},
            ("InvalidArgument", "'Days' for Expiration action must be a positive integer", 400),
        ),
        (
            {"ID": "a", "Filter": {}, "Prefix": "x", "Status": "Enabled", "Expiration": {"Days": 1}},
            (
                "MalformedXML",
                "The XML you provided was not well-formed or did not validate against our published schema",
                400,
            ),
        ),
        (
            {
                "ID": "a",
                "Filter": {},
                "Status": "Enabled",
                "Expiration": {"Date": datetime(2030, 1, 1, 12, tzinfo=UTC)},
            },
            ("InvalidArgument", "'Date' must be at midnight GMT", 400),
        ),
        (
            {
                "ID": "a",
                "Filter": {"Tag": {"Key": "k", "Value": "v"}},
                "Status": "Enabled",
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
            },
            ("InvalidRequest", "AbortIncompleteMultipartUpload cannot be specified with tags.", 400),
        ),
    ],
)
def test_put_bucket_lifecycle_configuration_invalid_rule_fails(
    s3: Any, bucket: str, rule: dict[str, Any], expected: tuple[str, str, int]
) -> None:
    assert (
        error_of(
            s3.put_bucket_lifecycle_configuration, Bucket=bucket, LifecycleConfiguration={"Rules": [rule]}
        )
        == expected
    )


def test_put_bucket_lifecycle_configuration_duplicate_ids_fails_invalid_argument(
    s3: Any, bucket: str
) -> None:
    rule = {"ID": "same", "Filter": {}, "Status": "Enabled", "Expiration": {"Days": 1}}
    assert error_of(
        s3.put_bucket_lifecycle_configuration, Bucket=bucket, LifecycleConfiguration={"Rules": [rule, rule]}
    ) == ("InvalidArgument", "Rule ID must be unique. Found same ID for more than one rule", 400)


def test_put_bucket_lifecycle_configuration_transition_fails_not_implemented(s3: Any, bucket: str) -> None:
    rule = {
        "ID": "t",
        "Filter": {},
        "Status": "Enabled",
        "Transitions": [{"Days": 30, "StorageClass": "GLACIER"}],
    }
    code, message, status = error_of(
        s3.put_bucket_lifecycle_configuration, Bucket=bucket, LifecycleConfiguration={"Rules": [rule]}
    )
    assert (code, status) == ("NotImplemented", 501)
    assert "transitions are not supported yet" in message


# -- expiration on the clock ------------------------------------------------------------------------


def test_lifecycle_expiration_days_object_gone_after_two_days(fogbank: Any, s3: Any, bucket: str) -> None:
    put_rules(
        s3,
        bucket,
        {"ID": "expire", "Filter": {"Prefix": "tmp/"}, "Status": "Enabled", "Expiration": {"Days": 1}},
    )
    s3.put_object(Bucket=bucket, Key="tmp/a.txt", Body=b"a")
    s3.put_object(Bucket=bucket, Key="keep/b.txt", Body=b"b")
    fogbank.advance_clock("PT1H")
    assert keys(s3, bucket) == ["keep/b.txt", "tmp/a.txt"]
    fogbank.advance_clock("P2D")
    assert keys(s3, bucket) == ["keep/b.txt"]


def test_lifecycle_disabled_rule_keeps_objects(fogbank: Any, s3: Any, bucket: str) -> None:
    put_rules(s3, bucket, {"ID": "off", "Filter": {}, "Status": "Disabled", "Expiration": {"Days": 1}})
    s3.put_object(Bucket=bucket, Key="a.txt", Body=b"a")
    fogbank.advance_clock("P2D")
    assert keys(s3, bucket) == ["a.txt"]


def test_lifecycle_tag_and_size_filters_select_objects(fogbank: Any, s3: Any, bucket: str) -> None:
    put_rules(
        s3,
        bucket,
        {
            "ID": "tagged-large",
            "Filter": {"And": {"Tags": [{"Key": "temp", "Value": "yes"}], "ObjectSizeGreaterThan": 2}},
            "Status": "Enabled",
            "Expiration": {"Days": 1},
        },
    )
    s3.put_object(Bucket=bucket, Key="tagged-large", Body=b"12345", Tagging="temp=yes")
    s3.put_object(Bucket=bucket, Key="tagged-small", Body=b"1", Tagging="temp=yes")
    s3.put_object(Bucket=bucket, Key="untagged-large", Body=b"12345")
    s3.put_object(Bucket=bucket, Key="retagged", Body=b"12345")
    s3.put_object_tagging(
        Bucket=bucket, Key="retagged", Tagging={"TagSet": [{"Key": "temp", "Value": "yes"}]}
    )
    fogbank.advance_clock("P2D")
    assert keys(s3, bucket) == ["tagged-small", "untagged-large"]


def test_lifecycle_expiration_date_passed_expires_at_next_midnight(
    fogbank: Any, s3: Any, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="a.txt", Body=b"a")
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=400)
    put_rules(s3, bucket, {"ID": "date", "Filter": {}, "Status": "Enabled", "Expiration": {"Date": today}})
    fogbank.advance_clock("P1D")
    assert keys(s3, bucket) == []


def test_lifecycle_versioned_bucket_expiration_adds_delete_marker_then_noncurrent_expires(
    fogbank: Any, s3: Any, bucket: str
) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    put_rules(
        s3,
        bucket,
        {
            "ID": "versions",
            "Filter": {},
            "Status": "Enabled",
            "Expiration": {"Days": 1},
            "NoncurrentVersionExpiration": {"NoncurrentDays": 1},
        },
    )
    version = s3.put_object(Bucket=bucket, Key="doc", Body=b"v1")["VersionId"]
    fogbank.advance_clock("P2D")
    listing = s3.list_object_versions(Bucket=bucket)
    assert [v["VersionId"] for v in listing.get("Versions", [])] == [version]
    assert [m["IsLatest"] for m in listing.get("DeleteMarkers", [])] == [True]
    fogbank.advance_clock("P2D")
    listing = s3.list_object_versions(Bucket=bucket)
    # The noncurrent version expired, then the delete marker left alone was removed too.
    assert listing.get("Versions", []) == []
    assert listing.get("DeleteMarkers", []) == []


def test_lifecycle_abort_incomplete_multipart_upload_after_days(fogbank: Any, s3: Any, bucket: str) -> None:
    put_rules(
        s3,
        bucket,
        {
            "ID": "mpu",
            "Filter": {},
            "Status": "Enabled",
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
        },
    )
    upload = s3.create_multipart_upload(Bucket=bucket, Key="big")["UploadId"]
    assert [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])] == [upload]
    fogbank.advance_clock("P2D")
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_lifecycle_deleted_configuration_stops_expiration(fogbank: Any, s3: Any, bucket: str) -> None:
    put_rules(s3, bucket, {"ID": "expire", "Filter": {}, "Status": "Enabled", "Expiration": {"Days": 1}})
    s3.put_object(Bucket=bucket, Key="a.txt", Body=b"a")
    s3.delete_bucket_lifecycle(Bucket=bucket)
    fogbank.advance_clock("P2D")
    assert keys(s3, bucket) == ["a.txt"]


def test_lifecycle_after_restart_configuration_survives_and_still_expires(tmp_path: Any) -> None:
    from fogbank.testing.server import FogbankServer

    server = FogbankServer(data_dir=tmp_path).start()
    try:
        s3 = server.client("s3")
        s3.create_bucket(Bucket="restart-lifecycle")
        put_rules(
            s3, "restart-lifecycle", {"ID": "x", "Filter": {}, "Status": "Enabled", "Expiration": {"Days": 1}}
        )
        s3.put_bucket_tagging(Bucket="restart-lifecycle", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
        s3.put_object(Bucket="restart-lifecycle", Key="a.txt", Body=b"a")
        server.stop()
        server.start()
        s3 = server.client("s3")
        assert s3.get_bucket_tagging(Bucket="restart-lifecycle")["TagSet"] == [{"Key": "k", "Value": "v"}]
        assert s3.get_bucket_lifecycle_configuration(Bucket="restart-lifecycle")["Rules"][0]["ID"] == "x"
        assert keys(s3, "restart-lifecycle") == ["a.txt"]
        server.advance_clock("P2D")
        assert keys(s3, "restart-lifecycle") == []
    finally:
        server.stop()


def test_get_bucket_lifecycle_configuration_date_and_size_filter_round_trip(s3: Any, bucket: str) -> None:
    rule = {
        "ID": "dated",
        "Filter": {"ObjectSizeGreaterThan": 1048576},
        "Status": "Enabled",
        "Expiration": {"Date": datetime(2030, 1, 1, tzinfo=UTC)},
    }
    put_rules(s3, bucket, rule)
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"] == [rule]


def test_put_bucket_lifecycle_configuration_unknown_status_fails_malformed_xml(s3: Any, bucket: str) -> None:
    rule = {"ID": "a", "Filter": {}, "Status": "Sometimes", "Expiration": {"Days": 1}}
    code, _, status = error_of(
        s3.put_bucket_lifecycle_configuration, Bucket=bucket, LifecycleConfiguration={"Rules": [rule]}
    )
    assert (code, status) == ("MalformedXML", 400)
