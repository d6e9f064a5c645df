"""Delivery to Lambda functions (`lambda` subscriptions): the endpoint check at Subscribe, the SNS
event record a function receives, and the asynchronous invoke.

SNS invokes the function asynchronously (invocation type Event), so Lambda's own retries, event
age limit, destinations and dead-letter queue apply once Lambda has accepted the event
(https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html). When Lambda refuses the event (the
function was deleted: a client-side error), SNS does not retry and the message goes to the
subscription's dead-letter queue
(https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html).
"""

from __future__ import annotations

import re
from typing import Any, TypedDict

import orjson

from fogbank.errors import AwsError
from fogbank.services import calls, registry
from fogbank.services.sns.errors import invalid

_FUNCTION_ARN = re.compile(
    r"^arn:aws[a-zA-Z-]*:lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):function:[A-Za-z0-9_-]{1,64}"
    r"(:[A-Za-z0-9$_-]{1,128})?$"
)


class SnsRecord(TypedDict):
    """One record of the event a function receives (Powertools' `SnsRecordModel`)."""

    EventSource: str
    EventVersion: str
    EventSubscriptionArn: str
    Sns: dict[str, Any]


def function_account_region(arn: str) -> tuple[str, str]:
    """(account, region) of a function ARN, or SNS's InvalidParameter error."""
    match = _FUNCTION_ARN.match(arn)
    if match is None:
        raise invalid("Lambda endpoint ARN")
    return match["account"], match["region"]


def check_function(arn: str) -> None:
    """Subscribe refuses a function that does not exist (through Lambda's GetFunction)."""
    account, region = function_account_region(arn)
    try:
        calls.call("lambda", "GetFunction", {"FunctionName": arn}, account=account, region=region)
    except AwsError as problem:
        if problem.code != "ResourceNotFoundException":
            raise
        raise invalid(f"Endpoint Reason: Function does not exist: {arn}") from None


def event_record(notification: dict[str, Any], subscription_arn: str) -> SnsRecord:
    """The record built from a signed notification envelope: Lambda gets `SigningCertUrl` and
    `UnsubscribeUrl` (not `...URL` as in the envelope), a null Subject when the message has none,
    and always a MessageAttributes object."""
    sns = {
        "Type": notification["Type"],
        "MessageId": notification["MessageId"],
        "TopicArn": notification["TopicArn"],
        "Subject": notification.get("Subject"),
        "Message": notification["Message"],
        "Timestamp": notification["Timestamp"],
        "SignatureVersion": notification["SignatureVersion"],
        "Signature": notification["Signature"],
        "SigningCertUrl": notification["SigningCertURL"],
        "UnsubscribeUrl": notification["UnsubscribeURL"],
        "MessageAttributes": notification.get("MessageAttributes") or {},
    }
    return {
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": subscription_arn,
        "Sns": sns,
    }


async def invoke(function_arn: str, record: SnsRecord) -> None:
    """Hand the event to Lambda's asynchronous queue; raises Lambda's error when it refuses it."""
    from fogbank.services.lambda_ import invocations  # noqa: PLC0415 - Lambda loads lazily

    registry.provider("lambda")  # started: waiting async events resumed, interpreters found
    account, region = function_account_region(function_arn)
    payload = orjson.dumps({"Records": [record]})
    await invocations.invoke(account, region, function_arn, None, payload, "Event")
