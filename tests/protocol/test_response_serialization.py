"""RESPONSE direction, over every operation in scope: our codec serializes a generated output dict
and botocore's response parser, as the client runs it, must read back exactly that dict."""

from __future__ import annotations

from typing import Any

import pytest
from botocore_oracle import botocore_parse, codec, normalized, operation_ids
from shape_samples import Sampler

from fogbank.protocol.models import service_model

CASES = operation_ids("output")
REQUEST_ID = "4a2ad8f0-3a3e-4c45-9b1b-7f3c2f6d0c11"


# Deprecated outputs with two members of one element name (`Event` and `Events`).
AMBIGUOUS = {("s3", "GetBucketNotification")}


def _expected(operation: Any, result: dict[str, Any], status: int) -> dict[str, Any]:
    """What botocore's client adds by itself: the status code member, an empty header map, and an
    empty payload when the output's payload member is absent."""
    expected = dict(result)
    shape = operation.output_shape
    if shape is None:
        return expected
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        if location == "statusCode":
            expected.setdefault(name, status)
        elif location == "headers":
            expected.setdefault(name, {})
    payload = shape.serialization.get("payload")
    if payload and payload not in expected:
        kind = shape.members[payload].type_name
        expected[payload] = {"structure": {}, "string": "", "blob": b""}.get(kind)
    return expected


def _round_trip(service: str, protocol: str, operation_name: str, result: dict[str, Any]) -> None:
    operation = service_model(service).operation_model(operation_name)
    response = codec(service, protocol).serialize(operation, result, REQUEST_ID)
    parsed = botocore_parse(protocol, operation, response)
    if (service, operation_name) not in AMBIGUOUS:
        assert normalized(parsed) == normalized(_expected(operation, result, response.status))


VARIANTS = {
    "every member": lambda shape: Sampler().full(shape),
    "required only": lambda shape: Sampler().minimal(shape),
    "special characters": lambda shape: Sampler(tricky=True).full(shape),
}


@pytest.mark.parametrize(("service", "protocol", "operation"), CASES, ids=["-".join(case) for case in CASES])
def test_serialize_botocore_reads_same_dict(service: str, protocol: str, operation: str) -> None:
    """Three variants per operation: every member filled, only required members, and strings
    and timestamps that need escaping or fractions."""
    shape = service_model(service).operation_model(operation).output_shape
    for variant, sample in VARIANTS.items():
        try:
            _round_trip(service, protocol, operation, sample(shape))
        except AssertionError as failure:
            raise AssertionError(f"{variant}: {failure}") from None
