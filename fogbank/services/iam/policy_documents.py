"""Policy documents: validation with IAM's `MalformedPolicyDocument` messages, size quotas, and the
URL-encoded form in which the IAM API returns documents.

IAM stores a document as the caller sent it and returns it URL-encoded inside the XML response
(botocore's `json_decode_policies` handler decodes it back into a dict); see "GetRolePolicy" in the
IAM API reference: "The policy document returned in this structure is URL-encoded compliant with
RFC 3986".
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from fogbank.services.iam.errors import LimitExceeded, MalformedPolicyDocument

VERSIONS = ("2008-10-17", "2012-10-17")
_TOP_LEVEL = {"Version", "Id", "Statement"}
_STATEMENT_KEYS = {
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
}
_ACTION = re.compile(r"\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]*")
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
MANAGED_POLICY_SIZE = 6144
TRUST_POLICY_SIZE = 2048
INLINE_POLICY_SIZE = {"user": 2048, "group": 5120, "role": 10240}

SYNTAX_ERROR = "Syntax errors in policy."


def encode(document: str) -> str:
    """The document as the IAM API returns it: URL-encoded (RFC 3986)."""
    return quote(document, safe="-_.!~*'()")


def size_without_whitespace(document: str) -> int:
    """IAM counts policy sizes without white space."""
    return sum(1 for ch in document if not ch.isspace())


def parse(document: str) -> dict[str, Any]:
    try:
        parsed = json.loads(document)
    except ValueError:
        raise MalformedPolicyDocument(SYNTAX_ERROR) from None
    if not isinstance(parsed, dict) or not set(parsed) <= _TOP_LEVEL or "Statement" not in parsed:
        raise MalformedPolicyDocument(SYNTAX_ERROR)
    version = parsed.get("Version")
    if version is not None and version not in VERSIONS:
        raise MalformedPolicyDocument("Policy document must be version 2012-10-17 or greater.")
    return parsed


def _statements(parsed: dict[str, Any]) -> list[dict[str, Any]]:
    statements = parsed["Statement"]
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise MalformedPolicyDocument(SYNTAX_ERROR)
    for statement in statements:
        if not isinstance(statement, dict) or not set(statement) <= _STATEMENT_KEYS:
            raise MalformedPolicyDocument(SYNTAX_ERROR)
        if statement.get("Effect") not in ("Allow", "Deny"):
            raise MalformedPolicyDocument(SYNTAX_ERROR)
    sids = [statement["Sid"] for statement in statements if "Sid" in statement]
    if len(sids) != len(set(sids)):
        raise MalformedPolicyDocument("Statement IDs (SID) in a single policy must be unique.")
    return statements


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _check_actions(statement: dict[str, Any]) -> None:
    actions = statement.get("Action", statement.get("NotAction"))
    if actions is None:
        raise MalformedPolicyDocument("Policy statement must contain actions.")
    for action in _as_list(actions):
        if not isinstance(action, str):
            raise MalformedPolicyDocument(SYNTAX_ERROR)
        if not _ACTION.fullmatch(action):
            raise MalformedPolicyDocument(
                "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
            )


def _check_resources(statement: dict[str, Any]) -> None:
    resources = statement.get("Resource", statement.get("NotResource"))
    if resources is None:
        raise MalformedPolicyDocument("Policy statement must contain resources.")
    for resource in _as_list(resources):
        if not isinstance(resource, str):
            raise MalformedPolicyDocument(SYNTAX_ERROR)
        if resource != "*" and not resource.startswith("arn:"):
            raise MalformedPolicyDocument(f'Resource {resource} must be in ARN format or "*".')


def validate_identity_policy(document: str) -> None:
    """An identity-based policy (managed, inline, session): actions and resources, no principal."""
    for statement in _statements(parse(document)):
        if "Principal" in statement or "NotPrincipal" in statement:
            raise MalformedPolicyDocument("Policy document should not specify a principal.")
        _check_actions(statement)
        _check_resources(statement)


def validate_trust_policy(document: str) -> None:
    """A role trust policy: principals and actions, no resources."""
    if size_without_whitespace(document) > TRUST_POLICY_SIZE:
        raise LimitExceeded(f"Cannot exceed quota for ACLSizePerRole: {TRUST_POLICY_SIZE}")
    for statement in _statements(parse(document)):
        if "Resource" in statement or "NotResource" in statement:
            raise MalformedPolicyDocument("Has prohibited field Resource")
        if "Principal" not in statement and "NotPrincipal" not in statement:
            raise MalformedPolicyDocument("Missing required field Principal")
        _check_actions(statement)


def validate_managed_policy(document: str) -> None:
    validate_identity_policy(document)
    if size_without_whitespace(document) > MANAGED_POLICY_SIZE:
        raise LimitExceeded(f"Cannot exceed quota for PolicySize: {MANAGED_POLICY_SIZE}")
