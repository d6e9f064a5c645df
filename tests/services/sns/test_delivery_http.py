"""HTTP/S subscriptions: the confirmation POST, notifications with the x-amz-sns-* headers, raw
delivery, retries on fogbank's clock per the delivery policy, and the dead-letter queue."""

from __future__ import annotations

import json
import queue
import time

import pytest
from sns_support import receive


def subscribe_confirmed(sns, topic_arn: str, http_endpoint, **attributes: str) -> str:
    sns.subscribe(TopicArn=topic_arn, Protocol="http", Endpoint=http_endpoint.url, Attributes=attributes)
    posted = http_endpoint.next()
    document = json.loads(posted.body)
    return str(sns.confirm_subscription(TopicArn=topic_arn, Token=document["Token"])["SubscriptionArn"])


def test_subscribe_http_posts_subscription_confirmation(sns, topic_arn, http_endpoint, endpoint):
    response = sns.subscribe(TopicArn=topic_arn, Protocol="http", Endpoint=http_endpoint.url)
    assert response["SubscriptionArn"] == "pending confirmation"

    posted = http_endpoint.next()
    document = json.loads(posted.body)
    assert posted.path == "/hook"
    assert posted.headers["x-amz-sns-message-type"] == "SubscriptionConfirmation"
    assert posted.headers["x-amz-sns-message-id"] == document["MessageId"]
    assert posted.headers["x-amz-sns-topic-arn"] == topic_arn
    assert "x-amz-sns-subscription-arn" not in posted.headers
    assert list(document) == [
        "Type",
        "MessageId",
        "Token",
        "TopicArn",
        "Message",
        "SubscribeURL",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertURL",
    ]
    assert document["SubscribeURL"].startswith(f"{endpoint}/?Action=ConfirmSubscription&TopicArn={topic_arn}")
    assert document["Message"] == (
        f"You have chosen to subscribe to the topic {topic_arn}.\n"
        "To confirm the subscription, visit the SubscribeURL included in this message."
    )


def test_publish_http_posts_notification_with_headers(sns, topic_arn, http_endpoint):
    subscription_arn = subscribe_confirmed(sns, topic_arn, http_endpoint)

    published = sns.publish(TopicArn=topic_arn, Subject="s", Message="to the web")

    posted = http_endpoint.next()
    assert posted.headers["x-amz-sns-message-type"] == "Notification"
    assert posted.headers["x-amz-sns-message-id"] == published["MessageId"]
    assert posted.headers["x-amz-sns-topic-arn"] == topic_arn
    assert posted.headers["x-amz-sns-subscription-arn"] == subscription_arn
    assert posted.headers["content-type"] == "text/plain; charset=UTF-8"
    assert posted.headers["user-agent"] == "Amazon Simple Notification Service Agent"
    document = json.loads(posted.body)
    assert (document["Type"], document["Subject"], document["Message"]) == ("Notification", "s", "to the web")


def test_publish_http_raw_delivery_posts_bare_message(sns, topic_arn, http_endpoint):
    subscribe_confirmed(sns, topic_arn, http_endpoint, RawMessageDelivery="true")
    sns.publish(TopicArn=topic_arn, Message="just this")
    posted = http_endpoint.next()
    assert posted.body == "just this"
    assert posted.headers["x-amz-sns-rawdelivery"] == "true"


def test_publish_http_does_not_wait_for_a_slow_endpoint(sns, topic_arn, unique_name):
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts connections but never answers
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/"
    arn = sns.subscribe(TopicArn=topic_arn, Protocol="http", Endpoint=url, ReturnSubscriptionArn=True)
    assert arn["SubscriptionArn"].startswith(topic_arn)
    try:
        started = time.perf_counter()
        sns.publish(TopicArn=topic_arn, Message="fire and forget")
        assert time.perf_counter() - started < 1.0
    finally:
        listener.close()


def test_publish_http_failure_retried_on_clock_then_dead_lettered(
    sns, sqs, topic_arn, http_endpoint, make_queue, fogbank
):
    dlq = make_queue()
    subscription_arn = subscribe_confirmed(sns, topic_arn, http_endpoint)
    sns.set_subscription_attributes(
        SubscriptionArn=subscription_arn,
        AttributeName="RedrivePolicy",
        AttributeValue=json.dumps({"deadLetterTargetArn": dlq.arn}),
    )
    http_endpoint.statuses.extend([500, 503, 500, 502])

    published = sns.publish(TopicArn=topic_arn, Message="flaky")

    first = http_endpoint.next()
    assert json.loads(first.body)["MessageId"] == published["MessageId"]
    with pytest.raises(queue.Empty):
        http_endpoint.next(timeout=0.3)  # the retry waits 20 s of fogbank's clock
    for _ in range(3):  # the default policy retries 3 times, 20 s apart
        fogbank.advance_clock("PT20S")
        assert http_endpoint.next().body == first.body

    (dead,) = receive(sqs, dlq.url)
    assert json.loads(dead["Body"])["MessageId"] == published["MessageId"]
    assert dead["MessageAttributes"]["ErrorCode"]["StringValue"] == "EndpointUnavailable"
    assert dead["MessageAttributes"]["ErrorMessage"]["StringValue"] == "HTTP 502"


