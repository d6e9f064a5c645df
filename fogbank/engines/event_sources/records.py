"""The `Records` event payloads Lambda sends for each source, field for field as AWS builds them:
https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html (SQS) and
https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html (Kinesis)."""

from __future__ import annotations

import base64
from typing import Any, NotRequired, TypedDict


class SqsMessageAttribute(TypedDict):
    stringValue: NotRequired[str]
    binaryValue: NotRequired[str]
    stringListValues: list[str]
    binaryListValues: list[str]
    dataType: str


class SqsRecord(TypedDict):
    messageId: str
    receiptHandle: str
    body: str
    attributes: dict[str, str]
    messageAttributes: dict[str, SqsMessageAttribute]
    md5OfBody: str
    md5OfMessageAttributes: NotRequired[str]
    eventSource: str
    eventSourceARN: str
    awsRegion: str


class KinesisData(TypedDict):
    kinesisSchemaVersion: str
    partitionKey: str
    sequenceNumber: str
    data: str
    approximateArrivalTimestamp: float
    encryptionType: NotRequired[str]


class KinesisRecord(TypedDict):
    kinesis: KinesisData
    eventSource: str
    eventVersion: str
    eventID: str
    eventName: str
    invokeIdentityArn: str
    awsRegion: str
    eventSourceARN: str


def _b64(value: Any) -> str:
    return base64.b64encode(value).decode() if isinstance(value, bytes | bytearray) else str(value)


def sqs_attribute(value: dict[str, Any]) -> SqsMessageAttribute:
    """A message attribute as ReceiveMessage answers it, in the event's camel-case form."""
    shaped: SqsMessageAttribute = {
        "stringListValues": list(value.get("StringListValues") or []),
        "binaryListValues": [_b64(item) for item in value.get("BinaryListValues") or []],
        "dataType": value["DataType"],
    }
    if value.get("StringValue") is not None:
        shaped["stringValue"] = value["StringValue"]
    if value.get("BinaryValue") is not None:
        shaped["binaryValue"] = _b64(value["BinaryValue"])
    return shaped


def sqs_record(message: dict[str, Any], queue_arn: str, region: str) -> SqsRecord:
    """One SQS record from a ReceiveMessage message (received with all attributes)."""
    record: SqsRecord = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes") or {}),
        "messageAttributes": {
            name: sqs_attribute(value) for name, value in (message.get("MessageAttributes") or {}).items()
        },
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if message.get("MD5OfMessageAttributes"):
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def kinesis_record(
    *,
    shard_id: str,
    sequence_number: str,
    partition_key: str,
    data: bytes,
    arrival: float,
    stream_arn: str,
    region: str,
    role_arn: str,
    encrypted: bool = False,
) -> KinesisRecord:
    inner: KinesisData = {
        "kinesisSchemaVersion": "1.0",
        "partitionKey": partition_key,
        "sequenceNumber": sequence_number,
        "data": base64.b64encode(data).decode(),
        "approximateArrivalTimestamp": arrival,
    }
    if encrypted:
        inner["encryptionType"] = "KMS"
    return {
        "kinesis": inner,
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"{shard_id}:{sequence_number}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": role_arn,
        "awsRegion": region,
        "eventSourceARN": stream_arn,
    }
