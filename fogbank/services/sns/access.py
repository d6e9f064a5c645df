"""Topic access policies: who may act on a topic from another account, and the AddPermission /
RemovePermission edits of the policy document.

The topic owner's account is always let in (identity policies are IAM's business). Callers from
other accounts need a statement of the topic policy that allows them: principal, action, resource
and conditions must all match, and no statement may deny them
(https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html). Conditions are
evaluated on the keys a direct API call carries (`aws:PrincipalAccount`); a condition on a key the
call does not carry, such as the default policy's `AWS:SourceOwner`, does not match, as in AWS.
"""

from __future__ import annotations

import fnmatch
import json
from typing import Any

from fogbank.services.sns import topics
from fogbank.services.sns.errors import AuthorizationError, invalid

ACTIONS = (
    "GetTopicAttributes",
    "SetTopicAttributes",
    "AddPermission",
    "RemovePermission",
    "DeleteTopic",
    "Subscribe",
    "ListSubscriptionsByTopic",
    "Publish",
    "Receive",
)


def policy_of(topic: dict[str, Any]) -> dict[str, Any]:
    text = topic["Attributes"].get("Policy")
    if text:
        document: dict[str, Any] = json.loads(text)
        return document
    account = topic["TopicArn"].split(":")[4]
    document = json.loads(topics.default_policy(topic["TopicArn"], account))
    return document


def check(topic: dict[str, Any], account: str, action: str) -> None:
    """Raise AuthorizationError unless `account` may perform `SNS:<action>` on the topic. An
    explicit Deny binds the owner too; otherwise the owner is in and others need an Allow."""
    arn = topic["TopicArn"]
    context = {"aws:principalaccount": account}
    matching = [
        s for s in _statements(policy_of(topic)) if _applies(s, account, f"SNS:{action}", arn, context)
    ]
    denied = any(statement.get("Effect") == "Deny" for statement in matching)
    owner = account == arn.split(":")[4]
    if not denied and (owner or any(statement.get("Effect") == "Allow" for statement in matching)):
        return
    reason = (
        "with an explicit deny in a resource-based policy"
        if denied
        else (f"because no resource-based policy allows the SNS:{action} action")
    )
    raise AuthorizationError(
        f"User: arn:aws:iam::{account}:root is not authorized to perform: SNS:{action} on resource: {arn} {reason}"
    )


def _statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    found = policy.get("Statement", [])
    return [found] if isinstance(found, dict) else [s for s in found if isinstance(s, dict)]


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _applies(statement: dict[str, Any], account: str, action: str, arn: str, context: dict[str, str]) -> bool:
    return (
        _principal_matches(statement.get("Principal"), account)
        and any(
            fnmatch.fnmatchcase(action.lower(), str(p).lower()) for p in _listed(statement.get("Action", []))
        )
        and any(fnmatch.fnmatchcase(arn, str(p)) for p in _listed(statement.get("Resource", "*")))
        and _conditions_match(statement.get("Condition", {}), context)
    )


def _principal_matches(principal: Any, account: str) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    for entry in _listed(principal.get("AWS", [])):
        text = str(entry)
        if text in ("*", account) or text.startswith(f"arn:aws:iam::{account}:"):
            return True
    return False


def _conditions_match(conditions: dict[str, Any], context: dict[str, str]) -> bool:
    for operator, tests in conditions.items():
        if not isinstance(tests, dict):
            return False
        for key, expected in tests.items():
            actual = context.get(key.lower())
            if actual is None or not _compare(operator, actual, [str(value) for value in _listed(expected)]):
                return False
    return True


def _compare(operator: str, actual: str, expected: list[str]) -> bool:
    if operator in ("StringEquals", "ArnEquals"):
        return actual in expected
    if operator in ("StringLike", "ArnLike"):
        return any(fnmatch.fnmatchcase(actual, pattern) for pattern in expected)
    if operator == "StringNotEquals":
        return actual not in expected
    return False  # an operator fogbank does not evaluate never grants access


# -- AddPermission / RemovePermission -----------------------------------------------------------


def add_permission(topic: dict[str, Any], label: str, accounts: list[str], actions: list[str]) -> None:
    policy = policy_of(topic)
    statements = _statements(policy)
    if any(statement.get("Sid") == label for statement in statements):
        raise invalid("Statement already exists")
    if any(action not in ACTIONS and action != "*" for action in actions):
        raise invalid("Policy statement action out of service scope!")
    principals = [f"arn:aws:iam::{account}:root" for account in accounts]
    names = [f"SNS:{action}" for action in actions]
    statements.append(
        {
            "Sid": label,
            "Effect": "Allow",
            "Principal": {"AWS": principals[0] if len(principals) == 1 else principals},
            "Action": names[0] if len(names) == 1 else names,
            "Resource": topic["TopicArn"],
        }
    )
    policy["Statement"] = statements
    topic["Attributes"]["Policy"] = json.dumps(policy, separators=(",", ":"))


def remove_permission(topic: dict[str, Any], label: str) -> None:
    policy = policy_of(topic)
    policy["Statement"] = [s for s in _statements(policy) if s.get("Sid") != label]
    topic["Attributes"]["Policy"] = json.dumps(policy, separators=(",", ":"))
