"""Service detection over HTTP: SigV4 credential scope, presigned query strings, `X-Amz-Target`,
unsigned form `Action`, AWS and LocalStack host names, and the answers for services and operations
fogbank does not have or does not implement."""

from __future__ import annotations

import base64
import importlib
import json
from collections.abc import Callable
from typing import Any

import boto3
import botocore.exceptions
import pytest
import requests
from botocore import UNSIGNED, xform_name
from botocore.config import Config

from fogbank.protocol.models import service_model
from fogbank.services import registry
from fogbank.testing.server import FogbankServer

STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"
SIGV4_FOR = (
    "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/{}/aws4_request, SignedHeaders=host, Signature=00"
)


def _jwt(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


def test_get_caller_identity_sigv4_header_detects_sts(client_factory: Callable[..., Any]) -> None:
    identity = client_factory("sts").get_caller_identity()
    assert identity["Account"] == "000000000000"
    assert identity["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert (
        identity["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"]
        == identity["ResponseMetadata"]["RequestId"]
    )


def test_get_caller_identity_presigned_url_detects_sts(client_factory: Callable[..., Any]) -> None:
    url = client_factory("sts", access_key="222222222222").generate_presigned_url("get_caller_identity")
    assert "X-Amz-Credential=" in url and "Authorization" not in url
    response = requests.get(url, timeout=10)
    assert response.status_code == 200
    assert "<GetCallerIdentityResponse" in response.text
    assert "<Account>222222222222</Account>" in response.text
    assert response.headers["x-amzn-RequestId"]


def test_list_queues_x_amz_target_unsigned_detects_sqs(fogbank: FogbankServer) -> None:
    response = requests.post(
        fogbank.url,
        data=b"{}",
        headers={"X-Amz-Target": "AmazonSQS.ListQueues", "Content-Type": "application/x-amz-json-1.0"},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/x-amz-json-1.0"
    assert isinstance(response.json(), dict)
    assert response.headers["x-amzn-RequestId"]


def test_assume_role_with_web_identity_unsigned_form_detects_sts(fogbank: FogbankServer) -> None:
    """AssumeRoleWithWebIdentity is called without credentials: the form `Action` names STS."""
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        _unsigned_sts(fogbank.url).assume_role_with_web_identity(
            RoleArn="arn:aws:iam::123456789012:role/no-such-role",
            RoleSessionName="session",
            WebIdentityToken=_jwt({"sub": "user-1", "iss": "https://idp.example.com", "aud": "app"}),
        )
    error = raised.value.response
    assert error["Error"]["Code"] == "AccessDenied"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert "sts:AssumeRoleWithWebIdentity" in error["Error"]["Message"]


def _unsigned_sts(url: str) -> Any:
    """An STS client that signs nothing, as SDKs do for web identity federation."""
    return boto3.client(
        "sts",
        endpoint_url=url,
        region_name="us-east-1",
        config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}),
    )


def test_assume_role_with_web_identity_unsigned_invalid_input_answers_sts_validation_error(
    fogbank: FogbankServer,
) -> None:
    response = requests.post(
        fogbank.url,
        data={
            "Action": "AssumeRoleWithWebIdentity",
            "Version": "2011-06-15",
            "RoleArn": "arn:aws:iam::000000000000:role/r",
            "RoleSessionName": "s",
            "WebIdentityToken": "token-value",
        },
        timeout=10,
    )
    assert response.status_code == 400
    assert f'<ErrorResponse xmlns="{STS_NAMESPACE}">' in response.text
    assert "<Code>ValidationError</Code>" in response.text
    assert (
        "<Message>1 validation error detected: Value 's' at 'roleSessionName' failed to satisfy "
        "constraint: Member must have length greater than or equal to 2</Message>"
    ) in response.text


