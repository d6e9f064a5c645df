"""CloudWatch Logs resource policies: account-level policies by name (which let services such as
EventBridge or Route 53 write to log groups) and policies attached to one log group's ARN
(https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutResourcePolicy.html).

They are stored, validated as JSON policy documents and reported; fogbank does not evaluate them
yet (no IAM enforcement of service principals), which the provider's docstring states.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from fogbank import state
from fogbank.services.logs.errors import (
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
)
from fogbank.services.logs.groups import now_ms

MAX_ACCOUNT_POLICIES = 10


def _collection(account: str, region: str) -> Any:
    return state.collection("logs", "resource_policies", account, region)


def _key(request: dict[str, Any]) -> tuple[str, str]:
    if request.get("resourceArn"):
        return "RESOURCE", f"resource:{request['resourceArn']}"
    if not request.get("policyName"):
        raise InvalidParameterException("Either policyName or resourceArn must be specified.")
    return "ACCOUNT", f"account:{request['policyName']}"


def _check_revision(found: dict[str, Any] | None, expected: str | None) -> None:
    if expected is not None and (found is None or found["revisionId"] != expected):
        raise InvalidParameterException(
            f"The expectedRevisionId {expected} does not match the policy's revisionId."
        )


def put(account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
    scope, key = _key(request)
    try:
        json.loads(request["policyDocument"])
    except ValueError:
        raise InvalidParameterException("Policy document is not valid JSON.") from None
    policies = _collection(account, region)
    found = policies.get(key)
    _check_revision(found, request.get("expectedRevisionId"))
    accounts = sum(1 for name in policies if name.startswith("account:"))
    if found is None and scope == "ACCOUNT" and accounts >= MAX_ACCOUNT_POLICIES:
        raise LimitExceededException("Resource limit exceeded.")
    policy = {
        "policyName": request.get("policyName") or "",
        "policyDocument": request["policyDocument"],
        "lastUpdatedTime": now_ms(),
        "policyScope": scope,
        "revisionId": uuid.uuid4().hex,
    }
    if scope == "RESOURCE":
        policy["resourceArn"] = request["resourceArn"]
    with state.atomic():
        policies.put(key, policy)
    return policy


def describe(account: str, region: str, request: dict[str, Any]) -> list[dict[str, Any]]:
    chosen = []
    for policy in _collection(account, region).values():
        if request.get("policyScope") and policy["policyScope"] != request["policyScope"]:
            continue
        if request.get("resourceArn") and policy.get("resourceArn") != request["resourceArn"]:
            continue
        chosen.append(dict(policy))
    return sorted(chosen, key=lambda p: (p["policyScope"], p["policyName"], p.get("resourceArn", "")))


def delete(account: str, region: str, request: dict[str, Any]) -> None:
    _, key = _key(request)
    policies = _collection(account, region)
    found = policies.get(key)
    if found is None:
        raise ResourceNotFoundException(
            "Policy with name ["
            + (request.get("policyName") or request.get("resourceArn") or "")
            + "] does not exist"
        )
    _check_revision(found, request.get("expectedRevisionId"))
    with state.atomic():
        policies.delete(key)
