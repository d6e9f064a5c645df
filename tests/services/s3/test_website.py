"""S3 static website endpoints served over HTTP: index and error documents, redirects, error pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests


@pytest.fixture
def s3(client_factory: Callable[..., Any]) -> Any:
    return client_factory("s3")


@pytest.fixture
def site(s3: Any, unique_name: Callable[[str], str]) -> str:
    """A bucket with a website: index.html, docs/index.html, error.html, page.html."""
    name = unique_name("site")
    s3.create_bucket(Bucket=name)
    s3.put_bucket_website(
        Bucket=name,
        WebsiteConfiguration={
            "IndexDocument": {"Suffix": "index.html"},
            "ErrorDocument": {"Key": "error.html"},
        },
    )
    for key, body in (
        ("index.html", "<h1>home</h1>"),
        ("docs/index.html", "<h1>docs</h1>"),
        ("error.html", "<h1>oops</h1>"),
        ("page.html", "<p>page</p>"),
    ):
        s3.put_object(Bucket=name, Key=key, Body=body.encode(), ContentType="text/html")
    return name


def get(
    fogbank: Any, bucket: str, path: str, *, host: str | None = None, method: str = "GET"
) -> requests.Response:
    host = host or f"{bucket}.s3-website.us-east-1.localhost.localstack.cloud"
    return requests.request(
        method, fogbank.url + path, headers={"Host": host}, allow_redirects=False, timeout=10
    )


def test_website_root_serves_index_document(fogbank: Any, site: str) -> None:
    response = get(fogbank, site, "/")
    assert response.status_code == 200
    assert response.text == "<h1>home</h1>"
    assert response.headers["content-type"] == "text/html"
    assert response.headers["etag"].startswith('"')
    assert response.headers["last-modified"].endswith("GMT")


def test_website_folder_serves_its_index_document(fogbank: Any, site: str) -> None:
    response = get(fogbank, site, "/docs/")
    assert (response.status_code, response.text) == (200, "<h1>docs</h1>")


def test_website_folder_without_slash_redirects_302(fogbank: Any, site: str) -> None:
    response = get(fogbank, site, "/docs")
    assert (response.status_code, response.headers["location"]) == (302, "/docs/")


def test_website_object_is_served(fogbank: Any, site: str) -> None:
    response = get(fogbank, site, "/page.html")
    assert (response.status_code, response.text) == (200, "<p>page</p>")


def test_website_head_object_answers_headers_only(fogbank: Any, site: str) -> None:
    response = get(fogbank, site, "/page.html", method="HEAD")
    assert (response.status_code, response.text, response.headers["content-length"]) == (200, "", "11")


def test_website_missing_key_serves_error_document_with_404(fogbank: Any, site: str) -> None:
    response = get(fogbank, site, "/missing.html")
    assert (response.status_code, response.text) == (404, "<h1>oops</h1>")


def test_website_missing_key_without_error_document_answers_404_page(
    fogbank: Any, s3: Any, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("site")
    s3.create_bucket(Bucket=name)
    s3.put_bucket_website(Bucket=name, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}})
    response = get(fogbank, name, "/nothing")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "<title>404 Not Found</title>" in response.text
    assert "<li>Code: NoSuchKey</li>" in response.text
    assert "<li>Key: nothing</li>" in response.text


def test_website_missing_error_document_reports_both_errors(
    fogbank: Any, s3: Any, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("site")
    s3.create_bucket(Bucket=name)
    s3.put_bucket_website(
        Bucket=name,
        WebsiteConfiguration={
            "IndexDocument": {"Suffix": "index.html"},
            "ErrorDocument": {"Key": "err.html"},
        },
    )
    response = get(fogbank, name, "/x")
    assert response.status_code == 404
    assert "An Error Occurred While Attempting to Retrieve a Custom Error Document" in response.text
    assert "<li>Key: err.html</li>" in response.text


def test_website_bucket_without_configuration_answers_404(
    fogbank: Any, s3: Any, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("plain")
    s3.create_bucket(Bucket=name)
    response = get(fogbank, name, "/")
    assert response.status_code == 404
    assert "<li>Code: NoSuchWebsiteConfiguration</li>" in response.text
    assert "<li>Message: The specified bucket does not have a website configuration</li>" in response.text
    assert f"<li>BucketName: {name}</li>" in response.text


def test_website_missing_bucket_answers_404_no_such_bucket(
    fogbank: Any, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("nobucket")
    response = get(fogbank, name, "/")
    assert response.status_code == 404
    assert "<li>Code: NoSuchBucket</li>" in response.text
    assert response.headers["x-amz-error-code"] == "NoSuchBucket"


def test_website_post_answers_405(fogbank: Any, site: str) -> None:
    response = get(fogbank, site, "/", method="POST")
    assert response.status_code == 405
    assert "<li>Code: MethodNotAllowed</li>" in response.text


def test_website_redirect_all_requests_answers_301(
    fogbank: Any, s3: Any, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("redir")
    s3.create_bucket(Bucket=name)
    s3.put_bucket_website(
        Bucket=name,
        WebsiteConfiguration={"RedirectAllRequestsTo": {"HostName": "www.example.com", "Protocol": "https"}},
    )
    response = get(fogbank, name, "/a/b.html")
    assert (response.status_code, response.headers["location"]) == (301, "https://www.example.com/a/b.html")


def test_website_routing_rule_by_prefix_redirects(fogbank: Any, s3: Any, site: str) -> None:
    s3.put_bucket_website(
        Bucket=site,
        WebsiteConfiguration={
            "IndexDocument": {"Suffix": "index.html"},
            "RoutingRules": [
                {
                    "Condition": {"KeyPrefixEquals": "old/"},
                    "Redirect": {
                        "ReplaceKeyPrefixWith": "new/",
                        "HttpRedirectCode": "302",
                        "HostName": "h.example",
                    },
                }
            ],
        },
    )
    response = get(fogbank, site, "/old/page.html")
    assert (response.status_code, response.headers["location"]) == (302, "http://h.example/new/page.html")
    assert get(fogbank, site, "/page.html").status_code == 200


def test_website_routing_rule_on_404_redirects(fogbank: Any, s3: Any, site: str) -> None:
    s3.put_bucket_website(
        Bucket=site,
        WebsiteConfiguration={
            "IndexDocument": {"Suffix": "index.html"},
            "RoutingRules": [
                {
                    "Condition": {"HttpErrorCodeReturnedEquals": "404"},
                    "Redirect": {"ReplaceKeyWith": "index.html"},
                }
            ],
        },
    )
    response = get(fogbank, site, "/gone.html")
    assert response.status_code == 301
    assert response.headers["location"].endswith("/index.html")
    assert get(fogbank, site, "/page.html").status_code == 200


def test_website_object_redirect_location_answers_301(fogbank: Any, s3: Any, site: str) -> None:
    s3.put_object(Bucket=site, Key="moved.html", Body=b"", WebsiteRedirectLocation="/page.html")
    response = get(fogbank, site, "/moved.html")
    assert (response.status_code, response.headers["location"]) == (301, "/page.html")


@pytest.mark.parametrize(
    "host",
    [
        "{bucket}.s3-website-us-east-1.amazonaws.com",
        "{bucket}.s3-website.localhost:4566",
        "{bucket}.s3-website.us-east-1.amazonaws.com",
    ],
)
def test_website_other_host_names_serve_index(fogbank: Any, site: str, host: str) -> None:
    response = get(fogbank, site, "/", host=host.format(bucket=site))
    assert (response.status_code, response.text) == (200, "<h1>home</h1>")


def test_website_if_none_match_current_etag_answers_304(fogbank: Any, site: str) -> None:
    etag = get(fogbank, site, "/page.html").headers["etag"]
    host = f"{site}.s3-website.us-east-1.localhost.localstack.cloud"
    response = requests.get(
        fogbank.url + "/page.html",
        headers={"Host": host, "If-None-Match": etag},
        allow_redirects=False,
        timeout=10,
    )
    assert (response.status_code, response.content) == (304, b"")


def test_website_range_answers_206(fogbank: Any, site: str) -> None:
    host = f"{site}.s3-website.us-east-1.localhost.localstack.cloud"
    response = requests.get(
        fogbank.url + "/page.html", headers={"Host": host, "Range": "bytes=0-2"}, timeout=10
    )
    assert (response.status_code, response.text, response.headers["content-range"]) == (
        206,
        "<p>",
        "bytes 0-2/11",
    )