@pytest.mark.parametrize(
    "host",
    [
        "lambda.us-east-1.localhost.localstack.cloud",
        "lambda.eu-west-1.amazonaws.com",
        "lambda.localhost.localstack.cloud",
    ],
)
def test_unknown_path_unsigned_by_host_name_detects_lambda(fogbank: FogbankServer, host: str) -> None:
    """Host names carry the endpoint prefix: Lambda's REST router answers (whether or not
    Lambda is implemented, the path is not one of its operations)."""
    port = fogbank.url.rpartition(":")[2]
    response = requests.get(
        f"{fogbank.url}/2015-03-31/no-such-thing", headers={"Host": f"{host}:{port}"}, timeout=10
    )
    assert response.status_code == 404
    assert response.headers["x-amzn-ErrorType"] == "UnknownOperationException"
    assert response.json() == {"message": "No operation of lambda matches GET /2015-03-31/no-such-thing"}


def test_get_caller_identity_localstack_host_with_sigv4_detects_sts(fogbank: FogbankServer) -> None:
    port = fogbank.url.rpartition(":")[2]
    response = requests.post(
        fogbank.url,
        data={"Action": "GetCallerIdentity", "Version": "2011-06-15"},
        headers={"Host": f"sts.localhost.localstack.cloud:{port}", "Authorization": SIGV4_FOR.format("sts")},
        timeout=10,
    )
    assert response.status_code == 200
    assert "<Account>000000000000</Account>" in response.text


def test_host_prefixed_request_detects_service_by_signature(fogbank: FogbankServer) -> None:
    """Operations with a modeled host prefix (`{RequestRoute}.`) are still found by their scope."""
    port = fogbank.url.rpartition(":")[2]
    response = requests.post(
        fogbank.url,
        data=b"{}",
        headers={
            "Host": f"data-123.localhost:{port}",
            "X-Amz-Target": "AmazonSQS.ListQueues",
            "Content-Type": "application/x-amz-json-1.0",
            "Authorization": SIGV4_FOR.format("sqs"),
        },
        timeout=10,
    )
    assert response.status_code == 200
    assert isinstance(response.json(), dict)


# Per protocol, services fogbank may not implement yet, in order of preference: the first one
# without a provider is used (they are being built, one after the other).
UNIMPLEMENTED_CANDIDATES = {
    "json": [("kinesis", "ListStreams"), ("firehose", "ListDeliveryStreams"), ("ecs", "ListClusters")],
    "smithy-rpc-v2-cbor": [
        ("cloudwatch", "ListMetrics"),
        ("codebuild", "ListProjects"),
        ("acm-pca", "ListCertificateAuthorities"),
    ],
    "ec2": [("ec2", "DescribeRegions")],
    "rest-json": [
        ("lambda", "ListFunctions"),
        ("apigatewayv2", "GetApis"),
        ("batch", "DescribeComputeEnvironments"),
    ],
    "rest-xml": [("route53", "ListHostedZones"), ("cloudfront", "ListDistributions")],
}


def _unimplemented_service(protocol: str) -> tuple[str, str]:
    for service, operation in UNIMPLEMENTED_CANDIDATES[protocol]:
        if not registry.is_implemented(service):
            return service, operation
    pytest.skip(f"every candidate {protocol} service is implemented")


@pytest.mark.parametrize("protocol", list(UNIMPLEMENTED_CANDIDATES))
def test_known_unimplemented_service_answers_501_naming_operation(
    client_factory: Callable[..., Any], protocol: str
) -> None:
    """Every protocol's error reaches the client: the SDK reads code, message and status."""
    service, operation = _unimplemented_service(protocol)
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        getattr(client_factory(service), xform_name(operation))()
    error = raised.value.response
    assert error["Error"]["Code"] == "NotImplemented"
    assert (
        error["Error"]["Message"]
        == f"The {operation} operation of {service} is not implemented in fogbank yet"
    )
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert error["ResponseMetadata"]["RequestId"]


