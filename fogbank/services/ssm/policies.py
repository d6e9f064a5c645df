"""Parameter policies (advanced parameters only): Expiration deletes the parameter when its time comes
on fogbank's clock. The notification policies raise EventBridge events, which fogbank can't deliver
yet, so they are refused clearly.

https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-policies.html — "All
existing policies are preserved until you send new policies or an empty policy."
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from fogbank import clock
from fogbank.services.ssm.errors import (
    IncompatiblePolicyException,
    InvalidPolicyAttributeException,
    InvalidPolicyTypeException,
    PoliciesLimitExceededException,
    ValidationException,
)

MAX_POLICIES = 10
TYPES = ("Expiration", "ExpirationNotification", "NoChangeNotification")


def parse(text: str) -> list[dict[str, Any]]:
    """The `Policies` shape of DescribeParameters for a PutParameter `Policies` document."""
    try:
        document = json.loads(text)
    except ValueError:
        raise InvalidPolicyTypeException("The parameter policies are not a valid JSON array.") from None
    if not isinstance(document, list):
        raise InvalidPolicyTypeException("The parameter policies must be a JSON array of policies.")
    if len(document) > MAX_POLICIES:
        raise PoliciesLimitExceededException(
            f"You specified more than the maximum number of allowed policies for the parameter. The maximum is "
            f"{MAX_POLICIES}."
        )
    parsed = [_policy(item) for item in document]
    if sum(1 for item in parsed if item["PolicyType"] == "Expiration") > 1:
        raise IncompatiblePolicyException("A parameter can have only one Expiration policy.")
    return parsed


def _policy(item: Any) -> dict[str, Any]:
    kind = item.get("Type") if isinstance(item, dict) else None
    if kind not in TYPES:
        raise InvalidPolicyTypeException(f"The following policy type is not supported: {kind}.")
    if kind != "Expiration":
        raise ValidationException(
            f"The {kind} parameter policy is not supported by fogbank yet: it raises EventBridge events, which "
            "fogbank can't deliver yet."
        )
    expires_at(item)  # validates the timestamp
    return {
        "PolicyText": json.dumps(item, separators=(",", ":")),
        "PolicyType": kind,
        "PolicyStatus": "Pending",
    }


def expires_at(item: dict[str, Any]) -> float:
    timestamp = (item.get("Attributes") or {}).get("Timestamp")
    try:
        instant = datetime.fromisoformat(str(timestamp).replace("Z", "+00:00"))
    except ValueError:
        raise InvalidPolicyAttributeException(
            f"The Expiration policy's Timestamp {timestamp} is not an ISO 8601 date and time."
        ) from None
    if instant.tzinfo is None:
        raise InvalidPolicyAttributeException(
            f"The Expiration policy's Timestamp {timestamp} needs a time zone."
        )
    if instant.timestamp() <= clock.now():
        raise InvalidPolicyAttributeException("The Expiration policy's Timestamp must be in the future.")
    return instant.timestamp()


def expiry(policies: list[dict[str, Any]]) -> float | None:
    """When the parameter expires (None without an Expiration policy)."""
    for policy in policies:
        if policy["PolicyType"] == "Expiration":
            timestamp = json.loads(policy["PolicyText"])["Attributes"]["Timestamp"]
            return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()
    return None
