"""Kinesis → Lambda through an event source mapping: the event payload, starting positions,
and the failure story of scenario 2 (bisection isolates a poison record, retries are counted,
the OnFailure destination gets AWS's record, the records stay readable until retention passes)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import KinesisDataStreamModel
from event_source_support import Witness

SUCCEED = "def decide(event):\n    return None\n"
FAIL_ON_POISON = """
import base64

def decide(event):
    for record in event["Records"]:
        if base64.b64decode(record["kinesis"]["data"]) == b"poison":
            raise ValueError("poison record")
"""


@pytest.fixture
def kinesis(client_factory: Callable[..., Any]) -> Any:
    return client_factory("kinesis")


def make_stream(kinesis: Any, name: str) -> str:
    kinesis.create_stream(StreamName=name, ShardCount=1)
    return str(kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"])


def datas(event: dict[str, Any]) -> list[str]:
    return [base64.b64decode(record["kinesis"]["data"]).decode() for record in event["Records"]]


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def test_create_event_source_mapping_kinesis_record_matches_aws(
    kinesis: Any,
    lambda_client: Any,
    reporting_function: Callable[[str], str],
    witness: Witness,
    unique_name: Callable[[str], str],
    role_arn: str,
) -> None:
    name = unique_name("stream")
    arn = make_stream(kinesis, name)
    kinesis.put_record(StreamName=name, Data=b"before", PartitionKey="k")
    function = reporting_function(SUCCEED)
    mapping = lambda_client.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=function, StartingPosition="LATEST", BatchSize=10
    )
    assert mapping["State"] == "Creating"
    assert mapping["StartingPosition"] == "LATEST"
    put = kinesis.put_record(StreamName=name, Data=b'{"n": 1}', PartitionKey="pk-1")
    event = witness.next_event()
    KinesisDataStreamModel.model_validate(event)  # Powertools' parser accepts the event
    [record] = event["Records"]  # LATEST: the record put before the mapping is not delivered
    assert record == {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": "pk-1",
            "sequenceNumber": put["SequenceNumber"],
            "data": base64.b64encode(b'{"n": 1}').decode(),
            "approximateArrivalTimestamp": record["kinesis"]["approximateArrivalTimestamp"],
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"{put['ShardId']}:{put['SequenceNumber']}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": role_arn,
        "awsRegion": "us-east-1",
        "eventSourceARN": arn,
    }
    assert isinstance(record["kinesis"]["approximateArrivalTimestamp"], float)


def test_create_event_source_mapping_poison_record_bisected_and_sent_to_on_failure_destination(
    kinesis: Any,
    sqs: Any,
    lambda_client: Any,
    reporting_function: Callable[[str], str],
    witness: Witness,
    unique_name: Callable[[str], str],
    fogbank: Any,
) -> None:
    """Scenario 2."""
    name = unique_name("stream")
    arn = make_stream(kinesis, name)
    failures_url = sqs.create_queue(QueueName=unique_name("failures"))["QueueUrl"]
    failures_arn = sqs.get_queue_attributes(QueueUrl=failures_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    puts = [
        kinesis.put_record(StreamName=name, Data=data, PartitionKey="k")
        for data in (b"a", b"b", b"poison", b"d")
    ]
    function = reporting_function(FAIL_ON_POISON)
    mapping = lambda_client.create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName=function,
        StartingPosition="TRIM_HORIZON",
        BatchSize=4,
        BisectBatchOnFunctionError=True,
        MaximumRetryAttempts=2,
        DestinationConfig={"OnFailure": {"Destination": failures_arn}},
    )
    assert datas(witness.next_event()) == ["a", "b", "poison", "d"]
    assert datas(witness.next_event()) == ["a", "b"]  # the first half succeeds
    assert datas(witness.next_event()) == ["poison", "d"]
    assert datas(witness.next_event()) == ["poison"]  # isolated; now retried twice
    fogbank.advance_clock("PT1S")
    assert datas(witness.next_event()) == ["poison"]
    fogbank.advance_clock("PT2S")
    assert datas(witness.next_event()) == ["poison"]
    messages = sqs.receive_message(QueueUrl=failures_url, WaitTimeSeconds=20)["Messages"]
    document = json.loads(messages[0]["Body"])
    assert datas(witness.next_event()) == ["d"]  # the shard keeps moving
    poison = puts[2]
    arrivals = kinesis.get_records(
        ShardIterator=kinesis.get_shard_iterator(
            StreamName=name,
            ShardId=poison["ShardId"],
            ShardIteratorType="AT_SEQUENCE_NUMBER",
            StartingSequenceNumber=poison["SequenceNumber"],
        )["ShardIterator"]
    )["Records"]
    arrival = iso(arrivals[0]["ApproximateArrivalTimestamp"].timestamp())
    function_arn = lambda_client.get_function(FunctionName=function)["Configuration"]["FunctionArn"]
    assert document == {
        "requestContext": {
            "requestId": document["requestContext"]["requestId"],
            "functionArn": function_arn,
            "condition": "RetryAttemptsExhausted",
            "approximateInvokeCount": 3,
        },
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "version": "1.0",
        "timestamp": document["timestamp"],
        "KinesisBatchInfo": {
            "shardId": poison["ShardId"],
            "startSequenceNumber": poison["SequenceNumber"],
            "endSequenceNumber": poison["SequenceNumber"],
            "approximateArrivalOfFirstRecord": arrival,
            "approximateArrivalOfLastRecord": arrival,
            "batchSize": 1,
            "streamArn": arn,
        },
    }
    assert datetime.strptime(document["timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ")
    # The records stay in the stream until the retention period (24 h) has passed on the clock.
    assert arrivals[0]["Data"] == b"poison"
    fogbank.advance_clock("PT24H1M")
    iterator = kinesis.get_shard_iterator(
        StreamName=name, ShardId=poison["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    assert kinesis.get_records(ShardIterator=iterator)["Records"] == []
    assert lambda_client.get_event_source_mapping(UUID=mapping["UUID"])["LastProcessingResult"] == "OK"
    assert witness.is_quiet()


def lane_of(key: str, lanes: int) -> int:
    """fogbank's lane of a partition key (the MD5 of the key, as Kinesis hashes it)."""
    import hashlib

    return int.from_bytes(hashlib.md5(key.encode()).digest()[:8], "big") % lanes


