"""Topics: names, ARNs, the attributes AWS reports and accepts, delivery policies and tags.

A topic record is a JSON dict: `TopicArn`, `Name`, `Attributes` (the settable ones, as strings),
`Tags` (list of Key/Value), counters, and for FIFO topics the sequence number and the
deduplication window. Attribute reference:
https://docs.aws.amazon.com/sns/latest/api/API_SetTopicAttributes.html
"""

from __future__ import annotations

import json
import re
from typing import Any

from fogbank import clock, state
from fogbank.services.sns import delivery_policies
from fogbank.services.sns.errors import NotFound, TagLimitExceeded, invalid, not_supported

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_FIFO_NAME = re.compile(r"^[A-Za-z0-9_-]{1,251}\.fifo$")
DEDUPLICATION_WINDOW = 300.0  # five minutes, as for SQS FIFO
MAX_TAGS = 50

# Settable attributes fogbank honours (or, for encryption at rest and tracing, that have no
# observable effect on an emulator beyond being reported back).
SETTABLE = {"DisplayName", "Policy", "DeliveryPolicy", "KmsMasterKeyId", "SignatureVersion", "TracingConfig"}
FIFO_ONLY = {"ContentBasedDeduplication", "FifoThroughputScope"}
# Delivery status logging needs CloudWatch Logs; archives need replay: refused until they exist.
UNSUPPORTED = {"ArchivePolicy"} | {
    f"{protocol}{suffix}"
    for protocol in ("HTTP", "Firehose", "Lambda", "Application", "SQS")
    for suffix in ("SuccessFeedbackRoleArn", "SuccessFeedbackSampleRate", "FailureFeedbackRoleArn")
}

DEFAULT_HTTP_POLICY: dict[str, Any] = {
    "defaultHealthyRetryPolicy": {
        "minDelayTarget": 20,
        "maxDelayTarget": 20,
        "numRetries": 3,
        "numMaxDelayRetries": 0,
        "numNoDelayRetries": 0,
        "numMinDelayRetries": 0,
        "backoffFunction": "linear",
    },
    "disableSubscriptionOverrides": False,
    "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"},
}


def collection(account: str, region: str) -> state.Collection[dict[str, Any]]:
    return state.collection("sns", "topics", account, region)


def parse_arn(arn: str | None, member: str = "TopicArn") -> tuple[str, str, str]:
    """(region, account, name) of a topic ARN, or AWS's `Invalid parameter` for a malformed one."""
    parts = (arn or "").split(":")
    if len(parts) < 6:
        raise invalid(f"{member} Reason: An ARN must have at least 6 elements, not {len(parts)}")
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sns" or not parts[5]:
        raise invalid(member)
    return parts[3], parts[4], parts[5]


def find(arn: str | None, region: str, member: str = "TopicArn") -> dict[str, Any]:
    """The topic an ARN names, in the caller's region (SNS does not reach across regions)."""
    topic_region, account, name = parse_arn(arn, member)
    if topic_region != region:
        raise invalid(member)
    topic = collection(account, region).get(name)
    if topic is None:
        raise NotFound("Topic does not exist")
    return topic


def is_fifo(topic: dict[str, Any]) -> bool:
    return str(topic["Name"]).endswith(".fifo")


def check_name(name: str, fifo: bool) -> None:
    if fifo and not _FIFO_NAME.match(name):
        raise invalid(
            "Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase "
            "ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long."
        )
    if not fifo and not _NAME.match(name):
        raise invalid("Topic Name")


def new_topic(arn: str, name: str, attributes: dict[str, str], tags: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "TopicArn": arn,
        "Name": name,
        "Attributes": attributes,
        "Tags": tags,
        "SubscriptionsDeleted": 0,
        "Sequence": 0,
        "Created": clock.now(),
    }


def creation_attributes(name: str, attributes: dict[str, str]) -> dict[str, str]:
    """Check CreateTopic attributes; returns the ones to store (FifoTopic is implied by the name)."""
    wanted = dict(attributes)
    fifo_flag = wanted.pop("FifoTopic", "false").lower()
    if fifo_flag not in ("true", "false"):
        raise invalid("Attributes Reason: FifoTopic: Invalid value. Must be true or false.")
    fifo = fifo_flag == "true"
    check_name(name, fifo)
    for attribute, value in wanted.items():
        wanted[attribute] = check_attribute(attribute, value, fifo, creating=True)
    return wanted


