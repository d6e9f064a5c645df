"""Delivery to each target type end to end, input transformation, dead-lettering, and rules with
schedules firing on fogbank's clock."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from events_support import Queue, receive, receive_bodies

ACCOUNT = "000000000000"
OTHER = "111111111111"


def put(events: Any, source: str, detail: dict[str, Any], **entry: Any) -> str:
    entries = [{"Source": source, "DetailType": "Order Placed", "Detail": json.dumps(detail), **entry}]
    result = events.put_events(Entries=entries)
    assert result["FailedEntryCount"] == 0
    return str(result["Entries"][0]["EventId"])


def test_input_transformer_fills_json_and_string_templates(
    events: Any, sqs: Any, rule_to_queue: Callable[..., Any]
) -> None:
    name, queue, source = rule_to_queue()
    paths = {
        "id": "$.detail.order.id",
        "items": "$.detail.items",
        "missing": "$.detail.nope",
        "src": "$.source",
    }
    events.put_targets(
        Rule=name,
        Targets=[
            {
                "Id": "q",
                "Arn": queue.arn,
                "InputTransformer": {
                    "InputPathsMap": paths,
                    "InputTemplate": '{"order": <id>, "items": <items>, "none": <missing>, "text": "order <id> from <src>", '
                    '"rule": "<aws.events.rule-name>"}',
                },
            },
        ],
    )
    put(events, source, {"order": {"id": "o-1"}, "items": [1, 2]})
    events.put_targets(
        Rule=name,
        Targets=[
            {
                "Id": "q",
                "Arn": queue.arn,
                "InputTransformer": {"InputPathsMap": paths, "InputTemplate": '"Order <id> placed"'},
            },
        ],
    )
    put(events, source, {"order": {"id": "o-2"}, "items": []})
    bodies = [message["Body"] for message in receive(sqs, queue.url, 2)]
    assert json.loads(bodies[0]) == {
        "order": "o-1",
        "items": [1, 2],
        "none": None,
        "text": f"order o-1 from {source}",
        "rule": name,
    }
    assert bodies[1] == '"Order o-2 placed"'


def test_input_and_input_path_replace_the_event(
    events: Any, sqs: Any, rule_to_queue: Callable[..., Any]
) -> None:
    name, queue, source = rule_to_queue()
    events.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": queue.arn, "Input": '{"constant": true}'}])
    put(events, source, {"a": 1})
    events.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": queue.arn, "InputPath": "$.detail"}])
    put(events, source, {"a": 2})
    assert receive_bodies(sqs, queue.url, 2) == [{"constant": True}, {"a": 2}]


def test_deleted_target_queue_sends_event_to_dead_letter_queue(
    events: Any, sqs: Any, rule_to_queue: Callable[..., Any], make_queue: Callable[..., Queue]
) -> None:
    name, queue, source = rule_to_queue()
    dlq = make_queue()
    events.put_targets(
        Rule=name,
        Targets=[
            {
                "Id": "q",
                "Arn": queue.arn,
                "DeadLetterConfig": {"Arn": dlq.arn},
                "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 600},
            }
        ],
    )
    sqs.delete_queue(QueueUrl=queue.url)
    event_id = put(events, source, {"a": 1})
    (message,) = receive(sqs, dlq.url)
    assert json.loads(message["Body"])["id"] == event_id
    attributes = {key: value["StringValue"] for key, value in message["MessageAttributes"].items()}
    assert attributes == {
        "RULE_ARN": f"arn:aws:events:us-east-1:{ACCOUNT}:rule/{name}",
        "TARGET_ARN": queue.arn,
        "ERROR_CODE": "NO_RESOURCE",
        "ERROR_MESSAGE": attributes["ERROR_MESSAGE"],
        "RETRY_ATTEMPTS": "0",
    }
    assert attributes["ERROR_MESSAGE"]


def test_sns_target_publishes_event(
    events: Any,
    sqs: Any,
    client_factory: Callable[..., Any],
    rule_to_queue: Callable[..., Any],
    make_queue: Callable[..., Queue],
    unique_name: Callable[[str], str],
) -> None:
    sns = client_factory("sns")
    topic = sns.create_topic(Name=unique_name("topic"))["TopicArn"]
    queue = make_queue()
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=queue.arn, Attributes={"RawMessageDelivery": "true"}
    )
    name, _, source = rule_to_queue()
    events.put_targets(Rule=name, Targets=[{"Id": "sns", "Arn": topic}])
    event_id = put(events, source, {"via": "sns"})
    (body,) = receive_bodies(sqs, queue.url)
    assert (body["id"], body["detail"]) == (event_id, {"via": "sns"})


def test_event_bus_target_forwards_to_other_account_bus(
    events: Any,
    sqs: Any,
    client_factory: Callable[..., Any],
    make_bus: Callable[..., str],
    make_queue: Callable[..., Queue],
    unique_name: Callable[[str], str],
) -> None:
    other_events, other_sqs = (
        client_factory("events", access_key=OTHER),
        client_factory("sqs", access_key=OTHER),
    )
    bus = make_bus(client=other_events)
    other_events.put_permission(
        EventBusName=bus, Action="events:PutEvents", Principal=ACCOUNT, StatementId="a"
    )
    queue = make_queue(client=other_sqs)
    source = unique_name("src")
    other_events.put_rule(Name="inbound", EventBusName=bus, EventPattern=json.dumps({"source": [source]}))
    other_events.put_targets(Rule="inbound", EventBusName=bus, Targets=[{"Id": "q", "Arn": queue.arn}])
    forwarding = unique_name("rule")
    events.put_rule(Name=forwarding, EventPattern=json.dumps({"source": [source]}))
    events.put_targets(
        Rule=forwarding, Targets=[{"Id": "bus", "Arn": f"arn:aws:events:us-east-1:{OTHER}:event-bus/{bus}"}]
    )
    event_id = put(events, source, {"x": 1})
    (body,) = receive_bodies(other_sqs, queue.url)
    assert (body["id"], body["account"], body["detail"]) == (event_id, ACCOUNT, {"x": 1})


def test_kinesis_target_puts_record_with_partition_key(
    events: Any,
    client_factory: Callable[..., Any],
    rule_to_queue: Callable[..., Any],
    unique_name: Callable[[str], str],
) -> None:
    kinesis = client_factory("kinesis")
    stream = unique_name("stream")
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    arn = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
    name, _, source = rule_to_queue()
    events.put_targets(
        Rule=name,
        Targets=[
            {
                "Id": "k",
                "Arn": arn,
                "KinesisParameters": {"PartitionKeyPath": "$.detail.customer"},
                "InputPath": "$.detail",
            },
        ],
    )
    put(events, source, {"customer": "c-9"})
    shard = kinesis.list_shards(StreamName=stream)["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    records: list[dict[str, Any]] = []
    for _ in range(20):
        records = kinesis.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
        if records:
            break
    assert [(r["PartitionKey"], json.loads(r["Data"])) for r in records] == [("c-9", {"customer": "c-9"})]


def test_lambda_target_invokes_function_asynchronously(
    events: Any,
    sqs: Any,
    client_factory: Callable[..., Any],
    rule_to_queue: Callable[..., Any],
    make_queue: Callable[..., Queue],
    unique_name: Callable[[str], str],
) -> None:
    sys.path.insert(0, str(Path(__file__).parents[1] / "lambda_"))
    from lambda_support import build_zip  # noqa: PLC0415 - Lambda's own test helper

    lambda_client, iam = client_factory("lambda"), client_factory("iam")
    role = iam.create_role(
        RoleName=unique_name("role"),
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )["Role"]["Arn"]
    code = "def handler(event, context):\n    return {'seen': event['detail']}\n"
    function = lambda_client.create_function(
        FunctionName=unique_name("fn"),
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": build_zip({"app.py": code})},
    )
    lambda_client.get_waiter("function_active_v2").wait(
        FunctionName=function["FunctionName"], WaiterConfig={"Delay": 1}
    )
    success = make_queue()
    lambda_client.put_function_event_invoke_config(
        FunctionName=function["FunctionName"], DestinationConfig={"OnSuccess": {"Destination": success.arn}}
    )
    name, _, source = rule_to_queue()
    events.put_targets(Rule=name, Targets=[{"Id": "fn", "Arn": function["FunctionArn"]}])
    event_id = put(events, source, {"n": 1})
    (record,) = receive_bodies(sqs, success.url)
    assert record["requestPayload"]["id"] == event_id
    assert record["responsePayload"] == {"seen": {"n": 1}}


def test_scheduled_rule_fires_each_occurrence_when_clock_advances(
    events: Any, sqs: Any, fogbank: Any, make_queue: Callable[..., Queue], unique_name: Callable[[str], str]
) -> None:
    queue, name = make_queue(), unique_name("every-minute")
    arn = events.put_rule(Name=name, ScheduleExpression="rate(1 minute)")["RuleArn"]
    events.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": queue.arn}])
    fogbank.advance_clock("PT3M")
    events.disable_rule(Name=name)
    bodies = receive_bodies(sqs, queue.url, 3)
    assert len(bodies) == 3
    assert [(b["source"], b["detail-type"], b["resources"], b["detail"]) for b in bodies] == [
        ("aws.events", "Scheduled Event", [arn], {})
    ] * 3
    times = [b["time"] for b in bodies]
    assert times == sorted(times) and len(set(times)) == 3


def test_event_bus_target_forwarding_in_a_circle_stops(
    events: Any,
    sqs: Any,
    make_bus: Callable[..., str],
    make_queue: Callable[..., Queue],
    unique_name: Callable[[str], str],
) -> None:
    bus, queue, dlq, source = make_bus(), make_queue(), make_queue(), unique_name("src")
    bus_arn = f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/{bus}"
    events.put_rule(Name="loop", EventBusName=bus, EventPattern=json.dumps({"source": [source]}))
    events.put_targets(
        Rule="loop",
        EventBusName=bus,
        Targets=[
            {"Id": "q", "Arn": queue.arn},
            {"Id": "self", "Arn": bus_arn, "DeadLetterConfig": {"Arn": dlq.arn}},
        ],
    )
    put(events, source, {}, EventBusName=bus)
    assert len(receive(sqs, queue.url, 5)) == 5
    (dead,) = receive(sqs, dlq.url)
    assert dead["MessageAttributes"]["ERROR_CODE"]["StringValue"] == "EVENT_LOOP_DETECTED"


def test_event_bus_target_refuses_third_account_hop(
    events: Any,
    sqs: Any,
    client_factory: Callable[..., Any],
    make_bus: Callable[..., str],
    make_queue: Callable[..., Queue],
    unique_name: Callable[[str], str],
) -> None:
    third = "222222222222"
    second_events, third_events = (
        client_factory("events", access_key=OTHER),
        client_factory("events", access_key=third),
    )
    second_bus, third_bus = make_bus(client=second_events), make_bus(client=third_events)
    second_events.put_permission(
        EventBusName=second_bus, Action="events:PutEvents", Principal=ACCOUNT, StatementId="a"
    )
    third_events.put_permission(
        EventBusName=third_bus, Action="events:PutEvents", Principal=OTHER, StatementId="b"
    )
    dlq, source = make_queue(), unique_name("src")
    second_events.put_rule(
        Name="onward", EventBusName=second_bus, EventPattern=json.dumps({"source": [source]})
    )
    second_events.put_targets(
        Rule="onward",
        EventBusName=second_bus,
        Targets=[
            {
                "Id": "third",
                "Arn": f"arn:aws:events:us-east-1:{third}:event-bus/{third_bus}",
                "DeadLetterConfig": {"Arn": dlq.arn},
            }
        ],
    )
    rule = unique_name("rule")
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": [source]}))
    events.put_targets(
        Rule=rule,
        Targets=[{"Id": "second", "Arn": f"arn:aws:events:us-east-1:{OTHER}:event-bus/{second_bus}"}],
    )
    put(events, source, {})
    (dead,) = receive(sqs, dlq.url)
    assert dead["MessageAttributes"]["ERROR_CODE"]["StringValue"] == "THIRD_ACCOUNT_HOP_DETECTED"