def _unimplemented_operation() -> tuple[str, str, dict[str, Any]]:
    """An operation of an implemented service without a provider method, with valid input."""
    for service in ("sts", "secretsmanager", "ssm", "sns", "iam"):
        module_name, _, class_name = registry.PROVIDERS[service].partition(":")
        try:
            provider = getattr(importlib.import_module(module_name), class_name)
        except ImportError:
            continue
        model = service_model(service)
        for name in model.operation_names:
            if hasattr(provider, xform_name(name)):
                continue
            params = _required_strings(model.operation_model(name).input_shape)
            if params is not None:
                return service, name, params
    pytest.skip("every operation of the implemented services has a provider method")


def _required_strings(shape: Any) -> dict[str, Any] | None:
    params: dict[str, Any] = {}
    for name in shape.required_members if shape is not None else ():
        member = shape.members[name]
        if member.type_name != "string":
            return None
        enum = member.metadata.get("enum")
        params[name] = enum[0] if enum else "x" * max(member.metadata.get("min", 1), 8)
    return params


def test_unimplemented_operation_of_implemented_service_answers_501_naming_it(
    client_factory: Callable[..., Any],
) -> None:
    service, operation, params = _unimplemented_operation()
    client = client_factory(service)
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        getattr(client, xform_name(operation))(**params)
    error = raised.value.response
    assert error["Error"]["Code"] == "NotImplemented"
    assert (
        error["Error"]["Message"]
        == f"The {operation} operation of {service} is not implemented in fogbank yet"
    )
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 501


def test_unknown_signing_service_answers_unknown_service(fogbank: FogbankServer) -> None:
    response = requests.get(
        fogbank.url + "/", headers={"Authorization": SIGV4_FOR.format("nosuchservice")}, timeout=10
    )
    assert response.status_code == 400
    assert "<Code>UnknownService</Code>" in response.text
    assert response.headers["x-amzn-RequestId"] in response.text


def test_unknown_target_prefix_answers_unknown_service(fogbank: FogbankServer) -> None:
    response = requests.post(
        fogbank.url,
        data=b"{}",
        headers={"X-Amz-Target": "NoSuchService_20240101.DoIt", "Content-Type": "application/x-amz-json-1.1"},
        timeout=10,
    )
    assert response.status_code == 400
    assert "<Code>UnknownService</Code>" in response.text


def test_add_permission_unsigned_on_sqs_host_detects_sqs_not_sns(fogbank: FogbankServer) -> None:
    """SNS and SQS both have AddPermission: an SQS host name decides before the action does."""
    port = fogbank.url.rpartition(":")[2]
    response = requests.post(
        fogbank.url,
        data={"Action": "AddPermission", "Version": "2012-11-05"},
        headers={"Host": f"sqs.us-east-1.localhost.localstack.cloud:{port}"},
        timeout=10,
    )
    assert response.status_code == 400
    assert '<ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">' in response.text
    assert "Value null at 'queueUrl' failed to satisfy constraint: Member must not be null" in response.text


def test_create_queue_unsigned_regional_host_uses_host_region(
    fogbank: FogbankServer, client_factory: Callable[..., Any], unique_name: Callable[[str], str]
) -> None:
    """Unsigned requests take their region from a regional host name, as AWS endpoints imply."""
    port = fogbank.url.rpartition(":")[2]
    name = unique_name("q")
    response = requests.post(
        fogbank.url,
        data=json.dumps({"QueueName": name}).encode(),
        headers={
            "Host": f"sqs.eu-west-1.localhost.localstack.cloud:{port}",
            "X-Amz-Target": "AmazonSQS.CreateQueue",
            "Content-Type": "application/x-amz-json-1.0",
        },
        timeout=10,
    )
    assert response.status_code == 200, response.text
    in_region = client_factory("sqs", region="eu-west-1").list_queues(QueueNamePrefix=name)
    assert len(in_region.get("QueueUrls", [])) == 1
    elsewhere = client_factory("sqs").list_queues(QueueNamePrefix=name)
    assert elsewhere.get("QueueUrls", []) == []
