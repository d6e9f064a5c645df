"""Topic access policies across accounts, AddPermission / RemovePermission."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from test_topics import error_of

OTHER = "444444444444"


@pytest.fixture
def other_sns(client_factory):
    return client_factory("sns", access_key=OTHER)


def test_publish_from_other_account_denied_by_default_policy(other_sns, topic_arn):
    with pytest.raises(ClientError) as raised:
        other_sns.publish(TopicArn=topic_arn, Message="x")
    assert error_of(raised) == (
        "AuthorizationError",
        f"User: arn:aws:iam::{OTHER}:root is not authorized to perform: SNS:Publish on resource: {topic_arn} "
        "because no resource-based policy allows the SNS:Publish action",
        403,
    )


def test_add_permission_lets_other_account_publish_until_removed(sns, other_sns, topic_arn):
    sns.add_permission(TopicArn=topic_arn, Label="partner", AWSAccountId=[OTHER], ActionName=["Publish"])

    statement = json.loads(sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]["Policy"])["Statement"][
        -1
    ]
    assert statement == {
        "Sid": "partner",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{OTHER}:root"},
        "Action": "SNS:Publish",
        "Resource": topic_arn,
    }
    assert other_sns.publish(TopicArn=topic_arn, Message="allowed")["MessageId"]
    with pytest.raises(ClientError) as raised:
        other_sns.get_topic_attributes(TopicArn=topic_arn)  # only Publish was granted
    assert error_of(raised)[0] == "AuthorizationError"

    sns.remove_permission(TopicArn=topic_arn, Label="partner")
    with pytest.raises(ClientError) as raised:
        other_sns.publish(TopicArn=topic_arn, Message="denied again")
    assert error_of(raised)[0] == "AuthorizationError"


def test_add_permission_duplicate_label_or_bad_action_fails(sns, topic_arn):
    sns.add_permission(TopicArn=topic_arn, Label="l", AWSAccountId=[OTHER], ActionName=["Subscribe"])
    with pytest.raises(ClientError) as raised:
        sns.add_permission(TopicArn=topic_arn, Label="l", AWSAccountId=[OTHER], ActionName=["Publish"])
    assert error_of(raised) == ("InvalidParameter", "Invalid parameter: Statement already exists", 400)
    with pytest.raises(ClientError) as raised:
        sns.add_permission(TopicArn=topic_arn, Label="m", AWSAccountId=[OTHER], ActionName=["Fly"])
    assert error_of(raised) == (
        "InvalidParameter",
        "Invalid parameter: Policy statement action out of service scope!",
        400,
    )


def test_topic_policy_with_explicit_deny_binds_the_owner(sns, topic_arn):
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "SNS:Publish", "Resource": topic_arn}],
    }
    sns.set_topic_attributes(TopicArn=topic_arn, AttributeName="Policy", AttributeValue=json.dumps(policy))
    with pytest.raises(ClientError) as raised:
        sns.publish(TopicArn=topic_arn, Message="x")
    code, message, status = error_of(raised)
    assert (code, status) == ("AuthorizationError", 403)
    assert message.endswith("with an explicit deny in a resource-based policy")


def test_topic_policy_conditioned_on_principal_account_allows_subscribe(sns, other_sns, topic_arn):
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["sns:Subscribe", "sns:Publish"],
                "Resource": topic_arn,
                "Condition": {"StringEquals": {"aws:PrincipalAccount": OTHER}},
            }
        ],
    }
    sns.set_topic_attributes(TopicArn=topic_arn, AttributeName="Policy", AttributeValue=json.dumps(policy))
    response = other_sns.subscribe(TopicArn=topic_arn, Protocol="email", Endpoint="partner@example.com")
    assert response["SubscriptionArn"] == "pending confirmation"


def test_list_subscriptions_shows_the_callers_own_across_accounts(sns, other_sns, topic_arn):
    sns.add_permission(TopicArn=topic_arn, Label="sub", AWSAccountId=[OTHER], ActionName=["Subscribe"])
    other_sns.subscribe(TopicArn=topic_arn, Protocol="email", Endpoint="theirs@example.com")
    sns.subscribe(TopicArn=topic_arn, Protocol="email", Endpoint="mine@example.com")

    theirs = [item["Endpoint"] for item in other_sns.list_subscriptions()["Subscriptions"]]
    mine = [
        item["Endpoint"]
        for page in sns.get_paginator("list_subscriptions").paginate()
        for item in page["Subscriptions"]
    ]
    assert "theirs@example.com" in theirs and "mine@example.com" not in theirs
    assert "mine@example.com" in mine and "theirs@example.com" not in mine
    by_topic = sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    assert sorted((item["Endpoint"], item["Owner"]) for item in by_topic) == [
        ("mine@example.com", "000000000000"),
        ("theirs@example.com", OTHER),
    ]
