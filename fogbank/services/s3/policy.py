"""Bucket policies: the checks S3 makes on PutBucketPolicy (MalformedPolicy) and whether a policy
is public (GetBucketPolicyStatus, Block Public Access).

Evaluation of policies against requests comes with IAM enforcement.
See https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from fogbank.services.s3.errors import MalformedPolicy

_VERSIONS = ("2012-10-17", "2008-10-17")
_ACCOUNT = re.compile(r"^\d{12}$")
_CANONICAL = re.compile(r"^[0-9a-f]{64}$")
# Condition keys that pin a statement to fixed callers, which makes it not public.
_RESTRICTING_KEYS = {
    "aws:sourcearn",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:userid",
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principalorgid",
    "aws:sourceip",
    "s3:dataaccesspointaccount",
    "s3:dataaccesspointarn",
}


def parse_policy(text: str, bucket: str) -> dict[str, Any]:
    """The policy document, or S3's MalformedPolicy error naming the first problem."""
    if not text.lstrip().startswith("{"):
        raise MalformedPolicy("Policies must be valid JSON and the first byte must be '{'")
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise MalformedPolicy("Policies must be valid JSON and the first byte must be '{'") from None
    if not isinstance(document, dict):
        raise MalformedPolicy("Policies must be valid JSON and the first byte must be '{'")
    if "Version" in document and document["Version"] not in _VERSIONS:
        raise MalformedPolicy("The policy must contain a valid version string")
    statements = document.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not statements or not isinstance(statements, list):
        raise MalformedPolicy("Missing required field Statement")
    for statement in statements:
        _check_statement(statement, bucket)
    return document


def _check_statement(statement: Any, bucket: str) -> None:
    if not isinstance(statement, dict):
        raise MalformedPolicy("Statement is not well-formed")
    if statement.get("Effect") not in ("Allow", "Deny"):
        raise MalformedPolicy("Invalid effect: " + str(statement.get("Effect", "")))
    if "Principal" not in statement and "NotPrincipal" not in statement:
        raise MalformedPolicy("Missing required field Principal")
    if not _valid_principal(statement.get("Principal", statement.get("NotPrincipal"))):
        raise MalformedPolicy("Invalid principal in policy")
    actions = _as_list(statement.get("Action", statement.get("NotAction")))
    if not actions:
        raise MalformedPolicy("Missing required field Action")
    for action in actions:
        if not isinstance(action, str) or not (action == "*" or action.lower().startswith("s3:")):
            raise MalformedPolicy("Policy has invalid action")
    resources = _as_list(statement.get("Resource", statement.get("NotResource")))
    if not resources:
        raise MalformedPolicy("Missing required field Resource")
    for resource in resources:
        if not _names_bucket(resource, bucket):
            raise MalformedPolicy("Policy has invalid resource")


def _valid_principal(principal: Any) -> bool:
    """`*`, or a map of AWS (account ids, IAM ARNs, `*`), Service, Federated or CanonicalUser ids."""
    if principal == "*":
        return True
    if not isinstance(principal, dict) or not principal:
        return False
    for kind, values in principal.items():
        for value in _as_list(values):
            if not isinstance(value, str) or not value:
                return False
            if kind == "AWS" and not (value == "*" or _ACCOUNT.match(value) or value.startswith("arn:")):
                return False
            if kind == "CanonicalUser" and not _CANONICAL.match(value):
                return False
            if kind not in ("AWS", "Service", "Federated", "CanonicalUser"):
                return False
    return True


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _names_bucket(resource: Any, bucket: str) -> bool:
    """A bucket policy may only name this bucket and its objects (wildcards allowed)."""
    if not isinstance(resource, str):
        return False
    if resource == "*":
        return True
    prefix = resource.split(":", 5)
    if len(prefix) != 6 or prefix[0] != "arn" or prefix[2] != "s3":
        return False
    name = prefix[5].split("/", 1)[0]
    if "*" in name or "?" in name:
        import fnmatch

        return fnmatch.fnmatchcase(bucket, name)
    return name == bucket


def is_public_policy(document: dict[str, Any]) -> bool:
    """A policy is public when an Allow statement grants to everyone (`*`) without a condition
    that pins the caller to fixed values."""
    statements = document.get("Statement")
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        if _grants_everyone(statement.get("Principal")) and not _restricted(statement.get("Condition")):
            return True
    return False


def _grants_everyone(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return "*" in _as_list(principal.get("AWS"))
    return False


def _restricted(condition: Any) -> bool:
    if not isinstance(condition, dict):
        return False
    for operator, clauses in condition.items():
        if not isinstance(clauses, dict):
            continue
        for key, values in clauses.items():
            if key.lower() in _RESTRICTING_KEYS and "*" not in str(values) and "IfExists" not in operator:
                return True
    return False
