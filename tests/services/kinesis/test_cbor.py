"""Kinesis over CBOR as the AWS SDK for Java sends it: `application/x-amz-cbor-1.1` bodies with blobs
as byte strings and timestamps as tag 1 epoch milliseconds, answers and errors in CBOR."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import cbor2

from fogbank.testing.server import FogbankServer

CONTENT_TYPE = "application/x-amz-cbor-1.1"


def cbor_call(server: FogbankServer, operation: str, body: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    request = urllib.request.Request(
        server.url + "/",
        data=cbor2.dumps(body),
        method="POST",
        headers={
            "Content-Type": CONTENT_TYPE,
            "X-Amz-Target": f"Kinesis_20131202.{operation}",
            "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/kinesis/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=0000",
            "X-Amz-Date": "20260101T000000Z",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return (
                response.status,
                {k.lower(): v for k, v in response.headers.items()},
                cbor2.loads(response.read(), semantic_decoders={1: _raw_tag}),
            )
    except urllib.error.HTTPError as failure:
        return failure.code, {k.lower(): v for k, v in failure.headers.items()}, cbor2.loads(failure.read())


def _raw_tag(first: Any, *_: Any) -> Any:
    return ("tag1", first.decode() if isinstance(first, cbor2.CBORDecoder) else first)


def test_put_record_and_get_records_in_cbor(
    fogbank: FogbankServer, kinesis: Any, make_stream: Callable[..., str]
) -> None:
    name = make_stream()
    status, headers, put = cbor_call(
        fogbank, "PutRecord", {"StreamName": name, "Data": b"\x00\xffbinary", "PartitionKey": "pk"}
    )
    assert status == 200 and headers["content-type"] == CONTENT_TYPE
    assert put["ShardId"] == "shardId-000000000000" and len(put["SequenceNumber"]) == 56
    _, _, started = cbor_call(
        fogbank,
        "GetShardIterator",
        {"StreamName": name, "ShardId": put["ShardId"], "ShardIteratorType": "TRIM_HORIZON"},
    )
    _, _, page = cbor_call(fogbank, "GetRecords", {"ShardIterator": started["ShardIterator"]})
    record = page["Records"][0]
    assert (record["Data"], record["PartitionKey"], record["SequenceNumber"]) == (
        b"\x00\xffbinary",
        "pk",
        put["SequenceNumber"],
    )
    tag, millis = record["ApproximateArrivalTimestamp"]
    assert tag == "tag1" and isinstance(millis, int) and millis > 1_600_000_000_000
    json_view = kinesis.get_records(
        ShardIterator=kinesis.get_shard_iterator(
            StreamName=name, ShardId=put["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
    )["Records"][0]
    assert int(json_view["ApproximateArrivalTimestamp"].timestamp() * 1000) == millis


def test_get_shard_iterator_at_timestamp_reads_cbor_epoch_millis(
    fogbank: FogbankServer, kinesis: Any, make_stream: Callable[..., str]
) -> None:
    name = make_stream()
    kinesis.put_record(StreamName=name, Data=b"first", PartitionKey="pk")
    fogbank.advance_clock("PT1M")
    second = kinesis.put_record(StreamName=name, Data=b"second", PartitionKey="pk")
    started = kinesis.get_shard_iterator(
        StreamName=name,
        ShardId="shardId-000000000000",
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        StartingSequenceNumber=second["SequenceNumber"],
    )
    arrival = kinesis.get_records(ShardIterator=started["ShardIterator"])["Records"][0][
        "ApproximateArrivalTimestamp"
    ]
    body = {
        "StreamName": name,
        "ShardId": "shardId-000000000000",
        "ShardIteratorType": "AT_TIMESTAMP",
        "Timestamp": cbor2.CBORTag(1, int(arrival.timestamp() * 1000)),
    }
    status, _, answer = cbor_call(fogbank, "GetShardIterator", body)
    assert status == 200
    _, _, page = cbor_call(fogbank, "GetRecords", {"ShardIterator": answer["ShardIterator"]})
    assert [r["Data"] for r in page["Records"]] == [b"second"]


def test_cbor_error_answers_in_cbor(fogbank: FogbankServer) -> None:
    status, headers, error = cbor_call(fogbank, "DescribeStream", {"StreamName": "no-such-cbor-stream"})
    assert (status, headers["content-type"]) == (400, CONTENT_TYPE)
    assert error == {
        "__type": "com.amazonaws.kinesis#ResourceNotFoundException",
        "message": "Stream no-such-cbor-stream under account 000000000000 not found.",
    }
    assert headers["x-amzn-errortype"] == "ResourceNotFoundException"


def test_malformed_cbor_is_serialization_exception(fogbank: FogbankServer) -> None:
    request = urllib.request.Request(
        fogbank.url + "/",
        data=b"\xff\xff\x00",
        method="POST",
        headers={
            "Content-Type": CONTENT_TYPE,
            "X-Amz-Target": "Kinesis_20131202.ListStreams",
            "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/kinesis/aws4_request, "
            "SignedHeaders=host, Signature=0000",
        },
    )
    try:
        urllib.request.urlopen(request, timeout=10)
        raise AssertionError("expected an error")
    except urllib.error.HTTPError as failure:
        assert failure.code == 400
        assert cbor2.loads(failure.read())["__type"].endswith("#SerializationException")
