"""The Pipes API: pipe records and their states, list filters and pages, tags, and errors."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError


def _error(info: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response = info.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def test_create_pipe_answers_creating_then_describe_shows_running(
    pipes_client: Any,
    queue: Callable[[str], tuple[str, str]],
    pipe_names: Callable[[], str],
    role_arn: str,
) -> None:
    _, source_arn = queue("source")
    _, target_arn = queue("target")
    name = pipe_names()
    created = pipes_client.create_pipe(
        Name=name,
        Description="orders",
        RoleArn=role_arn,
        Source=source_arn,
        Target=target_arn,
        TargetParameters={"InputTemplate": "<$.body>"},
        Tags={"team": "payments"},
    )
    arn = created["Arn"]
    assert arn.startswith("arn:aws:pipes:us-east-1:") and arn.endswith(f":pipe/{name}")
    assert (created["Name"], created["DesiredState"], created["CurrentState"]) == (
        name,
        "RUNNING",
        "CREATING",
    )
    assert isinstance(created["CreationTime"], datetime.datetime)
    described = pipes_client.describe_pipe(Name=name)
    described.pop("ResponseMetadata")
    assert described == {
        "Arn": arn,
        "Name": name,
        "Description": "orders",
        "DesiredState": "RUNNING",
        "CurrentState": "RUNNING",
        "Source": source_arn,
        "SourceParameters": {"SqsQueueParameters": {"BatchSize": 10}},
        "Target": target_arn,
        "TargetParameters": {"InputTemplate": "<$.body>"},
        "RoleArn": role_arn,
        "Tags": {"team": "payments"},
        "CreationTime": created["CreationTime"],
        "LastModifiedTime": created["LastModifiedTime"],
    }


def test_stop_pipe_and_start_pipe_answer_transitions_then_settle(
    pipes_client: Any,
    queue: Callable[[str], tuple[str, str]],
    pipe_names: Callable[[], str],
    role_arn: str,
) -> None:
    _, source_arn = queue("source")
    _, target_arn = queue("target")
    name = pipe_names()
    pipes_client.create_pipe(Name=name, RoleArn=role_arn, Source=source_arn, Target=target_arn)
    stopped = pipes_client.stop_pipe(Name=name)
    assert (stopped["DesiredState"], stopped["CurrentState"]) == ("STOPPED", "STOPPING")
    assert pipes_client.describe_pipe(Name=name)["CurrentState"] == "STOPPED"
    with pytest.raises(ClientError) as info:
        pipes_client.stop_pipe(Name=name)
    assert _error(info) == ("ConflictException", f"Pipe {name} is already in a STOPPED state.", 409)
    assert info.value.response["resourceId"] == name
    started = pipes_client.start_pipe(Name=name)
    assert (started["DesiredState"], started["CurrentState"]) == ("RUNNING", "STARTING")
    described = pipes_client.describe_pipe(Name=name)
    assert (described["DesiredState"], described["CurrentState"]) == ("RUNNING", "RUNNING")


def test_update_pipe_answers_updating_and_replaces_service_parameters_as_one(
    pipes_client: Any,
    queue: Callable[[str], tuple[str, str]],
    pipe_names: Callable[[], str],
    role_arn: str,
) -> None:
    _, source_arn = queue("source")
    _, target_arn = queue("target")
    _, other_arn = queue("other")
    name = pipe_names()
    pipes_client.create_pipe(
        Name=name,
        RoleArn=role_arn,
        Source=source_arn,
        SourceParameters={
            "SqsQueueParameters": {"BatchSize": 5},
            "FilterCriteria": {"Filters": [{"Pattern": '{"body": ["a"]}'}]},
        },
        Target=target_arn,
    )
    updated = pipes_client.update_pipe(
        Name=name,
        RoleArn=role_arn,
        Target=other_arn,
        SourceParameters={"SqsQueueParameters": {"MaximumBatchingWindowInSeconds": 3}},
        DesiredState="STOPPED",
    )
    assert (updated["DesiredState"], updated["CurrentState"]) == ("STOPPED", "UPDATING")
    described = pipes_client.describe_pipe(Name=name)
    assert described["Target"] == other_arn
    assert described["CurrentState"] == "STOPPED"
    assert described["SourceParameters"] == {
        "SqsQueueParameters": {"BatchSize": 10, "MaximumBatchingWindowInSeconds": 3},
        "FilterCriteria": {"Filters": [{"Pattern": '{"body": ["a"]}'}]},
    }


def test_delete_pipe_answers_deleting_then_not_found(
    pipes_client: Any,
    queue: Callable[[str], tuple[str, str]],
    pipe_names: Callable[[], str],
    role_arn: str,
) -> None:
    _, source_arn = queue("source")
    _, target_arn = queue("target")
    name = pipe_names()
    pipes_client.create_pipe(Name=name, RoleArn=role_arn, Source=source_arn, Target=target_arn)
    deleted = pipes_client.delete_pipe(Name=name)
    assert (deleted["DesiredState"], deleted["CurrentState"]) == ("DELETED", "DELETING")
    with pytest.raises(ClientError) as info:
        pipes_client.describe_pipe(Name=name)
    assert _error(info) == ("NotFoundException", f"Pipe {name} does not exist.", 404)
    with pytest.raises(ClientError) as info:
        pipes_client.delete_pipe(Name=name)
    assert _error(info)[0] == "NotFoundException"


def test_list_pipes_filters_and_pages(
    pipes_client: Any,
    queue: Callable[[str], tuple[str, str]],
    pipe_names: Callable[[], str],
    role_arn: str,
) -> None:
    _, source_arn = queue("source")
    _, target_arn = queue("target")
    _, other_arn = queue("other")
    names = sorted(pipe_names() for _ in range(3))
    prefix = names[0][: len(names[0]) - 2]
    for index, name in enumerate(names):
        pipes_client.create_pipe(
            Name=name,
            RoleArn=role_arn,
            Source=source_arn,
            Target=other_arn if index == 2 else target_arn,
            DesiredState="STOPPED" if index == 1 else "RUNNING",
        )
    first = pipes_client.list_pipes(NamePrefix=prefix, Limit=2)
    assert [item["Name"] for item in first["Pipes"]] == names[:2]
    second = pipes_client.list_pipes(NamePrefix=prefix, Limit=2, NextToken=first["NextToken"])
    assert [item["Name"] for item in second["Pipes"]] == names[2:]
    assert "NextToken" not in second
    entry = first["Pipes"][1]
    assert set(entry) == {
        "Name",
        "Arn",
        "DesiredState",
        "CurrentState",
        "CreationTime",
        "LastModifiedTime",
        "Source",
        "Target",
    }
    assert (entry["DesiredState"], entry["CurrentState"]) == ("STOPPED", "STOPPED")
    stopped = pipes_client.list_pipes(NamePrefix=prefix, CurrentState="STOPPED")["Pipes"]
    assert [item["Name"] for item in stopped] == [names[1]]
    by_target = pipes_client.list_pipes(NamePrefix=prefix, TargetPrefix=other_arn)["Pipes"]
    assert [item["Name"] for item in by_target] == [names[2]]
    by_source = pipes_client.list_pipes(NamePrefix=prefix, SourcePrefix=source_arn, DesiredState="RUNNING")
    assert [item["Name"] for item in by_source["Pipes"]] == [names[0], names[2]]


def test_tag_resource_untag_resource_list_tags_for_resource(
    pipes_client: Any,
    queue: Callable[[str], tuple[str, str]],
    pipe_names: Callable[[], str],
    role_arn: str,
) -> None:
    _, source_arn = queue("source")
    _, target_arn = queue("target")
    name = pipe_names()
    arn = pipes_client.create_pipe(
        Name=name, RoleArn=role_arn, Source=source_arn, Target=target_arn, Tags={"a": "1"}
    )["Arn"]
    pipes_client.tag_resource(resourceArn=arn, tags={"b": "2", "a": "3"})
    assert pipes_client.list_tags_for_resource(resourceArn=arn)["tags"] == {"a": "3", "b": "2"}
    pipes_client.untag_resource(resourceArn=arn, tagKeys=["a"])
    assert pipes_client.list_tags_for_resource(resourceArn=arn)["tags"] == {"b": "2"}
    assert pipes_client.describe_pipe(Name=name)["Tags"] == {"b": "2"}
    with pytest.raises(ClientError) as info:
        pipes_client.list_tags_for_resource(resourceArn=arn + "-gone")
    assert _error(info)[0::2] == ("NotFoundException", 404)


def test_create_pipe_existing_name_conflict(
    pipes_client: Any,
    queue: Callable[[str], tuple[str, str]],
    pipe_names: Callable[[], str],
    role_arn: str,
) -> None:
    _, source_arn = queue("source")
    _, target_arn = queue("target")
    name = pipe_names()
    pipes_client.create_pipe(Name=name, RoleArn=role_arn, Source=source_arn, Target=target_arn)
    with pytest.raises(ClientError) as info:
        pipes_client.create_pipe(Name=name, RoleArn=role_arn, Source=source_arn, Target=target_arn)
    assert _error(info) == ("ConflictException", f"Pipe {name} already exists.", 409)
    assert (info.value.response["resourceId"], info.value.response["resourceType"]) == (name, "pipe")


@pytest.mark.parametrize(
    ("change", "message", "field"),
    [
        (
            {"Target": "arn:aws:ecs:us-east-1:000000000000:cluster/c"},
            "Target arn:aws:ecs:us-east-1:000000000000:cluster/c is not supported by fogbank's pipes yet: "
            "Lambda, Step Functions, SQS, SNS, EventBridge event buses, Kinesis, CloudWatch Logs and API "
            "destination targets are (API Gateway is not).",
            "Target",
        ),
        (
            {"Target": "arn:aws:events:us-east-1:000000000000:api-destination/d/1"},
            "API destination arn:aws:events:us-east-1:000000000000:api-destination/d/1 does not exist.",
            "Target",
        ),
        (
            {"Target": "arn:aws:kinesis:us-east-1:000000000000:stream/s"},
            "TargetParameters.KinesisStreamParameters.PartitionKey is required for a Kinesis stream target.",
            "TargetParameters.KinesisStreamParameters.PartitionKey",
        ),
        (
            {"EnrichmentParameters": {"HttpParameters": {"QueryStringParameters": {"a": "b"}}}},
            "EnrichmentParameters.HttpParameters apply to API destinations and API Gateway; fogbank's "
            "pipes support them for API destinations only.",
            "EnrichmentParameters.HttpParameters",
        ),
        (
            {"Enrichment": "arn:aws:events:us-east-1:000000000000:api-destination/d/1"},
            "API destination arn:aws:events:us-east-1:000000000000:api-destination/d/1 does not exist.",
            "Enrichment",
        ),
        (
            {"Source": "arn:aws:sqs:us-east-1:000000000000:no-such-queue"},
            "Source arn:aws:sqs:us-east-1:000000000000:no-such-queue does not exist.",
            "Source",
        ),
        (
            {"Source": "arn:aws:mq:us-east-1:000000000000:broker:b:b-1"},
            "Source arn:aws:mq:us-east-1:000000000000:broker:b:b-1 is not supported by fogbank's pipes yet: "
            "Amazon SQS queues, Kinesis data streams and DynamoDB streams are (Amazon MQ, Amazon MSK and "
            "self-managed Kafka are not).",
            "Source",
        ),
        (
            {"SourceParameters": {"FilterCriteria": {"Filters": [{"Pattern": '{"body": "x"}'}]}}},
            None,
            "SourceParameters.FilterCriteria",
        ),
        (
            {"SourceParameters": {"SqsQueueParameters": {"BatchSize": 100}}},
            "MaximumBatchingWindowInSeconds must be greater than 0 if BatchSize is greater than 10.",
            "SourceParameters.SqsQueueParameters.MaximumBatchingWindowInSeconds",
        ),
        (
            {"TargetParameters": {"KinesisStreamParameters": {"PartitionKey": "k"}}},
            "TargetParameters.KinesisStreamParameters cannot be used with a sqs target.",
            "TargetParameters.KinesisStreamParameters",
        ),
        (
            {"KmsKeyIdentifier": "alias/mine"},
            "Customer managed KMS keys (KmsKeyIdentifier) are not supported by fogbank yet.",
            "KmsKeyIdentifier",
        ),
    ],
)
def test_create_pipe_invalid_settings_validation_exception(
    pipes_client: Any,
    queue: Callable[[str], tuple[str, str]],
    pipe_names: Callable[[], str],
    role_arn: str,
    change: dict[str, Any],
    message: str | None,
    field: str,
) -> None:
    _, source_arn = queue("source")
    _, target_arn = queue("target")
    name = pipe_names()
    request = {"Name": name, "RoleArn": role_arn, "Source": source_arn, "Target": target_arn, **change}
    with pytest.raises(ClientError) as info:
        pipes_client.create_pipe(**request)
    code, text, status = _error(info)
    assert (code, status) == ("ValidationException", 400)
    if message is not None:
        assert text == message
    assert info.value.response["fieldList"][0]["name"] == field
    with pytest.raises(ClientError) as missing:
        pipes_client.describe_pipe(Name=name)
    assert _error(missing)[0] == "NotFoundException"  # nothing was stored


def test_create_pipe_without_role_arn_validation_exception(
    client_factory: Callable[..., Any],
    queue: Callable[[str], tuple[str, str]],
    pipe_names: Callable[[], str],
) -> None:
    unchecked = client_factory("pipes", parameter_validation=False)
    _, source_arn = queue("source")
    _, target_arn = queue("target")
    with pytest.raises(ClientError) as info:
        unchecked.create_pipe(Name=pipe_names(), Source=source_arn, Target=target_arn)
    code, _, status = _error(info)
    assert (code, status) == ("ValidationException", 400)


def test_describe_pipe_unknown_not_found(pipes_client: Any) -> None:
    with pytest.raises(ClientError) as info:
        pipes_client.describe_pipe(Name="no-such-pipe")
    assert _error(info) == ("NotFoundException", "Pipe no-such-pipe does not exist.", 404)


def test_create_pipe_kinesis_source_reports_stream_defaults_and_timestamp(
    client_factory: Callable[..., Any],
    pipes_client: Any,
    queue: Callable[[str], tuple[str, str]],
    pipe_names: Callable[[], str],
    unique_name: Callable[[str], str],
    role_arn: str,
) -> None:
    kinesis = client_factory("kinesis")
    stream = unique_name("in")
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    stream_arn = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
    _, target_arn = queue("target")
    name = pipe_names()
    moment = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    pipes_client.create_pipe(
        Name=name,
        RoleArn=role_arn,
        Source=stream_arn,
        Target=target_arn,
        SourceParameters={
            "KinesisStreamParameters": {
                "StartingPosition": "AT_TIMESTAMP",
                "StartingPositionTimestamp": moment,
            }
        },
    )
    assert pipes_client.describe_pipe(Name=name)["SourceParameters"] == {
        "KinesisStreamParameters": {
            "BatchSize": 1,
            "MaximumRecordAgeInSeconds": -1,
            "MaximumRetryAttempts": -1,
            "ParallelizationFactor": 1,
            "StartingPosition": "AT_TIMESTAMP",
            "StartingPositionTimestamp": moment,
        }
    }
    pipes_client.update_pipe(
        Name=name,
        RoleArn=role_arn,
        SourceParameters={"KinesisStreamParameters": {"BatchSize": 7}},
    )
    parameters = pipes_client.describe_pipe(Name=name)["SourceParameters"]["KinesisStreamParameters"]
    assert (parameters["BatchSize"], parameters["StartingPosition"]) == (7, "AT_TIMESTAMP")
    assert parameters["StartingPositionTimestamp"] == moment


def test_create_pipe_name_and_role_patterns_validation_exception(
    client_factory: Callable[..., Any],
    queue: Callable[[str], tuple[str, str]],
    role_arn: str,
) -> None:
    unchecked = client_factory("pipes", parameter_validation=False)
    _, source_arn = queue("source")
    _, target_arn = queue("target")
    with pytest.raises(ClientError) as info:
        unchecked.create_pipe(Name="bad name", RoleArn=role_arn, Source=source_arn, Target=target_arn)
    assert _error(info) == (
        "ValidationException",
        "1 validation error detected: Value 'bad name' at 'name' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+",
        400,
    )
    with pytest.raises(ClientError) as info:
        unchecked.create_pipe(Name="fine", RoleArn="not-a-role", Source=source_arn, Target=target_arn)
    code, message, status = _error(info)
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith("1 validation error detected: Value 'not-a-role' at 'roleArn'")
