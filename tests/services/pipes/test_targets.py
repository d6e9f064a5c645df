"""Pipes targets end to end (Lambda, Step Functions, SNS, EventBridge bus, Kinesis, CloudWatch
Logs), a Kinesis source's flattened events, a Step Functions EXPRESS enrichment and pipe logs."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from pipes_support import REPORT_TO_WITNESS, eventually, receive_one

REPORTER = (
    REPORT_TO_WITNESS
    + """
def handler(event, context):
    report(event)
    return {"ok": True}
"""
)


def _pipe(pipes_client: Any, name: str, role_arn: str, source: str, target: str, **extra: Any) -> str:
    return str(
        pipes_client.create_pipe(Name=name, RoleArn=role_arn, Source=source, Target=target, **extra)["Arn"]
    )


def test_create_pipe_lambda_target_receives_the_batch_as_an_array(
    pipes_client: Any,
    sqs: Any,
    queue: Callable[[str], tuple[str, str]],
    pipe_names: Callable[[], str],
    function: Callable[..., str],
    role_arn: str,
) -> None:
    source_url, source_arn = queue("source")
    witness_url, _ = queue("witness")
    function_arn = function(REPORTER, {"WITNESS": witness_url})
    _pipe(
        pipes_client,
        pipe_names(),
        role_arn,
        source_arn,
        function_arn,
        SourceParameters={"SqsQueueParameters": {"BatchSize": 1}},
        TargetParameters={"InputTemplate": '{"text": "<$.body>"}'},
    )
    sqs.send_message(QueueUrl=source_url, MessageBody="hello")
    assert json.loads(receive_one(sqs, witness_url)["Body"]) == [{"text": "hello"}]


def test_create_pipe_kinesis_source_flattened_events_to_kinesis_target(
    client_factory: Callable[..., Any],
    pipes_client: Any,
    pipe_names: Callable[[], str],
    unique_name: Callable[[str], str],
    role_arn: str,
) -> None:
    kinesis = client_factory("kinesis")
    source, target = unique_name("in"), unique_name("out")
    kinesis.create_stream(StreamName=source, ShardCount=1)
    kinesis.create_stream(StreamName=target, ShardCount=1)
    source_arn = kinesis.describe_stream_summary(StreamName=source)["StreamDescriptionSummary"]["StreamARN"]
    target_arn = kinesis.describe_stream_summary(StreamName=target)["StreamDescriptionSummary"]["StreamARN"]
    shard = kinesis.list_shards(StreamName=target)["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(StreamName=target, ShardId=shard, ShardIteratorType="LATEST")
    _pipe(
        pipes_client,
        pipe_names(),
        role_arn,
        source_arn,
        target_arn,
        SourceParameters={
            "KinesisStreamParameters": {"StartingPosition": "LATEST", "BatchSize": 1},
            "FilterCriteria": {"Filters": [{"Pattern": '{"data": {"kind": ["sale"]}}'}]},
        },
        TargetParameters={"KinesisStreamParameters": {"PartitionKey": "$.data.store"}},
    )
    kinesis.put_record(StreamName=source, Data=b'{"kind": "refund", "store": "s0"}', PartitionKey="p")
    sent = kinesis.put_record(StreamName=source, Data=b'{"kind": "sale", "store": "s1"}', PartitionKey="p")
    sqs = client_factory("sqs")
    idle_url = sqs.create_queue(QueueName=unique_name("idle"))["QueueUrl"]
    position = iterator["ShardIterator"]

    def read() -> list[dict[str, Any]]:
        nonlocal position
        answer = kinesis.get_records(ShardIterator=position)
        position = answer["NextShardIterator"]
        return list(answer["Records"])

    records = eventually(read, sqs, idle_url)
    sqs.delete_queue(QueueUrl=idle_url)
    assert len(records) == 1 and records[0]["PartitionKey"] == "s1"
    event = json.loads(records[0]["Data"])
    assert event == {
        "kinesisSchemaVersion": "1.0",
        "partitionKey": "p",
        "sequenceNumber": sent["SequenceNumber"],
        "data": base64.b64encode(b'{"kind": "sale", "store": "s1"}').decode(),
        "approximateArrivalTimestamp": event["approximateArrivalTimestamp"],
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"{sent['ShardId']}:{sent['SequenceNumber']}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": role_arn,
        "awsRegion": "us-east-1",
        "eventSourceARN": source_arn,
    }


def test_create_pipe_sns_target_publishes_each_event(
    client_factory: Callable[..., Any],
    pipes_client: Any,
    sqs: Any,
    queue: Callable[[str], tuple[str, str]],
    pipe_names: Callable[[], str],
    unique_name: Callable[[str], str],
    role_arn: str,
) -> None:
    sns = client_factory("sns")
    topic = sns.create_topic(Name=unique_name("topic"))["TopicArn"]
    source_url, source_arn = queue("source")
    inbox_url, inbox_arn = queue("inbox")
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=inbox_arn, Attributes={"RawMessageDelivery": "true"}
    )
    _pipe(
        pipes_client,
        pipe_names(),
        role_arn,
        source_arn,
        topic,
        TargetParameters={"InputTemplate": "Order <$.body.id> placed"},
    )
    sqs.send_message(QueueUrl=source_url, MessageBody='{"id": 42}')
    assert receive_one(sqs, inbox_url)["Body"] == "Order 42 placed"


def test_create_pipe_event_bus_target_defaults_source_and_detail_type(
    client_factory: Callable[..., Any],
    pipes_client: Any,
    sqs: Any,
    queue: Callable[[str], tuple[str, str]],
    pipe_names: Callable[[], str],
    unique_name: Callable[[str], str],
    role_arn: str,
) -> None:
    events = client_factory("events")
    bus = unique_name("bus")
    bus_arn = events.create_event_bus(Name=bus)["EventBusArn"]
    inbox_url, inbox_arn = queue("inbox")
    name = pipe_names()
    events.put_rule(
        Name=unique_name("rule"), EventBusName=bus, EventPattern=json.dumps({"source": [f"Pipe {name}"]})
    )
    rule = events.list_rules(EventBusName=bus)["Rules"][0]["Name"]
    events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "inbox", "Arn": inbox_arn}])
    source_url, source_arn = queue("source")
    _pipe(
        pipes_client,
        name,
        role_arn,
        source_arn,
        bus_arn,
        TargetParameters={"InputTemplate": '{"order": <$.body.id>}'},
    )
    sqs.send_message(QueueUrl=source_url, MessageBody='{"id": 5}')
    event = json.loads(receive_one(sqs, inbox_url)["Body"])
    assert (event["source"], event["detail-type"], event["detail"]) == (
        f"Pipe {name}",
        "Event from aws:sqs",
        {"order": 5},
    )
    events.remove_targets(Rule=rule, EventBusName=bus, Ids=["inbox"])
    events.delete_rule(Name=rule, EventBusName=bus)
    events.delete_event_bus(Name=bus)


def _machine(
    client_factory: Callable[..., Any], name: str, role_arn: str, kind: str, definition: dict[str, Any]
) -> str:
    sfn = client_factory("stepfunctions")
    return str(
        sfn.create_state_machine(name=name, roleArn=role_arn, type=kind, definition=json.dumps(definition))[
            "stateMachineArn"
        ]
    )


def test_create_pipe_express_enrichment_and_state_machine_target(
    client_factory: Callable[..., Any],
    pipes_client: Any,
    sqs: Any,
    queue: Callable[[str], tuple[str, str]],
    pipe_names: Callable[[], str],
    unique_name: Callable[[str], str],
    role_arn: str,
) -> None:
    sfn = client_factory("stepfunctions")
    enrich = _machine(
        client_factory,
        unique_name("enrich"),
        role_arn,
        "EXPRESS",
        {"StartAt": "Tag", "States": {"Tag": {"Type": "Pass", "Parameters": {"items.$": "$"}, "End": True}}},
    )
    target = _machine(
        client_factory,
        unique_name("target"),
        role_arn,
        "STANDARD",
        {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}},
    )
    source_url, source_arn = queue("source")
    _pipe(
        pipes_client,
        pipe_names(),
        role_arn,
        source_arn,
        target,
        Enrichment=enrich,
        EnrichmentParameters={"InputTemplate": "<$.body>"},
        SourceParameters={"SqsQueueParameters": {"BatchSize": 1}},
        TargetParameters={"StepFunctionStateMachineParameters": {"InvocationType": "FIRE_AND_FORGET"}},
    )
    sqs.send_message(QueueUrl=source_url, MessageBody='{"n": 1}')
    idle_url, _ = queue("idle")
    executions = eventually(lambda: sfn.list_executions(stateMachineArn=target)["executions"], sqs, idle_url)
    assert len(executions) == 1
    started = sfn.describe_execution(executionArn=executions[0]["executionArn"])
    assert json.loads(started["input"]) == [{"items": [{"n": 1}]}]


def test_create_pipe_logs_target_and_log_configuration_write_records(
    client_factory: Callable[..., Any],
    pipes_client: Any,
    sqs: Any,
    queue: Callable[[str], tuple[str, str]],
    pipe_names: Callable[[], str],
    unique_name: Callable[[str], str],
    role_arn: str,
) -> None:
    logs = client_factory("logs")
    target_group, pipe_group = unique_name("/pipes/target"), unique_name("/pipes/log")
    logs.create_log_group(logGroupName=target_group)
    logs.create_log_group(logGroupName=pipe_group)
    region_account = role_arn.split(":")[4]
    target_arn = f"arn:aws:logs:us-east-1:{region_account}:log-group:{target_group}"
    log_arn = f"arn:aws:logs:us-east-1:{region_account}:log-group:{pipe_group}"
    source_url, source_arn = queue("source")
    name = pipe_names()
    pipe_arn = _pipe(
        pipes_client,
        name,
        role_arn,
        source_arn,
        target_arn,
        TargetParameters={
            "InputTemplate": "<$.body>",
            "CloudWatchLogsParameters": {"LogStreamName": "orders"},
        },
        LogConfiguration={"CloudwatchLogsLogDestination": {"LogGroupArn": log_arn}, "Level": "INFO"},
    )
    sqs.send_message(QueueUrl=source_url, MessageBody="line one")
    idle_url, _ = queue("idle")
    found = eventually(lambda: logs.filter_log_events(logGroupName=target_group)["events"], sqs, idle_url)
    assert [(item["logStreamName"], item["message"]) for item in found] == [("orders", "line one")]
    records = [
        json.loads(item["message"]) for item in logs.filter_log_events(logGroupName=pipe_group)["events"]
    ]
    assert [(r["messageType"], r["logLevel"], r["resourceArn"]) for r in records] == [
        ("ExecutionStarted", "INFO", pipe_arn),
        ("TargetStageEntered", "INFO", pipe_arn),
        ("TargetStageSucceeded", "INFO", pipe_arn),
        ("ExecutionSucceeded", "INFO", pipe_arn),
    ]
    assert len({record["executionId"] for record in records}) == 1
    assert all("payload" not in record for record in records)
    assert pipes_client.describe_pipe(Name=name)["LogConfiguration"] == {
        "CloudwatchLogsLogDestination": {"LogGroupArn": log_arn},
        "Level": "INFO",
    }


FAILING = """
def handler(event, context):
    raise RuntimeError("lookup failed")
