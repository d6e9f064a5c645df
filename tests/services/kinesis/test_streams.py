"""Streams: create (provisioned, on-demand), describe, list, delete, retention, encryption,
enhanced monitoring, tags and consumers, addressed by name or ARN."""

from __future__ import annotations

import base64
import random
import re
from collections.abc import Callable
from typing import Any

from aws_errors import error_of

ACCOUNT = "000000000000"
HASH_MAX = 2**128 - 1


def test_create_stream_provisioned_splits_hash_space_evenly(
    kinesis: Any, make_stream: Callable[..., str]
) -> None:
    name = make_stream(3)
    kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.01})
    description = kinesis.describe_stream(StreamName=name)["StreamDescription"]
    width = 2**128 // 3
    assert [s["HashKeyRange"] for s in description["Shards"]] == [
        {"StartingHashKey": "0", "EndingHashKey": str(width - 1)},
        {"StartingHashKey": str(width), "EndingHashKey": str(2 * width - 1)},
        {"StartingHashKey": str(2 * width), "EndingHashKey": str(HASH_MAX)},
    ]
    assert [s["ShardId"] for s in description["Shards"]] == [f"shardId-00000000000{i}" for i in range(3)]
    for shard in description["Shards"]:
        start = shard["SequenceNumberRange"]["StartingSequenceNumber"]
        assert len(start) == 56 and start.isdigit()
        assert "EndingSequenceNumber" not in shard["SequenceNumberRange"]
    assert description["StreamARN"] == f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/{name}"
    assert (description["StreamStatus"], description["RetentionPeriodHours"]) == ("ACTIVE", 24)
    assert description["StreamModeDetails"] == {"StreamMode": "PROVISIONED"}
    assert (description["EncryptionType"], description["HasMoreShards"]) == ("NONE", False)


def test_create_stream_on_demand_starts_with_four_shards(
    kinesis: Any, make_stream: Callable[..., str]
) -> None:
    name = make_stream(on_demand=True)
    summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert summary["StreamModeDetails"] == {"StreamMode": "ON_DEMAND"}
    assert (summary["OpenShardCount"], summary["ConsumerCount"]) == (4, 0)


def test_create_stream_existing_name_is_resource_in_use(
    kinesis: Any, make_stream: Callable[..., str]
) -> None:
    name = make_stream()
    assert error_of(lambda: kinesis.create_stream(StreamName=name, ShardCount=1)) == (
        "ResourceInUseException",
        f"Stream {name} under account {ACCOUNT} already exists.",
        400,
    )


def test_describe_stream_missing_is_resource_not_found(kinesis: Any) -> None:
    assert error_of(lambda: kinesis.describe_stream(StreamName="nope-nothing")) == (
        "ResourceNotFoundException",
        f"Stream nope-nothing under account {ACCOUNT} not found.",
        400,
    )


def test_describe_stream_summary_by_arn_matches_by_name(
    kinesis: Any, make_stream: Callable[..., str]
) -> None:
    name = make_stream(2)
    arn = f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/{name}"
    by_arn = kinesis.describe_stream_summary(StreamARN=arn)["StreamDescriptionSummary"]
    by_name = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert by_arn == by_name
    assert by_arn["OpenShardCount"] == 2


def test_describe_stream_limit_pages_shards(kinesis: Any, make_stream: Callable[..., str]) -> None:
    name = make_stream(3)
    first = kinesis.describe_stream(StreamName=name, Limit=2)["StreamDescription"]
    assert [s["ShardId"] for s in first["Shards"]] == ["shardId-000000000000", "shardId-000000000001"]
    assert first["HasMoreShards"] is True
    rest = kinesis.describe_stream(StreamName=name, ExclusiveStartShardId="shardId-000000000001")
    assert [s["ShardId"] for s in rest["StreamDescription"]["Shards"]] == ["shardId-000000000002"]


