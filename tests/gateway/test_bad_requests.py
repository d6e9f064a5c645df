"""Bad input over HTTP: malformed JSON, XML and CBOR bodies, wrong types, unknown operations. Each
gets the AWS error its client expects, with a request id, and the server keeps serving."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import cbor2
import pytest
import requests

from fogbank.services import registry
from fogbank.testing.server import FogbankServer

SQS_JSON = {"X-Amz-Target": "AmazonSQS.ListQueues", "Content-Type": "application/x-amz-json-1.0"}
SIGNED_STS = (
    "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00"
)


@pytest.fixture
def still_serving(client_factory: Callable[..., Any]) -> Callable[[], None]:
    """Checks, after a bad request, that a good one is answered."""

    def check() -> None:
        assert client_factory("sts").get_caller_identity()["Account"] == "000000000000"

    return check


def _post(url: str, body: bytes, headers: dict[str, str]) -> requests.Response:
    return requests.post(url, data=body, headers=headers, timeout=10)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "Unexpected character or malformed JSON in the request body"),
        (b'{"QueueNamePrefix": "\xff"}', "Unexpected character or malformed JSON in the request body"),
        (b"[1, 2]", "Start of list found where not expected"),
        (b'{"QueueNamePrefix": 5}', "NUMBER_VALUE can not be converted to a String"),
        (b'{"MaxResults": "ten"}', "STRING_VALUE can not be converted to an Integer"),
    ],
    ids=["malformed", "invalid-utf8", "list", "number-for-string", "string-for-integer"],
)
def test_list_queues_bad_json_answers_serialization_exception(
    fogbank: FogbankServer, still_serving: Callable[[], None], body: bytes, message: str
) -> None:
    response = _post(fogbank.url, body, SQS_JSON)
    assert response.status_code == 400
    assert response.headers["x-amzn-ErrorType"] == "SerializationException"
    # SQS is query-compatible: old SDKs read the code from this header.
    assert response.headers["x-amzn-query-error"] == "SerializationException;Sender"
    assert response.json() == {"__type": "com.amazonaws.sqs#SerializationException", "message": message}
    assert response.headers["x-amzn-RequestId"]
    still_serving()


def test_unknown_json_operation_answers_unknown_operation(
    fogbank: FogbankServer, still_serving: Callable[[], None]
) -> None:
    response = _post(fogbank.url, b"{}", {**SQS_JSON, "X-Amz-Target": "AmazonSQS.MakeCoffee"})
    assert response.status_code == 400
    assert response.json() == {
        "__type": "com.amazonaws.sqs#UnknownOperationException",
        "message": "Unknown operation AmazonSQS.MakeCoffee",
    }
    still_serving()


def test_unknown_query_action_answers_invalid_action(
    fogbank: FogbankServer, still_serving: Callable[[], None]
) -> None:
    response = _post(
        fogbank.url,
        b"Action=MakeCoffee&Version=2011-06-15",
        {"Content-Type": "application/x-www-form-urlencoded", "Authorization": SIGNED_STS},
    )
    assert response.status_code == 400
    assert "<Code>InvalidAction</Code>" in response.text
    assert "<Message>The action MakeCoffee is not valid for this web service.</Message>" in response.text
    assert f"<RequestId>{response.headers['x-amzn-RequestId']}</RequestId>" in response.text
    still_serving()


def test_query_wrong_number_answers_validation_error(
    fogbank: FogbankServer, still_serving: Callable[[], None]
) -> None:
    form = "Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::000000000000:role/r&RoleSessionName=ss"
    response = _post(
        fogbank.url,
        f"{form}&DurationSeconds=abc".encode(),
        {"Content-Type": "application/x-www-form-urlencoded", "Authorization": SIGNED_STS},
    )
    assert response.status_code == 400
    assert "<Code>ValidationError</Code>" in response.text
    assert "<Message>Value (abc) for parameter DurationSeconds is invalid.</Message>" in response.text
    still_serving()


def test_put_bucket_tagging_malformed_xml_answers_malformed_xml(
    fogbank: FogbankServer,
    client_factory: Callable[..., Any],
    unique_name: Callable[[str], str],
    still_serving: Callable[[], None],
) -> None:
    bucket = unique_name("xml")
    client_factory("s3").create_bucket(Bucket=bucket)
    response = requests.put(f"{fogbank.url}/{bucket}?tagging", data=b"<Tagging><TagSet>", timeout=10)
    assert response.status_code == 400
    assert "<Code>MalformedXML</Code>" in response.text
    assert (
        "<Message>The XML you provided was not well-formed or did not validate against our published schema</Message>"
        in response.text
    )
    assert response.headers["x-amz-request-id"]
    still_serving()


def test_list_metrics_garbage_cbor_answers_cbor_error(
    fogbank: FogbankServer, still_serving: Callable[[], None]
) -> None:
    """CloudWatch speaks CBOR. A garbage body gets a CBOR error: the serialization error once
    CloudWatch is implemented, its 501 until then."""
    response = _post(
        fogbank.url + "/service/GraniteServiceVersion20100801/operation/ListMetrics",
        b"\xff\x00garbage",
        {"Smithy-Protocol": "rpc-v2-cbor", "Content-Type": "application/cbor", "Accept": "application/cbor"},
    )
    assert response.headers["Smithy-Protocol"] == "rpc-v2-cbor"
    if registry.is_implemented("cloudwatch"):
        assert response.status_code == 400
        assert cbor2.loads(response.content) == {
            "__type": "com.amazonaws.monitoring#SerializationException",
            "message": "Malformed CBOR in the request body",
        }
    else:
        assert response.status_code == 501
        assert cbor2.loads(response.content) == {
            "__type": "com.amazonaws.monitoring#NotImplemented",
            "message": "The ListMetrics operation of cloudwatch is not implemented in fogbank yet",
        }
    still_serving()


def test_unknown_cbor_operation_answers_unknown_operation(
    fogbank: FogbankServer, still_serving: Callable[[], None]
) -> None:
    response = _post(
        fogbank.url + "/service/GraniteServiceVersion20100801/operation/MakeCoffee",
        cbor2.dumps({}),
        {"Smithy-Protocol": "rpc-v2-cbor", "Content-Type": "application/cbor"},
    )
    assert response.status_code == 404
    assert cbor2.loads(response.content)["__type"] == "com.amazonaws.monitoring#UnknownOperationException"
    still_serving()