"""


def test_create_pipe_trace_logs_with_execution_data_record_each_step_of_a_failure(
    client_factory: Callable[..., Any],
    pipes_client: Any,
    sqs: Any,
    queue: Callable[[str], tuple[str, str]],
    function: Callable[[str], str],
    pipe_names: Callable[[], str],
    unique_name: Callable[[str], str],
    role_arn: str,
) -> None:
    logs = client_factory("logs")
    group = unique_name("/pipes/trace")
    logs.create_log_group(logGroupName=group)
    log_arn = f"arn:aws:logs:us-east-1:{role_arn.split(':')[4]}:log-group:{group}"
    source_url, source_arn = queue("source")
    _, target_arn = queue("target")
    _pipe(
        pipes_client,
        pipe_names(),
        role_arn,
        source_arn,
        target_arn,
        Enrichment=function(FAILING),
        EnrichmentParameters={"InputTemplate": "<$.body>"},
        LogConfiguration={
            "CloudwatchLogsLogDestination": {"LogGroupArn": log_arn},
            "Level": "TRACE",
            "IncludeExecutionData": ["ALL"],
        },
    )
    sqs.send_message(QueueUrl=source_url, MessageBody='{"user": "u1"}')
    idle_url, _ = queue("idle")

    def failed() -> list[dict[str, Any]]:
        found = [json.loads(item["message"]) for item in logs.filter_log_events(logGroupName=group)["events"]]
        return found if any(record["messageType"] == "ExecutionFailed" for record in found) else []

    records = eventually(failed, sqs, idle_url)
    first = records[: records.index(next(r for r in records if r["messageType"] == "ExecutionFailed")) + 1]
    assert [(r["messageType"], r["logLevel"]) for r in first] == [
        ("ExecutionStarted", "INFO"),
        ("EnrichmentStageEntered", "INFO"),
        ("EnrichmentTransformationStarted", "TRACE"),
        ("EnrichmentTransformationSucceeded", "TRACE"),
        ("EnrichmentInvocationStarted", "TRACE"),
        ("EnrichmentInvocationFailed", "ERROR"),
        ("EnrichmentStageFailed", "ERROR"),
        ("ExecutionFailed", "ERROR"),
    ]
    assert json.loads(first[4]["payload"]) == [{"user": "u1"}]
    assert first[-1]["error"] == {"message": "lookup failed"}


def test_create_pipe_standard_state_machine_target_needs_fire_and_forget(
    client_factory: Callable[..., Any],
    pipes_client: Any,
    queue: Callable[[str], tuple[str, str]],
    pipe_names: Callable[[], str],
    unique_name: Callable[[str], str],
    role_arn: str,
) -> None:
    target = _machine(
        client_factory,
        unique_name("standard"),
        role_arn,
        "STANDARD",
        {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}},
    )
    _, source_arn = queue("source")
    with pytest.raises(ClientError) as info:
        _pipe(pipes_client, pipe_names(), role_arn, source_arn, target)
    error = info.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "ValidationException",
        "StepFunctionStateMachineParameters.InvocationType REQUEST_RESPONSE (the default) is not "
        "supported for STANDARD state machine workflows: use FIRE_AND_FORGET.",
    )
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
