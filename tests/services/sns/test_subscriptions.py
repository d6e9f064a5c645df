"""Subscriptions: protocols and endpoints, confirmation, attributes, listing, unsubscribing."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from test_topics import error_of


def test_subscribe_sqs_same_account_confirmed_at_once(sns, topic_arn, make_queue):
    queue = make_queue()
    arn = sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue.arn)["SubscriptionArn"]
    assert arn.startswith(topic_arn + ":")
    attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert attributes == {
        "SubscriptionArn": arn,
        "TopicArn": topic_arn,
        "Protocol": "sqs",
        "Endpoint": queue.arn,
        "Owner": "000000000000",
        "PendingConfirmation": "false",
        "ConfirmationWasAuthenticated": "true",
        "RawMessageDelivery": "false",
        "SubscriptionPrincipal": "arn:aws:iam::000000000000:root",
    }


def test_subscribe_same_endpoint_twice_returns_same_subscription(sns, topic_arn, make_queue):
    queue = make_queue()
    first = sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue.arn)["SubscriptionArn"]
    second = sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue.arn)["SubscriptionArn"]
    assert first == second
    with pytest.raises(ClientError) as raised:
        sns.subscribe(
            TopicArn=topic_arn, Protocol="sqs", Endpoint=queue.arn, Attributes={"RawMessageDelivery": "true"}
        )
    assert error_of(raised) == (
        "InvalidParameter",
        "Invalid parameter: Attributes Reason: Subscription already exists with different attributes",
        400,
    )


def test_subscribe_email_is_pending_confirmation(sns, topic_arn):
    response = sns.subscribe(TopicArn=topic_arn, Protocol="email", Endpoint="pending@example.com")
    assert response["SubscriptionArn"] == "pending confirmation"
    listed = sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    assert listed == [
        {
            "SubscriptionArn": "PendingConfirmation",
            "Owner": "000000000000",
            "Protocol": "email",
            "Endpoint": "pending@example.com",
            "TopicArn": topic_arn,
        }
    ]


def test_subscribe_return_subscription_arn_gives_arn_of_pending(sns, topic_arn):
    arn = sns.subscribe(
        TopicArn=topic_arn, Protocol="email-json", Endpoint="json@example.com", ReturnSubscriptionArn=True
    )["SubscriptionArn"]
    attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert attributes["PendingConfirmation"] == "true"
    assert attributes["ConfirmationWasAuthenticated"] == "false"


@pytest.mark.parametrize("protocol", ["application", "sms", "firehose"])
def test_subscribe_protocol_fogbank_cannot_deliver_yet_fails_clearly(sns, topic_arn, protocol):
    with pytest.raises(ClientError) as raised:
        sns.subscribe(
            TopicArn=topic_arn, Protocol=protocol, Endpoint="arn:aws:lambda:us-east-1:000000000000:function:f"
        )
    assert error_of(raised) == (
        "InvalidParameter",
        f"Invalid parameter: Protocol {protocol} (fogbank cannot deliver to {protocol} endpoints yet) "
        "is not supported by fogbank yet",
        400,
    )


@pytest.mark.parametrize(
    ("protocol", "target", "message"),
    [
        (
            "carrier-pigeon",
            "x",
            "Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon",
        ),
        ("http", "https://example.com", "Invalid parameter: Endpoint must match the specified protocol"),
        ("https", "ftp://example.com", "Invalid parameter: Endpoint must match the specified protocol"),
        ("email", "not-an-address", "Invalid parameter: Email address"),
        ("sqs", "my-queue", "Invalid parameter: SQS endpoint ARN"),
        (
            "sqs",
            "arn:aws:sqs:us-east-1:000000000000:q.fifo",
            "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics",
        ),
    ],
)
def test_subscribe_invalid_endpoint_fails(sns, topic_arn, protocol, target, message):
    with pytest.raises(ClientError) as raised:
        sns.subscribe(TopicArn=topic_arn, Protocol=protocol, Endpoint=target)
    assert error_of(raised) == ("InvalidParameter", message, 400)


def test_subscribe_unknown_topic_not_found(sns):
    with pytest.raises(ClientError) as raised:
        sns.subscribe(TopicArn="arn:aws:sns:us-east-1:000000000000:nope", Protocol="email", Endpoint="a@b.co")
    assert error_of(raised) == ("NotFound", "Topic does not exist", 404)


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        (
            {"RawMessageDelivery": "yes"},
            "Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [yes]. Must be true or false.",
        ),
        (
            {"FilterPolicyScope": "Body"},
            "Invalid parameter: Attributes Reason: FilterPolicyScope: Invalid value [Body]. "
            "Please use either MessageBody or MessageAttributes",
        ),
        ({"FilterPolicy": "{"}, "Invalid parameter: Attributes Reason: FilterPolicy: failed to parse JSON."),
        (
            {"RedrivePolicy": json.dumps({"deadLetterTargetArn": "nope"})},
            "Invalid parameter: Attributes Reason: RedrivePolicy: deadLetterTargetArn is an invalid arn",
        ),
        ({"Colour": "red"}, "Invalid parameter: Attributes Reason: AttributeName"),
    ],
)
def test_subscribe_invalid_attributes_fail(sns, topic_arn, make_queue, attributes, message):
    queue = make_queue()
    with pytest.raises(ClientError) as raised:
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue.arn, Attributes=attributes)
    assert error_of(raised) == ("InvalidParameter", message, 400)


def test_subscribe_raw_delivery_on_email_fails(sns, topic_arn):
    with pytest.raises(ClientError) as raised:
        sns.subscribe(
            TopicArn=topic_arn,
            Protocol="email",
            Endpoint="a@example.com",
            Attributes={"RawMessageDelivery": "true"},
        )
    assert error_of(raised) == (
        "InvalidParameter",
        "Invalid parameter: Attributes Reason: Delivery protocol [email] does not support raw message delivery.",
        400,
    )


def test_set_subscription_attributes_round_trip(sns, topic_arn, make_queue):
    queue, dlq = make_queue(), make_queue()
    arn = sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue.arn)["SubscriptionArn"]
    policy = json.dumps({"store": ["example_corp"]})
    redrive = json.dumps({"deadLetterTargetArn": dlq.arn})
    sns.set_subscription_attributes(
        SubscriptionArn=arn, AttributeName="RawMessageDelivery", AttributeValue="True"
    )
    sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="FilterPolicy", AttributeValue=policy)
    sns.set_subscription_attributes(
        SubscriptionArn=arn, AttributeName="RedrivePolicy", AttributeValue=redrive
    )
    attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert attributes["RawMessageDelivery"] == "true"
    assert attributes["FilterPolicy"] == policy
    assert attributes["FilterPolicyScope"] == "MessageAttributes"
    assert attributes["RedrivePolicy"] == redrive


def test_set_subscription_attributes_nested_policy_needs_body_scope(sns, topic_arn, make_queue):
    queue = make_queue()
    arn = sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue.arn)["SubscriptionArn"]
    nested = json.dumps({"order": {"status": ["paid"]}})
    with pytest.raises(ClientError) as raised:
        sns.set_subscription_attributes(
            SubscriptionArn=arn, AttributeName="FilterPolicy", AttributeValue=nested
        )
    assert error_of(raised) == (
        "InvalidParameter",
        "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy",
        400,
    )
    sns.set_subscription_attributes(
        SubscriptionArn=arn, AttributeName="FilterPolicyScope", AttributeValue="MessageBody"
    )
    sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName="FilterPolicy", AttributeValue=nested)
    attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert (attributes["FilterPolicy"], attributes["FilterPolicyScope"]) == (nested, "MessageBody")


def test_get_subscription_attributes_unknown_not_found(sns, topic_arn):
    with pytest.raises(ClientError) as raised:
        sns.get_subscription_attributes(SubscriptionArn=topic_arn + ":8a21d249-4329-4871-acc6-7be709c6ea7f")
    assert error_of(raised) == ("NotFound", "Subscription does not exist", 404)


def test_unsubscribe_removes_and_is_idempotent(sns, topic_arn, make_queue):
    queue = make_queue()
    arn = sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue.arn)["SubscriptionArn"]
    sns.unsubscribe(SubscriptionArn=arn)
    sns.unsubscribe(SubscriptionArn=arn)
    assert sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"] == []


def test_unsubscribe_malformed_arn_invalid_parameter(sns):
    with pytest.raises(ClientError) as raised:
        sns.unsubscribe(SubscriptionArn="garbage")
    assert error_of(raised) == (
        "InvalidParameter",
        "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 1",
        400,
    )


def test_list_subscriptions_includes_confirmed_with_arn(sns, topic_arn, make_queue):
    queue = make_queue()
    arn = sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue.arn)["SubscriptionArn"]
    listed = [
        item for page in sns.get_paginator("list_subscriptions").paginate() for item in page["Subscriptions"]
    ]
    assert {
        "SubscriptionArn": arn,
        "Owner": "000000000000",
        "Protocol": "sqs",
        "Endpoint": queue.arn,
        "TopicArn": topic_arn,
    } in listed


def test_list_subscriptions_by_topic_unknown_topic_not_found(sns):
    with pytest.raises(ClientError) as raised:
        sns.list_subscriptions_by_topic(TopicArn="arn:aws:sns:us-east-1:000000000000:nope")
    assert error_of(raised) == ("NotFound", "Topic does not exist", 404)


def test_confirm_subscription_bad_token_invalid_parameter(sns, topic_arn):
    with pytest.raises(ClientError) as raised:
        sns.confirm_subscription(TopicArn=topic_arn, Token="00" * 64)
    assert error_of(raised) == ("InvalidParameter", "Invalid parameter: Token", 400)


def test_subscribe_cross_account_queue_sends_confirmation_to_queue(
    client_factory, topic_arn, sns, unique_name
):
    owner_sqs = client_factory("sqs", access_key="333333333333")
    url = owner_sqs.create_queue(QueueName=unique_name("q"))["QueueUrl"]
    queue_arn = owner_sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]

    response = sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    assert response["SubscriptionArn"] == "pending confirmation"

    messages = owner_sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)["Messages"]
    body = json.loads(messages[0]["Body"])
    assert body["Type"] == "SubscriptionConfirmation"
    assert body["TopicArn"] == topic_arn
    assert body["SubscribeURL"].endswith(f"&Token={body['Token']}")
    confirmed = sns.confirm_subscription(TopicArn=topic_arn, Token=body["Token"])["SubscriptionArn"]
    attributes = sns.get_subscription_attributes(SubscriptionArn=confirmed)["Attributes"]
    assert attributes["PendingConfirmation"] == "false"


def test_subscribe_fifo_topic_non_sqs_protocol_fails(sns, unique_name):
    topic = sns.create_topic(Name=unique_name("t") + ".fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    with pytest.raises(ClientError) as raised:
        sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="a@example.com")
    assert error_of(raised) == ("InvalidParameter", "Invalid parameter: Invalid protocol type: email", 400)


def test_confirm_subscription_after_three_days_token_expired(sns, topic_arn, fogbank, unique_name):
    from test_emails import emails_to, token_in

    address = f"{unique_name('late')}@example.com"
    sns.subscribe(TopicArn=topic_arn, Protocol="email", Endpoint=address)
    token = token_in(emails_to(fogbank.url, address)[0]["body"])
    fogbank.advance_clock("P3DT1S")
    with pytest.raises(ClientError) as raised:
        sns.confirm_subscription(TopicArn=topic_arn, Token=token)
    assert error_of(raised) == ("InvalidParameter", "Invalid parameter: Token", 400)


def test_unsubscribe_url_works_unless_authenticate_on_unsubscribe(sns, topic_arn, fogbank, unique_name):
    import urllib.error
    import urllib.request

    from test_emails import emails_to, token_in

    def subscribe(flag: str) -> str:
        address = f"{unique_name('u')}@example.com"
        sns.subscribe(TopicArn=topic_arn, Protocol="email", Endpoint=address)
        token = token_in(emails_to(fogbank.url, address)[0]["body"])
        return sns.confirm_subscription(TopicArn=topic_arn, Token=token, AuthenticateOnUnsubscribe=flag)[
            "SubscriptionArn"
        ]

    open_arn, protected_arn = subscribe("false"), subscribe("true")
    with urllib.request.urlopen(f"{fogbank.url}/?Action=Unsubscribe&SubscriptionArn={open_arn}", timeout=10):
        pass
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(
            f"{fogbank.url}/?Action=Unsubscribe&SubscriptionArn={protected_arn}", timeout=10
        )
    assert raised.value.code == 403
    raised.value.close()
    listed = [
        item["SubscriptionArn"]
        for item in sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    ]
    assert listed == [protected_arn]
    sns.unsubscribe(SubscriptionArn=protected_arn)  # a signed request may
    assert sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"] == []


def test_set_subscription_attributes_subscription_role_arn_refused_unless_cleared(sns, topic_arn, make_queue):
    queue = make_queue()
    arn = sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue.arn)["SubscriptionArn"]
    sns.set_subscription_attributes(
        SubscriptionArn=arn, AttributeName="SubscriptionRoleArn", AttributeValue=""
    )
    with pytest.raises(ClientError) as raised:
        sns.set_subscription_attributes(
            SubscriptionArn=arn,
            AttributeName="SubscriptionRoleArn",
            AttributeValue="arn:aws:iam::000000000000:role/r",
        )
    assert error_of(raised) == (
        "InvalidParameter",
        "Invalid parameter: Subscription attribute SubscriptionRoleArn is not supported by fogbank yet",
        400,
    )
