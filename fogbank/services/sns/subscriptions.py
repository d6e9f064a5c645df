"""Subscriptions: protocols and endpoints, their attributes, confirmation tokens and records.

A subscription record (JSON) lives in the collection of its topic's account and region, keyed by
its ARN: `SubscriptionArn`, `TopicArn`, `Protocol`, `Endpoint`, `Owner`, `Pending`,
`Authenticated`, `Attributes` (the settable ones), the confirmation `Token` and `TokenExpires`, and
`UnsubscribeNeedsAuth` (confirmed with AuthenticateOnUnsubscribe).
Reference: https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html and
https://docs.aws.amazon.com/sns/latest/api/API_SetSubscriptionAttributes.html
"""

from __future__ import annotations

import json
import re
import secrets
import uuid
from typing import Any

from fogbank import clock, state
from fogbank.services.sns import delivery_policies, filter_policies, function_delivery, topics
from fogbank.services.sns.errors import NotFound, invalid, not_supported

PROTOCOLS = ("http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose")
# Protocols whose targets fogbank does not run yet: refused clearly instead of dropping messages.
UNDELIVERABLE = ("application", "sms", "firehose")
RAW_PROTOCOLS = ("sqs", "http", "https", "firehose")
SETTABLE = ("DeliveryPolicy", "FilterPolicy", "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy")
TOKEN_LIFETIME = 3 * 86400.0  # "Confirmation tokens are valid for three days" (Subscribe API reference)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def collection(account: str, region: str) -> state.Collection[dict[str, Any]]:
    return state.collection("sns", "subscriptions", account, region)


def tokens(account: str, region: str) -> state.Collection[dict[str, Any]]:
    return state.collection("sns", "tokens", account, region)


def parse_arn(arn: str | None) -> tuple[str, str, str]:
    """(region, account, topic name) of a subscription ARN (`<topic arn>:<uuid>`)."""
    parts = (arn or "").split(":")
    if len(parts) < 6:
        raise invalid(f"SubscriptionArn Reason: An ARN must have at least 6 elements, not {len(parts)}")
    if len(parts) != 7 or parts[0] != "arn" or parts[2] != "sns":
        raise invalid("SubscriptionId")
    return parts[3], parts[4], parts[5]


def find(arn: str | None) -> dict[str, Any]:
    region, account, _ = parse_arn(arn)
    found = collection(account, region).get(arn or "")
    if found is None:
        raise NotFound("Subscription does not exist")
    return found


def for_topic(topic_arn: str) -> list[dict[str, Any]]:
    region, account, _ = topics.parse_arn(topic_arn)
    return [sub for sub in collection(account, region).values() if sub["TopicArn"] == topic_arn]


def owned_by(account: str, region: str) -> list[dict[str, Any]]:
    """The caller's own subscriptions in a region, whichever account's topics they are on."""
    found = []
    for scope in state.database().scopes("sns", "subscriptions"):
        owner_account, _, scope_region = scope.partition("/")
        if scope_region == region:
            found += [sub for sub in collection(owner_account, region).values() if sub["Owner"] == account]
    return found


def check_endpoint(protocol: str, endpoint: str | None, topic: dict[str, Any]) -> str:
    """Validate the endpoint of a new subscription as AWS does, per protocol."""
    if protocol not in PROTOCOLS:
        raise invalid(f"Amazon SNS does not support this protocol string: {protocol}")
    if topics.is_fifo(topic) and protocol != "sqs":  # FIFO topics deliver to SQS queues only
        raise invalid(f"Invalid protocol type: {protocol}")
    if protocol in UNDELIVERABLE:
        raise not_supported(f"Protocol {protocol} (fogbank cannot deliver to {protocol} endpoints yet)")
    if not endpoint:
        raise invalid("Endpoint Reason: no value for required parameter")
    if protocol in ("http", "https") and not endpoint.lower().startswith(f"{protocol}://"):
        raise invalid("Endpoint must match the specified protocol")
    if protocol.startswith("email") and not _EMAIL.match(endpoint):
        raise invalid("Email address")
    if protocol == "sqs":
        _check_queue_arn(endpoint, topic)
    if protocol == "lambda":
        function_delivery.check_function(endpoint)
    return endpoint


