"""Inline policies embedded in a user, group or role (Put/Get/Delete/List User|Group|RolePolicy).

Quotas (IAM and AWS STS quotas): the inline policies of a user may total 2,048 characters, of a
group 5,120 and of a role 10,240, white space not counted.
"""

from __future__ import annotations

from typing import Any

from fogbank.context import RequestContext
from fogbank.services.iam import entities, policy_documents
from fogbank.services.iam.entities import EntityKind
from fogbank.services.iam.errors import LimitExceeded, NoSuchEntity
from fogbank.services.iam.identifiers import check_name
from fogbank.services.iam.pagination import paginate


def put(ctx: RequestContext, kind: EntityKind, name: str, policy_name: str, document: str) -> None:
    record = entities.require(ctx, kind, name)
    entities.check_modifiable(record)
    check_name(policy_name, "policyName")
    policy_documents.validate_identity_policy(document)
    inline = dict(record["InlinePolicies"])
    inline[policy_name] = document
    limit = policy_documents.INLINE_POLICY_SIZE[kind.kind]
    if sum(policy_documents.size_without_whitespace(text) for text in inline.values()) > limit:
        raise LimitExceeded(
            f"Maximum policy size of {limit} bytes exceeded for {kind.kind} {record[kind.name_member]}"
        )
    record["InlinePolicies"] = inline
    entities.save(ctx, kind, record)


def _require_policy(kind: EntityKind, record: dict[str, Any], policy_name: str) -> str:
    document = record["InlinePolicies"].get(policy_name)
    if document is None:
        raise NoSuchEntity(f"The {kind.kind} policy with name {policy_name} cannot be found.")
    return str(document)


def get(ctx: RequestContext, kind: EntityKind, name: str, policy_name: str) -> dict[str, Any]:
    record = entities.require(ctx, kind, name)
    document = _require_policy(kind, record, policy_name)
    return {
        kind.name_member: record[kind.name_member],
        "PolicyName": policy_name,
        "PolicyDocument": policy_documents.encode(document),
    }


def delete(ctx: RequestContext, kind: EntityKind, name: str, policy_name: str) -> None:
    record = entities.require(ctx, kind, name)
    entities.check_modifiable(record)
    _require_policy(kind, record, policy_name)
    del record["InlinePolicies"][policy_name]
    entities.save(ctx, kind, record)


def names(ctx: RequestContext, kind: EntityKind, request: dict[str, Any]) -> dict[str, Any]:
    record = entities.require(ctx, kind, request[kind.name_member])
    return paginate(list(record["InlinePolicies"]), request, str, "PolicyNames")