def check_attribute(name: str, value: str | None, fifo: bool, *, creating: bool = False) -> str:
    """Validate one settable attribute; returns the value to store."""
    value = value or ""
    prefix = "Attributes Reason: " if creating else ""
    if name in UNSUPPORTED:
        if value == "":  # clearing a feature fogbank lacks is honoured trivially (infrastructure tools do)
            return value
        raise not_supported(f"Topic attribute {name}")
    if name == "FifoTopic" and not creating:
        raise invalid("AttributeName")
    if name in FIFO_ONLY and not fifo:
        raise invalid(f"{prefix}{name}: {name} is only valid for FIFO topics")
    if name not in SETTABLE and name not in FIFO_ONLY:
        raise invalid(f"{prefix}AttributeName" if not creating else f"{prefix}Unknown attribute {name}")
    checker = _CHECKS.get(name)
    return checker(prefix, value) if checker else value


def _check_display_name(prefix: str, value: str) -> str:
    if len(value) > 100:
        raise invalid(f"{prefix}DisplayName: must be at most 100 characters")
    return value


def _check_json(attribute: str) -> Any:
    def check(prefix: str, value: str) -> str:
        if value == "":
            return value
        try:
            document = json.loads(value)
        except ValueError:
            raise invalid(f"{prefix}{attribute}: failed to parse JSON.") from None
        if not isinstance(document, dict):
            raise invalid(f"{prefix}{attribute}: must be a JSON object")
        return value

    return check


def _check_delivery_policy(prefix: str, value: str) -> str:
    if value == "":
        return value
    try:
        delivery_policies.parse(value, topic=True)
    except delivery_policies.DeliveryPolicyError as problem:
        raise invalid(f"{prefix}DeliveryPolicy: {problem}") from None
    return value


def _check_choice(attribute: str, choices: tuple[str, ...]) -> Any:
    def check(prefix: str, value: str) -> str:
        if value not in choices:
            raise invalid(
                f"{prefix}{attribute}: Invalid value [{value}]. Must be one of {', '.join(choices)}"
            )
        return value

    return check


def _check_tracing(prefix: str, value: str) -> str:
    if value == "Active":  # active tracing sends segments to X-Ray, which fogbank does not have yet
        raise not_supported("TracingConfig Active")
    return _check_choice("TracingConfig", ("PassThrough", "Active"))(prefix, value)  # type: ignore[no-any-return]


def _check_boolean(prefix: str, value: str) -> str:
    if value.lower() not in ("true", "false"):
        raise invalid(f"{prefix}ContentBasedDeduplication: Invalid value [{value}]. Must be true or false.")
    return value.lower()


_CHECKS = {
    "DisplayName": _check_display_name,
    "Policy": _check_json("Policy"),
    "DeliveryPolicy": _check_delivery_policy,
    "SignatureVersion": _check_choice("SignatureVersion", ("1", "2")),
    "TracingConfig": _check_tracing,
    "ContentBasedDeduplication": _check_boolean,
    "FifoThroughputScope": _check_choice("FifoThroughputScope", ("Topic", "MessageGroup")),
}


def default_policy(topic_arn: str, account: str) -> str:
    """The access policy AWS gives every new topic."""
    return json.dumps(
        {
            "Version": "2008-10-17",
            "Id": "__default_policy_ID",
            "Statement": [
                {
                    "Sid": "__default_statement_ID",
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": [
                        "SNS:GetTopicAttributes",
                        "SNS:SetTopicAttributes",
                        "SNS:AddPermission",
                        "SNS:RemovePermission",
                        "SNS:DeleteTopic",
                        "SNS:Subscribe",
                        "SNS:ListSubscriptionsByTopic",
                        "SNS:Publish",
                    ],
                    "Resource": topic_arn,
                    "Condition": {"StringEquals": {"AWS:SourceOwner": account}},
                }
            ],
        },
        separators=(",", ":"),
    )


