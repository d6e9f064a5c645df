"""Issues 5 and 6: Step Functions (3-state Pass machine: StartSyncExecution p50 of an EXPRESS
machine; Standard StartExecution → SUCCEEDED p50, polled with DescribeExecution) and EventBridge
(PutEvents throughput at concurrency 16; PutEvents → SQS target delivery p50)."""

from __future__ import annotations

import json
import time
import uuid

from lambda_workloads import latency_result
from targets import Target
from wire import COUNTER, Wire, client, signed
from workloads import Result, Settings, measure

PASS3 = {
    "StartAt": "One",
    "States": {
        "One": {"Type": "Pass", "Result": {"step": 1}, "ResultPath": "$.one", "Next": "Two"},
        "Two": {"Type": "Pass", "Result": {"step": 2}, "ResultPath": "$.two", "Next": "Three"},
        "Three": {"Type": "Pass", "End": True},
    },
}
ROLE = "arn:aws:iam::000000000000:role/bench"


def state_machine(target: Target, kind: str, definition: dict[str, object] = PASS3) -> str:
    name = f"bench-{kind.lower()}-{uuid.uuid4().hex[:6]}"
    answer = client(target, "stepfunctions").create_state_machine(
        name=name, definition=json.dumps(definition), roleArn=ROLE, type=kind
    )
    return answer["stateMachineArn"]  # type: ignore[no-any-return]


def start_sync(target: Target, settings: Settings) -> Result:
    arn = state_machine(target, "EXPRESS")
    request = signed(target, "stepfunctions", "start_sync_execution", stateMachineArn=arn, input='{"a": 1}')
    return measure(
        target,
        [request],
        settings,
        concurrency=1,
        limit=1000,
        seconds=min(settings.seconds, 3.0),
        expect_text="SUCCEEDED",
    )


def standard_to_succeeded(target: Target, settings: Settings) -> Result:
    """StartExecution, then DescribeExecution at once and again until it is not RUNNING (bounded)."""
    arn = state_machine(target, "STANDARD")
    start = signed(target, "stepfunctions", "start_execution", stateMachineArn=arn, name=COUNTER, input="{}")
    describe = signed(target, "stepfunctions", "describe_execution", executionArn="EEEEEEEEEE")
    wire, latencies = Wire(target), []
    deadline = time.monotonic() + min(settings.seconds, 3.0)
    try:
        for n in range(300):
            if time.monotonic() > deadline and n >= 20:
                break
            began = time.perf_counter()
            execution = wire.json(start, COUNTER, f"{n:010d}")["executionArn"]
            status = "RUNNING"
            while status == "RUNNING" and time.perf_counter() - began < 10:
                status = wire.json(describe, "EEEEEEEEEE", execution)["status"]
            if status != "SUCCEEDED":
                raise RuntimeError(f"execution {execution} ended {status}")
            latencies.append(time.perf_counter() - began)
    finally:
        wire.close()
    return latency_result(latencies)


def put_events(target: Target, settings: Settings) -> Result:
    """PutEvents of one event on the default bus (no rule matches it): every answer an EventId."""
    entry = {"Source": "bench.load", "DetailType": "load", "Detail": json.dumps({"n": 1, "pad": "x" * 100})}
    request = signed(target, "events", "put_events", Entries=[entry])
    return measure(target, [request], settings, expect_text='"EventId"', repeat=settings.repeat)


def events_to_sqs(target: Target, settings: Settings, other_rules: int = 0) -> Result:
    """A rule sends matching events to a queue: PutEvents → ReceiveMessage (long poll) answered with
    the message, one event at a time. With `other_rules`, the rule shares a custom bus with that many
    rules that do not match (issue 6: matching on a 1,000-rule bus costs ≤ 1 ms more)."""
    sqs, events = client(target, "sqs"), client(target, "events")
    url = sqs.create_queue(QueueName=f"bench-events-{uuid.uuid4().hex[:6]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    bus = "default"
    if other_rules:
        bus = f"bench-bus-{uuid.uuid4().hex[:6]}"
        events.create_event_bus(Name=bus)
        for number in range(other_rules):
            # Half are filed by detail-type, half only by source: both kinds of rule an index sees.
            pattern = (
                {"source": ["bench.delivery"], "detail-type": [f"other {number}"]}
                if number % 2
                else {"source": [f"bench.other.{number}"], "detail": {"n": [{"numeric": [">", 0]}]}}
            )
            events.put_rule(Name=f"other-{number}", EventBusName=bus, EventPattern=json.dumps(pattern))
    rule = f"bench-{uuid.uuid4().hex[:6]}"
    events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps({"source": ["bench.delivery"]}))
    events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "queue", "Arn": queue_arn}])
    entry = {"Source": "bench.delivery", "DetailType": "delivery", "Detail": '{"n": 1}', "EventBusName": bus}
    put = signed(target, "events", "put_events", Entries=[entry])
    receive = signed(target, "sqs", "receive_message", QueueUrl=url, WaitTimeSeconds=5)
    delete = signed(target, "sqs", "delete_message", QueueUrl=url, ReceiptHandle="RRRRRRRRRR")
    wire, latencies = Wire(target), []
    deadline = time.monotonic() + min(settings.seconds, 3.0)
    try:
        for n in range(300):
            if time.monotonic() > deadline and n >= 20:
                break
            began = time.perf_counter()
            wire.json(put)
            messages = wire.json(receive).get("Messages", [])
            if not messages:
                raise RuntimeError("no delivery within 5 s")
            latencies.append(time.perf_counter() - began)
            wire.json(delete, "RRRRRRRRRR", json.dumps(messages[0]["ReceiptHandle"])[1:-1])
    finally:
        wire.close()
    return latency_result(latencies)


MAP100 = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "Touch",
                "States": {"Touch": {"Type": "Pass", "End": True}},
            },
            "End": True,
        }
    },
}


def finished(target: Target, arn: str) -> tuple[int, int]:
    """(SUCCEEDED, FAILED + TIMED_OUT + ABORTED) executions of a machine."""
    sfn, counts = client(target, "stepfunctions"), []
    for statuses in (("SUCCEEDED",), ("FAILED", "TIMED_OUT", "ABORTED")):
        total = 0
        for status in statuses:
            pages = sfn.get_paginator("list_executions").paginate(stateMachineArn=arn, statusFilter=status)
            total += sum(len(page["executions"]) for page in pages)
        counts.append(total)
    return counts[0], counts[1]


def map_burst(target: Target, settings: Settings) -> Result:
    """1,000 Standard executions of a Map over 100 items, started at concurrency 16: the time from
    the first start until all 1,000 SUCCEEDED (polled every 0.25 s, bounded at 180 s)."""
    arn = state_machine(target, "STANDARD", MAP100)
    document = json.dumps({"items": list(range(100))})
    start = signed(
        target, "stepfunctions", "start_execution", stateMachineArn=arn, name=COUNTER, input=document
    )
    began = time.perf_counter()
    measure(target, [start], settings, warm=False, limit=1000, seconds=60.0, counter_token=COUNTER)
    while time.perf_counter() - began < 180:
        succeeded, failed = finished(target, arn)
        if failed:
            raise RuntimeError(f"{failed} executions did not succeed")
        if succeeded >= 1000:
            return Result(1000, time.perf_counter() - began, 0.0, 0.0, 0.0)
        time.sleep(0.25)
    raise RuntimeError(f"only {succeeded} of 1000 executions SUCCEEDED after 180 s")