def test_list_streams_pages_with_next_token_and_summaries(client_factory: Callable[..., Any]) -> None:
    kinesis = client_factory("kinesis", access_key=f"{random.randrange(10**11, 10**12)}")
    for name in ("c", "a", "b"):
        kinesis.create_stream(StreamName=name, ShardCount=1)
    first = kinesis.list_streams(Limit=2)
    assert (first["StreamNames"], first["HasMoreStreams"]) == (["a", "b"], True)
    assert [s["StreamName"] for s in first["StreamSummaries"]] == ["a", "b"]
    assert first["StreamSummaries"][0]["StreamStatus"] == "ACTIVE"
    second = kinesis.list_streams(NextToken=first["NextToken"])
    assert (second["StreamNames"], second["HasMoreStreams"]) == (["c"], False)
    assert "NextToken" not in second
    assert kinesis.list_streams(ExclusiveStartStreamName="a")["StreamNames"] == ["b", "c"]


def test_delete_stream_then_describe_is_not_found(kinesis: Any, make_stream: Callable[..., str]) -> None:
    name = make_stream()
    kinesis.put_record(StreamName=name, Data=b"x", PartitionKey="k")
    kinesis.delete_stream(StreamName=name)
    kinesis.get_waiter("stream_not_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.01})
    assert error_of(lambda: kinesis.describe_stream(StreamName=name))[0] == "ResourceNotFoundException"
    kinesis.create_stream(StreamName=name, ShardCount=1)
    iterator = kinesis.get_shard_iterator(
        StreamName=name, ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    assert kinesis.get_records(ShardIterator=iterator)["Records"] == []


def test_increase_and_decrease_retention_period_change_it(
    kinesis: Any, make_stream: Callable[..., str]
) -> None:
    name = make_stream()
    kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=48)
    assert (
        kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["RetentionPeriodHours"]
        == 48
    )
    kinesis.decrease_stream_retention_period(StreamName=name, RetentionPeriodHours=30)
    assert (
        kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["RetentionPeriodHours"]
        == 30
    )


def test_retention_period_outside_limits_is_invalid_argument(
    kinesis: Any, make_stream: Callable[..., str]
) -> None:
    name = make_stream()
    assert error_of(
        lambda: kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=9000)
    ) == (
        "InvalidArgumentException",
        "Maximum allowed retention period is 8760 hours. Requested retention period (9000 hours) is too long.",
        400,
    )
    assert error_of(
        lambda: kinesis.decrease_stream_retention_period(StreamName=name, RetentionPeriodHours=12)
    ) == (
        "InvalidArgumentException",
        "Minimum allowed retention period is 24 hours. Requested retention period (12 hours) is too short.",
        400,
    )
    kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=72)
    code, message, _ = error_of(
        lambda: kinesis.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=48)
    )
    assert code == "InvalidArgumentException"
    assert message == (
        f"Requested retention period (48 hours) for stream {name} can not be shorter than existing retention "
        "period (72 hours). Use DecreaseRetentionPeriod API."
    )


def test_start_and_stop_stream_encryption_report_kms_on_records(
    kinesis: Any, make_stream: Callable[..., str]
) -> None:
    name = make_stream()
    kinesis.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId="alias/aws/kinesis")
    summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert (summary["EncryptionType"], summary["KeyId"]) == ("KMS", "alias/aws/kinesis")
    put = kinesis.put_record(StreamName=name, Data=b"secret", PartitionKey="k")
    assert put["EncryptionType"] == "KMS"
    iterator = kinesis.get_shard_iterator(
        StreamName=name, ShardId=put["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    assert kinesis.get_records(ShardIterator=iterator)["Records"][0]["EncryptionType"] == "KMS"
    kinesis.stop_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId="alias/aws/kinesis")
    summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert summary["EncryptionType"] == "NONE" and "KeyId" not in summary


def test_enable_enhanced_monitoring_all_expands_metrics(
    kinesis: Any, make_stream: Callable[..., str]
) -> None:
    name = make_stream()
    enabled = kinesis.enable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["IncomingBytes"])
    assert (enabled["CurrentShardLevelMetrics"], enabled["DesiredShardLevelMetrics"]) == (
        [],
        ["IncomingBytes"],
    )
    everything = kinesis.enable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["ALL"])
    assert len(everything["DesiredShardLevelMetrics"]) == 7
    disabled = kinesis.disable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["ALL"])
    assert disabled["DesiredShardLevelMetrics"] == []
    summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert summary["EnhancedMonitoring"] == [{"ShardLevelMetrics": []}]