def effective_delivery_policy(topic: dict[str, Any]) -> dict[str, Any]:
    """The topic's DeliveryPolicy over AWS's defaults (only the `http` section exists)."""
    effective = {"http": json.loads(json.dumps(DEFAULT_HTTP_POLICY))}
    own = topic["Attributes"].get("DeliveryPolicy")
    if own:
        for section, value in json.loads(own).get("http", {}).items():
            if isinstance(value, dict) and isinstance(effective["http"].get(section), dict):
                effective["http"][section].update(value)
            else:
                effective["http"][section] = value
    return effective


def report_attributes(topic: dict[str, Any], counts: dict[str, int]) -> dict[str, str]:
    """Every attribute GetTopicAttributes answers."""
    arn = topic["TopicArn"]
    account = arn.split(":")[4]
    attributes = {
        "Policy": default_policy(arn, account),
        "Owner": account,
        "TopicArn": arn,
        "DisplayName": "",
        "SubscriptionsConfirmed": str(counts.get("confirmed", 0)),
        "SubscriptionsPending": str(counts.get("pending", 0)),
        "SubscriptionsDeleted": str(topic.get("SubscriptionsDeleted", 0)),
        "EffectiveDeliveryPolicy": json.dumps(effective_delivery_policy(topic), separators=(",", ":")),
    }
    if is_fifo(topic):
        attributes.update(
            {"FifoTopic": "true", "ContentBasedDeduplication": "false", "FifoThroughputScope": "Topic"}
        )
    # Setting an attribute to "" clears it (an empty Policy falls back to the default one).
    attributes.update({key: value for key, value in topic["Attributes"].items() if value != ""})
    return attributes


# -- FIFO ---------------------------------------------------------------------------------------


def next_sequence_number(topic: dict[str, Any]) -> str:
    """FIFO topics number their messages with 20-digit, ever-increasing sequence numbers."""
    topic["Sequence"] = int(topic.get("Sequence", 0)) + 1
    return f"{10000000000000000000 + topic['Sequence'] * 1000:020d}"


def _window(topic: dict[str, Any]) -> state.Collection[dict[str, Any]]:
    # One record per deduplication id (not a growing dict inside the topic record, which would be
    # rewritten whole on every publish).
    region, account, _ = parse_arn(topic["TopicArn"])
    return state.collection("sns", "deduplication", account, region)


def find_duplicate(topic: dict[str, Any], deduplication_id: str) -> dict[str, Any] | None:
    """A message published with the same deduplication id within five minutes, if any."""
    entry = _window(topic).get(f"{topic['Name']}/{deduplication_id}")
    return entry if entry is not None and entry["expires"] > clock.now() else None


def remember(topic: dict[str, Any], deduplication_id: str, message_id: str, sequence: str) -> None:
    window = _window(topic)
    now = clock.now()
    window.put(
        f"{topic['Name']}/{deduplication_id}",
        {"expires": now + DEDUPLICATION_WINDOW, "MessageId": message_id, "SequenceNumber": sequence},
    )
    if int(topic.get("Sequence", 0)) % 500 == 0:  # now and then, forget what has expired
        for key in [key for key, entry in window.items() if entry["expires"] <= now]:
            window.delete(key)


def forget_window(topic_arn: str) -> None:
    """Drop a deleted topic's deduplication records."""
    region, account, name = parse_arn(topic_arn)
    window: state.Collection[dict[str, Any]] = state.collection("sns", "deduplication", account, region)
    for key in [key for key in window if key.startswith(f"{name}/")]:
        window.delete(key)


# -- tags ---------------------------------------------------------------------------------------


def merge_tags(existing: list[dict[str, str]], added: list[dict[str, str]]) -> list[dict[str, str]]:
    merged = {tag["Key"]: tag["Value"] for tag in existing}
    for tag in added:
        merged[tag["Key"]] = tag.get("Value", "")
    if len(merged) > MAX_TAGS:
        raise TagLimitExceeded("Could not complete request: tag quota of per resource exceeded")
    return [{"Key": key, "Value": value} for key, value in merged.items()]


def same_tags(existing: list[dict[str, str]], wanted: list[dict[str, str]]) -> bool:
    """CreateTopic on an existing topic must not bring tags it does not have."""
    current = {tag["Key"]: tag["Value"] for tag in existing}
    return all(current.get(tag["Key"]) == tag.get("Value", "") for tag in wanted)
