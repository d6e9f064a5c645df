"""S3's wire format: error documents, request id headers, virtual-host addressing, unsigned
requests, and presigned URLs (SigV4 and SigV2) expiring on fogbank's clock."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
import requests

NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'


def test_error_document_has_s3_shape_and_request_id_headers(endpoint, bucket):
    response = requests.get(f"{endpoint}/{bucket}/missing-key", timeout=10)
    assert response.status_code == 404
    request_id = response.headers["x-amz-request-id"]
    host_id = response.headers["x-amz-id-2"]
    assert response.text == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code>'
        "<Message>The specified key does not exist.</Message><Key>missing-key</Key>"
        f"<RequestId>{request_id}</RequestId><HostId>{host_id}</HostId></Error>"
    )


def test_head_object_error_has_no_body(endpoint, bucket):
    response = requests.head(f"{endpoint}/{bucket}/missing-key", timeout=10)
    assert response.status_code == 404
    assert response.content == b""
    assert response.headers["x-amz-request-id"]


def test_success_response_carries_request_id_headers(s3, bucket):
    headers = s3.head_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amz-request-id"] and headers["x-amz-id-2"]


def test_list_buckets_document_uses_s3_root_element_and_namespace(endpoint):
    body = requests.get(f"{endpoint}/", timeout=10).text
    assert body.startswith(f'<?xml version="1.0" encoding="UTF-8"?>\n<ListAllMyBucketsResult {NS}>')


def test_get_bucket_location_is_bare_location_constraint(client_factory, unique_name, endpoint):
    s3 = client_factory("s3", region="eu-west-1")
    name = unique_name("b")
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    body = requests.get(f"{endpoint}/{name}?location", timeout=10).text
    assert body.endswith(f"<LocationConstraint {NS}>eu-west-1</LocationConstraint>")


def test_create_bucket_raw_xml_configuration_is_read(endpoint, unique_name, s3):
    name = unique_name("b")
    document = (
        f"<CreateBucketConfiguration {NS}><LocationConstraint>sa-east-1</LocationConstraint>"
        "</CreateBucketConfiguration>"
    )
    assert requests.put(f"{endpoint}/{name}", data=document, timeout=10).status_code == 200
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] == "sa-east-1"


def test_put_bucket_versioning_malformed_xml_fails(endpoint, bucket):
    response = requests.put(f"{endpoint}/{bucket}?versioning", data=b"<not-xml", timeout=10)
    assert response.status_code == 400
    assert "<Code>MalformedXML</Code>" in response.text


@pytest.mark.parametrize(
    "host",
    [
        "{bucket}.s3.localhost.localstack.cloud:{port}",
        "{bucket}.s3.amazonaws.com",
        "{bucket}.s3.eu-west-1.amazonaws.com",
        "{bucket}.localhost:{port}",
    ],
)
def test_virtual_host_addressing_reaches_bucket(endpoint, bucket, s3, host):
    port = urlsplit(endpoint).port
    headers = {"Host": host.format(bucket=bucket, port=port)}
    put = requests.put(f"{endpoint}/dir/with space", data=b"virtual", headers=headers, timeout=10)
    assert put.status_code == 200
    assert s3.get_object(Bucket=bucket, Key="dir/with space")["Body"].read() == b"virtual"
    got = requests.get(f"{endpoint}/dir/with%20space", headers=headers, timeout=10)
    assert (got.status_code, got.content) == (200, b"virtual")
    listing = requests.get(f"{endpoint}/?list-type=2", headers=headers, timeout=10)
    assert "<Key>dir/with space</Key>" in listing.text
    assert requests.get(f"{endpoint}/", headers=headers, timeout=10).text.count("<ListBucketResult") == 1


def test_unsigned_put_and_get_fall_back_to_s3(endpoint, bucket):
    assert requests.put(f"{endpoint}/{bucket}/plain", data=b"unsigned", timeout=10).status_code == 200
    got = requests.get(f"{endpoint}/{bucket}/plain", timeout=10)
    assert (got.status_code, got.content) == (200, b"unsigned")
    assert got.headers["etag"] == '"' + hashlib.md5(b"unsigned").hexdigest() + '"'


def test_get_object_unimplemented_operation_is_501(endpoint, bucket):
    response = requests.get(f"{endpoint}/{bucket}?analytics&id=x", timeout=10)
    assert response.status_code == 501
    assert "<Code>NotImplemented</Code>" in response.text


@pytest.fixture
def signing_on_server_clock(fogbank, monkeypatch):
    """botocore signs presigned URLs with fogbank's clock (which other tests may have moved), as a
    client whose own clock agrees with the server's would."""
    import botocore.auth

    def server_now() -> datetime:
        return datetime.fromtimestamp(fogbank.get("/_fogbank/clock")["epoch"], UTC)

    monkeypatch.setattr(botocore.auth, "get_current_datetime", server_now)
    monkeypatch.setattr(
        botocore.auth.HmacV1QueryAuth,
        "_get_date",
        lambda self: str(int(server_now().timestamp() + int(self._expires))),
    )


