"""Delivery to SQS: the JSON envelope field by field, raw delivery, FIFO topics to FIFO queues,
filter policies, and dead-letter queues."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from sns_support import receive

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def subscribe_queue(sns: Any, topic_arn: str, queue_arn: str, **attributes: str) -> str:
    response = sns.subscribe(
        TopicArn=topic_arn,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes=attributes,
        ReturnSubscriptionArn=True,
    )
    return str(response["SubscriptionArn"])


def test_publish_sqs_subscription_delivers_json_envelope(sns, sqs, topic_arn, make_queue, endpoint):
    queue = make_queue()
    subscription_arn = subscribe_queue(sns, topic_arn, queue.arn)

    published = sns.publish(
        TopicArn=topic_arn,
        Subject="Greetings",
        Message="hello world",
        MessageAttributes={
            "colour": {"DataType": "String", "StringValue": "red"},
            "size": {"DataType": "Number", "StringValue": "42"},
            "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
        },
    )

    (message,) = receive(sqs, queue.url)
    body = json.loads(message["Body"])
    assert list(body) == [
        "Type",
        "MessageId",
        "TopicArn",
        "Subject",
        "Message",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertURL",
        "UnsubscribeURL",
        "MessageAttributes",
    ]
    assert body["Type"] == "Notification"
    assert body["MessageId"] == published["MessageId"]
    assert UUID.match(body["MessageId"])
    assert body["TopicArn"] == topic_arn
    assert body["Subject"] == "Greetings"
    assert body["Message"] == "hello world"
    assert TIMESTAMP.match(body["Timestamp"])
    assert body["SignatureVersion"] == "1"
    assert len(base64.b64decode(body["Signature"])) == 128  # a 1024-bit key
    assert body["SigningCertURL"] == f"{endpoint}/_fogbank/sns/SimpleNotificationService.pem"
    assert body["UnsubscribeURL"] == f"{endpoint}/?Action=Unsubscribe&SubscriptionArn={subscription_arn}"
    assert body["MessageAttributes"] == {
        "colour": {"Type": "String", "Value": "red"},
        "size": {"Type": "Number", "Value": "42"},
        "blob": {"Type": "Binary", "Value": "AAE="},
    }
    assert "MessageAttributes" not in message  # the envelope carries them, not SQS


def test_publish_without_subject_or_attributes_omits_them(sns, sqs, topic_arn, make_queue):
    queue = make_queue()
    subscribe_queue(sns, topic_arn, queue.arn)

    sns.publish(TopicArn=topic_arn, Message="plain")

    body = json.loads(receive(sqs, queue.url)[0]["Body"])
    assert "Subject" not in body
    assert "MessageAttributes" not in body
    assert body["Message"] == "plain"


def test_publish_raw_delivery_sends_bare_message_with_sqs_attributes(sns, sqs, topic_arn, make_queue):
    queue = make_queue()
    subscribe_queue(sns, topic_arn, queue.arn, RawMessageDelivery="true")

    sns.publish(
        TopicArn=topic_arn,
        Message="raw body",
        MessageAttributes={
            "colour": {"DataType": "String", "StringValue": "red"},
            "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
        },
    )

    (message,) = receive(sqs, queue.url)
    assert message["Body"] == "raw body"
    assert message["MessageAttributes"] == {
        "colour": {"DataType": "String", "StringValue": "red"},
        "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
    }


def test_publish_message_structure_json_sends_sqs_key_or_default(sns, sqs, topic_arn, make_queue):
    specific, fallback = make_queue(), make_queue()
    subscribe_queue(sns, topic_arn, specific.arn)
    sns.publish(
        TopicArn=topic_arn, MessageStructure="json", Message=json.dumps({"default": "d", "sqs": "for sqs"})
    )
    assert json.loads(receive(sqs, specific.url)[0]["Body"])["Message"] == "for sqs"

    other_topic = sns.create_topic(Name=topic_arn.rsplit(":", 1)[1] + "-2")["TopicArn"]
    subscribe_queue(sns, other_topic, fallback.arn)
    sns.publish(
        TopicArn=other_topic, MessageStructure="json", Message=json.dumps({"default": "d", "email": "e"})
    )
    assert json.loads(receive(sqs, fallback.url)[0]["Body"])["Message"] == "d"


def test_publish_fifo_topic_to_fifo_queue_keeps_group_and_order(sns, sqs, make_queue, unique_name):
    topic = sns.create_topic(Name=unique_name("t") + ".fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    queue = make_queue(fifo=True)
    subscribe_queue(sns, topic, queue.arn)

    first = sns.publish(TopicArn=topic, Message="one", MessageGroupId="g1", MessageDeduplicationId="d1")
    second = sns.publish(TopicArn=topic, Message="two", MessageGroupId="g1", MessageDeduplicationId="d2")

    messages = receive(sqs, queue.url, count=2)
    bodies = [json.loads(message["Body"]) for message in messages]
    assert [body["Message"] for body in bodies] == ["one", "two"]
    assert [message["Attributes"]["MessageGroupId"] for message in messages] == ["g1", "g1"]
    assert bodies[0]["SequenceNumber"] == first["SequenceNumber"]
    assert int(second["SequenceNumber"]) > int(first["SequenceNumber"])
    assert list(bodies[0]) == [
        "Type",
        "MessageId",
        "SequenceNumber",
        "TopicArn",
        "Message",
        "Timestamp",
        "UnsubscribeURL",
    ]


def test_publish_fifo_duplicate_within_window_is_not_delivered_again(sns, sqs, make_queue, unique_name):
    topic = sns.create_topic(
        Name=unique_name("t") + ".fifo", Attributes={"FifoTopic": "true", "ContentBasedDeduplication": "true"}
    )["TopicArn"]
    queue = make_queue(fifo=True)
    subscribe_queue(sns, topic, queue.arn, RawMessageDelivery="true")

    first = sns.publish(TopicArn=topic, Message="same", MessageGroupId="g")
    again = sns.publish(TopicArn=topic, Message="same", MessageGroupId="g")
    sns.publish(TopicArn=topic, Message="other", MessageGroupId="g")

    assert again["MessageId"] == first["MessageId"]
    assert again["SequenceNumber"] == first["SequenceNumber"]
    bodies = [message["Body"] for message in receive(sqs, queue.url, count=2)]
    assert bodies == ["same", "other"]


def test_publish_filter_policy_keeps_matching_and_drops_others(sns, sqs, topic_arn, make_queue):
    queue = make_queue()
    subscribe_queue(
        sns,
        topic_arn,
        queue.arn,
        RawMessageDelivery="true",
        FilterPolicy=json.dumps({"colour": ["red", {"prefix": "bl"}], "price": [{"numeric": [">", 10]}]}),
    )

    def publish(body: str, colour: str, price: str) -> None:
        sns.publish(
            TopicArn=topic_arn,
            Message=body,
            MessageAttributes={
                "colour": {"DataType": "String", "StringValue": colour},
                "price": {"DataType": "Number", "StringValue": price},
            },
        )

    publish("dropped: green", "green", "20")
    publish("dropped: cheap", "red", "5")
    publish("kept: red", "red", "11")
    publish("kept: blue", "blue", "99.5")
    sns.publish(TopicArn=topic_arn, Message="dropped: no attributes")

    bodies = sorted(message["Body"] for message in receive(sqs, queue.url, count=2))
    assert bodies == ["kept: blue", "kept: red"]


def test_publish_filter_policy_on_message_body(sns, sqs, topic_arn, make_queue):
    queue = make_queue()
    subscribe_queue(
        sns,
        topic_arn,
        queue.arn,
        RawMessageDelivery="true",
        FilterPolicyScope="MessageBody",
        FilterPolicy=json.dumps({"order": {"status": ["paid"], "total": [{"numeric": [">=", 100]}]}}),
    )

    sns.publish(TopicArn=topic_arn, Message=json.dumps({"order": {"status": "open", "total": 500}}))
    sns.publish(TopicArn=topic_arn, Message="not json")
    sns.publish(TopicArn=topic_arn, Message=json.dumps({"order": {"status": "paid", "total": 100}}))

    (message,) = receive(sqs, queue.url)
    assert json.loads(message["Body"]) == {"order": {"status": "paid", "total": 100}}


def test_publish_to_deleted_queue_goes_to_dead_letter_queue(sns, sqs, topic_arn, make_queue):
    target, dlq = make_queue(), make_queue()
    subscribe_queue(sns, topic_arn, target.arn, RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq.arn}))
    sqs.delete_queue(QueueUrl=target.url)

    published = sns.publish(TopicArn=topic_arn, Message="lost")

    (message,) = receive(sqs, dlq.url)
    body = json.loads(message["Body"])
    assert body["MessageId"] == published["MessageId"]
    assert body["Message"] == "lost"
    attributes = message["MessageAttributes"]
    assert attributes["ErrorCode"]["StringValue"] in (
        "QueueDoesNotExist",
        "AWS.SimpleQueueService.NonExistentQueue",
    )
    assert attributes["ErrorMessage"]["StringValue"]
    assert UUID.match(attributes["RequestID"]["StringValue"])


def test_publish_batch_delivers_each_entry(sns, sqs, topic_arn, make_queue):
    queue = make_queue()
    subscribe_queue(sns, topic_arn, queue.arn, RawMessageDelivery="true")

    response = sns.publish_batch(
        TopicArn=topic_arn,
        PublishBatchRequestEntries=[{"Id": f"e{index}", "Message": f"m{index}"} for index in range(3)],
    )

    assert [entry["Id"] for entry in response["Successful"]] == ["e0", "e1", "e2"]
    assert response["Failed"] == []
    bodies = sorted(message["Body"] for message in receive(sqs, queue.url, count=3))
    assert bodies == ["m0", "m1", "m2"]


def test_publish_raw_with_more_than_10_attributes_goes_to_dead_letter_queue(sns, sqs, topic_arn, make_queue):
    target, dlq = make_queue(), make_queue()
    subscribe_queue(
        sns,
        topic_arn,
        target.arn,
        RawMessageDelivery="true",
        RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq.arn}),
    )
    wrapped = make_queue()
    subscribe_queue(sns, topic_arn, wrapped.arn)  # the JSON envelope can carry them all
    attributes = {f"a{index}": {"DataType": "String", "StringValue": str(index)} for index in range(11)}

    sns.publish(TopicArn=topic_arn, Message="many attributes", MessageAttributes=attributes)

    assert len(json.loads(receive(sqs, wrapped.url)[0]["Body"])["MessageAttributes"]) == 11
    (dead,) = receive(sqs, dlq.url)
    assert dead["Body"] == "many attributes"
    assert dead["MessageAttributes"]["ErrorCode"]["StringValue"] == "TooManyMessageAttributes"
    assert sqs.receive_message(QueueUrl=target.url).get("Messages") is None


def test_publish_json_structure_does_not_deliver_attributes(sns, sqs, topic_arn, make_queue):
    queue = make_queue()
    subscribe_queue(sns, topic_arn, queue.arn)
    sns.publish(
        TopicArn=topic_arn,
        MessageStructure="json",
        Message=json.dumps({"default": "d"}),
        MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}},
    )
    assert "MessageAttributes" not in json.loads(receive(sqs, queue.url)[0]["Body"])
