"""Resource policies of secrets: JSON and grammar checks (Put/ValidateResourcePolicy) and the
BlockPublicPolicy check.

https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_resource-policies.html
"""

from __future__ import annotations

import json
from typing import Any

from fogbank.services.secretsmanager.errors import MalformedPolicyDocumentException, PublicPolicyException

VERSIONS = ("2012-10-17", "2008-10-17")
_STATEMENT_KEYS = {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource",
                   "Condition"}  # fmt: skip


def parse(text: str) -> dict[str, Any]:
    """The policy document, or MalformedPolicyDocumentException when it is not a JSON object."""
    try:
        document = json.loads(text)
    except ValueError:
        raise MalformedPolicyDocumentException(
            "This resource policy contains a syntax error: it is not valid JSON."
        ) from None
    if not isinstance(document, dict):
        raise MalformedPolicyDocumentException(
            "This resource policy contains a syntax error: it is not a JSON object."
        )
    return document


def problems(document: dict[str, Any]) -> list[str]:
    """Grammar problems of a resource policy (empty when it is valid)."""
    found = []
    unknown = set(document) - {"Version", "Id", "Statement"}
    if unknown:
        found.append(f"The policy contains unsupported element(s): {', '.join(sorted(unknown))}.")
    if "Version" in document and document["Version"] not in VERSIONS:
        found.append(f"The policy version {document['Version']} is not supported: use 2012-10-17.")
    statements = document.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        return [*found, "The policy must contain a Statement element."]
    for index, statement in enumerate(statements, 1):
        found += _statement_problems(index, statement)
    return found


def _statement_problems(index: int, statement: Any) -> list[str]:
    if not isinstance(statement, dict):
        return [f"Statement {index} must be a JSON object."]
    found = []
    unknown = set(statement) - _STATEMENT_KEYS
    if unknown:
        found.append(f"Statement {index} contains unsupported element(s): {', '.join(sorted(unknown))}.")
    if statement.get("Effect") not in ("Allow", "Deny"):
        found.append(f"Statement {index} must have an Effect of Allow or Deny.")
    if "Action" not in statement and "NotAction" not in statement:
        found.append(f"Statement {index} must contain an Action or NotAction element.")
    if "Principal" not in statement and "NotPrincipal" not in statement:
        found.append(
            f"Statement {index} must contain a Principal element: resource policies name a principal."
        )
    return found


def check(text: str, block_public: bool) -> dict[str, Any]:
    """PutResourcePolicy's checks: grammar, then (when asked) no broad access."""
    document = parse(text)
    found = problems(document)
    if found:
        raise MalformedPolicyDocumentException(found[0])
    if block_public and is_public(document):
        raise PublicPolicyException(
            "The BlockPublicPolicy parameter is set to true and the resource policy did not prevent broad "
            "access to the secret."
        )
    return document


def is_public(document: dict[str, Any]) -> bool:
    """An Allow statement to everyone (`*`) without a Condition grants broad access."""
    statements = document.get("Statement")
    for statement in [statements] if isinstance(statements, dict) else statements or []:
        principal = statement.get("Principal")
        everyone = principal == "*" or (isinstance(principal, dict) and "*" in _as_list(principal.get("AWS")))
        if statement.get("Effect") == "Allow" and everyone and not statement.get("Condition"):
            return True
    return False


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
