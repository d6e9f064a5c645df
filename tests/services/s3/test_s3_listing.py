"""ListObjects (v1) and ListObjectsV2: prefix, delimiter, pagination, StartAfter, EncodingType, owner."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

KEYS = [
    "a.txt",
    "photos/2024/jan.jpg",
    "photos/2024/feb.jpg",
    "photos/2025/mar.jpg",
    "photos/top.jpg",
    "z.txt",
]


@pytest.fixture
def filled(s3, bucket):
    for key in KEYS:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    return bucket


def test_list_objects_v2_returns_keys_in_order(s3, filled):
    result = s3.list_objects_v2(Bucket=filled)
    assert [o["Key"] for o in result["Contents"]] == sorted(KEYS)
    assert result["KeyCount"] == len(KEYS)
    assert result["IsTruncated"] is False
    assert result["Name"] == filled
    assert result["MaxKeys"] == 1000
    assert "Owner" not in result["Contents"][0]
    assert result["Contents"][0]["Size"] == len(b"a.txt")


def test_list_objects_v2_prefix_and_delimiter_groups_common_prefixes(s3, filled):
    result = s3.list_objects_v2(Bucket=filled, Prefix="photos/", Delimiter="/")
    assert [o["Key"] for o in result["Contents"]] == ["photos/top.jpg"]
    assert result["CommonPrefixes"] == [{"Prefix": "photos/2024/"}, {"Prefix": "photos/2025/"}]
    assert result["KeyCount"] == 3
    assert (result["Prefix"], result["Delimiter"]) == ("photos/", "/")


def test_list_objects_v2_max_keys_paginates_with_continuation_token(s3, filled):
    seen = []
    kwargs = {"Bucket": filled, "MaxKeys": 2}
    while True:
        page = s3.list_objects_v2(**kwargs)
        seen += [o["Key"] for o in page.get("Contents", [])]
        assert page["KeyCount"] <= 2
        if not page["IsTruncated"]:
            break
        kwargs["ContinuationToken"] = page["NextContinuationToken"]
    assert seen == sorted(KEYS)


def test_list_objects_v2_paginator_with_delimiter_counts_prefixes(s3, filled):
    paginator = s3.get_paginator("list_objects_v2")
    pages = list(paginator.paginate(Bucket=filled, Delimiter="/", PaginationConfig={"PageSize": 1}))
    keys = [o["Key"] for p in pages for o in p.get("Contents", [])]
    prefixes = [c["Prefix"] for p in pages for c in p.get("CommonPrefixes", [])]
    assert keys == ["a.txt", "z.txt"]
    assert prefixes == ["photos/"]
    assert len(pages) == 3


def test_list_objects_v2_start_after_skips_keys(s3, filled):
    result = s3.list_objects_v2(Bucket=filled, StartAfter="photos/2025/mar.jpg")
    assert [o["Key"] for o in result["Contents"]] == ["photos/top.jpg", "z.txt"]
    assert result["StartAfter"] == "photos/2025/mar.jpg"


def test_list_objects_v2_fetch_owner_includes_owner(s3, filled):
    result = s3.list_objects_v2(Bucket=filled, FetchOwner=True, MaxKeys=1)
    assert len(result["Contents"][0]["Owner"]["ID"]) == 64


def test_list_objects_v2_max_keys_zero_returns_nothing(s3, filled):
    result = s3.list_objects_v2(Bucket=filled, MaxKeys=0)
    assert "Contents" not in result
    assert result["KeyCount"] == 0


def test_list_objects_v2_invalid_continuation_token_fails(s3, filled, error_of):
    with pytest.raises(ClientError) as excinfo:
        s3.list_objects_v2(Bucket=filled, ContinuationToken="%%%")
    assert error_of(excinfo) == ("InvalidArgument", "The continuation token provided is incorrect", 400)


def test_list_objects_v1_marker_and_next_marker_paginate(s3, filled):
    first = s3.list_objects(Bucket=filled, MaxKeys=2, Delimiter="/")
    assert [o["Key"] for o in first["Contents"]] == ["a.txt"]
    assert first["CommonPrefixes"] == [{"Prefix": "photos/"}]
    assert first["IsTruncated"] is True
    assert first["NextMarker"] == "photos/"
    second = s3.list_objects(Bucket=filled, MaxKeys=2, Delimiter="/", Marker=first["NextMarker"])
    assert [o["Key"] for o in second["Contents"]] == ["z.txt"]
    assert second["IsTruncated"] is False
    assert second["Marker"] == "photos/"


def test_list_objects_v1_without_delimiter_has_no_next_marker(s3, filled):
    page = s3.list_objects(Bucket=filled, MaxKeys=1)
    assert page["IsTruncated"] is True
    assert "NextMarker" not in page
    assert len(page["Contents"][0]["Owner"]["ID"]) == 64


def test_list_objects_v2_encoding_type_url_encodes_keys(s3, bucket):
    s3.put_object(Bucket=bucket, Key="sp ace/ü+x", Body=b"")
    asked = s3.list_objects_v2(Bucket=bucket, EncodingType="url")
    # Asked for by the caller, the encoding stays (botocore only decodes what it asked for itself).
    assert asked["Contents"][0]["Key"] == "sp+ace/%C3%BC%2Bx"
    assert asked["EncodingType"] == "url"
    assert s3.list_objects(Bucket=bucket)["Contents"][0]["Key"] == "sp ace/ü+x"


def test_list_objects_v2_encoding_type_url_on_the_wire_is_encoded(endpoint, s3, bucket):
    import requests

    s3.put_object(Bucket=bucket, Key="sp ace+", Body=b"")
    body = requests.get(f"{endpoint}/{bucket}?list-type=2&encoding-type=url", timeout=10).text
    assert "<Key>sp+ace%2B</Key>" in body
    assert body.startswith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
    )


def test_list_objects_v2_missing_bucket_fails(s3, unique_name, error_of):
    with pytest.raises(ClientError) as excinfo:
        s3.list_objects_v2(Bucket=unique_name("none"))
    assert error_of(excinfo) == ("NoSuchBucket", "The specified bucket does not exist", 404)


def test_list_objects_v2_many_keys_paginate_with_groups_and_deletes(s3, bucket):
    keys = [f"logs/{day:02d}/{n:03d}" for day in range(3) for n in range(40)] + [
        f"top-{n}" for n in range(30)
    ]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=b"")
    s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "top-5"}, {"Key": "logs/01/007"}]})
    expected = sorted(set(keys) - {"top-5", "logs/01/007"})
    paginator = s3.get_paginator("list_objects_v2")
    listed = [
        o["Key"]
        for page in paginator.paginate(Bucket=bucket, PaginationConfig={"PageSize": 17})
        for o in page["Contents"]
    ]
    assert listed == expected
    grouped = list(
        paginator.paginate(Bucket=bucket, Prefix="logs/", Delimiter="/", PaginationConfig={"PageSize": 2})
    )
    assert [c["Prefix"] for page in grouped for c in page.get("CommonPrefixes", [])] == [
        "logs/00/",
        "logs/01/",
        "logs/02/",
    ]
    day = [
        o["Key"] for page in paginator.paginate(Bucket=bucket, Prefix="logs/01/") for o in page["Contents"]
    ]
    assert day == [k for k in expected if k.startswith("logs/01/")]