def _check_queue_arn(endpoint: str, topic: dict[str, Any]) -> None:
    parts = endpoint.split(":")
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sqs" or not parts[5]:
        raise invalid("SQS endpoint ARN")
    if parts[5].endswith(".fifo") and not topics.is_fifo(topic):
        raise invalid(
            "Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics"
        )


def check_attributes(
    attributes: dict[str, str], protocol: str, topic_arn: str, *, subscribing: bool
) -> dict[str, str]:
    """Validate settable subscription attributes; returns them normalised for storage."""
    checked = {}
    for name, value in attributes.items():
        checked[name] = check_attribute(name, value, protocol, topic_arn, attributes, subscribing=subscribing)
    return checked


def check_attribute(
    name: str, value: str | None, protocol: str, topic_arn: str, others: dict[str, str], *, subscribing: bool
) -> str:
    prefix = "Attributes Reason: " if subscribing else ""
    value = value or ""
    if name in ("SubscriptionRoleArn", "ReplayPolicy"):
        if value == "":  # clearing a feature fogbank lacks is honoured trivially
            return value
        raise not_supported(f"Subscription attribute {name}")
    if name not in SETTABLE:
        raise invalid(f"{prefix}AttributeName")
    if name == "RawMessageDelivery":
        if value.lower() not in ("true", "false"):
            raise invalid(f"{prefix}RawMessageDelivery: Invalid value [{value}]. Must be true or false.")
        if protocol not in RAW_PROTOCOLS and value.lower() == "true":
            raise invalid(f"{prefix}Delivery protocol [{protocol}] does not support raw message delivery.")
        return value.lower()
    if name == "FilterPolicyScope":
        if value not in ("MessageAttributes", "MessageBody"):
            raise invalid(
                f"{prefix}FilterPolicyScope: Invalid value [{value}]. Please use either MessageBody or MessageAttributes"
            )
        return value
    if name == "FilterPolicy":
        return _check_filter_policy(value, others.get("FilterPolicyScope", "MessageAttributes"), prefix)
    if name == "RedrivePolicy":
        return _check_redrive_policy(value, topic_arn, prefix)
    return _check_delivery_policy(value, protocol, prefix)


def _check_filter_policy(value: str, scope: str, prefix: str) -> str:
    if value == "":
        return value
    try:
        filter_policies.validate(filter_policies.parse(value), scope)  # type: ignore[arg-type]
    except filter_policies.FilterPolicyError as problem:
        raise invalid(f"{prefix}{problem}") from None
    return value


def _check_redrive_policy(value: str, topic_arn: str, prefix: str) -> str:
    if value == "":
        return value
    try:
        target = json.loads(value).get("deadLetterTargetArn", "")
    except (ValueError, AttributeError):
        raise invalid(f"{prefix}RedrivePolicy: failed to parse JSON.") from None
    parts = str(target).split(":")
    if len(parts) != 6 or parts[0] != "arn" or not parts[5]:
        raise invalid(f"{prefix}RedrivePolicy: deadLetterTargetArn is an invalid arn")
    if parts[2] != "sqs":
        raise invalid(f"{prefix}RedrivePolicy: only Amazon SQS queues can be dead-letter queues")
    if topic_arn.endswith(".fifo") and not parts[5].endswith(".fifo"):
        raise invalid(
            f"{prefix}RedrivePolicy: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic."
        )
    return value


def _check_delivery_policy(value: str, protocol: str, prefix: str) -> str:
    if value == "":
        return value
    if protocol not in ("http", "https"):
        raise invalid(f"{prefix}DeliveryPolicy: delivery policies apply to HTTP/S subscriptions only")
    try:
        delivery_policies.parse(value, topic=False)
    except delivery_policies.DeliveryPolicyError as problem:
        raise invalid(f"{prefix}DeliveryPolicy: {problem}") from None
    return value


def new_subscription(
    topic_arn: str, protocol: str, endpoint: str, owner: str, attributes: dict[str, str], pending: bool
) -> dict[str, Any]:
    return {
        "SubscriptionArn": f"{topic_arn}:{uuid.uuid4()}",
        "TopicArn": topic_arn,
        "Protocol": protocol,
        "Endpoint": endpoint,
        "Owner": owner,
        "Pending": pending,
        "Authenticated": not pending,
        "Attributes": attributes,
        "Token": secrets.token_hex(128) if pending else "",
        "TokenExpires": clock.now() + TOKEN_LIFETIME,
        "UnsubscribeNeedsAuth": False,
        "Created": clock.now(),
    }


