"""Time on fogbank's clock: delays, visibility timeouts, retention and long polling, all crossed
by advancing the clock (never by sleeping)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any


def _count(sqs: Any, url: str) -> dict[str, str]:
    names = [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    ]
    return dict(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"])


def test_send_message_delay_900_invisible_until_clock_advances_15_minutes(
    sqs: Any, fogbank: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=900)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    assert _count(sqs, url) == {
        "ApproximateNumberOfMessages": "0",
        "ApproximateNumberOfMessagesNotVisible": "0",
        "ApproximateNumberOfMessagesDelayed": "1",
    }
    fogbank.advance_clock("PT14M")
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    fogbank.advance_clock("PT1M")
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "later"


def test_create_queue_delay_seconds_applies_to_every_message(
    sqs: Any, fogbank: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue(DelaySeconds="60")
    sqs.send_message(QueueUrl=url, MessageBody="queued")
    sqs.send_message(QueueUrl=url, MessageBody="now", DelaySeconds=0)  # a message's own delay wins
    received = sqs.receive_message(QueueUrl=url)["Messages"]
    assert [m["Body"] for m in received] == ["now"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=received[0]["ReceiptHandle"])
    fogbank.advance_clock("PT60S")
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "queued"


def test_receive_message_visibility_expiry_redelivers_after_clock_advance(
    sqs: Any, fogbank: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue(VisibilityTimeout="30")
    sqs.send_message(QueueUrl=url, MessageBody="retry me")
    first = sqs.receive_message(QueueUrl=url)["Messages"][0]
    assert _count(sqs, url)["ApproximateNumberOfMessagesNotVisible"] == "1"
    fogbank.advance_clock("PT29S")
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    fogbank.advance_clock("PT1S")
    second = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["ApproximateReceiveCount"])[
        "Messages"
    ][0]
    assert second["MessageId"] == first["MessageId"]
    assert second["ReceiptHandle"] != first["ReceiptHandle"]
    assert second["Attributes"] == {"ApproximateReceiveCount": "2"}


def test_receive_message_visibility_override_hides_for_that_long(
    sqs: Any, fogbank: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    sqs.receive_message(QueueUrl=url, VisibilityTimeout=300)
    fogbank.advance_clock("PT299S")
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    fogbank.advance_clock("PT1S")
    assert "Messages" in sqs.receive_message(QueueUrl=url)


def test_change_message_visibility_extends_from_now(
    sqs: Any, fogbank: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue(VisibilityTimeout="10")
    sqs.send_message(QueueUrl=url, MessageBody="x")
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    fogbank.advance_clock("PT5S")
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=60)
    fogbank.advance_clock("PT59S")
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    fogbank.advance_clock("PT1S")
    assert "Messages" in sqs.receive_message(QueueUrl=url)


def test_message_retention_expired_messages_disappear(
    sqs: Any, fogbank: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue(MessageRetentionPeriod="60")
    sqs.send_message(QueueUrl=url, MessageBody="short-lived")
    sqs.send_message(QueueUrl=url, MessageBody="in flight", DelaySeconds=0)
    sqs.receive_message(QueueUrl=url, VisibilityTimeout=10)
    fogbank.advance_clock("PT61S")
    assert _count(sqs, url) == {
        "ApproximateNumberOfMessages": "0",
        "ApproximateNumberOfMessagesNotVisible": "0",
        "ApproximateNumberOfMessagesDelayed": "0",
    }
    assert "Messages" not in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)


def test_receive_message_long_poll_returns_as_soon_as_message_is_sent(
    sqs: Any, client_factory: Callable[..., Any], make_queue: Callable[..., str]
) -> None:
    url = make_queue()
    sender = client_factory("sqs")
    sender.list_queues()  # warm the sender's connection so the send is quick

    def send_soon() -> None:
        time.sleep(0.3)  # the test's own thread, not fogbank: lets the receive start waiting first
        sender.send_message(QueueUrl=url, MessageBody="arrived")

    thread = threading.Thread(target=send_soon)
    started = time.monotonic()
    thread.start()
    received = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)
    elapsed = time.monotonic() - started
    thread.join()
    assert received["Messages"][0]["Body"] == "arrived"
    assert elapsed < 3


def test_receive_message_long_poll_returns_empty_when_clock_passes_wait(
    sqs: Any, fogbank: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue()
    timer = threading.Timer(0.3, lambda: fogbank.advance_clock("PT21S"))
    started = time.monotonic()
    timer.start()
    received = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)
    timer.join()
    assert "Messages" not in received
    assert time.monotonic() - started < 5


def test_receive_message_long_poll_wakes_when_delayed_message_becomes_due(
    sqs: Any, fogbank: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="delayed", DelaySeconds=600)
    timer = threading.Timer(0.3, lambda: fogbank.advance_clock("PT10M"))
    started = time.monotonic()
    timer.start()
    received = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=20)
    timer.join()
    assert received["Messages"][0]["Body"] == "delayed"
    assert time.monotonic() - started < 5


def test_receive_message_queue_wait_time_attribute_makes_long_poll_default(
    sqs: Any, client_factory: Callable[..., Any], make_queue: Callable[..., str]
) -> None:
    url = make_queue(ReceiveMessageWaitTimeSeconds="20")
    sender = client_factory("sqs")
    sender.list_queues()
    thread = threading.Timer(0.3, lambda: sender.send_message(QueueUrl=url, MessageBody="waited"))
    thread.start()
    received = sqs.receive_message(QueueUrl=url)
    thread.join()
    assert received["Messages"][0]["Body"] == "waited"


def test_change_message_visibility_beyond_twelve_hours_total_fails(
    sqs: Any, fogbank: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue(VisibilityTimeout="43200")
    sqs.send_message(QueueUrl=url, MessageBody="x")
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    fogbank.advance_clock("PT1H")
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=39500)
    try:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=39700)
    except sqs.exceptions.ClientError as error:
        assert error.response["Error"]["Code"] == "InvalidParameterValue"
        assert error.response["Error"]["Message"] == (
            "Value 39700 for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the "
            "message is beyond the limit [43200 seconds]"
        )
    else:
        raise AssertionError("a visibility beyond 12 hours in total was accepted")
