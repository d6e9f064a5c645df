"""Publish and PublishBatch: responses, TargetArn, and every validation error on the way in."""

from __future__ import annotations

import json
import re

import pytest
from botocore.exceptions import ClientError
from test_topics import error_of

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@pytest.fixture
def fifo_topic(sns, unique_name) -> str:
    return str(
        sns.create_topic(Name=unique_name("t") + ".fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    )


def publish_error(sns, **params) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as raised:
        sns.publish(**params)
    return error_of(raised)


def test_publish_standard_topic_returns_message_id_only(sns, topic_arn):
    response = sns.publish(TopicArn=topic_arn, Message="hi")
    assert UUID.match(response["MessageId"])
    assert "SequenceNumber" not in response


def test_publish_target_arn_naming_topic_works(sns, topic_arn):
    assert UUID.match(sns.publish(TargetArn=topic_arn, Message="hi")["MessageId"])


def test_publish_fifo_returns_increasing_20_digit_sequence_numbers(sns, fifo_topic):
    first = sns.publish(TopicArn=fifo_topic, Message="a", MessageGroupId="g", MessageDeduplicationId="1")
    second = sns.publish(TopicArn=fifo_topic, Message="b", MessageGroupId="g", MessageDeduplicationId="2")
    assert len(first["SequenceNumber"]) == 20
    assert int(second["SequenceNumber"]) > int(first["SequenceNumber"])


def test_publish_fifo_same_dedup_id_after_five_minutes_is_new(sns, fifo_topic, fogbank):
    first = sns.publish(TopicArn=fifo_topic, Message="a", MessageGroupId="g", MessageDeduplicationId="same")
    fogbank.advance_clock("PT5M1S")
    later = sns.publish(TopicArn=fifo_topic, Message="a", MessageGroupId="g", MessageDeduplicationId="same")
    assert later["MessageId"] != first["MessageId"]


def test_publish_unknown_topic_not_found(sns):
    assert publish_error(sns, TopicArn="arn:aws:sns:us-east-1:000000000000:missing", Message="x") == (
        "NotFound",
        "Topic does not exist",
        404,
    )


def test_publish_topic_of_other_region_invalid_parameter(sns, topic_arn):
    other = topic_arn.replace("us-east-1", "eu-west-1")
    assert publish_error(sns, TopicArn=other, Message="x") == (
        "InvalidParameter",
        "Invalid parameter: TopicArn",
        400,
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"Message": ""}, "Invalid parameter: Empty message"),
        ({"Message": "x" * (256 * 1024 + 1)}, "Invalid parameter: Message too long"),
        ({"Message": "x", "Subject": ""}, "Invalid parameter: Subject"),
        ({"Message": "x", "Subject": "line\nbreak"}, "Invalid parameter: Subject"),
        ({"Message": "x", "Subject": "s" * 101}, "Invalid parameter: Subject"),
        (
            {"Message": "{not json", "MessageStructure": "json"},
            "Invalid parameter: Message Structure - JSON message body failed to parse",
        ),
        (
            {"Message": json.dumps({"sqs": "only"}), "MessageStructure": "json"},
            "Invalid parameter: Message Structure - No default entry in JSON message body",
        ),
        (
            {"Message": "x", "MessageDeduplicationId": "d"},
            "Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter "
            "that is not valid for this topic type",
        ),
    ],
)
def test_publish_invalid_message_fails(sns, topic_arn, params, message):
    assert publish_error(sns, TopicArn=topic_arn, **params) == ("InvalidParameter", message, 400)


def test_publish_message_plus_attributes_over_256_kib_fails(sns, topic_arn):
    attributes = {"big": {"DataType": "String", "StringValue": "y" * 1024}}
    assert publish_error(
        sns, TopicArn=topic_arn, Message="x" * (255 * 1024), MessageAttributes=attributes
    ) == ("InvalidParameter", "Invalid parameter: Message too long", 400)


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        (
            {"a": {"DataType": "Float", "StringValue": "1"}},
            "The message attribute 'a' has an invalid message attribute type, the set of supported type prefixes is "
            "Binary, Number, and String.",
        ),
        (
            {"a": {"DataType": "Number", "StringValue": "one"}},
            "Could not cast message attribute 'a' value to number.",
        ),
        (
            {"a": {"DataType": "String", "StringValue": ""}},
            "The message attribute 'a' must contain non-empty message attribute value for message attribute type "
            "'String'.",
        ),
        (
            {"a": {"DataType": "Binary", "StringValue": "x"}},
            "The message attribute 'a' with type 'Binary' must use field 'Binary'.",
        ),
        (
            {"a": {"DataType": "String.Array", "StringValue": "nope"}},
            "Invalid attribute value 'nope' for message attribute 'a' of type 'String.Array': the value must be a "
            "JSON array of strings, numbers, true, false or null.",
        ),
        (
            {".a": {"DataType": "String", "StringValue": "x"}},
            "Invalid message attribute name starting with character '.' was found.",
        ),
        (
            {"a..b": {"DataType": "String", "StringValue": "x"}},
            "Message attribute name can not have successive '.' character.",
        ),
        (
            {"a b": {"DataType": "String", "StringValue": "x"}},
            "Invalid non-alphanumeric character '#x20' was found in the message attribute name. Can only include "
            "alphanumeric characters, hyphens, underscores, or dots.",
        ),
    ],
)
def test_publish_invalid_message_attributes_fail(sns, topic_arn, attributes, message):
    assert publish_error(sns, TopicArn=topic_arn, Message="x", MessageAttributes=attributes) == (
        "ParameterValueInvalid",
        message,
        400,
    )


