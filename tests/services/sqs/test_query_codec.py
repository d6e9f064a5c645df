"""The legacy SQS query codec against botocore as the oracle: botocore's query serializer and
parser, driven by the same rebuilt legacy model, must agree with our parser and writer."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from botocore.parsers import QueryParser
from botocore.serialize import QuerySerializer

from fogbank.protocol.http import HttpRequest, Payload
from fogbank.protocol.sqs_query import SqsQueryCodec, legacy_model

URL = "http://localhost:4566/000000000000/q"
REQUESTS: list[tuple[str, dict[str, Any]]] = [
    ("CreateQueue", {"QueueName": "q", "Attributes": {"VisibilityTimeout": "5"}, "tags": {"a": "b"}}),
    ("GetQueueAttributes", {"QueueUrl": URL, "AttributeNames": ["All", "QueueArn"]}),
    (
        "SendMessage",
        {
            "QueueUrl": URL,
            "MessageBody": "hi",
            "DelaySeconds": 3,
            "MessageAttributes": {
                "s": {"DataType": "String", "StringValue": "v"},
                "b": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
            },
            "MessageSystemAttributes": {"AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1"}},
        },
    ),
    (
        "SendMessageBatch",
        {
            "QueueUrl": URL,
            "Entries": [
                {
                    "Id": "a",
                    "MessageBody": "1",
                    "MessageAttributes": {"k": {"DataType": "Number", "StringValue": "2"}},
                },
                {"Id": "b", "MessageBody": "2", "MessageGroupId": "g", "MessageDeduplicationId": "d"},
            ],
        },
    ),
    (
        "ReceiveMessage",
        {
            "QueueUrl": URL,
            "AttributeNames": ["All"],
            "MessageSystemAttributeNames": ["SenderId"],
            "MessageAttributeNames": ["a.*"],
            "MaxNumberOfMessages": 10,
            "WaitTimeSeconds": 2,
        },
    ),
    ("DeleteMessageBatch", {"QueueUrl": URL, "Entries": [{"Id": "x", "ReceiptHandle": "h"}]}),
    (
        "ChangeMessageVisibilityBatch",
        {"QueueUrl": URL, "Entries": [{"Id": "x", "ReceiptHandle": "h", "VisibilityTimeout": 5}]},
    ),
    ("TagQueue", {"QueueUrl": URL, "Tags": {"k": "v"}}),
    ("UntagQueue", {"QueueUrl": URL, "TagKeys": ["k", "l"]}),
    (
        "AddPermission",
        {"QueueUrl": URL, "Label": "l", "AWSAccountIds": ["111111111111"], "Actions": ["SendMessage"]},
    ),
]
RESPONSES: list[tuple[str, dict[str, Any]]] = [
    (
        "GetQueueAttributes",
        {"Attributes": {"VisibilityTimeout": "5", "QueueArn": "arn:aws:sqs:us-east-1:0:q"}},
    ),
    ("ListQueues", {"QueueUrls": [URL, URL + "2"], "NextToken": "t"}),
    ("ListQueueTags", {"Tags": {"a": "b"}}),
    (
        "ReceiveMessage",
        {
            "Messages": [
                {
                    "MessageId": "m",
                    "ReceiptHandle": "h",
                    "MD5OfBody": "x",
                    "Body": "<b>",
                    "Attributes": {"SenderId": "1", "SentTimestamp": "2"},
                    "MD5OfMessageAttributes": "y",
                    "MessageAttributes": {"k": {"DataType": "Binary", "BinaryValue": b"\x01"}},
                }
            ]
        },
    ),
    (
        "SendMessageBatch",
        {
            "Successful": [{"Id": "a", "MessageId": "m", "MD5OfMessageBody": "x"}],
            "Failed": [{"Id": "b", "SenderFault": True, "Code": "InvalidParameterValue", "Message": "no"}],
        },
    ),
    ("ListDeadLetterSourceQueues", {"queueUrls": [URL]}),
]


@pytest.fixture(scope="module")
def codec() -> SqsQueryCodec:
    return SqsQueryCodec(legacy_model())


@pytest.mark.parametrize(("operation", "params"), REQUESTS, ids=[name for name, _ in REQUESTS])
def test_query_codec_parse_botocore_request_gives_back_params(
    codec: SqsQueryCodec, operation: str, params: dict[str, Any]
) -> None:
    model = codec.service.operation_model(operation)
    serialized = QuerySerializer().serialize_to_request(params, model)
    body = urlencode(serialized["body"]).encode()
    request = HttpRequest("POST", "/", "", {"host": "localhost:4566"}, Payload(body, None, len(body)))
    assert codec.parse(model, request) == params


@pytest.mark.parametrize(("operation", "result"), RESPONSES, ids=[name for name, _ in RESPONSES])
def test_query_codec_serialize_botocore_parser_gives_back_result(
    codec: SqsQueryCodec, operation: str, result: dict[str, Any]
) -> None:
    model = codec.service.operation_model(operation)
    response = codec.serialize(model, result, "request-1")
    parsed = QueryParser().parse(
        {"body": response.body, "headers": response.headers, "status_code": 200}, model.output_shape
    )
    parsed.pop("ResponseMetadata")
    assert parsed == result
