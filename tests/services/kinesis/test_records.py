"""Records: PutRecord/PutRecords routing and limits, every shard iterator type, GetRecords batches,
MillisBehindLatest, iterator expiry and retention, all on fogbank's clock."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aws_errors import error_of

from fogbank.testing.server import FogbankServer

ACCOUNT = "000000000000"


def shard_for(partition_key: str, shards: int) -> str:
    value = int.from_bytes(hashlib.md5(partition_key.encode()).digest(), "big")
    width = 2**128 // shards
    return f"shardId-{min(value // width, shards - 1):012d}"


def iterator(
    kinesis: Any, name: str, shard: str = "shardId-000000000000", kind: str = "TRIM_HORIZON", **extra: Any
) -> str:
    return str(
        kinesis.get_shard_iterator(StreamName=name, ShardId=shard, ShardIteratorType=kind, **extra)[
            "ShardIterator"
        ]
    )


def test_put_record_routes_by_md5_of_partition_key(kinesis: Any, make_stream: Callable[..., str]) -> None:
    name = make_stream(4)
    for key in ("alpha", "beta", "gamma", "delta", "epsilon"):
        put = kinesis.put_record(StreamName=name, Data=key.encode(), PartitionKey=key)
        assert put["ShardId"] == shard_for(key, 4)
        assert len(put["SequenceNumber"]) == 56 and put["SequenceNumber"].isdigit()
        assert "EncryptionType" not in put


def test_put_record_sequence_numbers_increase_within_shard(
    kinesis: Any, make_stream: Callable[..., str]
) -> None:
    name = make_stream()
    numbers = [
        kinesis.put_record(StreamName=name, Data=b"x", PartitionKey="k")["SequenceNumber"] for _ in range(5)
    ]
    assert [int(n) for n in numbers] == sorted(int(n) for n in numbers)
    assert len(set(numbers)) == 5


def test_put_record_explicit_hash_key_chooses_shard(kinesis: Any, make_stream: Callable[..., str]) -> None:
    name = make_stream(2)
    high = kinesis.put_record(StreamName=name, Data=b"x", PartitionKey="k", ExplicitHashKey=str(2**128 - 1))
    low = kinesis.put_record(StreamName=name, Data=b"x", PartitionKey="k", ExplicitHashKey="0")
    assert (low["ShardId"], high["ShardId"]) == ("shardId-000000000000", "shardId-000000000001")


def test_put_record_explicit_hash_key_out_of_range_is_invalid(
    kinesis: Any, make_stream: Callable[..., str]
) -> None:
    name = make_stream()
    value = str(2**128)
    assert error_of(
        lambda: kinesis.put_record(StreamName=name, Data=b"x", PartitionKey="k", ExplicitHashKey=value)
    ) == (
        "InvalidArgumentException",
        f"Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was {value}",
        400,
    )


def test_put_record_data_over_one_mib_is_validation_error(
    kinesis: Any, make_stream: Callable[..., str]
) -> None:
    name = make_stream()
    assert error_of(
        lambda: kinesis.put_record(StreamName=name, Data=b"x" * (1024 * 1024 + 1), PartitionKey="k")
    ) == (
        "ValidationException",
        "1 validation error detected: Value at 'data' failed to satisfy constraint: Member must have length "
        "less than or equal to 1048576",
        400,
    )
    kinesis.put_record(StreamName=name, Data=b"x" * (1024 * 1024), PartitionKey="k")


def test_put_record_partition_key_length_limits(kinesis: Any, make_stream: Callable[..., str]) -> None:
    name = make_stream()
    code, message, status = error_of(
        lambda: kinesis.put_record(StreamName=name, Data=b"x", PartitionKey="k" * 257)
    )
    assert (code, status) == ("ValidationException", 400)
    assert "partitionKey" in message or "PartitionKey" in message
    kinesis.put_record(StreamName=name, Data=b"x", PartitionKey="k" * 256)


def test_put_record_missing_stream_is_not_found(kinesis: Any) -> None:
    assert error_of(lambda: kinesis.put_record(StreamName="missing-x", Data=b"x", PartitionKey="k")) == (
        "ResourceNotFoundException",
        f"Stream missing-x under account {ACCOUNT} not found.",
        400,
    )


def test_put_records_answers_each_record_in_order(kinesis: Any, make_stream: Callable[..., str]) -> None:
    name = make_stream(3)
    keys = [f"key-{i}" for i in range(20)]
    answer = kinesis.put_records(
        StreamName=name, Records=[{"Data": k.encode(), "PartitionKey": k} for k in keys]
    )
    assert answer["FailedRecordCount"] == 0
    assert [r["ShardId"] for r in answer["Records"]] == [shard_for(k, 3) for k in keys]
    seen: list[bytes] = []
    for shard in ("shardId-000000000000", "shardId-000000000001", "shardId-000000000002"):
        seen += [
            r["Data"] for r in kinesis.get_records(ShardIterator=iterator(kinesis, name, shard))["Records"]
        ]
    assert sorted(seen) == sorted(k.encode() for k in keys)


def test_put_records_over_500_is_validation_error(kinesis: Any, make_stream: Callable[..., str]) -> None:
    name = make_stream()
    entries = [{"Data": b"x", "PartitionKey": "k"}] * 501
    code, message, status = error_of(lambda: kinesis.put_records(StreamName=name, Records=entries))
    assert (code, status) == ("ValidationException", 400)
    assert "500" in message


def test_put_records_over_five_mib_is_refused_whole(kinesis: Any, make_stream: Callable[..., str]) -> None:
    name = make_stream()
    entries = [{"Data": b"x" * (1024 * 1024), "PartitionKey": "k"}] * 5 + [
        {"Data": b"y", "PartitionKey": "k"}
    ]
    assert error_of(lambda: kinesis.put_records(StreamName=name, Records=entries)) == (
        "InvalidArgumentException",
        "Records size exceeds 5 MB limit",
        400,
    )
    assert kinesis.get_records(ShardIterator=iterator(kinesis, name))["Records"] == []


def test_get_records_returns_data_arrival_and_next_iterator(
    kinesis: Any, make_stream: Callable[..., str]
) -> None:
    name = make_stream()
    puts = [kinesis.put_record(StreamName=name, Data=f"r{i}".encode(), PartitionKey="pk") for i in range(5)]
    first = kinesis.get_records(ShardIterator=iterator(kinesis, name), Limit=3)
    assert [r["Data"] for r in first["Records"]] == [b"r0", b"r1", b"r2"]
    assert [r["SequenceNumber"] for r in first["Records"]] == [p["SequenceNumber"] for p in puts[:3]]
    assert first["Records"][0]["PartitionKey"] == "pk"
    assert isinstance(first["Records"][0]["ApproximateArrivalTimestamp"], datetime)
    rest = kinesis.get_records(ShardIterator=first["NextShardIterator"])
    assert [r["Data"] for r in rest["Records"]] == [b"r3", b"r4"]
    assert rest["MillisBehindLatest"] == 0
    empty = kinesis.get_records(ShardIterator=rest["NextShardIterator"])
    assert empty["Records"] == [] and empty["NextShardIterator"]
    kinesis.put_record(StreamName=name, Data=b"later", PartitionKey="pk")
    assert [r["Data"] for r in kinesis.get_records(ShardIterator=empty["NextShardIterator"])["Records"]] == [
        b"later"
    ]


def test_get_shard_iterator_sequence_number_types(kinesis: Any, make_stream: Callable[..., str]) -> None:
    name = make_stream()
    puts = [kinesis.put_record(StreamName=name, Data=f"r{i}".encode(), PartitionKey="pk") for i in range(3)]
    middle = puts[1]["SequenceNumber"]
    at = iterator(kinesis, name, kind="AT_SEQUENCE_NUMBER", StartingSequenceNumber=middle)
    after = iterator(kinesis, name, kind="AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=middle)
    assert [r["Data"] for r in kinesis.get_records(ShardIterator=at)["Records"]] == [b"r1", b"r2"]
    assert [r["Data"] for r in kinesis.get_records(ShardIterator=after)["Records"]] == [b"r2"]


def test_get_shard_iterator_latest_skips_existing_records(
    kinesis: Any, make_stream: Callable[..., str]
) -> None:
    name = make_stream()
    kinesis.put_record(StreamName=name, Data=b"old", PartitionKey="pk")
    latest = iterator(kinesis, name, kind="LATEST")
    kinesis.put_record(StreamName=name, Data=b"new", PartitionKey="pk")
    assert [r["Data"] for r in kinesis.get_records(ShardIterator=latest)["Records"]] == [b"new"]


def test_get_shard_iterator_at_timestamp_starts_at_first_later_record(
    kinesis: Any, make_stream: Callable[..., str], fogbank: FogbankServer
) -> None:
    name = make_stream()
    kinesis.put_record(StreamName=name, Data=b"before", PartitionKey="pk")
    fogbank.advance_clock("PT1M")
    kinesis.put_record(StreamName=name, Data=b"after", PartitionKey="pk")
    records = kinesis.get_records(ShardIterator=iterator(kinesis, name))["Records"]
    cut = records[1]["ApproximateArrivalTimestamp"]
    at = iterator(kinesis, name, kind="AT_TIMESTAMP", Timestamp=cut)
    assert [r["Data"] for r in kinesis.get_records(ShardIterator=at)["Records"]] == [b"after"]
    code, message, _ = error_of(lambda: iterator(kinesis, name, kind="AT_TIMESTAMP"))
    assert code == "InvalidArgumentException" and "AT_TIMESTAMP" in message


def test_get_shard_iterator_sequence_number_of_other_shard_is_invalid(
    kinesis: Any, make_stream: Callable[..., str]
) -> None:
    name = make_stream(2)
    put = kinesis.put_record(StreamName=name, Data=b"x", PartitionKey="k", ExplicitHashKey="0")
    other = "shardId-000000000001"
    assert error_of(
        lambda: iterator(
            kinesis, name, other, "AT_SEQUENCE_NUMBER", StartingSequenceNumber=put["SequenceNumber"]
        )
    ) == (
        "InvalidArgumentException",
        "Invalid StartingSequenceNumber. It encodes shardId-000000000000, while it was used in a call to a shard "
        "with shardId-000000000001",
        400,
    )


def test_get_shard_iterator_unknown_shard_is_not_found(kinesis: Any, make_stream: Callable[..., str]) -> None:
    name = make_stream()
    assert error_of(lambda: iterator(kinesis, name, "shardId-000000000009")) == (
        "ResourceNotFoundException",
        f"Shard shardId-000000000009 in stream {name} under account {ACCOUNT} does not exist",
        400,
    )


def test_get_records_invalid_iterator_is_invalid_argument(kinesis: Any) -> None:
    assert error_of(lambda: kinesis.get_records(ShardIterator="bm90IGFuIGl0ZXJhdG9y")) == (
        "InvalidArgumentException",
        "Invalid ShardIterator.",
        400,
    )


def test_get_records_iterator_older_than_five_minutes_expires(
    kinesis: Any, make_stream: Callable[..., str], fogbank: FogbankServer
) -> None:
    name = make_stream()
    fresh = iterator(kinesis, name)
    fogbank.advance_clock("PT4M")
    assert kinesis.get_records(ShardIterator=fresh)["Records"] == []
    fogbank.advance_clock("PT1M1S")
    code, message, status = error_of(lambda: kinesis.get_records(ShardIterator=fresh))
    assert (code, status) == ("ExpiredIteratorException", 400)
    assert message.startswith("Iterator expired. The iterator was created at time ")
    assert message.endswith("which is further in the future than the tolerated delay of 300000 milliseconds.")


def test_get_records_millis_behind_latest_counts_unread_age(
    kinesis: Any, make_stream: Callable[..., str], fogbank: FogbankServer
) -> None:
    name = make_stream()
    kinesis.put_record(StreamName=name, Data=b"a", PartitionKey="pk")
    kinesis.put_record(StreamName=name, Data=b"b", PartitionKey="pk")
    start = iterator(kinesis, name)
    fogbank.advance_clock("PT2M")
    first = kinesis.get_records(ShardIterator=start, Limit=1)
    assert 120_000 <= first["MillisBehindLatest"] < 130_000
    assert kinesis.get_records(ShardIterator=first["NextShardIterator"])["MillisBehindLatest"] == 0


def test_records_readable_until_retention_passes(
    kinesis: Any, make_stream: Callable[..., str], fogbank: FogbankServer
) -> None:
    name = make_stream()
    put = kinesis.put_record(StreamName=name, Data=b"kept a day", PartitionKey="pk")
    fogbank.advance_clock("PT23H59M")
    at = iterator(kinesis, name, kind="AT_SEQUENCE_NUMBER", StartingSequenceNumber=put["SequenceNumber"])
    assert [r["Data"] for r in kinesis.get_records(ShardIterator=at)["Records"]] == [b"kept a day"]
    fogbank.advance_clock("PT2M")
    at = iterator(kinesis, name, kind="AT_SEQUENCE_NUMBER", StartingSequenceNumber=put["SequenceNumber"])
    assert kinesis.get_records(ShardIterator=at)["Records"] == []
    assert kinesis.get_records(ShardIterator=iterator(kinesis, name))["Records"] == []


def test_records_kept_longer_after_retention_increase(
    kinesis: Any, make_stream: Callable[..., str], fogbank: FogbankServer
) -> None:
    name = make_stream()
    kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=48)
    kinesis.put_record(StreamName=name, Data=b"two days", PartitionKey="pk")
    fogbank.advance_clock("PT30H")
    assert [r["Data"] for r in kinesis.get_records(ShardIterator=iterator(kinesis, name))["Records"]] == [
        b"two days"
    ]
    kinesis.decrease_stream_retention_period(StreamName=name, RetentionPeriodHours=24)
    assert kinesis.get_records(ShardIterator=iterator(kinesis, name))["Records"] == []


def test_put_record_by_stream_arn(kinesis: Any, make_stream: Callable[..., str]) -> None:
    name = make_stream()
    arn = f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/{name}"
    put = kinesis.put_record(StreamARN=arn, Data=b"via arn", PartitionKey="pk")
    start = kinesis.get_shard_iterator(
        StreamARN=arn, ShardId=put["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )
    assert (
        kinesis.get_records(ShardIterator=start["ShardIterator"], StreamARN=arn)["Records"][0]["Data"]
        == b"via arn"
    )


def test_put_record_sequence_number_for_ordering_is_exceeded(
    kinesis: Any, make_stream: Callable[..., str]
) -> None:
    name = make_stream()
    first = kinesis.put_record(StreamName=name, Data=b"1", PartitionKey="pk")
    second = kinesis.put_record(
        StreamName=name, Data=b"2", PartitionKey="pk", SequenceNumberForOrdering=first["SequenceNumber"]
    )
    assert int(second["SequenceNumber"]) > int(first["SequenceNumber"])


def test_get_shard_iterator_trim_horizon_with_sequence_number_is_invalid(
    kinesis: Any, make_stream: Callable[..., str]
) -> None:
    name = make_stream()
    put = kinesis.put_record(StreamName=name, Data=b"x", PartitionKey="k")
    assert error_of(
        lambda: iterator(kinesis, name, kind="TRIM_HORIZON", StartingSequenceNumber=put["SequenceNumber"])
    ) == (
        "InvalidArgumentException",
        "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or "
        "(2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified TRIM_HORIZON and also a "
        "StartingSequenceNumber.",
        400,
    )
    assert error_of(lambda: iterator(kinesis, name, kind="AT_SEQUENCE_NUMBER"))[1].endswith(
        "Request specified AT_SEQUENCE_NUMBER and no StartingSequenceNumber."
    )