FAIL_ON_KEY_A = """
def decide(event):
    if any(record["kinesis"]["partitionKey"] == "A" for record in event["Records"]):
        raise ValueError("A is broken")
"""


def test_create_event_source_mapping_parallelization_factor_lets_other_keys_pass_a_failing_one(
    kinesis: Any,
    lambda_client: Any,
    reporting_function: Callable[[str], str],
    witness: Witness,
    unique_name: Callable[[str], str],
    fogbank: Any,
) -> None:
    other = next(key for key in (f"B{n}" for n in range(100)) if lane_of(key, 2) != lane_of("A", 2))
    name = unique_name("stream")
    arn = make_stream(kinesis, name)
    kinesis.put_record(StreamName=name, Data=b"a1", PartitionKey="A")
    kinesis.put_record(StreamName=name, Data=b"b1", PartitionKey=other)
    kinesis.put_record(StreamName=name, Data=b"b2", PartitionKey=other)
    function = reporting_function(FAIL_ON_KEY_A)
    lambda_client.create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName=function,
        StartingPosition="TRIM_HORIZON",
        BatchSize=1,
        ParallelizationFactor=2,
        MaximumRetryAttempts=1,
    )
    first = datas(witness.next_event())
    second = datas(witness.next_event())
    fogbank.advance_clock("PT1S")
    seen = [first, second] + [datas(witness.next_event()) for _ in range(2)]
    # Key A's batch fails and waits for its retry; meanwhile the other key's lane goes on, in order.
    assert sorted([first, second]) == [["a1"], ["b1"]]
    assert [batch for batch in seen if batch != ["a1"]] == [["b1"], ["b2"]]
    assert seen.count(["a1"]) == 2  # the first try and one retry
    assert witness.is_quiet()


FAIL_ALWAYS = "def decide(event):\n    raise ValueError('cannot process')\n"
REPORT_BAD = """
import base64

def decide(event):
    bad = [r["kinesis"]["sequenceNumber"] for r in event["Records"] if base64.b64decode(r["kinesis"]["data"]) == b"bad"]
    return {"batchItemFailures": [{"itemIdentifier": number} for number in bad]}
"""


