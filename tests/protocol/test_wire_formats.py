"""Exact wire forms where botocore's parsers are lenient (they read any timestamp format): the
formats AWS itself writes per protocol and location, content types, namespaces, request ids."""

from __future__ import annotations

import struct
from datetime import UTC, datetime
from typing import Any

import cbor2
import orjson
from botocore_oracle import codec

from fogbank.protocol.http import HttpResponse
from fogbank.protocol.models import service_model

MOMENT = datetime(2024, 2, 3, 4, 5, 6, 250000, tzinfo=UTC)


def _serialize(service: str, protocol: str, operation: str, result: dict[str, Any]) -> HttpResponse:
    model = service_model(service).operation_model(operation)
    return codec(service, protocol).serialize(model, result, "req-1")


def test_serialize_json_timestamp_writes_epoch_seconds() -> None:
    response = _serialize("dynamodb", "json", "DescribeTable", {"Table": {"CreationDateTime": MOMENT}})
    assert response.headers == {"content-type": "application/x-amz-json-1.0", "x-amzn-requestid": "req-1"}
    assert orjson.loads(response.body) == {"Table": {"CreationDateTime": 1706933106.25}}


def test_serialize_json_1_1_service_writes_its_content_type() -> None:
    response = _serialize("ssm", "json", "DescribeParameters", {})
    assert response.headers["content-type"] == "application/x-amz-json-1.1"


def test_serialize_rest_json_body_timestamp_writes_epoch_seconds() -> None:
    response = _serialize("apigateway", "rest-json", "GetRestApi", {"createdDate": MOMENT})
    assert orjson.loads(response.body) == {"createdDate": 1706933106.25}
    assert response.headers["content-type"] == "application/json"


def test_serialize_query_timestamp_writes_iso8601_in_namespaced_document() -> None:
    user = {"Path": "/", "UserName": "u", "UserId": "AIDA", "Arn": "arn:aws:iam::000000000000:user/u"}
    response = _serialize("iam", "query", "GetUser", {"User": {**user, "CreateDate": MOMENT}})
    assert response.headers == {"content-type": "text/xml", "x-amzn-requestid": "req-1"}
    assert response.body == (
        b'<GetUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetUserResult><User>'
        b"<Path>/</Path><UserName>u</UserName><UserId>AIDA</UserId><Arn>arn:aws:iam::000000000000:user/u</Arn>"
        b"<CreateDate>2024-02-03T04:05:06.250Z</CreateDate></User></GetUserResult>"
        b"<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetUserResponse>"
    )


def test_serialize_ec2_writes_request_id_and_flattened_items() -> None:
    response = _serialize("ec2", "ec2", "DescribeRegions", {"Regions": [{"RegionName": "us-east-1"}]})
    assert response.body == (
        b'<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>req-1</requestId>'
        b"<regionInfo><item><regionName>us-east-1</regionName></item></regionInfo></DescribeRegionsResponse>"
    )


def test_serialize_rest_xml_writes_service_namespace_and_iso8601() -> None:
    response = _serialize(
        "route53",
        "rest-xml",
        "GetChange",
        {"ChangeInfo": {"Id": "C1", "Status": "PENDING", "SubmittedAt": MOMENT}},
    )
    assert response.body == (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<GetChangeResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeInfo><Id>C1</Id>'
        b"<Status>PENDING</Status><SubmittedAt>2024-02-03T04:05:06.250Z</SubmittedAt></ChangeInfo></GetChangeResponse>"
    )


def test_serialize_header_timestamp_writes_http_date() -> None:
    response = _serialize("s3", "rest-xml", "HeadObject", {"LastModified": MOMENT, "ContentLength": 3})
    assert response.headers["last-modified"] == "Sat, 03 Feb 2024 04:05:06 GMT"
    assert response.headers["content-length"] == "3"


def test_serialize_cbor_timestamp_writes_tag_1_epoch() -> None:
    response = _serialize(
        "cloudwatch",
        "smithy-rpc-v2-cbor",
        "DescribeAlarmHistory",
        {"AlarmHistoryItems": [{"Timestamp": MOMENT}]},
    )
    assert response.headers == {
        "content-type": "application/cbor",
        "smithy-protocol": "rpc-v2-cbor",
        "x-amzn-requestid": "req-1",
    }
    # Tag 1 (epoch-based date/time) around a double, as Smithy's RPC v2 CBOR specifies.
    assert b"\xc1\xfb" + struct.pack(">d", 1706933106.25) in response.body
    assert cbor2.loads(response.body) == {"AlarmHistoryItems": [{"Timestamp": MOMENT}]}


def test_serialize_status_code_member_sets_http_status() -> None:
    response = _serialize("lambda", "rest-json", "Invoke", {"StatusCode": 202, "Payload": b"{}"})
    assert (response.status, response.body) == (202, b"{}")


def test_serialize_operation_response_code_sets_http_status() -> None:
    response = _serialize("lambda", "rest-json", "CreateFunction", {"FunctionName": "f"})
    assert response.status == 201
