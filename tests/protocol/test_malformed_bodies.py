"""Malformed bodies at the codec level, for every body format: the parser raises the client's
`SerializationException` (never a bare exception), and the serialized error reads back in botocore
with that code and HTTP 400."""

from __future__ import annotations

import sys

import pytest
from botocore_oracle import botocore_parse_error, codec

from fogbank.errors import AwsError
from fogbank.protocol.http import HttpRequest, Payload


def _request(method: str, path: str, headers: dict[str, str], body: bytes) -> HttpRequest:
    return HttpRequest(
        method, path, "", {"host": "localhost:4566", **headers}, Payload(body, length=len(body))
    )


CASES = [
    (
        "dynamodb",
        "json",
        "ListTables",
        _request("POST", "/", {"x-amz-target": "DynamoDB_20120810.ListTables"}, b"{"),
    ),
    (
        "dynamodb",
        "json",
        "ListTables",
        _request("POST", "/", {"x-amz-target": "DynamoDB_20120810.ListTables"}, b'"x"'),
    ),
    ("lambda", "rest-json", "CreateFunction", _request("POST", "/2015-03-31/functions", {}, b"{oops")),
    (
        "lambda",
        "rest-json",
        "CreateFunction",
        _request("POST", "/2015-03-31/functions", {}, b'{"Timeout": "x"}'),
    ),
    (
        "route53",
        "rest-xml",
        "CreateHostedZone",
        _request("POST", "/2013-04-01/hostedzone", {}, b"<CreateHostedZoneRequest><Name>"),
    ),
    (
        "cloudwatch",
        "smithy-rpc-v2-cbor",
        "ListMetrics",
        _request(
            "POST",
            "/service/GraniteServiceVersion20100801/operation/ListMetrics",
            {"smithy-protocol": "rpc-v2-cbor"},
            b"\xff",
        ),
    ),
    (
        "cloudwatch",
        "smithy-rpc-v2-cbor",
        "ListMetrics",
        _request(
            "POST",
            "/service/GraniteServiceVersion20100801/operation/ListMetrics",
            {"smithy-protocol": "rpc-v2-cbor"},
            b"\x83\x01\x02\x03",
        ),
    ),
]


@pytest.mark.parametrize(
    ("service", "protocol", "operation", "request_"),
    CASES,
    ids=[
        "json-truncated",
        "json-not-object",
        "rest-json-truncated",
        "rest-json-wrong-type",
        "rest-xml-truncated",
        "cbor-garbage",
        "cbor-array",
    ],
)
def test_parse_malformed_body_raises_serialization_exception(
    service: str, protocol: str, operation: str, request_: HttpRequest
) -> None:
    ours = codec(service, protocol)
    found = ours.find_operation(request_)
    assert found.name == operation
    with pytest.raises(AwsError) as raised:
        ours.parse(found, request_)
    assert raised.value.code == "SerializationException"
    assert raised.value.status == 400
    response = ours.serialize_error(raised.value, found, "req-1", request_)
    parsed = botocore_parse_error(protocol, response, found)
    assert parsed["Error"]["Code"] == "SerializationException"
    assert parsed["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_find_operation_unknown_rest_path_raises_unknown_operation() -> None:
    ours = codec("lambda", "rest-json")
    with pytest.raises(AwsError) as raised:
        ours.find_operation(_request("GET", "/no/such/path", {}, b""))
    assert (raised.value.code, raised.value.status) == ("UnknownOperationException", 404)


def test_parse_query_bad_boolean_raises_validation_error() -> None:
    ours = codec("sns", "query")
    body = b"Action=Subscribe&Version=2010-03-31&TopicArn=arn&Protocol=sqs&ReturnSubscriptionArn=maybe"
    request = _request("POST", "/", {"content-type": "application/x-www-form-urlencoded"}, body)
    operation = ours.find_operation(request)
    with pytest.raises(AwsError) as raised:
        ours.parse(operation, request)
    assert (raised.value.code, raised.value.status, raised.value.message) == (
        "ValidationError",
        400,
        "Value (maybe) for parameter ReturnSubscriptionArn is invalid.",
    )


def test_parse_deeply_nested_document_raises_serialization_exception() -> None:
    """Recursive shapes (DynamoDB's AttributeValue) nested beyond what Python can follow."""
    depth = 400
    body = (
        '{"TableName":"t","Item":{"k":' + '{"M":{"a":' * depth + '{"S":"x"}' + "}}" * depth + "}}"
    ).encode()
    request = _request("POST", "/", {"x-amz-target": "DynamoDB_20120810.PutItem"}, body)
    ours = codec("dynamodb", "json")
    operation = ours.find_operation(request)
    # Libraries loaded by other tests (jsonata) raise the interpreter's limit; pin Python's default.
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    try:
        with pytest.raises(AwsError) as raised:
            ours.parse(operation, request)
    finally:
        sys.setrecursionlimit(previous)
    assert (raised.value.code, raised.value.message) == (
        "SerializationException",
        "The request document is nested too deeply",
    )
