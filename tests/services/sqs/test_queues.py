"""Queue management: create (idempotency, names, attributes), URLs, listing, attributes, tags,
permissions, deletion, and errors as boto3 and the AWS CLI see them."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from sqs_support import error_of


def test_create_queue_new_name_returns_path_style_url(
    sqs: Any, endpoint: str, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("q")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    assert url == f"{endpoint}/000000000000/{name}"
    assert sqs.get_queue_url(QueueName=name)["QueueUrl"] == url


def test_create_queue_same_attributes_returns_same_url(sqs: Any, unique_name: Callable[[str], str]) -> None:
    name = unique_name("q")
    first = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
    assert sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "60"})["QueueUrl"] == first
    assert sqs.create_queue(QueueName=name)["QueueUrl"] == first


def test_create_queue_different_attribute_fails_with_queue_already_exists(
    sqs: Any, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("q")
    sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "60"})
    with pytest.raises(ClientError) as raised:
        sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "61"})
    assert error_of(raised) == (
        "QueueAlreadyExists",
        "A queue already exists with the same name and a different value for attribute VisibilityTimeout",
        400,
    )
    assert raised.value.response["Error"]["QueryErrorCode"] == "QueueNameExists"
    assert isinstance(raised.value, sqs.exceptions.QueueNameExists)


@pytest.mark.parametrize("name", ["has space", "x" * 81, "dot.name", ""])
def test_create_queue_invalid_name_fails(sqs: Any, name: str) -> None:
    with pytest.raises(ClientError) as raised:
        sqs.create_queue(QueueName=name)
    code, message, status = error_of(raised)
    assert status == 400
    if name:
        assert (code, message) == (
            "InvalidParameterValue",
            "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
        )


def test_create_queue_fifo_name_without_suffix_fails(sqs: Any, unique_name: Callable[[str], str]) -> None:
    with pytest.raises(ClientError) as raised:
        sqs.create_queue(QueueName=unique_name("q"), Attributes={"FifoQueue": "true"})
    assert error_of(raised) == (
        "InvalidParameterValue",
        "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end "
        "with .fifo suffix and be 1 to 80 in length.",
        400,
    )


@pytest.mark.parametrize(
    ("attribute", "value"),
    [
        ("VisibilityTimeout", "43201"),
        ("VisibilityTimeout", "-1"),
        ("MessageRetentionPeriod", "59"),
        ("MessageRetentionPeriod", "1209601"),
        ("DelaySeconds", "901"),
        ("MaximumMessageSize", "1023"),
        ("MaximumMessageSize", "262145"),
        ("ReceiveMessageWaitTimeSeconds", "21"),
        ("VisibilityTimeout", "abc"),
    ],
)
def test_create_queue_out_of_range_attribute_fails(
    sqs: Any, unique_name: Callable[[str], str], attribute: str, value: str
) -> None:
    with pytest.raises(ClientError) as raised:
        sqs.create_queue(QueueName=unique_name("q"), Attributes={attribute: value})
    assert error_of(raised) == ("InvalidAttributeValue", f"Invalid value for the parameter {attribute}.", 400)


def test_create_queue_fifo_attribute_on_standard_queue_fails(
    sqs: Any, unique_name: Callable[[str], str]
) -> None:
    with pytest.raises(ClientError) as raised:
        sqs.create_queue(QueueName=unique_name("q"), Attributes={"ContentBasedDeduplication": "true"})
    assert error_of(raised) == ("InvalidAttributeName", "Unknown Attribute ContentBasedDeduplication.", 400)


def test_get_queue_attributes_all_returns_aws_defaults(sqs: Any, make_queue: Callable[..., str]) -> None:
    url = make_queue()
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    created = attributes.pop("CreatedTimestamp")
    modified = attributes.pop("LastModifiedTimestamp")
    assert created.isdigit() and modified == created
    name = url.rsplit("/", 1)[1]
    assert attributes == {
        "QueueArn": f"arn:aws:sqs:us-east-1:000000000000:{name}",
        "ApproximateNumberOfMessages": "0",
        "ApproximateNumberOfMessagesNotVisible": "0",
        "ApproximateNumberOfMessagesDelayed": "0",
        "VisibilityTimeout": "30",
        "MaximumMessageSize": "262144",
        "MessageRetentionPeriod": "345600",
        "DelaySeconds": "0",
        "ReceiveMessageWaitTimeSeconds": "0",
        "SqsManagedSseEnabled": "true",
    }


def test_get_queue_attributes_fifo_queue_includes_fifo_defaults(
    sqs: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue(fifo=True)
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert {
        key: attributes[key]
        for key in ("FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit")
    } == {
        "FifoQueue": "true",
        "ContentBasedDeduplication": "false",
        "DeduplicationScope": "queue",
        "FifoThroughputLimit": "perQueue",
    }


def test_get_queue_attributes_named_returns_only_those(sqs: Any, make_queue: Callable[..., str]) -> None:
    url = make_queue(VisibilityTimeout="45")
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout", "DelaySeconds"])[
        "Attributes"
    ] == {
        "VisibilityTimeout": "45",
        "DelaySeconds": "0",
    }
    assert "Attributes" not in sqs.get_queue_attributes(QueueUrl=url)


def test_set_queue_attributes_changes_values_and_policy(sqs: Any, make_queue: Callable[..., str]) -> None:
    url = make_queue()
    policy = json.dumps({"Version": "2012-10-17", "Statement": []})
    sqs.set_queue_attributes(
        QueueUrl=url,
        Attributes={"VisibilityTimeout": "100", "Policy": policy, "KmsMasterKeyId": "alias/aws/sqs"},
    )
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["VisibilityTimeout"] == "100"
    assert attributes["Policy"] == policy
    assert attributes["KmsMasterKeyId"] == "alias/aws/sqs"
    assert attributes["KmsDataKeyReusePeriodSeconds"] == "300"
    assert attributes["SqsManagedSseEnabled"] == "false"


def test_set_queue_attributes_invalid_value_fails_and_keeps_old(
    sqs: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue()
    with pytest.raises(ClientError) as raised:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "10", "DelaySeconds": "1000"})
    assert error_of(raised) == ("InvalidAttributeValue", "Invalid value for the parameter DelaySeconds.", 400)
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"]
    assert attributes == {"VisibilityTimeout": "30"}


def test_set_queue_attributes_read_only_attribute_fails(sqs: Any, make_queue: Callable[..., str]) -> None:
    url = make_queue()
    with pytest.raises(ClientError) as raised:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"QueueArn": "x"})
    assert error_of(raised) == ("InvalidAttributeName", "Unknown Attribute QueueArn.", 400)


def test_get_queue_url_missing_queue_fails_with_non_existent_queue(sqs: Any) -> None:
    with pytest.raises(sqs.exceptions.QueueDoesNotExist) as raised:
        sqs.get_queue_url(QueueName="no-such-queue-anywhere")
    assert error_of(raised) == (
        "AWS.SimpleQueueService.NonExistentQueue",
        "The specified queue does not exist.",
        400,
    )
    assert raised.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-query-error"] == (
        "AWS.SimpleQueueService.NonExistentQueue;Sender"
    )


def test_get_queue_url_owner_account_finds_other_accounts_queue(
    client_factory: Callable[..., Any], sqs: Any, unique_name: Callable[[str], str]
) -> None:
    other = client_factory("sqs", access_key="111111111111")
    name = unique_name("q")
    url = other.create_queue(QueueName=name)["QueueUrl"]
    assert url.endswith(f"/111111111111/{name}")
    assert sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId="111111111111")["QueueUrl"] == url
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_url(QueueName=name)


def test_queue_url_any_host_form_resolves_by_account_and_name(
    sqs: Any, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("q")
    sqs.create_queue(QueueName=name)
    for url in (
        f"https://sqs.us-east-1.amazonaws.com/000000000000/{name}",
        f"http://sqs.us-east-1.localhost.localstack.cloud:4566/000000000000/{name}",
    ):
        sqs.send_message(QueueUrl=url, MessageBody="hello")
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    assert attributes["Attributes"] == {"ApproximateNumberOfMessages": "2"}


def test_send_message_url_without_account_fails_with_invalid_address(sqs: Any) -> None:
    with pytest.raises(ClientError) as raised:
        sqs.send_message(QueueUrl="not-a-queue-url", MessageBody="x")
    assert error_of(raised) == (
        "InvalidAddress",
        "The address not-a-queue-url is not valid for this endpoint.",
        404,
    )


def test_list_queues_prefix_and_pagination_pages_through_all(
    sqs: Any, unique_name: Callable[[str], str]
) -> None:
    prefix = unique_name("list")
    urls = sorted(sqs.create_queue(QueueName=f"{prefix}-{index}")["QueueUrl"] for index in range(5))
    assert sqs.list_queues(QueueNamePrefix=prefix)["QueueUrls"] == urls
    first = sqs.list_queues(QueueNamePrefix=prefix, MaxResults=2)
    assert first["QueueUrls"] == urls[:2]
    second = sqs.list_queues(QueueNamePrefix=prefix, MaxResults=2, NextToken=first["NextToken"])
    third = sqs.list_queues(QueueNamePrefix=prefix, MaxResults=2, NextToken=second["NextToken"])
    assert second["QueueUrls"] == urls[2:4]
    assert third["QueueUrls"] == urls[4:]
    assert "NextToken" not in third
    assert "QueueUrls" not in sqs.list_queues(QueueNamePrefix=prefix + "-none")


def test_delete_queue_removes_queue_and_messages(sqs: Any, unique_name: Callable[[str], str]) -> None:
    name = unique_name("q")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="gone")
    sqs.delete_queue(QueueUrl=url)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_url(QueueName=name)
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.receive_message(QueueUrl=url)
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    assert "Messages" not in sqs.receive_message(QueueUrl=url)


def test_tag_queue_tags_on_create_and_untag(sqs: Any, unique_name: Callable[[str], str]) -> None:
    url = sqs.create_queue(QueueName=unique_name("q"), tags={"team": "core", "env": "dev"})["QueueUrl"]
    sqs.tag_queue(QueueUrl=url, Tags={"env": "prod", "cost": "1"})
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"team": "core", "env": "prod", "cost": "1"}
    sqs.untag_queue(QueueUrl=url, TagKeys=["team", "cost"])
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"env": "prod"}
    sqs.untag_queue(QueueUrl=url, TagKeys=["env"])
    assert "Tags" not in sqs.list_queue_tags(QueueUrl=url)


def test_add_permission_writes_policy_and_remove_permission_clears_it(
    sqs: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue()
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.add_permission(QueueUrl=url, Label="send", AWSAccountIds=["111111111111"], Actions=["SendMessage"])
    policy = json.loads(
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"]
    )
    assert policy == {
        "Version": "2008-10-17",
        "Id": f"{arn}/SQSDefaultPolicy",
        "Statement": [
            {
                "Sid": "send",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
                "Action": "SQS:SendMessage",
                "Resource": arn,
            }
        ],
    }
    with pytest.raises(ClientError) as raised:
        sqs.add_permission(
            QueueUrl=url, Label="send", AWSAccountIds=["111111111111"], Actions=["SendMessage"]
        )
    assert error_of(raised) == (
        "InvalidParameterValue",
        "Value send for parameter Label is invalid. Reason: Already exists.",
        400,
    )
    sqs.remove_permission(QueueUrl=url, Label="send")
    assert "Attributes" not in sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
    with pytest.raises(ClientError) as raised:
        sqs.remove_permission(QueueUrl=url, Label="send")
    assert error_of(raised)[0] == "InvalidParameterValue"


def test_create_queue_other_region_is_separate(
    client_factory: Callable[..., Any], sqs: Any, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("q")
    europe = client_factory("sqs", region="eu-west-1")
    url = europe.create_queue(QueueName=name)["QueueUrl"]
    arn = europe.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert arn == f"arn:aws:sqs:eu-west-1:000000000000:{name}"
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_url(QueueName=name)


def test_cli_create_send_receive_list_roundtrip(
    aws_cli: Callable[..., Any], unique_name: Callable[[str], str]
) -> None:
    name = unique_name("cli")
    url = aws_cli("sqs", "create-queue", "--queue-name", name, "--attributes", "VisibilityTimeout=5")[
        "QueueUrl"
    ]
    assert url.endswith(f"/000000000000/{name}")
    sent = aws_cli("sqs", "send-message", "--queue-url", url, "--message-body", "from the cli")
    assert sent["MD5OfMessageBody"] == hashlib.md5(b"from the cli").hexdigest()
    received = aws_cli("sqs", "receive-message", "--queue-url", url, "--attribute-names", "All")
    assert received["Messages"][0]["Body"] == "from the cli"
    assert received["Messages"][0]["MessageId"] == sent["MessageId"]
    listed = aws_cli("sqs", "list-queues", "--queue-name-prefix", name)
    assert listed["QueueUrls"] == [url]
    attributes = aws_cli(
        "sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "VisibilityTimeout"
    )
    assert attributes == {"Attributes": {"VisibilityTimeout": "5"}}


def test_cli_get_queue_url_missing_queue_reports_error(aws_cli: Callable[..., Any]) -> None:
    completed = aws_cli("sqs", "get-queue-url", "--queue-name", "missing-cli-queue", check=False)
    assert completed.returncode == 255
    assert "AWS.SimpleQueueService.NonExistentQueue" in completed.stderr
    assert "The specified queue does not exist." in completed.stderr


def test_create_queue_unknown_attribute_fails_with_invalid_attribute_name(
    sqs: Any, unique_name: Callable[[str], str]
) -> None:
    with pytest.raises(ClientError) as raised:
        sqs.create_queue(QueueName=unique_name("q"), Attributes={"Colour": "blue"})
    assert error_of(raised) == ("InvalidAttributeName", "Unknown Attribute Colour.", 400)


def test_get_queue_attributes_unknown_name_fails(sqs: Any, make_queue: Callable[..., str]) -> None:
    url = make_queue()
    with pytest.raises(ClientError) as raised:
        sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Colour"])
    assert error_of(raised) == ("InvalidAttributeName", "Unknown Attribute Colour.", 400)


def test_get_queue_attributes_last_modified_moves_with_set(
    sqs: Any, fogbank: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue()
    before = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    fogbank.advance_clock("PT10S")
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "5"})
    after = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert after["CreatedTimestamp"] == before["CreatedTimestamp"]
    assert int(after["LastModifiedTimestamp"]) >= int(before["LastModifiedTimestamp"]) + 10


def test_set_queue_attributes_kms_and_sqs_managed_sse_together_fail(
    sqs: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue()
    with pytest.raises(ClientError) as raised:
        sqs.set_queue_attributes(
            QueueUrl=url, Attributes={"KmsMasterKeyId": "k", "SqsManagedSseEnabled": "true"}
        )
    assert error_of(raised) == (
        "InvalidAttributeName",
        "You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.",
        400,
    )
