"""SNS state survives a restart: topics, subscriptions, attributes and captured emails."""

from __future__ import annotations

import json
import urllib.request

import boto3
from botocore.config import Config

from fogbank.testing.server import FogbankServer


def client(server: FogbankServer):
    return boto3.client(
        "sns",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )


def test_restart_keeps_topics_subscriptions_and_emails(tmp_path):
    server = FogbankServer(data_dir=tmp_path).start()
    try:
        sns = client(server)
        arn = sns.create_topic(
            Name="durable", Attributes={"DisplayName": "D"}, Tags=[{"Key": "k", "Value": "v"}]
        )["TopicArn"]
        sns.subscribe(TopicArn=arn, Protocol="email", Endpoint="keep@example.com")
    finally:
        server.stop()

    server = FogbankServer(data_dir=tmp_path).start()
    try:
        sns = client(server)
        assert sns.get_topic_attributes(TopicArn=arn)["Attributes"]["DisplayName"] == "D"
        assert sns.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "k", "Value": "v"}]
        (subscription,) = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
        assert subscription["Endpoint"] == "keep@example.com"
        with urllib.request.urlopen(server.url + "/_fogbank/sns/emails", timeout=10) as response:
            (email,) = json.loads(response.read())
        assert email["to"] == "keep@example.com"
        assert email["subject"] == "AWS Notification - Subscription Confirmation"
    finally:
        server.stop()
