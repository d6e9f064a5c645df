"""Dead-letter queues: the RedrivePolicy and RedriveAllowPolicy attributes and their rules.

https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
A message whose receive count would exceed `maxReceiveCount` moves to the dead-letter queue on the
next receive; the moving itself lives with the queue's messages (`messages.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from fogbank.services.sqs.errors import InvalidParameterValue, invalid_parameter


@dataclass(slots=True, frozen=True)
class RedrivePolicy:
    dead_letter_target_arn: str
    max_receive_count: int


def _load_map(name: str, value: str, what: str) -> dict[str, Any]:
    try:
        document = orjson.loads(value)
    except orjson.JSONDecodeError:
        document = None
    if not isinstance(document, dict):
        raise invalid_parameter(name, value, f"{what} is not a valid JSON map.")
    return document


def parse_redrive_policy(text: str | None) -> RedrivePolicy | None:
    """The stored (already validated) policy of a queue, or None."""
    if not text:
        return None
    document = orjson.loads(text)
    return RedrivePolicy(document["deadLetterTargetArn"], int(document["maxReceiveCount"]))


def normalize_redrive_policy_text(
    value: str, is_fifo: bool, find_arn: Callable[[str], dict[str, str] | None]
) -> str:
    """Validate a RedrivePolicy and answer it compacted as AWS returns it ("" clears the policy)."""
    if value == "":
        return value
    document = _load_map("RedrivePolicy", value, "Redrive policy")
    for key in ("deadLetterTargetArn", "maxReceiveCount"):
        if key not in document:
            raise invalid_parameter(
                "RedrivePolicy", value, f"Redrive policy does not contain mandatory attribute: {key}."
            )
    extra = set(document) - {"deadLetterTargetArn", "maxReceiveCount"}
    if extra:
        raise invalid_parameter(
            "RedrivePolicy",
            value,
            "Only following attributes are supported: [deadLetterTargetArn, maxReceiveCount].",
        )
    try:
        count = int(document["maxReceiveCount"])
    except (TypeError, ValueError):
        count = 0
    if not 1 <= count <= 1000:
        raise invalid_parameter(
            "RedrivePolicy",
            value,
            f"Invalid value for maxReceiveCount: {document['maxReceiveCount']}, valid values are from 1 to 1000 both inclusive.",
        )
    target = str(document["deadLetterTargetArn"])
    if not target.startswith("arn:") or target.count(":") < 5:
        raise invalid_parameter("RedrivePolicy", value, "Invalid value for deadLetterTargetArn.")
    if find_arn(target) is None:
        raise invalid_parameter("RedrivePolicy", value, "Dead letter target does not exist.")
    if target.endswith(".fifo") != is_fifo:
        raise invalid_parameter(
            "RedrivePolicy", value, "Dead-letter queue must be same type of queue as the source."
        )
    return orjson.dumps({"deadLetterTargetArn": target, "maxReceiveCount": count}).decode()


def normalize_redrive_allow_policy(value: str) -> str:
    if value == "":
        return value
    document = _load_map("RedriveAllowPolicy", value, "Redrive allow policy")
    permission = document.get("redrivePermission")
    sources = document.get("sourceQueueArns")
    if permission not in ("allowAll", "denyAll", "byQueue"):
        raise invalid_parameter(
            "RedriveAllowPolicy",
            value,
            "Invalid value for redrivePermission. Valid values are allowAll, denyAll, byQueue.",
        )
    if permission == "byQueue":
        if not isinstance(sources, list) or not 1 <= len(sources) <= 10:
            raise invalid_parameter(
                "RedriveAllowPolicy",
                value,
                "sourceQueueArns must contain 1 to 10 queue ARNs when redrivePermission is byQueue.",
            )
    elif sources is not None:
        raise invalid_parameter(
            "RedriveAllowPolicy",
            value,
            "sourceQueueArns can be specified only when redrivePermission is byQueue.",
        )
    return orjson.dumps(document).decode()


def check_source_allowed(dead_letter_attributes: dict[str, str], source_arn: str, policy_text: str) -> None:
    """The dead-letter queue's RedriveAllowPolicy must let `source_arn` use it."""
    text = dead_letter_attributes.get("RedriveAllowPolicy")
    if not text:
        return
    document = orjson.loads(text)
    permission = document.get("redrivePermission")
    if permission == "allowAll" or (
        permission == "byQueue" and source_arn in document.get("sourceQueueArns", [])
    ):
        return
    raise InvalidParameterValue(
        f"Value {policy_text} for parameter RedrivePolicy is invalid. Reason: Queue {source_arn} is not "
        "allowed to use the dead-letter queue by its RedriveAllowPolicy."
    )
