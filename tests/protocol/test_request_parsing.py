"""REQUEST direction, over every operation in scope: botocore's client serializer builds the HTTP
request for generated parameters; our codec must find the same operation and parse back exactly
those parameters (timestamps compared as instants, blobs as bytes)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore_oracle import botocore_request, codec, greedy_labels, normalized, operation_ids
from shape_samples import Sampler

from fogbank.protocol.models import service_model

CASES = operation_ids("input")

# Operations whose requests are identical on the wire to another's: the router picks the current
# one (deprecated S3 operations; ListDirectoryBuckets is told apart only by its query parameters).
SAME_WIRE = {
    ("s3", "GetBucketLifecycle"): "GetBucketLifecycleConfiguration",
    ("s3", "PutBucketLifecycle"): "PutBucketLifecycleConfiguration",
    ("s3", "GetBucketNotification"): "GetBucketNotificationConfiguration",
    ("s3", "PutBucketNotification"): "PutBucketNotificationConfiguration",
    ("s3", "ListDirectoryBuckets"): "ListBuckets",
}

DEPRECATED_AMBIGUOUS = {("s3", "PutBucketNotification")}


def _expected(operation: Any, params: dict[str, Any], request: Any) -> dict[str, Any]:
    """What a server sees beyond the parameters: the `Content-Length` and `Content-Type` headers
    botocore sends by itself, and a streaming payload (maybe empty) that providers read."""
    expected = dict(params)
    shape = operation.input_shape
    if shape is None:
        return expected
    for name, member in shape.members.items():
        wire = member.serialization.get("name", "")
        if member.serialization.get("location") != "header":
            continue
        if wire.lower() == "content-length":
            expected.setdefault(name, int(request.headers["content-length"]))
        elif wire.lower() == "content-type" and "content-type" in request.headers:
            expected.setdefault(name, request.headers["content-type"])
    payload = shape.serialization.get("payload")
    if payload and shape.members[payload].metadata.get("streaming"):
        expected.setdefault(payload, b"")
    return expected


def _with_greedy_paths(operation: Any, params: dict[str, Any]) -> dict[str, Any]:
    """Greedy URI labels (S3's `{Key+}`) get a value with slashes, as object keys have."""
    shape = operation.input_shape
    for name in greedy_labels(operation):
        for member_name, member in shape.members.items():
            if member.serialization.get("name", member_name) == name and member_name in params:
                params[member_name] = f"dir/sub dir/{params[member_name]}"
    return params


def _round_trip(service: str, protocol: str, operation_name: str, params: dict[str, Any]) -> None:
    model = service_model(service)
    operation = model.operation_model(operation_name)
    params = _with_greedy_paths(operation, params)
    request = botocore_request(protocol, operation, params)
    ours = codec(service, protocol)
    found = ours.find_operation(request)
    if found.name != operation_name:
        assert found.name == SAME_WIRE.get((service, operation_name))
    parsed = ours.parse(operation, request)
    if (service, operation_name) in DEPRECATED_AMBIGUOUS:
        return  # members sharing one element name cannot round-trip (`Event` and `Events`)
    assert normalized(parsed) == normalized(_expected(operation, params, request))


VARIANTS = {
    "every member": lambda shape: Sampler().full(shape),
    "required only": lambda shape: Sampler().minimal(shape),
    "special characters": lambda shape: Sampler(tricky=True).full(shape),
}


@pytest.mark.parametrize(("service", "protocol", "operation"), CASES, ids=["-".join(case) for case in CASES])
def test_parse_botocore_request_returns_same_operation_and_params(
    service: str, protocol: str, operation: str
) -> None:
    """Three variants per operation: every member filled, only required members, and strings
    and timestamps that need escaping or fractions."""
    shape = service_model(service).operation_model(operation).input_shape
    for variant, sample in VARIANTS.items():
        try:
            _round_trip(service, protocol, operation, sample(shape))
        except AssertionError as failure:
            raise AssertionError(f"{variant}: {failure}") from None
