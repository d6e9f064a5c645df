"""SQS → Lambda through an event source mapping: delivery, the event payload, batching, filters,
partial batch failures, visibility timeout and redrive to the dead-letter queue (scenario 1)."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.parser.models import SqsModel
from event_source_support import Witness

SUCCEED = "def decide(event):\n    return None\n"
FAIL = "def decide(event):\n    raise Exception('job failed')\n"
REPORT_ODD_FAILURES = """
def decide(event):
    failed = [r["messageId"] for r in event["Records"] if int(r["body"]) % 2]
    return {"batchItemFailures": [{"itemIdentifier": m} for m in failed]}
"""


def queue_arn(sqs: Any, url: str) -> str:
    return str(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])


def make_queue(sqs: Any, name: str, **attributes: str) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    return url, queue_arn(sqs, url)


def counts(sqs: Any, url: str) -> tuple[int, int]:
    found = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(found["ApproximateNumberOfMessages"]), int(found["ApproximateNumberOfMessagesNotVisible"])


def test_create_event_source_mapping_sqs_message_delivers_aws_record(
    sqs: Any,
    lambda_client: Any,
    reporting_function: Callable[[str], str],
    witness: Witness,
    unique_name: Callable[[str], str],
) -> None:
    url, arn = make_queue(sqs, unique_name("jobs"))
    function = reporting_function(SUCCEED)
    mapping = lambda_client.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=function, BatchSize=1
    )
    sent = sqs.send_message(
        QueueUrl=url,
        MessageBody="hello",
        MessageAttributes={
            "color": {"DataType": "String", "StringValue": "blue"},
            "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
        },
    )
    event = witness.next_event()
    SqsModel.model_validate(event)  # Powertools' parser accepts the event
    [record] = event["Records"]
    assert set(record) == {
        "messageId",
        "receiptHandle",
        "body",
        "attributes",
        "messageAttributes",
        "md5OfBody",
        "md5OfMessageAttributes",
        "eventSource",
        "eventSourceARN",
        "awsRegion",
    }
    assert record["messageId"] == sent["MessageId"]
    assert record["body"] == "hello"
    assert record["md5OfBody"] == hashlib.md5(b"hello").hexdigest()
    assert record["md5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == arn
    assert record["awsRegion"] == "us-east-1"
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert {"SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"} <= set(record["attributes"])
    assert record["messageAttributes"] == {
        "color": {
            "stringValue": "blue",
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "String",
        },
        "blob": {
            "binaryValue": base64.b64encode(b"\x00\x01").decode(),
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "Binary",
        },
    }
    # A successful batch is deleted from the queue.
    lambda_client.get_event_source_mapping(UUID=mapping["UUID"])
    assert witness.is_quiet()


def test_create_event_source_mapping_failing_job_reaches_dead_letter_queue_after_max_receive_count(
    sqs: Any,
    lambda_client: Any,
    reporting_function: Callable[[str], str],
    witness: Witness,
    unique_name: Callable[[str], str],
    fogbank: Any,
) -> None:
    """Scenario 1: visibility timeout 60 s, maxReceiveCount 5, a job that always fails."""
    dlq_url, dlq_arn = make_queue(sqs, unique_name("dlq"), MessageRetentionPeriod="1209600")
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5})
    url, arn = make_queue(
        sqs,
        unique_name("jobs"),
        VisibilityTimeout="60",
        MessageRetentionPeriod="172800",
        RedrivePolicy=redrive,
    )
    function = reporting_function(FAIL)
    lambda_client.put_function_concurrency(FunctionName=function, ReservedConcurrentExecutions=10)
    lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=function, BatchSize=1)
    sent = sqs.send_message(QueueUrl=url, MessageBody="doomed job")
    for attempt in range(1, 6):
        [record] = witness.next_event()["Records"]
        assert record["messageId"] == sent["MessageId"]
        assert record["attributes"]["ApproximateReceiveCount"] == str(attempt)
        assert counts(sqs, url) == (0, 1)  # in flight until its visibility timeout passes
        fogbank.advance_clock("PT61S")
    # The sixth receive finds it received five times: SQS moves it to the dead-letter queue.
    dead = sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=20, AttributeNames=["All"])["Messages"]
    assert [(m["MessageId"], m["Body"]) for m in dead] == [(sent["MessageId"], "doomed job")]
    assert dead[0]["Attributes"]["ApproximateReceiveCount"] == "6"
    assert counts(sqs, url) == (0, 0)
    assert witness.is_quiet()


def test_create_event_source_mapping_report_batch_item_failures_keeps_only_failed_messages(
    sqs: Any,
    lambda_client: Any,
    reporting_function: Callable[[str], str],
    witness: Witness,
    unique_name: Callable[[str], str],
    fogbank: Any,
) -> None:
    url, arn = make_queue(sqs, unique_name("jobs"), VisibilityTimeout="30")
    for number in range(4):
        sqs.send_message(QueueUrl=url, MessageBody=str(number))
    function = reporting_function(REPORT_ODD_FAILURES)
    lambda_client.create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName=function,
        BatchSize=10,
        FunctionResponseTypes=["ReportBatchItemFailures"],
    )
    first = witness.next_event()["Records"]
    assert sorted(r["body"] for r in first) == ["0", "1", "2", "3"]
    # The function reports before it answers: wait until its answer deleted the successful two.
    assert any(counts(sqs, url) == (0, 2) for _ in range(1000))
    fogbank.advance_clock("PT31S")
    again = witness.next_event()["Records"]
    assert sorted(r["body"] for r in again) == ["1", "3"]
    assert all(r["attributes"]["ApproximateReceiveCount"] == "2" for r in again)


def test_create_event_source_mapping_filter_criteria_deletes_non_matching_messages(
    sqs: Any,
    lambda_client: Any,
    reporting_function: Callable[[str], str],
    witness: Witness,
    unique_name: Callable[[str], str],
) -> None:
    url, arn = make_queue(sqs, unique_name("jobs"))
    function = reporting_function(SUCCEED)
    lambda_client.create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName=function,
        BatchSize=1,
        FilterCriteria={"Filters": [{"Pattern": json.dumps({"body": {"kind": ["order"]}})}]},
    )
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"kind": "spam"}))
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"kind": "order"}))
    [record] = witness.next_event()["Records"]
    assert json.loads(record["body"]) == {"kind": "order"}
    # The non-matching message was deleted before the invocation, not left behind (the matching
    # one may still be in flight until the function's answer is handled).
    assert counts(sqs, url) in ((0, 0), (0, 1))
    assert witness.is_quiet()


def test_create_event_source_mapping_batching_window_gathers_until_clock_passes(
    sqs: Any,
    lambda_client: Any,
    reporting_function: Callable[[str], str],
    witness: Witness,
    unique_name: Callable[[str], str],
    fogbank: Any,
) -> None:
    # AWS advises a visibility timeout longer than the batching window: gathered messages stay
    # in flight while the window is open.
    url, arn = make_queue(sqs, unique_name("jobs"), VisibilityTimeout="120")
    function = reporting_function(SUCCEED)
    lambda_client.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=function, BatchSize=100, MaximumBatchingWindowInSeconds=60
    )
    for start in range(0, 30, 10):
        entries = [{"Id": str(n), "MessageBody": str(n)} for n in range(start, start + 10)]
        sqs.send_message_batch(QueueUrl=url, Entries=entries)
    assert witness.is_quiet()  # the window is still open
    fogbank.advance_clock("PT61S")
    records = witness.next_event()["Records"]
    assert sorted(int(r["body"]) for r in records) == list(range(30))


def test_create_event_source_mapping_fifo_queue_keeps_group_order(
    sqs: Any,
    lambda_client: Any,
    reporting_function: Callable[[str], str],
    witness: Witness,
    unique_name: Callable[[str], str],
) -> None:
    url, arn = make_queue(
        sqs, unique_name("orders") + ".fifo", FifoQueue="true", ContentBasedDeduplication="true"
    )
    for number in range(6):
        sqs.send_message(QueueUrl=url, MessageBody=f"{number % 2}-{number}", MessageGroupId=str(number % 2))
    function = reporting_function(SUCCEED)
    lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=function, BatchSize=2)
    seen: dict[str, list[str]] = {"0": [], "1": []}
    while sum(len(items) for items in seen.values()) < 6:
        for record in witness.next_event()["Records"]:
            seen[record["attributes"]["MessageGroupId"]].append(record["body"])
    assert seen == {"0": ["0-0", "0-2", "0-4"], "1": ["1-1", "1-3", "1-5"]}


SLOW = "import time\n\ndef decide(event):\n    time.sleep(0.3)\n"


def test_create_event_source_mapping_maximum_concurrency_bounds_batches_in_flight(
    sqs: Any,
    lambda_client: Any,
    reporting_function: Callable[[str], str],
    witness: Witness,
    unique_name: Callable[[str], str],
) -> None:
    url, arn = make_queue(sqs, unique_name("jobs"))
    function = reporting_function(SLOW)
    mapping = lambda_client.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=function, BatchSize=1, ScalingConfig={"MaximumConcurrency": 2}
    )
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": 2}
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(n), "MessageBody": str(n)} for n in range(6)])
    starts = []
    while len(starts) < 6:
        answer = sqs.receive_message(
            QueueUrl=witness.url, WaitTimeSeconds=20, AttributeNames=["SentTimestamp"]
        )
        for message in answer.get("Messages") or []:
            starts.append(int(message["Attributes"]["SentTimestamp"]))
            sqs.delete_message(QueueUrl=witness.url, ReceiptHandle=message["ReceiptHandle"])
    starts.sort()
    # At most two invocations run at once: any three starts span at least one 300 ms invocation.
    assert all(starts[i + 2] - starts[i] >= 290 for i in range(4))
