"""The REST router remembers its decisions per method, query keys, required headers present and
path patterns matching: a warm router must answer every request exactly as a cold one does."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from fogbank.protocol.http import HttpRequest
from fogbank.protocol.rest import Router, router_for

# S3 requests that share a method and a path pattern but differ in a header, a query key, a
# pinned query value or the pattern, sent in an order that reuses every cached decision.
S3_REQUESTS = [
    ("PUT", "/bucket/key", {}, {}, "PutObject"),
    ("PUT", "/bucket/key", {}, {"x-amz-copy-source": "/src/key"}, "CopyObject"),
    ("PUT", "/bucket/other%20key", {}, {}, "PutObject"),
    ("PUT", "/bucket", {}, {}, "CreateBucket"),
    ("PUT", "/bucket/key", {"partNumber": "1", "uploadId": "u"}, {}, "UploadPart"),
    (
        "PUT",
        "/bucket/key",
        {"partNumber": "1", "uploadId": "u"},
        {"x-amz-copy-source": "/s/k"},
        "UploadPartCopy",
    ),
    ("PUT", "/bucket/key", {}, {}, "PutObject"),
    ("GET", "/bucket", {"list-type": "2"}, {}, "ListObjectsV2"),
    ("GET", "/bucket", {"list-type": "1"}, {}, "ListObjects"),
    ("GET", "/bucket", {}, {}, "ListObjects"),
    ("GET", "/bucket", {"list-type": "2", "prefix": "a"}, {}, "ListObjectsV2"),
    ("GET", "/bucket/dir/key", {}, {}, "GetObject"),
    (
        "GET",
        "/bucket/dir/key",
        {"attributes": ""},
        {"x-amz-object-attributes": "ETag"},
        "GetObjectAttributes",
    ),
    ("GET", "/", {}, {}, "ListBuckets"),
    ("GET", "/bucket/key", {"uploadId": "u"}, {}, "ListParts"),
    ("DELETE", "/bucket/key", {}, {}, "DeleteObject"),
    ("DELETE", "/bucket", {}, {}, "DeleteBucket"),
    ("POST", "/bucket/key", {"uploads": ""}, {}, "CreateMultipartUpload"),
    ("POST", "/bucket/key", {"uploadId": "u"}, {}, "CompleteMultipartUpload"),
    ("PATCH", "/bucket/key", {}, {}, None),
]


def _request(method: str, path: str, query: dict[str, str], headers: dict[str, str]) -> HttpRequest:
    return HttpRequest(method, path, urlencode(query), {"host": "localhost:4566", **headers})


def _answer(router: Router, request: HttpRequest) -> tuple[str, dict[str, str]] | None:
    found = router.match(request)
    return None if found is None else (found[0].name, found[1])


@pytest.mark.parametrize("rounds", [1, 2])
def test_route_warm_router_matches_cold_router(rounds: int) -> None:
    warm = Router("s3")
    for _ in range(rounds):
        for method, path, query, headers, expected in S3_REQUESTS:
            cold = _answer(Router("s3"), _request(method, path, query, headers))
            assert _answer(warm, _request(method, path, query, headers)) == cold
            assert (cold[0] if cold else None) == expected


def test_route_labels_are_decoded_per_request() -> None:
    router = router_for("s3")
    first = router.match(_request("GET", "/bucket/a%20b/c", {}, {}))
    second = router.match(_request("GET", "/bucket2/plain/key", {}, {}))
    assert first is not None and first[1] == {"Bucket": "bucket", "Key": "a b/c"}
    assert second is not None and second[1] == {"Bucket": "bucket2", "Key": "plain/key"}
