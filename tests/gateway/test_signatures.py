"""Signature verification (`--verify-signatures`), with botocore's own signers as the oracle."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
import requests
from botocore import UNSIGNED
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from fogbank.testing.server import FogbankServer

QUERY_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
    "Access Key and signing method. Consult the service documentation for details."
)
S3_MISMATCH = "The request signature we calculated does not match the signature you provided. Check your key and signing method."
INVALID_TOKEN = "The security token included in the request is invalid."
TRUST_ROOT = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::000000000000:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


@pytest.fixture(scope="module")
def server() -> Iterator[FogbankServer]:
    started = FogbankServer(extra_args=["--verify-signatures"]).start()
    yield started
    started.stop()


@pytest.fixture(scope="module")
def client(server: FogbankServer) -> Callable[..., Any]:
    def make(
        service: str, key: str = "test", secret: str = "test", token: str | None = None, **config: Any
    ) -> Any:
        return boto3.client(
            service,
            endpoint_url=server.url,
            region_name="us-east-1",
            aws_access_key_id=key,
            aws_secret_access_key=secret,
            aws_session_token=token,
            config=Config(retries={"max_attempts": 1}, **config),
        )

    return make


@pytest.fixture(scope="module")
def user_key(client: Callable[..., Any]) -> dict[str, Any]:
    iam = client("iam")
    iam.create_user(UserName="signer")
    return dict(iam.create_access_key(UserName="signer")["AccessKey"])


def error_of(raised: Any) -> tuple[str, str, int]:
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def send_signed(
    url: str,
    service: str,
    key: str,
    secret: str,
    *,
    method: str = "GET",
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    token: str | None = None,
) -> requests.Response:
    """Sign a raw request with botocore's SigV4 signer and send it as signed."""
    request = AWSRequest(method=method, url=url, data=body, headers=headers or {})
    SigV4Auth(Credentials(key, secret, token), service, "us-east-1").add_auth(request)
    prepared = request.prepare()
    return requests.request(method, prepared.url, headers=dict(prepared.headers), data=body, timeout=10)


def test_verify_default_pair_and_account_keys_accepted(client: Callable[..., Any]) -> None:
    assert client("sts").get_caller_identity()["Arn"] == "arn:aws:iam::000000000000:root"
    assert client("sts", key="444455556666").get_caller_identity()["Account"] == "444455556666"
    assert "Buckets" in client("s3").list_buckets()
    assert "ResponseMetadata" in client("sqs").list_queues()


def test_verify_wrong_secret_fails_signature_does_not_match(client: Callable[..., Any]) -> None:
    with pytest.raises(ClientError) as raised:
        client("sts", secret="wrong").get_caller_identity()
    assert error_of(raised) == ("SignatureDoesNotMatch", QUERY_MISMATCH, 403)


def test_verify_unknown_key_fails_invalid_client_token_id(client: Callable[..., Any]) -> None:
    with pytest.raises(ClientError) as raised:
        client("iam", key="AKIAIOSFODNN7EXAMPLE", secret="x").list_users()
    assert error_of(raised) == ("InvalidClientTokenId", INVALID_TOKEN, 403)


def test_verify_s3_unknown_key_and_wrong_secret_fail_with_s3_errors(
    client: Callable[..., Any], user_key: dict[str, Any]
) -> None:
    with pytest.raises(ClientError) as raised:
        client("s3", key="AKIAIOSFODNN7EXAMPLE", secret="x").list_buckets()
    assert error_of(raised) == (
        "InvalidAccessKeyId",
        "The AWS Access Key Id you provided does not exist in our records.",
        403,
    )
    with pytest.raises(ClientError) as raised:
        client("s3", key=user_key["AccessKeyId"], secret="wrong").list_buckets()
    assert error_of(raised) == ("SignatureDoesNotMatch", S3_MISMATCH, 403)
    assert raised.value.response["Error"]["StringToSign"].startswith("AWS4-HMAC-SHA256\n")


def test_verify_json_services_answer_their_own_codes(client: Callable[..., Any]) -> None:
    with pytest.raises(ClientError) as raised:
        client("sqs", secret="wrong").list_queues()
    assert error_of(raised)[::2] == ("SignatureDoesNotMatch", 403)
    with pytest.raises(ClientError) as raised:
        client("ssm", secret="wrong").describe_parameters()
    assert error_of(raised) == ("InvalidSignatureException", QUERY_MISMATCH, 400)
    with pytest.raises(ClientError) as raised:
        client("ssm", key="AKIAIOSFODNN7EXAMPLE").describe_parameters()
    assert error_of(raised) == ("UnrecognizedClientException", INVALID_TOKEN, 400)


