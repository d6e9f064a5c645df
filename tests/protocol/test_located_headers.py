"""Header members are read through plans remembered per list of header names: requests that
reuse a list, or change it (other `x-amz-meta-*` names), must each read exactly their own headers."""

from __future__ import annotations

from typing import Any

from fogbank.protocol.codec import codec_for
from fogbank.protocol.http import HttpRequest, Payload


def _put(headers: dict[str, str]) -> dict[str, Any]:
    codec = codec_for("s3", "rest-xml")
    request = HttpRequest(
        "PUT", "/bucket/key", "", {"host": "localhost:4566", **headers}, Payload(b"abc", length=3)
    )
    operation = codec.find_operation(request)
    params = codec.parse(operation, request)
    params.pop("Body")
    return params


def test_put_object_same_header_names_read_each_request_values() -> None:
    first = _put({"content-length": "3", "x-amz-meta-color": "red", "x-amz-storage-class": "STANDARD"})
    second = _put({"content-length": "3", "x-amz-meta-color": "blue", "x-amz-storage-class": "GLACIER"})
    assert first == {
        "Bucket": "bucket",
        "Key": "key",
        "ContentLength": 3,
        "Metadata": {"color": "red"},
        "StorageClass": "STANDARD",
    }
    assert second == {**first, "Metadata": {"color": "blue"}, "StorageClass": "GLACIER"}


def test_put_object_other_header_names_read_their_own_members() -> None:
    with_meta = _put({"x-amz-meta-a": "1", "x-amz-meta-b": "2", "x-amz-tagging": "k=v"})
    without = _put({"content-length": "3"})
    reordered = _put({"x-amz-meta-b": "2", "content-length": "3", "x-amz-meta-a": "1"})
    assert with_meta == {"Bucket": "bucket", "Key": "key", "Metadata": {"a": "1", "b": "2"}, "Tagging": "k=v"}
    assert without == {"Bucket": "bucket", "Key": "key", "ContentLength": 3}
    assert reordered == {
        "Bucket": "bucket",
        "Key": "key",
        "ContentLength": 3,
        "Metadata": {"b": "2", "a": "1"},
    }
    assert list(reordered["Metadata"]) == ["b", "a"]
