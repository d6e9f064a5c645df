"""CORS preflight requests to S3 paths, answered per the bucket's CORS rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

NOT_ALLOWED = (
    "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, "
    "request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted "
    "by the resource's CORS spec."
)


@pytest.fixture
def s3(client_factory: Callable[..., Any]) -> Any:
    return client_factory("s3")


@pytest.fixture
def bucket(s3: Any, unique_name: Callable[[str], str]) -> str:
    name = unique_name("cors")
    s3.create_bucket(Bucket=name)
    s3.put_bucket_cors(
        Bucket=name,
        CORSConfiguration={
            "CORSRules": [
                {
                    "AllowedOrigins": ["https://app.example.com"],
                    "AllowedMethods": ["PUT", "POST"],
                    "AllowedHeaders": ["content-type", "x-amz-*"],
                    "ExposeHeaders": ["ETag", "x-amz-request-id"],
                    "MaxAgeSeconds": 600,
                },
                {"AllowedOrigins": ["*"], "AllowedMethods": ["GET", "HEAD"]},
            ]
        },
    )
    return name


def preflight(
    fogbank: Any, path: str, origin: str, method: str, headers: str | None = None, host: str | None = None
) -> requests.Response:
    sent = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers is not None:
        sent["Access-Control-Request-Headers"] = headers
    if host is not None:
        sent["Host"] = host
    return requests.options(fogbank.url + path, headers=sent, timeout=10)


def test_preflight_specific_origin_rule_answers_its_headers(fogbank: Any, bucket: str) -> None:
    response = preflight(
        fogbank,
        f"/{bucket}/uploads/a.txt",
        "https://app.example.com",
        "PUT",
        "Content-Type, X-Amz-Meta-Owner",
    )
    assert response.status_code == 200
    headers = response.headers
    assert headers["access-control-allow-origin"] == "https://app.example.com"
    assert headers["access-control-allow-credentials"] == "true"
    assert headers["access-control-allow-methods"] == "PUT, POST"
    assert headers["access-control-allow-headers"] == "content-type, x-amz-meta-owner"
    assert headers["access-control-expose-headers"] == "ETag, x-amz-request-id"
    assert headers["access-control-max-age"] == "600"
    assert headers["vary"] == "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"
    assert response.content == b""


def test_preflight_wildcard_origin_rule_answers_star(fogbank: Any, bucket: str) -> None:
    response = preflight(fogbank, f"/{bucket}/page.html", "https://anyone.example.org", "GET")
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["access-control-allow-methods"] == "GET, HEAD"
    assert "access-control-allow-credentials" not in response.headers
    assert "access-control-max-age" not in response.headers


def test_preflight_method_not_allowed_answers_403(fogbank: Any, bucket: str) -> None:
    response = preflight(fogbank, f"/{bucket}/a.txt", "https://other.example.org", "DELETE")
    assert response.status_code == 403
    assert "<Code>AccessForbidden</Code>" in response.text
    assert f"<Message>{NOT_ALLOWED}</Message>" in response.text.replace("&apos;", "'")
    assert "<Method>DELETE</Method>" in response.text
    assert "<ResourceType>OBJECT</ResourceType>" in response.text


def test_preflight_header_not_allowed_answers_403(fogbank: Any, bucket: str) -> None:
    response = preflight(fogbank, f"/{bucket}/a.txt", "https://app.example.com", "PUT", "authorization")
    assert response.status_code == 403
    assert "<Code>AccessForbidden</Code>" in response.text


def test_preflight_bucket_without_cors_answers_403_not_enabled(
    fogbank: Any, s3: Any, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("nocors")
    s3.create_bucket(Bucket=name)
    response = preflight(fogbank, f"/{name}", "https://app.example.com", "GET")
    assert response.status_code == 403
    assert "<Message>CORSResponse: CORS is not enabled for this bucket.</Message>" in response.text
    assert "<ResourceType>BUCKET</ResourceType>" in response.text


def test_preflight_virtual_host_style_answers_per_rules(fogbank: Any, bucket: str) -> None:
    host = f"{bucket}.s3.localhost.localstack.cloud"
    response = preflight(fogbank, "/a.txt", "https://app.example.com", "POST", host=host)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "https://app.example.com"


def test_preflight_virtual_host_missing_bucket_answers_404(
    fogbank: Any, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("gone")
    response = preflight(
        fogbank, "/a.txt", "https://x.example", "GET", host=f"{name}.s3.localhost.localstack.cloud"
    )
    assert response.status_code == 404
    assert "<Code>NoSuchBucket</Code>" in response.text


def test_preflight_after_delete_bucket_cors_answers_403(fogbank: Any, s3: Any, bucket: str) -> None:
    s3.delete_bucket_cors(Bucket=bucket)
    response = preflight(fogbank, f"/{bucket}/a.txt", "https://app.example.com", "PUT")
    assert response.status_code == 403


def test_preflight_website_endpoint_answers_per_rules(fogbank: Any, s3: Any, bucket: str) -> None:
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}})
    host = f"{bucket}.s3-website.us-east-1.localhost.localstack.cloud"
    response = preflight(fogbank, "/index.html", "https://site.example", "GET", host=host)
    assert (response.status_code, response.headers["access-control-allow-origin"]) == (200, "*")
