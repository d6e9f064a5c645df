"""Email subscriptions: the confirmation email, ConfirmSubscription with its token, notifications
captured at `/_fogbank/sns/emails`, and clearing them."""

from __future__ import annotations

import json
import re
import urllib.parse

import pytest
from sns_support import fogbank_delete, fogbank_get


def emails_to(endpoint: str, address: str) -> list[dict]:
    return fogbank_get(endpoint, "/_fogbank/sns/emails?to=" + urllib.parse.quote(address))


def token_in(body: str) -> str:
    url = re.search(r"(http\S+Action=ConfirmSubscription\S+)", body).group(1)
    return urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["Token"][0]


def test_subscribe_email_captures_confirmation_then_confirm_delivers(sns, topic_arn, endpoint, unique_name):
    address = f"{unique_name('user')}@example.com"
    sns.set_topic_attributes(TopicArn=topic_arn, AttributeName="DisplayName", AttributeValue="Alerts")
    sns.subscribe(TopicArn=topic_arn, Protocol="email", Endpoint=address)

    (confirmation,) = emails_to(endpoint, address)
    assert set(confirmation) == {
        "id",
        "timestamp",
        "from",
        "to",
        "subject",
        "body",
        "topicArn",
        "subscriptionArn",
    }
    assert confirmation["to"] == address
    assert confirmation["from"] == "Alerts <no-reply@sns.amazonaws.com>"
    assert confirmation["subject"] == "AWS Notification - Subscription Confirmation"
    assert confirmation["topicArn"] == topic_arn
    assert f"You have chosen to subscribe to the topic: \n{topic_arn}" in confirmation["body"]

    sns.publish(TopicArn=topic_arn, Message="before confirmation")  # not delivered: still pending
    arn = sns.confirm_subscription(TopicArn=topic_arn, Token=token_in(confirmation["body"]))[
        "SubscriptionArn"
    ]
    assert arn == confirmation["subscriptionArn"]
    assert (
        sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["PendingConfirmation"] == "false"
    )

    sns.publish(TopicArn=topic_arn, Subject="Disk full", Message="the disk is full")
    notification = emails_to(endpoint, address)[1]
    assert notification["subject"] == "Disk full"
    assert notification["body"].startswith(
        "the disk is full\n\n--\nIf you wish to stop receiving notifications"
    )
    assert f"?Action=Unsubscribe&SubscriptionArn={arn}" in notification["body"]
    assert notification["subscriptionArn"] == arn
    assert len(emails_to(endpoint, address)) == 2


def test_confirm_subscription_twice_is_idempotent(sns, topic_arn, endpoint, unique_name):
    address = f"{unique_name('twice')}@example.com"
    sns.subscribe(TopicArn=topic_arn, Protocol="email", Endpoint=address)
    token = token_in(emails_to(endpoint, address)[0]["body"])
    first = sns.confirm_subscription(TopicArn=topic_arn, Token=token)
    second = sns.confirm_subscription(TopicArn=topic_arn, Token=token)
    assert first["SubscriptionArn"] == second["SubscriptionArn"]


def test_email_json_subscription_gets_json_documents(sns, topic_arn, endpoint, unique_name):
    address = f"{unique_name('json')}@example.com"
    sns.subscribe(TopicArn=topic_arn, Protocol="email-json", Endpoint=address)
    confirmation = json.loads(emails_to(endpoint, address)[0]["body"])
    assert confirmation["Type"] == "SubscriptionConfirmation"
    sns.confirm_subscription(TopicArn=topic_arn, Token=confirmation["Token"])

    sns.publish(
        TopicArn=topic_arn,
        Message="as json",
        MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}},
    )

    email = emails_to(endpoint, address)[1]
    assert email["subject"] == "AWS Notification Message"
    document = json.loads(email["body"])
    assert (document["Type"], document["Message"]) == ("Notification", "as json")
    assert document["MessageAttributes"] == {"k": {"Type": "String", "Value": "v"}}


def test_subscribe_url_confirms_when_visited(sns, topic_arn, endpoint, unique_name):
    address = f"{unique_name('visit')}@example.com"
    arn = sns.subscribe(
        TopicArn=topic_arn, Protocol="email-json", Endpoint=address, ReturnSubscriptionArn=True
    )["SubscriptionArn"]
    url = json.loads(emails_to(endpoint, address)[0]["body"])["SubscribeURL"]

    import urllib.request

    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        assert arn.encode() in response.read()
    assert (
        sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["PendingConfirmation"] == "false"
    )


def test_delete_emails_clears_them(sns, topic_arn, endpoint, unique_name):
    address = f"{unique_name('clear')}@example.com"
    sns.subscribe(TopicArn=topic_arn, Protocol="email", Endpoint=address)
    assert len(emails_to(endpoint, address)) == 1
    assert fogbank_delete(endpoint, "/_fogbank/sns/emails?to=" + urllib.parse.quote(address)) == {
        "deleted": 1
    }
    assert emails_to(endpoint, address) == []


def test_get_emails_lists_all_in_capture_order_and_delete_clears_all(sns, topic_arn, endpoint, unique_name):
    import urllib.error
    import urllib.request

    first, second = f"{unique_name('a')}@example.com", f"{unique_name('b')}@example.com"
    sns.subscribe(TopicArn=topic_arn, Protocol="email", Endpoint=first)
    sns.subscribe(TopicArn=topic_arn, Protocol="email", Endpoint=second)

    everything = fogbank_get(endpoint, "/_fogbank/sns/emails")
    ours = [email["to"] for email in everything if email["to"] in (first, second)]
    assert ours == [first, second]
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", everything[-1]["timestamp"])

    assert fogbank_delete(endpoint, "/_fogbank/sns/emails")["deleted"] >= 2
    assert fogbank_get(endpoint, "/_fogbank/sns/emails") == []
    request = urllib.request.Request(endpoint + "/_fogbank/sns/emails", data=b"{}", method="POST")
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=10)
    assert raised.value.code == 405
    raised.value.close()


def test_subscribe_again_while_pending_resends_confirmation(sns, topic_arn, endpoint, unique_name):
    address = f"{unique_name('again')}@example.com"
    sns.subscribe(TopicArn=topic_arn, Protocol="email", Endpoint=address)
    sns.subscribe(TopicArn=topic_arn, Protocol="email", Endpoint=address)
    first, second = emails_to(endpoint, address)
    assert token_in(first["body"]) == token_in(second["body"])
    assert len(sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]) == 1
