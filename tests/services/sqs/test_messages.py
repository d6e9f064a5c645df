"""Sending, receiving, deleting and changing the visibility of messages, their attributes and
MD5s, batches with per-entry failures, and the documented validation errors."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from sqs_support import error_of


def test_send_message_then_receive_returns_body_attributes_and_md5s(
    sqs: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue()
    attributes = {"timestamp": {"StringValue": "1493147359900", "DataType": "Number"}}
    sent = sqs.send_message(QueueUrl=url, MessageBody="hello", MessageAttributes=attributes)
    # 235c5c51... is the digest AWS returns for this attribute (documented binary encoding).
    assert sent["MD5OfMessageAttributes"] == "235c5c510d26fb653d073faed50ae77c"
    assert sent["MD5OfMessageBody"] == hashlib.md5(b"hello").hexdigest()
    received = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"]
    assert len(received) == 1
    message = received[0]
    assert message["MessageId"] == sent["MessageId"]
    assert message["Body"] == "hello"
    assert message["MD5OfBody"] == sent["MD5OfMessageBody"]
    assert message["MessageAttributes"] == attributes
    assert message["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    assert "Attributes" not in message


def test_send_message_binary_attribute_roundtrips(sqs: Any, make_queue: Callable[..., str]) -> None:
    url = make_queue()
    attributes = {"blob": {"BinaryValue": b"\x00\x01\xff", "DataType": "Binary.custom"}}
    sent = sqs.send_message(QueueUrl=url, MessageBody="b", MessageAttributes=attributes)
    message = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["blob"])["Messages"][0]
    assert message["MessageAttributes"] == attributes
    assert message["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]


def test_receive_message_attribute_name_prefix_selects_subset(
    sqs: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue()
    attributes = {
        "order.id": {"StringValue": "1", "DataType": "String"},
        "order.total": {"StringValue": "9.5", "DataType": "Number"},
        "other": {"StringValue": "x", "DataType": "String"},
    }
    sqs.send_message(QueueUrl=url, MessageBody="m", MessageAttributes=attributes)
    message = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["order.*"])["Messages"][0]
    assert set(message["MessageAttributes"]) == {"order.id", "order.total"}


def test_receive_message_system_attributes_all_lists_standard_ones(
    sqs: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue()
    sqs.send_message(
        QueueUrl=url,
        MessageBody="traced",
        MessageSystemAttributes={
            "AWSTraceHeader": {
                "StringValue": "Root=1-5759e988-bd862e3fe1be46a994272793",
                "DataType": "String",
            }
        },
    )
    message = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["All"])["Messages"][0]
    attributes = message["Attributes"]
    assert set(attributes) == {
        "SenderId",
        "SentTimestamp",
        "ApproximateReceiveCount",
        "ApproximateFirstReceiveTimestamp",
        "AWSTraceHeader",
    }
    assert attributes["ApproximateReceiveCount"] == "1"
    assert attributes["SenderId"] == "000000000000"
    assert attributes["AWSTraceHeader"] == "Root=1-5759e988-bd862e3fe1be46a994272793"
    assert int(attributes["ApproximateFirstReceiveTimestamp"]) >= int(attributes["SentTimestamp"])


def test_receive_message_legacy_attribute_names_select_one(sqs: Any, make_queue: Callable[..., str]) -> None:
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="m")
    message = sqs.receive_message(QueueUrl=url, AttributeNames=["ApproximateReceiveCount"])["Messages"][0]
    assert message["Attributes"] == {"ApproximateReceiveCount": "1"}


def test_receive_message_max_number_returns_up_to_ten(sqs: Any, make_queue: Callable[..., str]) -> None:
    url = make_queue()
    for index in range(12):
        sqs.send_message(QueueUrl=url, MessageBody=str(index))
    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    second = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert len(first) == 10 and len(second) == 2
    assert {message["Body"] for message in first + second} == {str(index) for index in range(12)}
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        (
            {"MaxNumberOfMessages": 11},
            "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.",
        ),
        (
            {"MaxNumberOfMessages": 0},
            "Value 0 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.",
        ),
        (
            {"WaitTimeSeconds": 21},
            "Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.",
        ),
    ],
)
def test_receive_message_out_of_range_parameter_fails(
    sqs: Any, make_queue: Callable[..., str], parameters: dict[str, int], message: str
) -> None:
    url = make_queue()
    with pytest.raises(ClientError) as raised:
        sqs.receive_message(QueueUrl=url, **parameters)
    assert error_of(raised) == ("InvalidParameterValue", message, 400)


def test_delete_message_removes_it_for_good(sqs: Any, fogbank: Any, make_queue: Callable[..., str]) -> None:
    url = make_queue(VisibilityTimeout="5")
    sqs.send_message(QueueUrl=url, MessageBody="once")
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)  # deleting twice succeeds, as in AWS
    fogbank.advance_clock("PT10S")
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


def test_delete_message_garbage_receipt_handle_fails(sqs: Any, make_queue: Callable[..., str]) -> None:
    url = make_queue()
    with pytest.raises(sqs.exceptions.ReceiptHandleIsInvalid) as raised:
        sqs.delete_message(QueueUrl=url, ReceiptHandle="garbage")
    assert error_of(raised) == (
        "ReceiptHandleIsInvalid",
        'The input receipt handle "garbage" is not a valid receipt handle.',
        400,
    )


def test_delete_message_handle_of_other_queue_fails(sqs: Any, make_queue: Callable[..., str]) -> None:
    first, second = make_queue(), make_queue()
    sqs.send_message(QueueUrl=first, MessageBody="x")
    handle = sqs.receive_message(QueueUrl=first)["Messages"][0]["ReceiptHandle"]
    with pytest.raises(sqs.exceptions.ReceiptHandleIsInvalid):
        sqs.delete_message(QueueUrl=second, ReceiptHandle=handle)


def test_change_message_visibility_zero_makes_message_visible_again(
    sqs: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="again")
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)
    message = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["ApproximateReceiveCount"])[
        "Messages"
    ][0]
    assert message["Body"] == "again"
    assert message["Attributes"] == {"ApproximateReceiveCount": "2"}


def test_change_message_visibility_too_long_fails(sqs: Any, make_queue: Callable[..., str]) -> None:
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    with pytest.raises(ClientError) as raised:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=43201)
    assert error_of(raised) == (
        "InvalidParameterValue",
        "Value 43201 for parameter VisibilityTimeout is invalid. Reason: VisibilityTimeout must be an integer between 0 and 43200",
        400,
    )


def test_change_message_visibility_visible_message_fails_not_inflight(
    sqs: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    handle = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)["Messages"][0]["ReceiptHandle"]
    with pytest.raises(sqs.exceptions.MessageNotInflight) as raised:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=10)
    assert error_of(raised) == (
        "AWS.SimpleQueueService.MessageNotInflight",
        "Message does not exist or is not available for visibility timeout change.",
        400,
    )


def test_send_message_oversized_body_fails_with_aws_message(sqs: Any, make_queue: Callable[..., str]) -> None:
    url = make_queue()
    with pytest.raises(ClientError) as raised:
        sqs.send_message(QueueUrl=url, MessageBody="x" * 262145)
    assert error_of(raised) == (
        "InvalidParameterValue",
        "One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes.",
        400,
    )
    sqs.send_message(QueueUrl=url, MessageBody="x" * 262144)  # exactly the limit is fine


def test_send_message_body_plus_attributes_over_queue_limit_fails(
    sqs: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue(MaximumMessageSize="1024")
    attributes = {"name": {"StringValue": "v" * 20, "DataType": "String"}}
    with pytest.raises(ClientError) as raised:
        sqs.send_message(QueueUrl=url, MessageBody="x" * 1000, MessageAttributes=attributes)
    assert (
        error_of(raised)[1]
        == "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes."
    )


def test_send_message_invalid_characters_fail(sqs: Any, make_queue: Callable[..., str]) -> None:
    url = make_queue()
    with pytest.raises(ClientError) as raised:
        sqs.send_message(QueueUrl=url, MessageBody="bad \x00 char")
    assert error_of(raised) == (
        "InvalidMessageContents",
        "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to "
        "#xFFFD | #x10000 to #x10FFFF",
        400,
    )


def test_send_message_empty_body_fails_missing_parameter(sqs: Any, make_queue: Callable[..., str]) -> None:
    url = make_queue()
    with pytest.raises(ClientError) as raised:
        sqs.send_message(QueueUrl=url, MessageBody="")
    assert error_of(raised) == (
        "MissingParameter",
        "The request must contain the parameter MessageBody.",
        400,
    )


def test_send_message_attribute_without_value_fails(sqs: Any, make_queue: Callable[..., str]) -> None:
    url = make_queue()
    with pytest.raises(ClientError) as raised:
        sqs.send_message(
            QueueUrl=url, MessageBody="x", MessageAttributes={"a": {"DataType": "String", "StringValue": ""}}
        )
    assert error_of(raised) == (
        "InvalidParameterValue",
        "Message (user) attribute 'a' must contain a non-empty value of message attribute type 'String'.",
        400,
    )


def test_send_message_delay_over_limit_fails(sqs: Any, make_queue: Callable[..., str]) -> None:
    url = make_queue()
    with pytest.raises(ClientError) as raised:
        sqs.send_message(QueueUrl=url, MessageBody="x", DelaySeconds=901)
    assert error_of(raised) == (
        "InvalidParameterValue",
        "Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.",
        400,
    )


def test_send_message_batch_mixed_entries_reports_per_entry_failures(
    sqs: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue()
    result = sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "ok-1", "MessageBody": "one"},
            {"Id": "bad", "MessageBody": "two", "DelaySeconds": 1000},
            {
                "Id": "ok_2",
                "MessageBody": "three",
                "MessageAttributes": {"a": {"DataType": "String", "StringValue": "b"}},
            },
        ],
    )
    assert [entry["Id"] for entry in result["Successful"]] == ["ok-1", "ok_2"]
    assert result["Successful"][0]["MD5OfMessageBody"] == hashlib.md5(b"one").hexdigest()
    assert "MD5OfMessageAttributes" in result["Successful"][1]
    assert result["Failed"] == [
        {
            "Id": "bad",
            "SenderFault": True,
            "Code": "InvalidParameterValue",
            "Message": "Value 1000 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.",
        }
    ]
    bodies = {m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]}
    assert bodies == {"one", "three"}


def test_send_message_batch_repeated_ids_fail(sqs: Any, make_queue: Callable[..., str]) -> None:
    url = make_queue()
    with pytest.raises(sqs.exceptions.BatchEntryIdsNotDistinct) as raised:
        sqs.send_message_batch(
            QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "1"}, {"Id": "a", "MessageBody": "2"}]
        )
    assert error_of(raised) == ("AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id a repeated.", 400)


def test_send_message_batch_eleven_entries_fail(sqs: Any, make_queue: Callable[..., str]) -> None:
    url = make_queue()
    entries = [{"Id": str(index), "MessageBody": "m"} for index in range(11)]
    with pytest.raises(sqs.exceptions.TooManyEntriesInBatchRequest) as raised:
        sqs.send_message_batch(QueueUrl=url, Entries=entries)
    assert error_of(raised) == (
        "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
        "Maximum number of entries per request are 10. You have sent 11.",
        400,
    )


def test_send_message_batch_empty_fails(sqs: Any, make_queue: Callable[..., str]) -> None:
    url = make_queue()
    with pytest.raises(sqs.exceptions.EmptyBatchRequest) as raised:
        sqs.send_message_batch(QueueUrl=url, Entries=[])
    assert error_of(raised) == (
        "AWS.SimpleQueueService.EmptyBatchRequest",
        "There should be at least one SendMessageBatchRequestEntry in the request.",
        400,
    )


def test_send_message_batch_invalid_id_fails(sqs: Any, make_queue: Callable[..., str]) -> None:
    url = make_queue()
    with pytest.raises(sqs.exceptions.InvalidBatchEntryId) as raised:
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "no spaces", "MessageBody": "1"}])
    assert error_of(raised)[0] == "AWS.SimpleQueueService.InvalidBatchEntryId"


def test_send_message_batch_over_total_size_fails(sqs: Any, make_queue: Callable[..., str]) -> None:
    url = make_queue()
    entries = [{"Id": str(index), "MessageBody": "x" * 100_000} for index in range(3)]
    with pytest.raises(sqs.exceptions.BatchRequestTooLong) as raised:
        sqs.send_message_batch(QueueUrl=url, Entries=entries)
    assert error_of(raised) == (
        "AWS.SimpleQueueService.BatchRequestTooLong",
        "Batch requests cannot be longer than 262144 bytes. You have sent 300000 bytes.",
        400,
    )


def test_delete_message_batch_reports_invalid_handles(sqs: Any, make_queue: Callable[..., str]) -> None:
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="x")
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    result = sqs.delete_message_batch(
        QueueUrl=url,
        Entries=[{"Id": "good", "ReceiptHandle": handle}, {"Id": "bad", "ReceiptHandle": "nope"}],
    )
    assert result["Successful"] == [{"Id": "good"}]
    assert result["Failed"] == [
        {
            "Id": "bad",
            "SenderFault": True,
            "Code": "ReceiptHandleIsInvalid",
            "Message": 'The input receipt handle "nope" is not a valid receipt handle.',
        }
    ]


def test_change_message_visibility_batch_changes_each(sqs: Any, make_queue: Callable[..., str]) -> None:
    url = make_queue()
    sqs.send_message_batch(
        QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "1"}, {"Id": "b", "MessageBody": "2"}]
    )
    handles = [
        m["ReceiptHandle"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    ]
    assert len(handles) == 2
    result = sqs.change_message_visibility_batch(
        QueueUrl=url,
        Entries=[
            {"Id": f"e{index}", "ReceiptHandle": handle, "VisibilityTimeout": 0}
            for index, handle in enumerate(handles)
        ],
    )
    assert result["Successful"] == [{"Id": "e0"}, {"Id": "e1"}]
    assert result.get("Failed", []) == []
    assert len(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]) == 2


def test_receive_message_visibility_timeout_zero_keeps_message_visible(
    sqs: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="peek")
    assert sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)["Messages"][0]["Body"] == "peek"
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "peek"


def test_purge_queue_deletes_messages_and_blocks_for_sixty_seconds(
    sqs: Any, fogbank: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="doomed")
    sqs.purge_queue(QueueUrl=url)
    assert "Messages" not in sqs.receive_message(QueueUrl=url)
    with pytest.raises(sqs.exceptions.PurgeQueueInProgress) as raised:
        sqs.purge_queue(QueueUrl=url)
    name = url.rsplit("/", 1)[1]
    assert error_of(raised) == (
        "AWS.SimpleQueueService.PurgeQueueInProgress",
        f"Only one PurgeQueue operation on {name} is allowed every 60 seconds.",
        403,
    )
    fogbank.advance_clock("PT61S")
    sqs.purge_queue(QueueUrl=url)


def test_send_message_trace_header_md5_of_system_attributes_uses_documented_encoding(
    sqs: Any, make_queue: Callable[..., str]
) -> None:
    import struct

    url = make_queue()
    trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
    sent = sqs.send_message(
        QueueUrl=url,
        MessageBody="x",
        MessageSystemAttributes={"AWSTraceHeader": {"StringValue": trace, "DataType": "String"}},
    )

    def sized(data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + data

    encoded = sized(b"AWSTraceHeader") + sized(b"String") + b"\x01" + sized(trace.encode())
    assert sent["MD5OfMessageSystemAttributes"] == hashlib.md5(encoded).hexdigest()


def test_send_message_unknown_system_attribute_fails(sqs: Any, make_queue: Callable[..., str]) -> None:
    url = make_queue()
    with pytest.raises(ClientError) as raised:
        sqs.send_message(
            QueueUrl=url,
            MessageBody="x",
            MessageSystemAttributes={"Other": {"StringValue": "v", "DataType": "String"}},
        )
    assert error_of(raised) == (
        "InvalidParameterValue",
        "Message system attribute name 'Other' is invalid.",
        400,
    )


def test_receive_message_unknown_attribute_name_fails(sqs: Any, make_queue: Callable[..., str]) -> None:
    url = make_queue()
    with pytest.raises(ClientError) as raised:
        sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["Bogus"])
    assert error_of(raised) == ("InvalidAttributeName", "Unknown Attribute Bogus.", 400)


def test_send_message_standard_queue_group_id_returned_as_attribute(
    sqs: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue()
    sqs.send_message(QueueUrl=url, MessageBody="fair", MessageGroupId="tenant-1")
    message = sqs.receive_message(QueueUrl=url, MessageSystemAttributeNames=["MessageGroupId"])["Messages"][0]
    assert message["Attributes"] == {"MessageGroupId": "tenant-1"}


def test_send_message_batch_invalid_attribute_fails_only_its_entry(
    sqs: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue()
    result = sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "ok", "MessageBody": "fine"},
            {
                "Id": "bad",
                "MessageBody": "x",
                "MessageAttributes": {"a": {"DataType": "Weird", "StringValue": "v"}},
            },
        ],
    )
    assert [entry["Id"] for entry in result["Successful"]] == ["ok"]
    assert [(entry["Id"], entry["Code"]) for entry in result["Failed"]] == [("bad", "InvalidParameterValue")]


def test_receive_message_sender_id_is_iam_user_id(
    client_factory: Callable[..., Any], make_queue: Callable[..., str], unique_name: Callable[[str], str]
) -> None:
    iam = client_factory("iam")
    user = iam.create_user(UserName=unique_name("sender"))["User"]
    key = iam.create_access_key(UserName=user["UserName"])["AccessKey"]
    as_user = client_factory("sqs", access_key=key["AccessKeyId"])
    url = make_queue()
    as_user.send_message(QueueUrl=url, MessageBody="from a user")
    message = as_user.receive_message(QueueUrl=url, MessageSystemAttributeNames=["SenderId"])["Messages"][0]
    assert message["Attributes"] == {"SenderId": user["UserId"]}