def test_add_list_remove_tags_for_stream(kinesis: Any, make_stream: Callable[..., str]) -> None:
    name = make_stream()
    kinesis.add_tags_to_stream(StreamName=name, Tags={"b": "2", "a": "1", "c": "3"})
    page = kinesis.list_tags_for_stream(StreamName=name, Limit=2)
    assert page["Tags"] == [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]
    assert page["HasMoreTags"] is True
    rest = kinesis.list_tags_for_stream(StreamName=name, ExclusiveStartTagKey="b")
    assert (rest["Tags"], rest["HasMoreTags"]) == ([{"Key": "c", "Value": "3"}], False)
    kinesis.remove_tags_from_stream(StreamName=name, TagKeys=["a", "c"])
    assert kinesis.list_tags_for_stream(StreamName=name)["Tags"] == [{"Key": "b", "Value": "2"}]


def test_tag_resource_by_arn_and_over_fifty_tags_refused(
    kinesis: Any, make_stream: Callable[..., str]
) -> None:
    name = make_stream()
    arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    kinesis.tag_resource(ResourceARN=arn, Tags={"team": "data"})
    assert kinesis.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "team", "Value": "data"}]
    kinesis.untag_resource(ResourceARN=arn, TagKeys=["team"])
    assert kinesis.list_tags_for_resource(ResourceARN=arn)["Tags"] == []
    for batch in range(5):
        kinesis.add_tags_to_stream(StreamName=name, Tags={f"k{batch}-{i}": "v" for i in range(10)})
    code, message, status = error_of(
        lambda: kinesis.add_tags_to_stream(StreamName=name, Tags={"one": "more"})
    )
    assert (code, status) == ("InvalidArgumentException", 400)
    assert "cannot have more than 50 tags" in message


def test_register_describe_list_deregister_stream_consumer(
    kinesis: Any, make_stream: Callable[..., str]
) -> None:
    name = make_stream()
    arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    consumer = kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="reader")["Consumer"]
    assert consumer["ConsumerARN"].startswith(f"{arn}/consumer/reader:")
    assert consumer["ConsumerStatus"] == "ACTIVE"
    described = kinesis.describe_stream_consumer(ConsumerARN=consumer["ConsumerARN"])["ConsumerDescription"]
    assert described == {**consumer, "StreamARN": arn}
    assert (
        kinesis.describe_stream_consumer(StreamARN=arn, ConsumerName="reader")["ConsumerDescription"]
        == described
    )
    assert kinesis.list_stream_consumers(StreamARN=arn)["Consumers"] == [consumer]
    assert kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["ConsumerCount"] == 1
    assert error_of(lambda: kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="reader")) == (
        "ResourceInUseException",
        f"Consumer reader under stream {name} already exists for account {ACCOUNT}.",
        400,
    )
    kinesis.deregister_stream_consumer(ConsumerARN=consumer["ConsumerARN"])
    assert kinesis.list_stream_consumers(StreamARN=arn)["Consumers"] == []
    code, _, _ = error_of(lambda: kinesis.describe_stream_consumer(ConsumerARN=consumer["ConsumerARN"]))
    assert code == "ResourceNotFoundException"


def test_describe_limits_counts_open_shards(client_factory: Callable[..., Any]) -> None:
    kinesis = client_factory("kinesis", access_key=f"{random.randrange(10**11, 10**12)}")
    kinesis.create_stream(StreamName="one", ShardCount=2)
    kinesis.create_stream(StreamName="two", StreamModeDetails={"StreamMode": "ON_DEMAND"})
    limits = kinesis.describe_limits()
    assert (limits["ShardLimit"], limits["OpenShardCount"], limits["OnDemandStreamCount"]) == (500, 6, 1)