def test_publish_valid_attribute_types_accepted(sns, topic_arn):
    sns.publish(
        TopicArn=topic_arn,
        Message="x",
        MessageAttributes={
            "s": {"DataType": "String.custom", "StringValue": "v"},
            "n": {"DataType": "Number.int", "StringValue": "-1.5e3"},
            "b": {"DataType": "Binary", "BinaryValue": b"\xff"},
            "arr": {"DataType": "String.Array", "StringValue": '["a", 1, true, null]'},
        },
    )


def test_publish_fifo_without_group_id_fails(sns, fifo_topic):
    assert publish_error(sns, TopicArn=fifo_topic, Message="x", MessageDeduplicationId="d") == (
        "InvalidParameter",
        "Invalid parameter: The MessageGroupId parameter is required for FIFO topics",
        400,
    )


def test_publish_fifo_without_dedup_id_or_content_based_fails(sns, fifo_topic):
    assert publish_error(sns, TopicArn=fifo_topic, Message="x", MessageGroupId="g") == (
        "InvalidParameter",
        "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or "
        "MessageDeduplicationId provided explicitly",
        400,
    )


def test_publish_phone_number_not_supported_yet(sns):
    assert publish_error(sns, PhoneNumber="+15555550100", Message="x") == (
        "InvalidParameter",
        "Invalid parameter: Publishing to a PhoneNumber (SMS) is not supported by fogbank yet",
        400,
    )


def test_publish_batch_returns_ids_and_per_entry_failures(sns, topic_arn):
    response = sns.publish_batch(
        TopicArn=topic_arn,
        PublishBatchRequestEntries=[
            {"Id": "ok", "Message": "fine"},
            {"Id": "empty", "Message": ""},
            {"Id": "structure", "Message": "{}", "MessageStructure": "json"},
        ],
    )
    assert [(entry["Id"], bool(UUID.match(entry["MessageId"]))) for entry in response["Successful"]] == [
        ("ok", True)
    ]
    assert response["Failed"] == [
        {
            "Id": "empty",
            "Code": "InvalidParameter",
            "Message": "Invalid parameter: Empty message",
            "SenderFault": True,
        },
        {
            "Id": "structure",
            "Code": "InvalidParameter",
            "Message": "Invalid parameter: Message Structure - No default entry in JSON message body",
            "SenderFault": True,
        },
    ]


def test_publish_batch_fifo_returns_sequence_numbers(sns, fifo_topic):
    response = sns.publish_batch(
        TopicArn=fifo_topic,
        PublishBatchRequestEntries=[
            {"Id": "a", "Message": "1", "MessageGroupId": "g", "MessageDeduplicationId": "1"},
            {"Id": "b", "Message": "2", "MessageGroupId": "g", "MessageDeduplicationId": "2"},
        ],
    )
    numbers = [int(entry["SequenceNumber"]) for entry in response["Successful"]]
    assert numbers == sorted(numbers) and len(set(numbers)) == 2


@pytest.mark.parametrize(
    ("entries", "code", "message"),
    [
        ([], "EmptyBatchRequest", "The batch request doesn't contain any entries."),
        (
            [{"Id": f"e{i}", "Message": "m"} for i in range(11)],
            "TooManyEntriesInBatchRequest",
            "The batch request contains more entries than permissible.",
        ),
        (
            [{"Id": "same", "Message": "a"}, {"Id": "same", "Message": "b"}],
            "BatchEntryIdsNotDistinct",
            "Two or more batch entries in the request have the same Id.",
        ),
        (
            [{"Id": "bad id!", "Message": "a"}],
            "InvalidBatchEntryId",
            "The Id of a batch entry in a batch request doesn't abide by the specification.",
        ),
        (
            [{"Id": f"e{i}", "Message": "x" * 30000} for i in range(10)],
            "BatchRequestTooLong",
            "The length of all the messages put together is more than the limit.",
        ),
    ],
)
def test_publish_batch_invalid_request_fails(sns, topic_arn, entries, code, message):
    with pytest.raises(ClientError) as raised:
        sns.publish_batch(TopicArn=topic_arn, PublishBatchRequestEntries=entries)
    assert error_of(raised) == (code, message, 400)


def test_publish_batch_unknown_topic_not_found(sns):
    with pytest.raises(ClientError) as raised:
        sns.publish_batch(
            TopicArn="arn:aws:sns:us-east-1:000000000000:missing",
            PublishBatchRequestEntries=[{"Id": "a", "Message": "m"}],
        )
    assert error_of(raised) == ("NotFound", "Topic does not exist", 404)


@pytest.mark.parametrize("name", ["AWS.trace", "amazon.thing"])
def test_publish_reserved_attribute_name_fails(sns, topic_arn, name):
    assert publish_error(
        sns,
        TopicArn=topic_arn,
        Message="x",
        MessageAttributes={name: {"DataType": "String", "StringValue": "v"}},
    ) == (
        "ParameterValueInvalid",
        f"Invalid message attribute name '{name}': names starting with 'AWS.' or 'Amazon.' are reserved.",
        400,
    )