def needs_confirmation(protocol: str, endpoint: str, caller_account: str) -> bool:
    """HTTP/S and email endpoints confirm; an SQS queue is confirmed at once when its owner subscribes it
    (https://docs.aws.amazon.com/sns/latest/dg/sns-send-message-to-sqs-cross-account.html)."""
    if protocol == "sqs":
        return endpoint.split(":")[4] != caller_account
    return protocol in ("http", "https", "email", "email-json")


def is_raw(subscription: dict[str, Any]) -> bool:
    return bool(subscription["Attributes"].get("RawMessageDelivery") == "true")


def effective_delivery_policy(subscription: dict[str, Any], topic: dict[str, Any] | None) -> dict[str, Any]:
    """The HTTP delivery policy that applies: the topic's (or AWS's defaults), overridden by the
    subscription's own unless the topic disables overrides."""
    base = topics.effective_delivery_policy(topic)["http"] if topic else dict(topics.DEFAULT_HTTP_POLICY)
    own = subscription["Attributes"].get("DeliveryPolicy")
    effective: dict[str, Any] = {
        "healthyRetryPolicy": dict(base["defaultHealthyRetryPolicy"]),
        "sicklyRetryPolicy": None,
        "throttlePolicy": dict(base["defaultThrottlePolicy"]) if base.get("defaultThrottlePolicy") else None,
        "requestPolicy": dict(base.get("defaultRequestPolicy", {})),
        "guaranteed": False,
    }
    if own and not base.get("disableSubscriptionOverrides"):
        document = json.loads(own)
        for section in ("healthyRetryPolicy", "throttlePolicy", "requestPolicy"):
            if isinstance(document.get(section), dict):
                effective[section] = {**(effective[section] or {}), **document[section]}
    return effective


def report_attributes(subscription: dict[str, Any], topic: dict[str, Any] | None) -> dict[str, str]:
    """Every attribute GetSubscriptionAttributes answers."""
    owner = subscription["Owner"]
    attributes = {
        "SubscriptionArn": subscription["SubscriptionArn"],
        "TopicArn": subscription["TopicArn"],
        "Protocol": subscription["Protocol"],
        "Endpoint": subscription["Endpoint"],
        "Owner": owner,
        "PendingConfirmation": "true" if subscription["Pending"] else "false",
        "ConfirmationWasAuthenticated": "true" if subscription["Authenticated"] else "false",
        "RawMessageDelivery": "false",
        "SubscriptionPrincipal": f"arn:aws:iam::{owner}:root",
    }
    for name, value in subscription["Attributes"].items():
        if value != "":
            attributes[name] = value
    if "FilterPolicy" not in attributes:
        attributes.pop("FilterPolicyScope", None)
    elif "FilterPolicyScope" not in attributes:
        attributes["FilterPolicyScope"] = "MessageAttributes"
    if subscription["Protocol"] in ("http", "https"):
        policy = effective_delivery_policy(subscription, topic)
        attributes["EffectiveDeliveryPolicy"] = json.dumps(policy, separators=(",", ":"))
    return attributes


def listed(subscription: dict[str, Any]) -> dict[str, str]:
    """A subscription as ListSubscriptions shows it (pending ones have no ARN yet)."""
    return {
        "SubscriptionArn": "PendingConfirmation"
        if subscription["Pending"]
        else subscription["SubscriptionArn"],
        "Owner": subscription["Owner"],
        "Protocol": subscription["Protocol"],
        "Endpoint": subscription["Endpoint"],
        "TopicArn": subscription["TopicArn"],
    }


def restore_token(subscription: dict[str, Any], account: str, region: str) -> str:
    """After unsubscribing, an HTTP/S endpoint gets a token that restores its subscription for
    three days (empty for other protocols)."""
    if subscription["Protocol"] not in ("http", "https") or subscription["Pending"]:
        return ""
    token = secrets.token_hex(128)
    record = {
        "arn": subscription["SubscriptionArn"],
        "restore": subscription,
        "expires": clock.now() + TOKEN_LIFETIME,
    }
    tokens(account, region).put(token, record)
    return token
