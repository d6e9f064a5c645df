"""Dead-letter queues: RedrivePolicy validation, the move after maxReceiveCount (on the next
receive, as AWS does), RedriveAllowPolicy, ListDeadLetterSourceQueues and message move tasks."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from sqs_support import error_of


def _arn(sqs: Any, url: str) -> str:
    return str(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"])


def _with_dlq(
    sqs: Any, make_queue: Callable[..., str], max_receives: int = 2, **dlq_attributes: str
) -> tuple[str, str]:
    dlq = make_queue("dlq", **dlq_attributes)
    policy = json.dumps({"deadLetterTargetArn": _arn(sqs, dlq), "maxReceiveCount": max_receives})
    source = make_queue("src", RedrivePolicy=policy, VisibilityTimeout="10")
    return source, dlq


def test_receive_message_after_max_receive_count_moves_to_dead_letter_queue(
    sqs: Any, fogbank: Any, make_queue: Callable[..., str]
) -> None:
    source, dlq = _with_dlq(sqs, make_queue, max_receives=2)
    sent = sqs.send_message(QueueUrl=source, MessageBody="poison")
    for _ in range(2):
        assert sqs.receive_message(QueueUrl=source)["Messages"][0]["MessageId"] == sent["MessageId"]
        fogbank.advance_clock("PT10S")
    assert "Messages" not in sqs.receive_message(QueueUrl=source)  # the third receive moves it
    moved = sqs.receive_message(QueueUrl=dlq, MessageSystemAttributeNames=["All"])["Messages"][0]
    assert moved["MessageId"] == sent["MessageId"]
    assert moved["Body"] == "poison"
    assert moved["Attributes"]["DeadLetterQueueSourceArn"] == _arn(sqs, source)


def test_set_queue_attributes_redrive_policy_returned_compact(
    sqs: Any, make_queue: Callable[..., str]
) -> None:
    dlq = make_queue("dlq")
    source = make_queue("src")
    policy = {"deadLetterTargetArn": _arn(sqs, dlq), "maxReceiveCount": "5"}
    sqs.set_queue_attributes(QueueUrl=source, Attributes={"RedrivePolicy": json.dumps(policy)})
    stored = sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["RedrivePolicy"])["Attributes"][
        "RedrivePolicy"
    ]
    assert json.loads(stored) == {"deadLetterTargetArn": _arn(sqs, dlq), "maxReceiveCount": 5}
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == [source]
    sqs.set_queue_attributes(QueueUrl=source, Attributes={"RedrivePolicy": ""})
    assert "Attributes" not in sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["RedrivePolicy"])
    assert sqs.list_dead_letter_source_queues(QueueUrl=dlq)["queueUrls"] == []


def test_set_queue_attributes_redrive_to_missing_queue_fails(
    sqs: Any, make_queue: Callable[..., str]
) -> None:
    source = make_queue()
    policy = json.dumps(
        {"deadLetterTargetArn": "arn:aws:sqs:us-east-1:000000000000:nowhere-x", "maxReceiveCount": 3}
    )
    with pytest.raises(ClientError) as raised:
        sqs.set_queue_attributes(QueueUrl=source, Attributes={"RedrivePolicy": policy})
    assert error_of(raised) == (
        "InvalidParameterValue",
        f"Value {policy} for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.",
        400,
    )


def test_set_queue_attributes_redrive_bad_max_receive_count_fails(
    sqs: Any, make_queue: Callable[..., str]
) -> None:
    dlq, source = make_queue("dlq"), make_queue("src")
    policy = json.dumps({"deadLetterTargetArn": _arn(sqs, dlq), "maxReceiveCount": 0})
    with pytest.raises(ClientError) as raised:
        sqs.set_queue_attributes(QueueUrl=source, Attributes={"RedrivePolicy": policy})
    assert error_of(raised)[1] == (
        f"Value {policy} for parameter RedrivePolicy is invalid. Reason: Invalid value for maxReceiveCount: 0, "
        "valid values are from 1 to 1000 both inclusive."
    )


def test_set_queue_attributes_fifo_source_standard_dlq_fails(
    sqs: Any, make_queue: Callable[..., str]
) -> None:
    dlq, source = make_queue("dlq"), make_queue("src", fifo=True)
    policy = json.dumps({"deadLetterTargetArn": _arn(sqs, dlq), "maxReceiveCount": 1})
    with pytest.raises(ClientError) as raised:
        sqs.set_queue_attributes(QueueUrl=source, Attributes={"RedrivePolicy": policy})
    assert error_of(raised)[1].endswith("Reason: Dead-letter queue must be same type of queue as the source.")


def test_redrive_allow_policy_deny_all_rejects_sources(sqs: Any, make_queue: Callable[..., str]) -> None:
    dlq = make_queue("dlq", RedriveAllowPolicy=json.dumps({"redrivePermission": "denyAll"}))
    source = make_queue("src")
    policy = json.dumps({"deadLetterTargetArn": _arn(sqs, dlq), "maxReceiveCount": 1})
    with pytest.raises(ClientError) as raised:
        sqs.set_queue_attributes(QueueUrl=source, Attributes={"RedrivePolicy": policy})
    assert error_of(raised)[0] == "InvalidParameterValue"


def test_redrive_allow_policy_by_queue_admits_listed_source(sqs: Any, make_queue: Callable[..., str]) -> None:
    allowed, other = make_queue("ok"), make_queue("no")
    dlq = make_queue(
        "dlq",
        RedriveAllowPolicy=json.dumps(
            {"redrivePermission": "byQueue", "sourceQueueArns": [_arn(sqs, allowed)]}
        ),
    )
    policy = json.dumps({"deadLetterTargetArn": _arn(sqs, dlq), "maxReceiveCount": 1})
    sqs.set_queue_attributes(QueueUrl=allowed, Attributes={"RedrivePolicy": policy})
    with pytest.raises(ClientError):
        sqs.set_queue_attributes(QueueUrl=other, Attributes={"RedrivePolicy": policy})


def test_redrive_allow_policy_by_queue_without_sources_fails(
    sqs: Any, unique_name: Callable[[str], str]
) -> None:
    with pytest.raises(ClientError) as raised:
        sqs.create_queue(
            QueueName=unique_name("dlq"),
            Attributes={"RedriveAllowPolicy": json.dumps({"redrivePermission": "byQueue"})},
        )
    assert error_of(raised)[0] == "InvalidParameterValue"


def _dead_letter(sqs: Any, fogbank: Any, make_queue: Callable[..., str], count: int) -> tuple[str, str]:
    source, dlq = _with_dlq(sqs, make_queue, max_receives=1)
    for index in range(count):
        sqs.send_message(QueueUrl=source, MessageBody=f"m{index}")
    for _ in range(count):
        sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10)
    fogbank.advance_clock("PT10S")
    assert "Messages" not in sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10)
    return source, dlq


def test_start_message_move_task_moves_messages_back_to_source(
    sqs: Any, fogbank: Any, make_queue: Callable[..., str]
) -> None:
    source, dlq = _dead_letter(sqs, fogbank, make_queue, 3)
    handle = sqs.start_message_move_task(SourceArn=_arn(sqs, dlq))["TaskHandle"]
    assert handle
    tasks = sqs.list_message_move_tasks(SourceArn=_arn(sqs, dlq))["Results"]
    assert len(tasks) == 1
    task = tasks[0]
    assert task["Status"] == "COMPLETED"
    assert task["ApproximateNumberOfMessagesMoved"] == 3
    assert task["ApproximateNumberOfMessagesToMove"] == 3
    assert task["SourceArn"] == _arn(sqs, dlq)
    bodies = sorted(
        m["Body"] for m in sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10)["Messages"]
    )
    assert bodies == ["m0", "m1", "m2"]


def test_start_message_move_task_rate_moves_per_second_on_clock(
    sqs: Any, fogbank: Any, make_queue: Callable[..., str]
) -> None:
    _, dlq = _dead_letter(sqs, fogbank, make_queue, 3)
    destination = make_queue("dest")
    handle = sqs.start_message_move_task(
        SourceArn=_arn(sqs, dlq), DestinationArn=_arn(sqs, destination), MaxNumberOfMessagesPerSecond=1
    )["TaskHandle"]
    running = sqs.list_message_move_tasks(SourceArn=_arn(sqs, dlq))["Results"][0]
    assert running["Status"] == "RUNNING"
    assert running["TaskHandle"] == handle
    assert running["ApproximateNumberOfMessagesMoved"] == 0
    assert running["ApproximateNumberOfMessagesToMove"] == 3
    assert running["MaxNumberOfMessagesPerSecond"] == 1
    assert running["DestinationArn"] == _arn(sqs, destination)
    fogbank.advance_clock("PT1S")
    assert (
        sqs.list_message_move_tasks(SourceArn=_arn(sqs, dlq))["Results"][0][
            "ApproximateNumberOfMessagesMoved"
        ]
        == 1
    )
    fogbank.advance_clock("PT1S")
    assert sqs.cancel_message_move_task(TaskHandle=handle)["ApproximateNumberOfMessagesMoved"] == 2
    cancelled = sqs.list_message_move_tasks(SourceArn=_arn(sqs, dlq))["Results"][0]
    assert cancelled["Status"] == "CANCELLED"
    fogbank.advance_clock("PT5S")
    assert len(sqs.receive_message(QueueUrl=destination, MaxNumberOfMessages=10)["Messages"]) == 2
    with pytest.raises(sqs.exceptions.ResourceNotFoundException):
        sqs.cancel_message_move_task(TaskHandle=handle)


def test_start_message_move_task_not_a_dead_letter_queue_fails(
    sqs: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue()
    with pytest.raises(ClientError) as raised:
        sqs.start_message_move_task(SourceArn=_arn(sqs, url))
    assert error_of(raised) == (
        "InvalidParameterValue",
        "Source queue must be configured as a Dead Letter Queue.",
        400,
    )


def test_start_message_move_task_second_task_while_running_fails(
    sqs: Any, fogbank: Any, make_queue: Callable[..., str]
) -> None:
    _, dlq = _dead_letter(sqs, fogbank, make_queue, 2)
    handle = sqs.start_message_move_task(SourceArn=_arn(sqs, dlq), MaxNumberOfMessagesPerSecond=1)[
        "TaskHandle"
    ]
    with pytest.raises(ClientError) as raised:
        sqs.start_message_move_task(SourceArn=_arn(sqs, dlq))
    assert error_of(raised) == (
        "InvalidParameterValue",
        "There is already a task running. Only one active task is allowed for a source queue arn at a given time.",
        400,
    )
    sqs.cancel_message_move_task(TaskHandle=handle)


def test_cancel_message_move_task_garbage_handle_fails(sqs: Any) -> None:
    with pytest.raises(ClientError) as raised:
        sqs.cancel_message_move_task(TaskHandle="garbage")
    assert error_of(raised) == ("InvalidParameterValue", "Value for parameter TaskHandle is invalid.", 400)


def test_start_message_move_task_missing_destination_fails(
    sqs: Any, fogbank: Any, make_queue: Callable[..., str]
) -> None:
    _, dlq = _dead_letter(sqs, fogbank, make_queue, 1)
    with pytest.raises(sqs.exceptions.ResourceNotFoundException) as raised:
        sqs.start_message_move_task(
            SourceArn=_arn(sqs, dlq), DestinationArn="arn:aws:sqs:us-east-1:000000000000:gone-x"
        )
    assert error_of(raised) == (
        "ResourceNotFoundException",
        "The resource that you specified for the DestinationArn parameter doesn't exist.",
        404,
    )


def test_set_queue_attributes_redrive_target_not_an_arn_fails(
    sqs: Any, make_queue: Callable[..., str]
) -> None:
    source = make_queue()
    policy = '{"deadLetterTargetArn": "dummy", "maxReceiveCount": 42}'
    with pytest.raises(ClientError) as raised:
        sqs.set_queue_attributes(QueueUrl=source, Attributes={"RedrivePolicy": policy})
    assert error_of(raised) == (
        "InvalidParameterValue",
        f"Value {policy} for parameter RedrivePolicy is invalid. Reason: Invalid value for deadLetterTargetArn.",
        400,
    )