def test_create_stream_without_shard_count_or_mode_is_on_demand(
    kinesis: Any, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("s")
    kinesis.create_stream(StreamName=name)
    summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert (summary["StreamModeDetails"], summary["OpenShardCount"]) == ({"StreamMode": "ON_DEMAND"}, 4)
    code, message, _ = error_of(
        lambda: kinesis.create_stream(
            StreamName=unique_name("s"), StreamModeDetails={"StreamMode": "PROVISIONED"}
        )
    )
    assert (code, message) == (
        "InvalidArgumentException",
        "ShardCount is required for streams in PROVISIONED mode.",
    )


def test_create_stream_invalid_name_is_validation_error(kinesis: Any) -> None:
    assert error_of(lambda: kinesis.create_stream(StreamName="bad name", ShardCount=1)) == (
        "ValidationException",
        "1 validation error detected: Value 'bad name' at 'streamName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
        400,
    )


def test_describe_stream_summary_stream_id_shaped_as_aws(
    kinesis: Any, make_stream: Callable[..., str]
) -> None:
    # boto3 sends StreamId requests to AWS's own host whatever the endpoint URL: none are sent here
    name = make_stream()
    summary = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    assert re.fullmatch(r"[a-z0-9]{20}-[a-z0-9]{3}", summary["StreamId"])


def test_update_max_record_size_allows_larger_records(kinesis: Any, make_stream: Callable[..., str]) -> None:
    name = make_stream()
    arn = f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/{name}"
    kinesis.update_max_record_size(StreamARN=arn, MaxRecordSizeInKiB=2048)
    assert (
        kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["MaxRecordSizeInKiB"]
        == 2048
    )
    kinesis.put_record(StreamName=name, Data=b"x" * (2 * 1024 * 1024), PartitionKey="k")
    code, message, _ = error_of(
        lambda: kinesis.put_record(StreamName=name, Data=b"x" * (2 * 1024 * 1024 + 1), PartitionKey="k")
    )
    assert code == "ValidationException" and message.endswith("less than or equal to 2097152")


def test_kinesis_with_aws_cli_put_and_get_records(
    aws_cli: Callable[..., Any], unique_name: Callable[[str], str]
) -> None:
    name = unique_name("cli")
    aws_cli("kinesis", "create-stream", "--stream-name", name, "--shard-count", "1")
    put = aws_cli(
        "kinesis", "put-record", "--stream-name", name, "--partition-key", "k", "--data", "aGVsbG8="
    )
    assert put["ShardId"] == "shardId-000000000000"
    iterator = aws_cli(
        "kinesis",
        "get-shard-iterator",
        "--stream-name",
        name,
        "--shard-id",
        put["ShardId"],
        "--shard-iterator-type",
        "TRIM_HORIZON",
    )["ShardIterator"]
    records = aws_cli("kinesis", "get-records", "--shard-iterator", iterator)["Records"]
    assert [(r["SequenceNumber"], r["PartitionKey"]) for r in records] == [(put["SequenceNumber"], "k")]
    assert base64.b64decode(records[0]["Data"]) in (b"hello", b"aGVsbG8=")


def test_put_get_delete_resource_policy_on_stream_and_consumer(
    kinesis: Any, make_stream: Callable[..., str]
) -> None:
    name = make_stream()
    arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    policy = '{"Version": "2012-10-17", "Statement": []}'
    kinesis.put_resource_policy(ResourceARN=arn, Policy=policy)
    assert kinesis.get_resource_policy(ResourceARN=arn)["Policy"] == policy
    consumer = kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="c")["Consumer"]["ConsumerARN"]
    assert kinesis.get_resource_policy(ResourceARN=consumer)["Policy"] == "{}"
    kinesis.delete_resource_policy(ResourceARN=arn)
    assert kinesis.get_resource_policy(ResourceARN=arn)["Policy"] == "{}"
    assert (
        error_of(lambda: kinesis.put_resource_policy(ResourceARN=arn, Policy="{nope"))[0]
        == "InvalidArgumentException"
    )
    assert error_of(lambda: kinesis.delete_resource_policy(ResourceARN=arn))[0] == "ResourceNotFoundException"