def test_presigned_url_sigv4_expires_on_fogbank_clock(
    fogbank, client_factory, bucket, signing_on_server_clock
):
    s3 = client_factory("s3", signature_version="s3v4")
    s3.put_object(Bucket=bucket, Key="k", Body=b"presigned")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=60)
    assert "X-Amz-Expires=60" in url
    fresh = requests.get(url, timeout=10)
    assert (fresh.status_code, fresh.content) == (200, b"presigned")
    fogbank.advance_clock("PT2M")
    expired = requests.get(url, timeout=10)
    assert expired.status_code == 403
    assert "<Code>AccessDenied</Code><Message>Request has expired</Message>" in expired.text
    assert "<X-Amz-Expires>60</X-Amz-Expires>" in expired.text and "<ServerTime>" in expired.text


def test_presigned_url_sigv2_expires_on_fogbank_clock(fogbank, s3, bucket, signing_on_server_clock):
    s3.put_object(Bucket=bucket, Key="k", Body=b"presigned")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=60)
    assert "AWSAccessKeyId" in url and "Expires=" in url
    assert requests.get(url, timeout=10).status_code == 200
    fogbank.advance_clock("PT2M")
    expired = requests.get(url, timeout=10)
    assert expired.status_code == 403
    assert "<Code>AccessDenied</Code><Message>Request has expired</Message>" in expired.text


def test_presigned_put_sigv4_uploads_object(client_factory, bucket, signing_on_server_clock):
    s3 = client_factory("s3", signature_version="s3v4")
    url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "up"}, ExpiresIn=300)
    assert requests.put(url, data=b"uploaded", timeout=10).status_code == 200
    assert s3.get_object(Bucket=bucket, Key="up")["Body"].read() == b"uploaded"


def test_presigned_url_sigv4_expires_over_a_week_fails(fogbank, bucket, endpoint):
    url = (
        f"{endpoint}/{bucket}/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=test%2F20250101%2Fus-east-1%2Fs3%2Faws4_request"
        "&X-Amz-Date=20250101T000000Z&X-Amz-Expires=604801&X-Amz-SignedHeaders=host&X-Amz-Signature=abc"
    )
    response = requests.get(url, timeout=10)
    assert response.status_code == 400
    assert "<Code>AuthorizationQueryParametersError</Code>" in response.text


def test_unknown_method_on_object_is_method_not_allowed(endpoint, bucket):
    response = requests.patch(f"{endpoint}/{bucket}/key", data=b"x", timeout=10)
    assert response.status_code == 405
    assert (
        "<Code>MethodNotAllowed</Code><Message>The specified method is not allowed against this resource.</Message>"
        in response.text
    )
    assert "<Method>PATCH</Method><ResourceType>OBJECT</ResourceType>" in response.text


def test_multipart_documents_use_s3_root_elements(endpoint, bucket):
    created = requests.post(f"{endpoint}/{bucket}/k?uploads", timeout=10)
    assert created.text.startswith(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<InitiateMultipartUploadResult {NS}>'
    )
    listed = requests.get(f"{endpoint}/{bucket}?uploads", timeout=10)
    assert f"<ListMultipartUploadsResult {NS}>" in listed.text
    requests.put(f"{endpoint}/{bucket}/src", data=b"x", timeout=10)
    copied = requests.put(
        f"{endpoint}/{bucket}/dst", headers={"x-amz-copy-source": f"/{bucket}/src"}, timeout=10
    )
    assert f"<CopyObjectResult {NS}><ETag>" in copied.text
    versions = requests.get(f"{endpoint}/{bucket}?versions", timeout=10)
    assert f"<ListVersionsResult {NS}>" in versions.text


def test_list_objects_non_numeric_max_keys_is_invalid_argument(endpoint, bucket):
    response = requests.get(f"{endpoint}/{bucket}?list-type=2&max-keys=many", timeout=10)
    assert response.status_code == 400
    assert "<Code>InvalidArgument</Code>" in response.text
