"""FIFO queues: deduplication (by id and by content) within the 5-minute window on the clock,
message group ordering and blocking, sequence numbers, and FIFO-specific errors."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from sqs_support import error_of


def test_send_message_same_deduplication_id_within_window_delivers_once(
    sqs: Any, fogbank: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue(fifo=True)
    first = sqs.send_message(QueueUrl=url, MessageBody="a", MessageGroupId="g", MessageDeduplicationId="d1")
    again = sqs.send_message(QueueUrl=url, MessageBody="a", MessageGroupId="g", MessageDeduplicationId="d1")
    assert again["MessageId"] == first["MessageId"]
    assert again["SequenceNumber"] == first["SequenceNumber"]
    assert len(first["SequenceNumber"]) == 20 and first["SequenceNumber"].isdigit()
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in messages] == ["a"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=messages[0]["ReceiptHandle"])
    fogbank.advance_clock("PT4M")
    sqs.send_message(QueueUrl=url, MessageBody="a", MessageGroupId="g", MessageDeduplicationId="d1")
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    fogbank.advance_clock("PT61S")
    after = sqs.send_message(QueueUrl=url, MessageBody="a", MessageGroupId="g", MessageDeduplicationId="d1")
    assert after["MessageId"] != first["MessageId"]
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["MessageId"] == after["MessageId"]


def test_send_message_content_based_deduplication_uses_body_sha256(
    sqs: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue(fifo=True, ContentBasedDeduplication="true")
    first = sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")
    assert (
        sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")["MessageId"]
        == first["MessageId"]
    )
    sqs.send_message(QueueUrl=url, MessageBody="different", MessageGroupId="g")
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"])[
        "Messages"
    ]
    assert [m["Body"] for m in messages] == ["same", "different"]
    assert messages[0]["Attributes"]["MessageDeduplicationId"] == hashlib.sha256(b"same").hexdigest()
    assert messages[0]["Attributes"]["MessageGroupId"] == "g"
    assert int(messages[1]["Attributes"]["SequenceNumber"]) > int(messages[0]["Attributes"]["SequenceNumber"])


def test_send_message_deduplication_scope_message_group_separates_groups(
    sqs: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue(fifo=True, DeduplicationScope="messageGroup", FifoThroughputLimit="perMessageGroupId")
    one = sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="a", MessageDeduplicationId="d")
    two = sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="b", MessageDeduplicationId="d")
    assert one["MessageId"] != two["MessageId"]


def test_receive_message_group_blocked_while_message_in_flight(
    sqs: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue(fifo=True, ContentBasedDeduplication="true")
    for body, group in [("a1", "a"), ("a2", "a"), ("b1", "b")]:
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group)
    first = sqs.receive_message(QueueUrl=url)["Messages"]
    assert [m["Body"] for m in first] == ["a1"]
    second = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in second] == ["b1"]  # group a waits for a1
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first[0]["ReceiptHandle"])
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=url)["Messages"]] == ["a2"]


def test_receive_message_fifo_returns_group_in_order(sqs: Any, make_queue: Callable[..., str]) -> None:
    url = make_queue(fifo=True, ContentBasedDeduplication="true")
    sqs.send_message_batch(
        QueueUrl=url,
        Entries=[{"Id": str(i), "MessageBody": f"m{i}", "MessageGroupId": "g"} for i in range(5)],
    )
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in messages] == [f"m{i}" for i in range(5)]


def test_receive_message_fifo_visibility_expiry_redelivers_head_first(
    sqs: Any, fogbank: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue(fifo=True, ContentBasedDeduplication="true", VisibilityTimeout="20")
    sqs.send_message(QueueUrl=url, MessageBody="first", MessageGroupId="g")
    sqs.send_message(QueueUrl=url, MessageBody="second", MessageGroupId="g")
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "first"
    fogbank.advance_clock("PT20S")
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "first"


def test_send_message_fifo_without_group_fails(sqs: Any, make_queue: Callable[..., str]) -> None:
    url = make_queue(fifo=True, ContentBasedDeduplication="true")
    with pytest.raises(ClientError) as raised:
        sqs.send_message(QueueUrl=url, MessageBody="x")
    assert error_of(raised) == (
        "MissingParameter",
        "The request must contain the parameter MessageGroupId.",
        400,
    )


def test_send_message_fifo_without_deduplication_fails(sqs: Any, make_queue: Callable[..., str]) -> None:
    url = make_queue(fifo=True)
    with pytest.raises(ClientError) as raised:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g")
    assert error_of(raised) == (
        "InvalidParameterValue",
        "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
        400,
    )


def test_send_message_fifo_per_message_delay_fails(sqs: Any, make_queue: Callable[..., str]) -> None:
    url = make_queue(fifo=True, ContentBasedDeduplication="true")
    with pytest.raises(ClientError) as raised:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g", DelaySeconds=5)
    assert error_of(raised) == (
        "InvalidParameterValue",
        "Value 5 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.",
        400,
    )


def test_send_message_standard_queue_deduplication_id_fails(sqs: Any, make_queue: Callable[..., str]) -> None:
    url = make_queue()
    with pytest.raises(ClientError) as raised:
        sqs.send_message(QueueUrl=url, MessageBody="x", MessageDeduplicationId="d")
    assert error_of(raised)[0] == "InvalidParameterValue"


def test_create_queue_fifo_throughput_per_group_needs_group_scope(
    sqs: Any, unique_name: Callable[[str], str]
) -> None:
    with pytest.raises(ClientError) as raised:
        sqs.create_queue(
            QueueName=unique_name("q") + ".fifo",
            Attributes={
                "FifoQueue": "true",
                "FifoThroughputLimit": "perMessageGroupId",
                "DeduplicationScope": "queue",
            },
        )
    assert error_of(raised)[0] == "InvalidAttributeValue"


def test_send_message_batch_fifo_duplicates_within_batch_collapse(
    sqs: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue(fifo=True)
    result = sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "a", "MessageBody": "x", "MessageGroupId": "g", "MessageDeduplicationId": "same"},
            {"Id": "b", "MessageBody": "x", "MessageGroupId": "g", "MessageDeduplicationId": "same"},
        ],
    )
    assert result["Successful"][0]["MessageId"] == result["Successful"][1]["MessageId"]
    assert len(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]) == 1


def test_receive_message_same_attempt_id_replays_same_messages(
    sqs: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue(fifo=True, ContentBasedDeduplication="true")
    sqs.send_message(QueueUrl=url, MessageBody="one", MessageGroupId="g")
    sqs.send_message(QueueUrl=url, MessageBody="two", MessageGroupId="h")
    first = sqs.receive_message(QueueUrl=url, ReceiveRequestAttemptId="try-1")["Messages"]
    again = sqs.receive_message(QueueUrl=url, ReceiveRequestAttemptId="try-1")["Messages"]
    assert [(m["MessageId"], m["ReceiptHandle"]) for m in again] == [
        (m["MessageId"], m["ReceiptHandle"]) for m in first
    ]
    other = sqs.receive_message(QueueUrl=url, ReceiveRequestAttemptId="try-2")["Messages"]
    assert [m["Body"] for m in other] == ["two"]


def test_delete_message_fifo_expired_receipt_handle_fails(
    sqs: Any, fogbank: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue(fifo=True, ContentBasedDeduplication="true", VisibilityTimeout="10")
    sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g")
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    fogbank.advance_clock("PT10S")
    with pytest.raises(ClientError) as raised:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
    assert error_of(raised) == (
        "InvalidParameterValue",
        f"Value {handle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.",
        400,
    )
    fresh = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=fresh)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


def test_send_message_batch_fifo_missing_group_fails_whole_request(
    sqs: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue(fifo=True, ContentBasedDeduplication="true")
    with pytest.raises(ClientError) as raised:
        sqs.send_message_batch(
            QueueUrl=url,
            Entries=[{"Id": "a", "MessageBody": "1", "MessageGroupId": "g"}, {"Id": "b", "MessageBody": "2"}],
        )
    assert error_of(raised) == (
        "InvalidParameterValue",
        "The request must contain the parameter MessageGroupId.",
        400,
    )
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


def test_receive_message_long_poll_returns_when_blocking_message_deleted(
    sqs: Any, client_factory: Callable[..., Any], make_queue: Callable[..., str]
) -> None:
    import threading
    import time

    url = make_queue(fifo=True, ContentBasedDeduplication="true")
    sqs.send_message(QueueUrl=url, MessageBody="first", MessageGroupId="g")
    sqs.send_message(QueueUrl=url, MessageBody="second", MessageGroupId="g")
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    other = client_factory("sqs")
    other.list_queues()
    timer = threading.Timer(0.3, lambda: other.delete_message(QueueUrl=url, ReceiptHandle=handle))
    started = time.monotonic()
    timer.start()
    received = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)
    timer.join()
    assert [m["Body"] for m in received["Messages"]] == ["second"]
    assert time.monotonic() - started < 5
