"""The legacy SQS query protocol (older SDKs): form-encoded requests, XML answers in the
2012-11-05 namespace with flattened legacy names, errors with the legacy codes; also requests
POSTed to the queue URL itself."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree

import pytest
import requests

NS = {"sqs": "http://queue.amazonaws.com/doc/2012-11-05/"}
HEADERS = {
    "Authorization": "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/sqs/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0",
    "Content-Type": "application/x-www-form-urlencoded",
}


@pytest.fixture
def query(endpoint: str) -> Callable[..., tuple[int, ElementTree.Element]]:
    session = requests.Session()

    def call(form: dict[str, str], path: str = "/") -> tuple[int, ElementTree.Element]:
        response = session.post(endpoint + path, data=form, headers=HEADERS, timeout=30)
        assert response.headers["content-type"].startswith("text/xml")
        return response.status_code, ElementTree.fromstring(response.content)

    return call


def _text(root: ElementTree.Element, path: str) -> str:
    found = root.find(path, NS)
    assert found is not None, path
    return found.text or ""


def _attributes(node: ElementTree.Element, tag: str = "sqs:Attribute") -> dict[str, str]:
    return {_text(item, "sqs:Name"): _text(item, "sqs:Value") for item in node.findall(tag, NS)}


def test_query_create_queue_with_attributes_and_tags(
    query: Callable[..., Any], endpoint: str, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("legacy")
    status, root = query(
        {
            "Action": "CreateQueue",
            "QueueName": name,
            "Attribute.1.Name": "VisibilityTimeout",
            "Attribute.1.Value": "40",
            "Tag.1.Key": "team",
            "Tag.1.Value": "core",
        }
    )
    assert status == 200
    assert root.tag == "{http://queue.amazonaws.com/doc/2012-11-05/}CreateQueueResponse"
    url = _text(root, "sqs:CreateQueueResult/sqs:QueueUrl")
    assert url == f"{endpoint}/000000000000/{name}"
    assert _text(root, "sqs:ResponseMetadata/sqs:RequestId")
    _, root = query(
        {
            "Action": "GetQueueAttributes",
            "QueueUrl": url,
            "AttributeName.1": "VisibilityTimeout",
            "AttributeName.2": "QueueArn",
        }
    )
    assert _attributes(root.find("sqs:GetQueueAttributesResult", NS)) == {  # type: ignore[arg-type]
        "VisibilityTimeout": "40",
        "QueueArn": f"arn:aws:sqs:us-east-1:000000000000:{name}",
    }
    _, root = query({"Action": "ListQueueTags", "QueueUrl": url})
    tags = root.findall("sqs:ListQueueTagsResult/sqs:Tag", NS)
    assert [(_text(tag, "sqs:Key"), _text(tag, "sqs:Value")) for tag in tags] == [("team", "core")]


def test_query_send_and_receive_message_with_attributes(
    query: Callable[..., Any], make_queue: Callable[..., str]
) -> None:
    url = make_queue()
    status, root = query(
        {
            "Action": "SendMessage",
            "QueueUrl": url,
            "MessageBody": "<hello & bye>",
            "MessageAttribute.1.Name": "timestamp",
            "MessageAttribute.1.Value.DataType": "Number",
            "MessageAttribute.1.Value.StringValue": "1493147359900",
        }
    )
    assert status == 200
    result = root.find("sqs:SendMessageResult", NS)
    assert result is not None
    assert _text(result, "sqs:MD5OfMessageBody") == hashlib.md5(b"<hello & bye>").hexdigest()
    assert _text(result, "sqs:MD5OfMessageAttributes") == "235c5c510d26fb653d073faed50ae77c"
    message_id = _text(result, "sqs:MessageId")
    _, root = query(
        {
            "Action": "ReceiveMessage",
            "QueueUrl": url,
            "AttributeName.1": "All",
            "MessageAttributeName.1": "All",
        }
    )
    messages = root.findall("sqs:ReceiveMessageResult/sqs:Message", NS)
    assert len(messages) == 1
    message = messages[0]
    assert _text(message, "sqs:MessageId") == message_id
    assert _text(message, "sqs:Body") == "<hello & bye>"
    assert _text(message, "sqs:MD5OfBody") == hashlib.md5(b"<hello & bye>").hexdigest()
    assert _text(message, "sqs:ReceiptHandle")
    assert _attributes(message)["ApproximateReceiveCount"] == "1"
    attribute = message.find("sqs:MessageAttribute", NS)
    assert attribute is not None
    assert _text(attribute, "sqs:Name") == "timestamp"
    assert _text(attribute, "sqs:Value/sqs:DataType") == "Number"
    assert _text(attribute, "sqs:Value/sqs:StringValue") == "1493147359900"
    status, root = query(
        {"Action": "DeleteMessage", "QueueUrl": url, "ReceiptHandle": _text(message, "sqs:ReceiptHandle")}
    )
    assert status == 200
    assert root.tag.endswith("DeleteMessageResponse")


def test_query_post_to_queue_url_path_uses_that_queue(
    query: Callable[..., Any], sqs: Any, make_queue: Callable[..., str]
) -> None:
    url = make_queue()
    path = "/" + url.split("/", 3)[3]
    status, _ = query({"Action": "SendMessage", "MessageBody": "via path"}, path)
    assert status == 200
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "via path"


def test_query_send_message_batch_reports_failed_entries(
    query: Callable[..., Any], make_queue: Callable[..., str]
) -> None:
    url = make_queue()
    _, root = query(
        {
            "Action": "SendMessageBatch",
            "QueueUrl": url,
            "SendMessageBatchRequestEntry.1.Id": "good",
            "SendMessageBatchRequestEntry.1.MessageBody": "fine",
            "SendMessageBatchRequestEntry.2.Id": "bad",
            "SendMessageBatchRequestEntry.2.MessageBody": "late",
            "SendMessageBatchRequestEntry.2.DelaySeconds": "1000",
        }
    )
    result = root.find("sqs:SendMessageBatchResult", NS)
    assert result is not None
    assert [_text(entry, "sqs:Id") for entry in result.findall("sqs:SendMessageBatchResultEntry", NS)] == [
        "good"
    ]
    failed = result.findall("sqs:BatchResultErrorEntry", NS)
    assert [(_text(e, "sqs:Id"), _text(e, "sqs:Code"), _text(e, "sqs:SenderFault")) for e in failed] == [
        ("bad", "InvalidParameterValue", "true")
    ]
    _, root = query({"Action": "ReceiveMessage", "QueueUrl": url, "MaxNumberOfMessages": "10"})
    handles = [
        _text(m, "sqs:ReceiptHandle") for m in root.findall("sqs:ReceiveMessageResult/sqs:Message", NS)
    ]
    assert len(handles) == 1
    _, root = query(
        {
            "Action": "DeleteMessageBatch",
            "QueueUrl": url,
            "DeleteMessageBatchRequestEntry.1.Id": "d1",
            "DeleteMessageBatchRequestEntry.1.ReceiptHandle": handles[0],
        }
    )
    entries = root.findall("sqs:DeleteMessageBatchResult/sqs:DeleteMessageBatchResultEntry", NS)
    assert [_text(entry, "sqs:Id") for entry in entries] == ["d1"]


def test_query_list_queues_repeats_queue_url(
    query: Callable[..., Any], sqs: Any, unique_name: Callable[[str], str]
) -> None:
    prefix = unique_name("lst")
    urls = sorted(sqs.create_queue(QueueName=f"{prefix}-{index}")["QueueUrl"] for index in range(2))
    _, root = query({"Action": "ListQueues", "QueueNamePrefix": prefix})
    assert [node.text for node in root.findall("sqs:ListQueuesResult/sqs:QueueUrl", NS)] == urls


def test_query_missing_queue_answers_legacy_error_xml(query: Callable[..., Any]) -> None:
    status, root = query({"Action": "GetQueueUrl", "QueueName": "no-such-legacy-queue"})
    assert status == 400
    assert root.tag == "{http://queue.amazonaws.com/doc/2012-11-05/}ErrorResponse"
    assert _text(root, "sqs:Error/sqs:Type") == "Sender"
    assert _text(root, "sqs:Error/sqs:Code") == "AWS.SimpleQueueService.NonExistentQueue"
    assert _text(root, "sqs:Error/sqs:Message") == "The specified queue does not exist."
    assert _text(root, "sqs:RequestId")


def test_query_purge_twice_answers_403_legacy_code(
    query: Callable[..., Any], make_queue: Callable[..., str]
) -> None:
    url = make_queue()
    assert query({"Action": "PurgeQueue", "QueueUrl": url})[0] == 200
    status, root = query({"Action": "PurgeQueue", "QueueUrl": url})
    assert status == 403
    assert _text(root, "sqs:Error/sqs:Code") == "AWS.SimpleQueueService.PurgeQueueInProgress"


def test_query_unknown_action_fails_cleanly(query: Callable[..., Any]) -> None:
    status, root = query({"Action": "DoSomethingOdd"})
    assert status == 400
    assert _text(root, "sqs:Error/sqs:Code") == "InvalidAction"


def test_query_get_request_with_action_in_query_string(endpoint: str, make_queue: Callable[..., str]) -> None:
    url = make_queue()
    response = requests.get(
        endpoint + "/",
        params={"Action": "GetQueueAttributes", "QueueUrl": url, "AttributeName.1": "DelaySeconds"},
        headers={"Authorization": HEADERS["Authorization"]},
        timeout=30,
    )
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    assert _attributes(root.find("sqs:GetQueueAttributesResult", NS)) == {"DelaySeconds": "0"}  # type: ignore[arg-type]


def test_query_change_message_visibility_and_fifo_send(
    query: Callable[..., Any], make_queue: Callable[..., str]
) -> None:
    url = make_queue(fifo=True, ContentBasedDeduplication="true")
    status, root = query(
        {"Action": "SendMessage", "QueueUrl": url, "MessageBody": "f", "MessageGroupId": "g"}
    )
    assert status == 200
    assert len(_text(root, "sqs:SendMessageResult/sqs:SequenceNumber")) == 20
    _, root = query({"Action": "ReceiveMessage", "QueueUrl": url, "AttributeName.1": "MessageGroupId"})
    message = root.find("sqs:ReceiveMessageResult/sqs:Message", NS)
    assert message is not None
    assert _attributes(message) == {"MessageGroupId": "g"}
    status, _ = query(
        {
            "Action": "ChangeMessageVisibility",
            "QueueUrl": url,
            "ReceiptHandle": _text(message, "sqs:ReceiptHandle"),
            "VisibilityTimeout": "0",
        }
    )
    assert status == 200
    _, root = query({"Action": "ReceiveMessage", "QueueUrl": url})
    assert len(root.findall("sqs:ReceiveMessageResult/sqs:Message", NS)) == 1
