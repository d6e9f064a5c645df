"""Shard throughput limits, emulated when FOGBANK_KINESIS_THROUGHPUT_LIMITS=1: PutRecords partial
failures, PutRecord and GetRecords throttling, limits renewed each second of fogbank's clock."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from fogbank.testing.server import FogbankServer

RATE = "Rate exceeded for shard shardId-000000000000 in stream limited under account 000000000000."


@pytest.fixture(scope="module")
def server() -> Iterator[FogbankServer]:
    limited = FogbankServer(env={"FOGBANK_KINESIS_THROUGHPUT_LIMITS": "1"}).start()
    yield limited
    limited.stop()


@pytest.fixture
def kinesis(server: FogbankServer) -> Any:
    client = boto3.client(
        "kinesis",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"total_max_attempts": 1}),  # no retry of throttling
    )
    assert server.call("POST", "/_fogbank/reset", b"{}")[0] == 200
    client.create_stream(StreamName="limited", ShardCount=1)
    return client


def test_put_records_over_shard_write_limit_fails_some_records(kinesis: Any) -> None:
    entries = [{"Data": b"x" * 8999, "PartitionKey": "k"}] * 500  # 9,000 bytes each: 116 fit in 1 MiB
    answer = kinesis.put_records(StreamName="limited", Records=entries)
    failed = [r for r in answer["Records"] if "ErrorCode" in r]
    assert answer["FailedRecordCount"] == len(failed) >= 500 - 2 * 116  # even if a second ends meanwhile
    assert failed[0] == {"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": RATE}
    assert all("SequenceNumber" in r for r in answer["Records"][:116])
    throttled = []
    for _ in range(3):  # writing over 1 MiB again exceeds the limit in whichever second it lands
        try:
            kinesis.put_records(StreamName="limited", Records=entries[:117])
            kinesis.put_record(StreamName="limited", Data=b"x" * 9000, PartitionKey="k")
        except kinesis.exceptions.ProvisionedThroughputExceededException as error:
            throttled.append(
                (error.response["Error"]["Message"], error.response["ResponseMetadata"]["HTTPStatusCode"])
            )
    assert throttled and throttled[0] == (RATE, 400)


def test_get_records_over_five_calls_per_second_is_throttled(kinesis: Any) -> None:
    iterator = kinesis.get_shard_iterator(
        StreamName="limited", ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    codes = []
    for _ in range(12):  # more than 5 calls fall in one second of the clock, whatever its phase
        try:
            iterator = kinesis.get_records(ShardIterator=iterator)["NextShardIterator"]
        except kinesis.exceptions.ProvisionedThroughputExceededException as error:
            codes.append(
                (error.response["Error"]["Message"], error.response["ResponseMetadata"]["HTTPStatusCode"])
            )
    assert codes and codes[0] == (RATE, 400)
