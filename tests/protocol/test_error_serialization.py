"""ERRORS: every modeled error of every service in scope, serialized by our codec and read by
botocore as its client does (error parse, then the modeled error fields), must give the code the
client maps to the error's exception class, our message, the HTTP status and the request id."""

from __future__ import annotations

from typing import Any

import pytest
from botocore_oracle import SERVICES, botocore_parse_error, codec, normalized, parser
from shape_samples import Sampler

from fogbank.errors import AwsError
from fogbank.protocol.http import HttpRequest
from fogbank.protocol.models import service_model

REQUEST_ID = "8d2c9a44-6b0e-4f5e-9a49-0c5b1e2d3f40"
MESSAGE = 'Something <went> wrong & "badly"'
# Members every protocol writes itself; the rest are the error's own fields.
_ENVELOPE = {"message", "Message", "code", "Code", "Type", "RequestId", "requestId"}


def _fields(shape: Any) -> dict[str, Any]:
    """Values for the error's own members (body or headers)."""
    return {name: value for name, value in Sampler().full(shape).items() if name not in _ENVELOPE}


def _cases() -> list[tuple[str, str]]:
    return SERVICES


@pytest.mark.parametrize(("service", "protocol"), _cases(), ids=["-".join(case) for case in _cases()])
def test_serialize_error_every_modeled_error_botocore_reads_code_message_status(
    service: str, protocol: str
) -> None:
    model = service_model(service)
    ours = codec(service, protocol)
    request = HttpRequest("POST", "/", "", {"host": "localhost:4566"})
    for shape in model.error_shapes:
        error_meta = shape.metadata.get("error", {})
        status = int(error_meta.get("httpStatusCode", 400))
        fields = _fields(shape)
        error = AwsError(
            MESSAGE,
            code=shape.name,
            status=status,
            sender_fault=error_meta.get("senderFault", True),
            **fields,
        )
        response = ours.serialize_error(error, None, REQUEST_ID, request)
        parsed = botocore_parse_error(protocol, response, None)
        assert response.status == status
        assert parsed["Error"]["Code"] == shape.error_code, shape.name
        assert parsed["Error"]["Message"] == MESSAGE, shape.name
        assert parsed["ResponseMetadata"]["HTTPStatusCode"] == status
        assert parsed["ResponseMetadata"]["RequestId"] == REQUEST_ID, shape.name
        modeled = _modeled_fields(protocol, response, shape)
        assert {name: modeled.get(name) for name in fields} == normalized(fields), shape.name


def _modeled_fields(protocol: str, response: Any, shape: Any) -> dict[str, Any]:
    """The error's fields as botocore's endpoint adds them (`_add_modeled_error_fields`)."""
    from botocore.awsrequest import HeadersDict

    response_dict = {
        "status_code": response.status,
        "headers": HeadersDict(response.headers),
        "body": response.body,
    }
    return normalized(parser(protocol).parse(response_dict, shape))  # type: ignore[no-any-return]


@pytest.mark.parametrize(("service", "protocol"), _cases(), ids=["-".join(case) for case in _cases()])
def test_serialize_error_unmodeled_code_botocore_reads_code_message_status(
    service: str, protocol: str
) -> None:
    """Codes the model does not list (EC2 models none; generic layers raise their own)."""
    request = HttpRequest("POST", "/", "", {"host": "localhost:4566"})
    error = AwsError(MESSAGE, code="InvalidInstanceID.NotFound", status=400)
    response = codec(service, protocol).serialize_error(error, None, REQUEST_ID, request)
    parsed = botocore_parse_error(protocol, response, None)
    assert (response.status, parsed["Error"]["Code"], parsed["Error"]["Message"]) == (
        400,
        "InvalidInstanceID.NotFound",
        MESSAGE,
    )
    assert parsed["ResponseMetadata"]["RequestId"] == REQUEST_ID


@pytest.mark.parametrize(
    ("service", "protocol"), [("sqs", "json"), ("lambda", "rest-json"), ("sns", "query")]
)
def test_serialize_error_unmodeled_fields_of_any_type_still_serializes(service: str, protocol: str) -> None:
    """An error must always reach the client, whatever extra fields a provider attached."""
    request = HttpRequest("POST", "/", "", {"host": "localhost:4566"})
    error = AwsError(MESSAGE, code="SomethingOdd", Raw=b"\x00\xff", Count=3, Items=("a", "b"))
    response = codec(service, protocol).serialize_error(error, None, REQUEST_ID, request)
    parsed = botocore_parse_error(protocol, response, None)
    assert (parsed["Error"]["Code"], parsed["Error"]["Message"]) == ("SomethingOdd", MESSAGE)