def failure_queue(sqs: Any, name: str) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def test_create_event_source_mapping_report_batch_item_failures_retries_from_checkpoint(
    kinesis: Any,
    sqs: Any,
    lambda_client: Any,
    reporting_function: Callable[[str], str],
    witness: Witness,
    unique_name: Callable[[str], str],
    fogbank: Any,
) -> None:
    name = unique_name("stream")
    arn = make_stream(kinesis, name)
    url, queue = failure_queue(sqs, unique_name("failures"))
    puts = [kinesis.put_record(StreamName=name, Data=d, PartitionKey="k") for d in (b"a", b"b", b"bad", b"c")]
    function = reporting_function(REPORT_BAD)
    lambda_client.create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName=function,
        StartingPosition="TRIM_HORIZON",
        BatchSize=10,
        MaximumRetryAttempts=1,
        FunctionResponseTypes=["ReportBatchItemFailures"],
        DestinationConfig={"OnFailure": {"Destination": queue}},
    )
    assert datas(witness.next_event()) == ["a", "b", "bad", "c"]
    fogbank.advance_clock("PT1S")
    assert datas(witness.next_event()) == ["bad", "c"]  # checkpointed before the failed record
    document = json.loads(sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)["Messages"][0]["Body"])
    info = document["KinesisBatchInfo"]
    assert (info["startSequenceNumber"], info["endSequenceNumber"], info["batchSize"]) == (
        puts[2]["SequenceNumber"],
        puts[3]["SequenceNumber"],
        2,
    )
    assert document["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert document["requestContext"]["approximateInvokeCount"] == 2
    assert document["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    assert witness.is_quiet()


def test_create_event_source_mapping_maximum_record_age_discards_old_records(
    kinesis: Any,
    sqs: Any,
    lambda_client: Any,
    reporting_function: Callable[[str], str],
    witness: Witness,
    unique_name: Callable[[str], str],
    fogbank: Any,
) -> None:
    name = unique_name("stream")
    arn = make_stream(kinesis, name)
    url, queue = failure_queue(sqs, unique_name("failures"))
    function = reporting_function(FAIL_ALWAYS)
    lambda_client.create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName=function,
        StartingPosition="LATEST",
        MaximumRecordAgeInSeconds=60,
        DestinationConfig={"OnFailure": {"Destination": queue}},
    )
    put = kinesis.put_record(StreamName=name, Data=b"late", PartitionKey="k")
    assert datas(witness.next_event()) == ["late"]
    fogbank.advance_clock("PT61S")
    document = json.loads(sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)["Messages"][0]["Body"])
    assert document["requestContext"]["condition"] == "RecordAgeExceeded"
    assert document["KinesisBatchInfo"]["startSequenceNumber"] == put["SequenceNumber"]
    assert document["responseContext"]["functionError"] == "Unhandled"
    kinesis.put_record(StreamName=name, Data=b"next", PartitionKey="k")
    events = [datas(witness.next_event())]
    while events[-1] == ["late"]:  # retries that ran before the clock moved
        events.append(datas(witness.next_event()))
    assert events[-1] == ["next"]


def test_create_event_source_mapping_failing_batch_blocks_shard_until_records_expire(
    kinesis: Any,
    lambda_client: Any,
    reporting_function: Callable[[str], str],
    witness: Witness,
    unique_name: Callable[[str], str],
    fogbank: Any,
) -> None:
    name = unique_name("stream")
    arn = make_stream(kinesis, name)
    function = reporting_function(FAIL_ON_POISON)
    mapping = lambda_client.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=function, StartingPosition="LATEST", BatchSize=1
    )
    kinesis.put_record(StreamName=name, Data=b"poison", PartitionKey="k")
    assert datas(witness.next_event()) == ["poison"]
    wait_for_failure(lambda_client, mapping["UUID"])  # the failed batch now waits for its retry
    fogbank.advance_clock("PT23H")
    assert datas(witness.next_event()) == ["poison"]  # retried, still blocking the shard
    kinesis.put_record(StreamName=name, Data=b"fresh", PartitionKey="k")
    fogbank.advance_clock("PT1H1M")  # the poison record leaves the stream with the 24 h retention
    events = [datas(witness.next_event())]
    while events[-1] == ["poison"]:
        events.append(datas(witness.next_event()))
    assert events[-1] == ["fresh"]