def test_verify_issued_key_accepted_until_inactive(client: Callable[..., Any]) -> None:
    iam = client("iam")
    iam.create_user(UserName="rotating")
    key = iam.create_access_key(UserName="rotating")["AccessKey"]
    as_user = client("sts", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    assert as_user.get_caller_identity()["Arn"] == "arn:aws:iam::000000000000:user/rotating"
    iam.update_access_key(UserName="rotating", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    with pytest.raises(ClientError) as raised:
        as_user.get_caller_identity()
    assert error_of(raised) == ("InvalidClientTokenId", INVALID_TOKEN, 403)
    iam.update_access_key(UserName="rotating", AccessKeyId=key["AccessKeyId"], Status="Active")
    assert as_user.get_caller_identity()["Account"] == "000000000000"
    iam.delete_access_key(UserName="rotating", AccessKeyId=key["AccessKeyId"])
    with pytest.raises(ClientError) as raised:
        as_user.get_caller_identity()
    assert error_of(raised) == ("InvalidClientTokenId", INVALID_TOKEN, 403)


def test_verify_temporary_credentials_need_token_and_expire(
    client: Callable[..., Any], server: FogbankServer
) -> None:
    iam = client("iam")
    role = iam.create_role(RoleName="signing-role", AssumeRolePolicyDocument=TRUST_ROOT)["Role"]
    credentials = client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="ss", DurationSeconds=900)[
        "Credentials"
    ]
    key, secret, token = (
        credentials["AccessKeyId"],
        credentials["SecretAccessKey"],
        credentials["SessionToken"],
    )
    assert (
        client("sts", key, secret, token)
        .get_caller_identity()["Arn"]
        .endswith("assumed-role/signing-role/ss")
    )
    assert "Buckets" in client("s3", key, secret, token).list_buckets()
    with pytest.raises(ClientError) as raised:
        client("sts", key, secret).get_caller_identity()
    assert error_of(raised) == ("InvalidClientTokenId", INVALID_TOKEN, 403)
    server.advance_clock("PT16M")
    with pytest.raises(ClientError) as raised:
        client("sts", key, secret, token).get_caller_identity()
    assert error_of(raised) == ("ExpiredToken", "The security token included in the request is expired", 403)
    with pytest.raises(ClientError) as raised:
        client("s3", key, secret, token).list_buckets()
    assert error_of(raised) == ("ExpiredToken", "The provided token has expired.", 400)


def test_verify_s3_presigned_v4_and_v2_urls_accepted_tampered_rejected(
    client: Callable[..., Any], user_key: dict[str, Any]
) -> None:
    keys = {"key": user_key["AccessKeyId"], "secret": user_key["SecretAccessKey"]}
    s3 = client("s3", **keys)
    s3.create_bucket(Bucket="presigned-bucket")
    s3.put_object(Bucket="presigned-bucket", Key="dir/a b+c.txt", Body=b"payload")
    for version in ("s3v4", "s3"):
        signer = client("s3", signature_version=version, **keys)
        url = signer.generate_presigned_url(
            "get_object", Params={"Bucket": "presigned-bucket", "Key": "dir/a b+c.txt"}
        )
        answer = requests.get(url, timeout=10)
        assert (answer.status_code, answer.content) == (200, b"payload")
        tampered = requests.get(url.replace("a%20b", "a%20B"), timeout=10)
        assert tampered.status_code == 403
        assert "<Code>SignatureDoesNotMatch</Code>" in tampered.text


def test_verify_s3_sigv2_header_accepted(client: Callable[..., Any], user_key: dict[str, Any]) -> None:
    s3 = client("s3", key=user_key["AccessKeyId"], secret=user_key["SecretAccessKey"], signature_version="s3")
    s3.create_bucket(Bucket="sigv2-bucket")
    s3.put_object(Bucket="sigv2-bucket", Key="k", Body=b"v2")
    assert s3.get_object(Bucket="sigv2-bucket", Key="k")["Body"].read() == b"v2"
    wrong = client("s3", key=user_key["AccessKeyId"], secret="bad", signature_version="s3")
    with pytest.raises(ClientError) as raised:
        wrong.get_object(Bucket="sigv2-bucket", Key="k")
    assert error_of(raised)[::2] == ("SignatureDoesNotMatch", 403)


def test_verify_s3_unsigned_payload_header_accepted(
    server: FogbankServer, client: Callable[..., Any]
) -> None:
    client("s3").create_bucket(Bucket="unsigned-payload")
    url = f"{server.url}/unsigned-payload/object.txt"
    answer = send_signed(
        url,
        "s3",
        "test",
        "test",
        method="PUT",
        body=b"not hashed",
        headers={"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"},
    )
    assert answer.status_code == 200
    assert (
        client("s3").get_object(Bucket="unsigned-payload", Key="object.txt")["Body"].read() == b"not hashed"
    )


def test_verify_s3_streaming_upload_checks_seed_signature(
    server: FogbankServer, client: Callable[..., Any]
) -> None:
    client("s3").create_bucket(Bucket="streaming-upload")
    data = b"streamed data"
    body = (
        f"{len(data):x};chunk-signature={'0' * 64}\r\n".encode()
        + data
        + b"\r\n"
        + f"0;chunk-signature={'0' * 64}\r\n\r\n".encode()
    )
    headers = {
        "X-Amz-Content-SHA256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        "Content-Encoding": "aws-chunked",
        "X-Amz-Decoded-Content-Length": str(len(data)),
    }
    url = f"{server.url}/streaming-upload/stream.bin"
    assert send_signed(url, "s3", "test", "test", method="PUT", body=body, headers=headers).status_code == 200
    assert client("s3").get_object(Bucket="streaming-upload", Key="stream.bin")["Body"].read() == data
    rejected = send_signed(url, "s3", "test", "other-secret", method="PUT", body=body, headers=headers)
    assert rejected.status_code == 403
    assert "<Code>SignatureDoesNotMatch</Code>" in rejected.text


def test_verify_query_string_with_special_characters_accepted(server: FogbankServer) -> None:
    url = f"{server.url}/?Action=GetCallerIdentity&Version=2011-06-15&Extra=a%20b%2Bc%2F%3D~&Empty="
    answer = send_signed(url, "sts", "test", "test")
    assert answer.status_code == 200, answer.text
    assert "<Arn>arn:aws:iam::000000000000:root</Arn>" in answer.text
    assert send_signed(url, "sts", "test", "nope").status_code == 403


def test_verify_presigned_sts_get_caller_identity_accepted(
    client: Callable[..., Any], user_key: dict[str, Any]
) -> None:
    sts = client("sts", key=user_key["AccessKeyId"], secret=user_key["SecretAccessKey"])
    url = sts.generate_presigned_url("get_caller_identity", Params={}, HttpMethod="GET")
    answer = requests.get(url, timeout=10)
    assert answer.status_code == 200, answer.text
    assert "<Arn>arn:aws:iam::000000000000:user/signer</Arn>" in answer.text


def test_verify_unsigned_assume_role_with_web_identity_allowed(
    server: FogbankServer, client: Callable[..., Any]
) -> None:
    client("iam").create_role(RoleName="web-role", AssumeRolePolicyDocument=TRUST_ROOT)
    client("iam").create_open_id_connect_provider(Url="https://idp", ClientIDList=["a"])
    anonymous = boto3.client(
        "sts", endpoint_url=server.url, region_name="us-east-1", config=Config(signature_version=UNSIGNED)
    )
    token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4IiwiYXVkIjoiYSIsImlzcyI6Imh0dHBzOi8vaWRwIn0.c2ln"
    response = anonymous.assume_role_with_web_identity(
        RoleArn="arn:aws:iam::000000000000:role/web-role", RoleSessionName="web", WebIdentityToken=token
    )
    assert response["SubjectFromWebIdentityToken"] == "x"


def test_verify_unsigned_request_to_signed_service_fails_missing_token(server: FogbankServer) -> None:
    answer = requests.post(server.url, data={"Action": "ListTopics", "Version": "2010-03-31"}, timeout=10)
    assert answer.status_code == 403
    assert "<Code>MissingAuthenticationToken</Code>" in answer.text
    assert "<Message>Request is missing Authentication Token</Message>" in answer.text
    json_answer = requests.post(
        server.url,
        data=b"{}",
        timeout=10,
        headers={
            "X-Amz-Target": "AmazonSSM.DescribeParameters",
            "Content-Type": "application/x-amz-json-1.1",
        },
    )
    assert json_answer.status_code == 400
    assert json_answer.json()["__type"].endswith("MissingAuthenticationTokenException")


def test_verify_malformed_authorization_fails_incomplete_signature(server: FogbankServer) -> None:
    answer = requests.post(
        server.url,
        data={"Action": "GetCallerIdentity", "Version": "2011-06-15"},
        timeout=10,
        headers={
            "Authorization": "AWS4-HMAC-SHA256 Credential=test/us-east-1/sts/aws4_request, Signature=00"
        },
    )
    assert answer.status_code == 400
    assert "<Code>IncompleteSignature</Code>" in answer.text


def test_verify_presigned_expires_over_a_week_fails_before_signature(server: FogbankServer) -> None:
    url = (
        f"{server.url}/any-bucket/k?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Credential=test%2F20250101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20250101T000000Z"
        "&X-Amz-Expires=604801&X-Amz-SignedHeaders=host&X-Amz-Signature=abc"
    )
    answer = requests.get(url, timeout=10)
    assert answer.status_code == 400
    assert "<Code>AuthorizationQueryParametersError</Code>" in answer.text
    assert "X-Amz-Expires must be less than a week (in seconds) that is; 604800 seconds" in answer.text