def test_publish_http_retry_succeeds_without_dead_letter(
    sns, sqs, topic_arn, http_endpoint, make_queue, fogbank
):
    subscription_arn = subscribe_confirmed(sns, topic_arn, http_endpoint)
    policy = {"healthyRetryPolicy": {"numRetries": 2, "minDelayTarget": 5, "maxDelayTarget": 5}}
    sns.set_subscription_attributes(
        SubscriptionArn=subscription_arn, AttributeName="DeliveryPolicy", AttributeValue=json.dumps(policy)
    )
    effective = json.loads(
        sns.get_subscription_attributes(SubscriptionArn=subscription_arn)["Attributes"][
            "EffectiveDeliveryPolicy"
        ]
    )
    assert effective["healthyRetryPolicy"]["numRetries"] == 2
    http_endpoint.statuses.append(500)

    sns.publish(TopicArn=topic_arn, Message="second time lucky")
    http_endpoint.next()
    fogbank.advance_clock("PT5S")
    assert json.loads(http_endpoint.next().body)["Message"] == "second time lucky"
    fogbank.advance_clock("PT5S")
    with pytest.raises(queue.Empty):
        http_endpoint.next(timeout=0.3)


def test_publish_http_client_error_not_retried_goes_to_dead_letter(
    sns, sqs, topic_arn, http_endpoint, make_queue
):
    dlq = make_queue()
    subscription_arn = subscribe_confirmed(sns, topic_arn, http_endpoint)
    sns.set_subscription_attributes(
        SubscriptionArn=subscription_arn,
        AttributeName="RedrivePolicy",
        AttributeValue=json.dumps({"deadLetterTargetArn": dlq.arn}),
    )
    http_endpoint.statuses.append(404)

    sns.publish(TopicArn=topic_arn, Message="nobody home")

    http_endpoint.next()
    (dead,) = receive(sqs, dlq.url)
    assert dead["MessageAttributes"]["ErrorCode"]["StringValue"] == "EndpointRejected"
    assert dead["MessageAttributes"]["ErrorMessage"]["StringValue"] == "HTTP 404"


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ("{", "Invalid parameter: DeliveryPolicy: failed to parse JSON."),
        (
            '{"healthyRetryPolicy": {"numRetries": 101}}',
            "Invalid parameter: DeliveryPolicy: healthyRetryPolicy.numRetries must be at most 100",
        ),
        (
            '{"healthyRetryPolicy": {"minDelayTarget": 30, "maxDelayTarget": 10}}',
            "Invalid parameter: DeliveryPolicy: healthyRetryPolicy.minDelayTarget must be between 1 and maxDelayTarget",
        ),
        (
            '{"healthyRetryPolicy": {"backoffFunction": "random"}}',
            "Invalid parameter: DeliveryPolicy: healthyRetryPolicy.backoffFunction must be one of arithmetic, "
            "exponential, geometric, linear",
        ),
        (
            '{"healthyRetryPolicy": {"numRetries": 100, "minDelayTarget": 60, "maxDelayTarget": 60}}',
            "Invalid parameter: DeliveryPolicy: healthyRetryPolicy: the total retry time must be at most 3600 seconds",
        ),
    ],
)
def test_set_subscription_attributes_invalid_delivery_policy_fails(
    sns, topic_arn, http_endpoint, policy, message
):
    from botocore.exceptions import ClientError
    from test_topics import error_of

    subscription_arn = subscribe_confirmed(sns, topic_arn, http_endpoint)
    with pytest.raises(ClientError) as raised:
        sns.set_subscription_attributes(
            SubscriptionArn=subscription_arn, AttributeName="DeliveryPolicy", AttributeValue=policy
        )
    assert error_of(raised) == ("InvalidParameter", message, 400)


def test_publish_http_topic_delivery_policy_sets_content_type(sns, topic_arn, http_endpoint):
    policy = {"http": {"defaultRequestPolicy": {"headerContentType": "application/json"}}}
    sns.set_topic_attributes(
        TopicArn=topic_arn, AttributeName="DeliveryPolicy", AttributeValue=json.dumps(policy)
    )
    subscribe_confirmed(sns, topic_arn, http_endpoint)
    sns.publish(TopicArn=topic_arn, Message="typed")
    assert http_endpoint.next().headers["content-type"] == "application/json"


def test_publish_http_credentials_in_url_answer_basic_challenge(sns, topic_arn, http_endpoint):
    http_endpoint.basic_auth = "hook-user:s3cret"
    url = http_endpoint.url.replace("http://", "http://hook-user:s3cret@")
    sns.subscribe(TopicArn=topic_arn, Protocol="http", Endpoint=url)
    confirmation = http_endpoint.next()
    assert confirmation.headers["authorization"] == "Basic aG9vay11c2VyOnMzY3JldA=="
    token = json.loads(confirmation.body)["Token"]
    sns.confirm_subscription(TopicArn=topic_arn, Token=token)

    sns.publish(TopicArn=topic_arn, Message="behind basic auth")

    assert json.loads(http_endpoint.next().body)["Message"] == "behind basic auth"


def test_unsubscribe_http_posts_unsubscribe_confirmation_that_can_restore(sns, topic_arn, http_endpoint):
    subscription_arn = subscribe_confirmed(sns, topic_arn, http_endpoint)

    sns.unsubscribe(SubscriptionArn=subscription_arn)

    posted = http_endpoint.next()
    document = json.loads(posted.body)
    assert posted.headers["x-amz-sns-message-type"] == "UnsubscribeConfirmation"
    assert posted.headers["x-amz-sns-subscription-arn"] == subscription_arn
    assert document["Type"] == "UnsubscribeConfirmation"
    assert document["Message"] == (
        f"You have chosen to deactivate subscription {subscription_arn}.\n"
        "To cancel this operation and restore the subscription, visit the SubscribeURL included in this message."
    )
    assert sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"] == []

    restored = sns.confirm_subscription(TopicArn=topic_arn, Token=document["Token"])["SubscriptionArn"]
    assert restored == subscription_arn
    sns.publish(TopicArn=topic_arn, Message="welcome back")
    assert json.loads(http_endpoint.next().body)["Message"] == "welcome back"