def wait_for_failure(lambda_client: Any, mapping_id: str) -> None:
    """Until the mapping reports the failed invocation (its function reports the event before it
    fails, so the witness alone cannot tell that the failure was handled)."""
    for _ in range(1000):
        found = lambda_client.get_event_source_mapping(UUID=mapping_id)["LastProcessingResult"]
        if found == "PROBLEM: Function call failed":
            return
    raise AssertionError("the mapping never reported the failure")


SUM_IN_WINDOW = """
import base64

def decide(event):
    total = event["state"].get("total", 0)
    total += sum(int(base64.b64decode(r["kinesis"]["data"])) for r in event["Records"])
    return {"state": {"total": total}}
"""


def test_create_event_source_mapping_tumbling_window_carries_state_to_final_invoke(
    kinesis: Any,
    lambda_client: Any,
    reporting_function: Callable[[str], str],
    witness: Witness,
    unique_name: Callable[[str], str],
    fogbank: Any,
) -> None:
    name = unique_name("stream")
    arn = make_stream(kinesis, name)
    function = reporting_function(SUM_IN_WINDOW)
    lambda_client.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=function, StartingPosition="LATEST", TumblingWindowInSeconds=300
    )
    put = kinesis.put_records(
        StreamName=name, Records=[{"Data": b"1", "PartitionKey": "k"}, {"Data": b"2", "PartitionKey": "k"}]
    )
    first = witness.next_event()
    shard = put["Records"][0]["ShardId"]
    start, end = first["window"]["start"], first["window"]["end"]
    opened = datetime.strptime(start, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    closed = datetime.strptime(end, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert (closed - opened).total_seconds() == 300 and opened.timestamp() % 300 == 0
    assert {key: value for key, value in first.items() if key != "Records"} == {
        "window": {"start": start, "end": end},
        "state": {},
        "shardId": shard,
        "eventSourceARN": arn,
        "isFinalInvokeForWindow": False,
        "isWindowTerminatedEarly": False,
    }
    assert datas(first) == ["1", "2"]
    kinesis.put_record(StreamName=name, Data=b"4", PartitionKey="k")
    second = witness.next_event()
    assert (datas(second), second["state"], second["window"]["start"]) in (
        (["4"], {"total": 3}, start),
        ([], {"total": 3}, start),  # the window closed in between: its final invoke comes first
    )
    fogbank.advance_clock("PT301S")
    events = [second]
    while not events[-1]["isFinalInvokeForWindow"] or events[-1]["window"]["start"] != start:
        events.append(witness.next_event())
    final = events[-1]
    assert final["Records"] == [] and final["window"] == {"start": start, "end": end}
    assert final["state"] == ({"total": 7} if datas(second) == ["4"] else {"total": 3})


def test_create_event_source_mapping_on_failure_to_s3_stores_record_with_invocation(
    kinesis: Any,
    client_factory: Callable[..., Any],
    lambda_client: Any,
    reporting_function: Callable[[str], str],
    witness: Witness,
    unique_name: Callable[[str], str],
) -> None:
    s3 = client_factory("s3")
    bucket = unique_name("failures")
    s3.create_bucket(Bucket=bucket)
    name = unique_name("stream")
    arn = make_stream(kinesis, name)
    function = reporting_function(FAIL_ALWAYS)
    mapping = lambda_client.create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName=function,
        StartingPosition="LATEST",
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": f"arn:aws:s3:::{bucket}"}},
    )
    put = kinesis.put_record(StreamName=name, Data=b"lost", PartitionKey="k")
    event = witness.next_event()
    wait_for_failure(lambda_client, mapping["UUID"])
    for _ in range(1000):
        listed = s3.list_objects_v2(Bucket=bucket).get("Contents") or []
        if listed:
            break
    [stored] = listed
    prefix = f"aws/lambda/{mapping['UUID']}/{put['ShardId']}/"
    assert stored["Key"].startswith(prefix)
    document = json.loads(s3.get_object(Bucket=bucket, Key=stored["Key"])["Body"].read())
    assert document["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert document["requestContext"]["approximateInvokeCount"] == 1
    assert document["KinesisBatchInfo"]["startSequenceNumber"] == put["SequenceNumber"]
    assert document["payload"] == event


def test_create_event_source_mapping_at_timestamp_and_filter_criteria_select_records(
    kinesis: Any,
    lambda_client: Any,
    reporting_function: Callable[[str], str],
    witness: Witness,
    unique_name: Callable[[str], str],
    fogbank: Any,
) -> None:
    name = unique_name("stream")
    arn = make_stream(kinesis, name)
    kinesis.put_record(StreamName=name, Data=b'{"kind": "order", "n": 0}', PartitionKey="k")
    fogbank.advance_clock("PT2S")
    second = kinesis.put_record(StreamName=name, Data=b'{"kind": "order", "n": 1}', PartitionKey="k")
    kinesis.put_record(StreamName=name, Data=b'{"kind": "spam", "n": 2}', PartitionKey="k")
    kinesis.put_record(StreamName=name, Data=b"not json", PartitionKey="k")
    kinesis.put_record(StreamName=name, Data=b'{"kind": "order", "n": 3}', PartitionKey="k")
    iterator = kinesis.get_shard_iterator(
        StreamName=name,
        ShardId=second["ShardId"],
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        StartingSequenceNumber=second["SequenceNumber"],
    )["ShardIterator"]
    moment = kinesis.get_records(ShardIterator=iterator, Limit=1)["Records"][0]["ApproximateArrivalTimestamp"]
    function = reporting_function(SUCCEED)
    lambda_client.create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName=function,
        StartingPosition="AT_TIMESTAMP",
        StartingPositionTimestamp=moment,
        BatchSize=10,
        FilterCriteria={"Filters": [{"Pattern": json.dumps({"data": {"kind": ["order"]}})}]},
    )
    assert datas(witness.next_event()) == ['{"kind": "order", "n": 1}', '{"kind": "order", "n": 3}']
    assert witness.is_quiet()


def test_create_event_source_mapping_on_failure_to_sns_publishes_record(
    kinesis: Any,
    sqs: Any,
    client_factory: Callable[..., Any],
    lambda_client: Any,
    reporting_function: Callable[[str], str],
    witness: Witness,
    unique_name: Callable[[str], str],
) -> None:
    sns = client_factory("sns")
    topic = sns.create_topic(Name=unique_name("failures"))["TopicArn"]
    url, queue = failure_queue(sqs, unique_name("subscriber"))
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue, Attributes={"RawMessageDelivery": "true"})
    name = unique_name("stream")
    arn = make_stream(kinesis, name)
    function = reporting_function(FAIL_ALWAYS)
    lambda_client.create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName=function,
        StartingPosition="LATEST",
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": topic}},
    )
    put = kinesis.put_record(StreamName=name, Data=b"lost", PartitionKey="k")
    witness.next_event()
    document = json.loads(sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)["Messages"][0]["Body"])
    assert document["KinesisBatchInfo"]["startSequenceNumber"] == put["SequenceNumber"]
    assert document["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert "payload" not in document


def test_create_event_source_mapping_child_shards_wait_for_their_parent(
    kinesis: Any,
    lambda_client: Any,
    reporting_function: Callable[[str], str],
    witness: Witness,
    unique_name: Callable[[str], str],
    fogbank: Any,
) -> None:
    name = unique_name("stream")
    arn = make_stream(kinesis, name)
    function = reporting_function(FAIL_ON_POISON)
    mapping = lambda_client.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=function, StartingPosition="LATEST", MaximumRetryAttempts=1
    )
    parent = kinesis.put_record(StreamName=name, Data=b"poison", PartitionKey="k")["ShardId"]
    assert datas(witness.next_event()) == ["poison"]
    wait_for_failure(lambda_client, mapping["UUID"])
    kinesis.split_shard(StreamName=name, ShardToSplit=parent, NewStartingHashKey=str(2**127))
    child = kinesis.put_record(StreamName=name, Data=b"after split", PartitionKey="k")["ShardId"]
    assert child != parent
    fogbank.advance_clock("PT1S")
    assert datas(witness.next_event()) == ["poison"]  # the parent's retry comes first
    assert datas(witness.next_event()) == ["after split"]
    assert witness.is_quiet()
