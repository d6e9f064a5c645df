"""Topics: create (standard and FIFO, idempotent, name rules), delete, list with pagination,
attributes, tags, data protection policies."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError


def error_of(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def test_create_topic_standard_returns_arn_in_account_and_region(sns, unique_name):
    name = unique_name("t")
    assert sns.create_topic(Name=name)["TopicArn"] == f"arn:aws:sns:us-east-1:000000000000:{name}"


def test_create_topic_other_account_and_region_scopes_arn(client_factory, unique_name):
    sns = client_factory("sns", region="eu-west-1", access_key="111111111111")
    name = unique_name("t")
    arn = sns.create_topic(Name=name)["TopicArn"]
    assert arn == f"arn:aws:sns:eu-west-1:111111111111:{name}"
    assert arn not in [t["TopicArn"] for t in client_factory("sns").list_topics()["Topics"]]


def test_create_topic_twice_same_attributes_is_idempotent(sns, unique_name):
    name = unique_name("t")
    first = sns.create_topic(Name=name, Attributes={"DisplayName": "x"}, Tags=[{"Key": "a", "Value": "1"}])
    second = sns.create_topic(Name=name, Attributes={"DisplayName": "x"}, Tags=[{"Key": "a", "Value": "1"}])
    assert first["TopicArn"] == second["TopicArn"]


def test_create_topic_existing_with_different_attributes_fails(sns, unique_name):
    name = unique_name("t")
    sns.create_topic(Name=name, Attributes={"DisplayName": "x"})
    with pytest.raises(ClientError) as raised:
        sns.create_topic(Name=name, Attributes={"DisplayName": "y"})
    assert error_of(raised) == (
        "InvalidParameter",
        "Invalid parameter: Attributes Reason: Topic already exists with different attributes",
        400,
    )


def test_create_topic_existing_with_different_tags_fails(sns, unique_name):
    name = unique_name("t")
    sns.create_topic(Name=name, Tags=[{"Key": "a", "Value": "1"}])
    with pytest.raises(ClientError) as raised:
        sns.create_topic(Name=name, Tags=[{"Key": "a", "Value": "2"}])
    assert error_of(raised) == (
        "InvalidParameter",
        "Invalid parameter: Tags Reason: Topic already exists with different tags",
        400,
    )


@pytest.mark.parametrize("name", ["has space", "dot.name", "x" * 257, "bad.fifo"])
def test_create_topic_invalid_name_fails(sns, name):
    with pytest.raises(ClientError) as raised:
        sns.create_topic(Name=name)
    assert error_of(raised) == ("InvalidParameter", "Invalid parameter: Topic Name", 400)


def test_create_topic_fifo_without_suffix_fails(sns, unique_name):
    with pytest.raises(ClientError) as raised:
        sns.create_topic(Name=unique_name("t"), Attributes={"FifoTopic": "true"})
    code, message, status = error_of(raised)
    assert (code, status) == ("InvalidParameter", 400)
    assert message.startswith("Invalid parameter: Fifo Topic names must end with .fifo")


def test_create_topic_fifo_reports_fifo_attributes(sns, unique_name):
    arn = sns.create_topic(
        Name=unique_name("t") + ".fifo", Attributes={"FifoTopic": "true", "ContentBasedDeduplication": "true"}
    )["TopicArn"]
    attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
    assert attributes["FifoTopic"] == "true"
    assert attributes["ContentBasedDeduplication"] == "true"
    assert attributes["FifoThroughputScope"] == "Topic"


def test_get_topic_attributes_new_topic_reports_defaults(sns, topic_arn):
    attributes = sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]
    assert set(attributes) == {
        "Policy",
        "Owner",
        "TopicArn",
        "DisplayName",
        "SubscriptionsConfirmed",
        "SubscriptionsPending",
        "SubscriptionsDeleted",
        "EffectiveDeliveryPolicy",
    }
    assert attributes["Owner"] == "000000000000"
    assert attributes["TopicArn"] == topic_arn
    assert attributes["DisplayName"] == ""
    assert (attributes["SubscriptionsConfirmed"], attributes["SubscriptionsPending"]) == ("0", "0")
    assert attributes["SubscriptionsDeleted"] == "0"
    policy = json.loads(attributes["Policy"])
    assert policy["Id"] == "__default_policy_ID"
    statement = policy["Statement"][0]
    assert statement["Resource"] == topic_arn
    assert statement["Condition"] == {"StringEquals": {"AWS:SourceOwner": "000000000000"}}
    assert "SNS:Publish" in statement["Action"]
    delivery = json.loads(attributes["EffectiveDeliveryPolicy"])
    assert delivery["http"]["defaultHealthyRetryPolicy"]["numRetries"] == 3
    assert delivery["http"]["defaultRequestPolicy"] == {"headerContentType": "text/plain; charset=UTF-8"}


def test_get_topic_attributes_counts_subscriptions(sns, topic_arn, make_queue):
    queue = make_queue()
    sub = sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue.arn)["SubscriptionArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="email", Endpoint="someone@example.com")
    attributes = sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]
    assert (attributes["SubscriptionsConfirmed"], attributes["SubscriptionsPending"]) == ("1", "1")
    sns.unsubscribe(SubscriptionArn=sub)
    attributes = sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]
    assert (attributes["SubscriptionsConfirmed"], attributes["SubscriptionsDeleted"]) == ("0", "1")


def test_get_topic_attributes_unknown_topic_not_found(sns):
    with pytest.raises(ClientError) as raised:
        sns.get_topic_attributes(TopicArn="arn:aws:sns:us-east-1:000000000000:does-not-exist")
    assert error_of(raised) == ("NotFound", "Topic does not exist", 404)


def test_get_topic_attributes_malformed_arn_invalid_parameter(sns):
    with pytest.raises(ClientError) as raised:
        sns.get_topic_attributes(TopicArn="not-an-arn")
    assert error_of(raised) == (
        "InvalidParameter",
        "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1",
        400,
    )


def test_set_topic_attributes_display_name_and_delivery_policy(sns, topic_arn):
    sns.set_topic_attributes(TopicArn=topic_arn, AttributeName="DisplayName", AttributeValue="My Topic")
    policy = {
        "http": {"defaultHealthyRetryPolicy": {"numRetries": 5, "minDelayTarget": 1, "maxDelayTarget": 30}}
    }
    sns.set_topic_attributes(
        TopicArn=topic_arn, AttributeName="DeliveryPolicy", AttributeValue=json.dumps(policy)
    )
    attributes = sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]
    assert attributes["DisplayName"] == "My Topic"
    assert json.loads(attributes["DeliveryPolicy"]) == policy
    effective = json.loads(attributes["EffectiveDeliveryPolicy"])["http"]["defaultHealthyRetryPolicy"]
    assert (effective["numRetries"], effective["minDelayTarget"], effective["backoffFunction"]) == (
        5,
        1,
        "linear",
    )


def test_set_topic_attributes_policy_replaces_default(sns, topic_arn):
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sns:Publish", "Resource": topic_arn}],
    }
    sns.set_topic_attributes(TopicArn=topic_arn, AttributeName="Policy", AttributeValue=json.dumps(policy))
    assert json.loads(sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]["Policy"]) == policy


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("FifoTopic", "true", "Invalid parameter: AttributeName"),
        ("NoSuchAttribute", "x", "Invalid parameter: AttributeName"),
        (
            "ContentBasedDeduplication",
            "true",
            "Invalid parameter: ContentBasedDeduplication: ContentBasedDeduplication is only valid for FIFO topics",
        ),
        ("DeliveryPolicy", "{not json", "Invalid parameter: DeliveryPolicy: failed to parse JSON."),
        (
            "SignatureVersion",
            "3",
            "Invalid parameter: SignatureVersion: Invalid value [3]. Must be one of 1, 2",
        ),
        (
            "TracingConfig",
            "Active",
            "Invalid parameter: TracingConfig Active is not supported by fogbank yet",
        ),
        (
            "HTTPSuccessFeedbackRoleArn",
            "arn:aws:iam::000000000000:role/r",
            "Invalid parameter: Topic attribute HTTPSuccessFeedbackRoleArn is not supported by fogbank yet",
        ),
    ],
)
def test_set_topic_attributes_invalid_fails(sns, topic_arn, name, value, message):
    with pytest.raises(ClientError) as raised:
        sns.set_topic_attributes(TopicArn=topic_arn, AttributeName=name, AttributeValue=value)
    assert error_of(raised) == ("InvalidParameter", message, 400)


def test_delete_topic_removes_topic_and_its_subscriptions(sns, topic_arn, make_queue):
    queue = make_queue()
    sub = sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue.arn)["SubscriptionArn"]
    sns.delete_topic(TopicArn=topic_arn)
    sns.delete_topic(TopicArn=topic_arn)  # deleting again succeeds
    with pytest.raises(ClientError) as raised:
        sns.get_topic_attributes(TopicArn=topic_arn)
    assert error_of(raised) == ("NotFound", "Topic does not exist", 404)
    with pytest.raises(ClientError) as raised:
        sns.get_subscription_attributes(SubscriptionArn=sub)
    assert error_of(raised) == ("NotFound", "Subscription does not exist", 404)


def test_list_topics_paginates_by_100(client_factory, unique_name):
    sns = client_factory("sns", access_key="222222222222", region="ap-south-1")
    created = {sns.create_topic(Name=f"{unique_name('p')}-{index:03d}")["TopicArn"] for index in range(105)}
    first = sns.list_topics()
    assert len(first["Topics"]) == 100
    second = sns.list_topics(NextToken=first["NextToken"])
    assert "NextToken" not in second
    listed = [topic["TopicArn"] for topic in first["Topics"] + second["Topics"]]
    assert created <= set(listed)
    assert len(listed) == len(set(listed))
    assert [
        t["TopicArn"] for page in sns.get_paginator("list_topics").paginate() for t in page["Topics"]
    ] == listed


def test_tag_resource_list_and_untag(sns, topic_arn):
    sns.tag_resource(
        ResourceArn=topic_arn, Tags=[{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "a"}]
    )
    sns.tag_resource(ResourceArn=topic_arn, Tags=[{"Key": "env", "Value": "prod"}])
    assert sns.list_tags_for_resource(ResourceArn=topic_arn)["Tags"] == [
        {"Key": "env", "Value": "prod"},
        {"Key": "team", "Value": "a"},
    ]
    sns.untag_resource(ResourceArn=topic_arn, TagKeys=["env", "missing"])
    assert sns.list_tags_for_resource(ResourceArn=topic_arn)["Tags"] == [{"Key": "team", "Value": "a"}]


def test_create_topic_with_tags_lists_them(sns, unique_name):
    arn = sns.create_topic(Name=unique_name("t"), Tags=[{"Key": "k", "Value": "v"}])["TopicArn"]
    assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "k", "Value": "v"}]


def test_tag_resource_over_50_tags_fails(sns, topic_arn):
    with pytest.raises(ClientError) as raised:
        sns.tag_resource(ResourceArn=topic_arn, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(51)])
    assert error_of(raised) == (
        "TagLimitExceeded",
        "Could not complete request: tag quota of per resource exceeded",
        400,
    )


def test_list_tags_for_resource_unknown_topic_fails(sns):
    with pytest.raises(ClientError) as raised:
        sns.list_tags_for_resource(ResourceArn="arn:aws:sns:us-east-1:000000000000:nope")
    assert error_of(raised) == ("ResourceNotFound", "Resource does not exist", 404)


def test_get_data_protection_policy_new_topic_is_empty(sns, topic_arn):
    assert sns.get_data_protection_policy(ResourceArn=topic_arn)["DataProtectionPolicy"] == ""


def test_put_data_protection_policy_not_supported_yet(sns, topic_arn):
    with pytest.raises(ClientError) as raised:
        sns.put_data_protection_policy(ResourceArn=topic_arn, DataProtectionPolicy="{}")
    assert error_of(raised) == (
        "InvalidParameter",
        "Invalid parameter: DataProtectionPolicy is not supported by fogbank yet",
        400,
    )


def test_set_topic_attributes_clearing_unsupported_feature_succeeds(sns, topic_arn):
    sns.set_topic_attributes(
        TopicArn=topic_arn, AttributeName="HTTPSuccessFeedbackRoleArn", AttributeValue=""
    )
    assert "HTTPSuccessFeedbackRoleArn" not in sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]
