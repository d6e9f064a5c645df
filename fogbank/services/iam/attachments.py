"""Attaching managed policies to users, groups and roles, permissions boundaries, and the reverse
view (ListEntitiesForPolicy).

Quotas: 10 managed policies per user, group or role by default (IAM and AWS STS quotas).
"""

from __future__ import annotations

from typing import Any

from fogbank.context import RequestContext
from fogbank.services.iam import entities, policies
from fogbank.services.iam.entities import EntityKind
from fogbank.services.iam.errors import LimitExceeded, NoSuchEntity
from fogbank.services.iam.pagination import paginate

MANAGED_POLICIES_PER_ENTITY = 10
_QUOTA_NAMES = {"user": "PoliciesPerUser", "group": "PoliciesPerGroup", "role": "PoliciesPerRole"}


def attach(ctx: RequestContext, kind: EntityKind, name: str, arn: str) -> None:
    record = entities.require(ctx, kind, name)
    entities.check_modifiable(record)
    policies.require(ctx, arn)
    if arn in record["AttachedPolicies"]:
        return  # attaching twice is accepted and changes nothing
    if len(record["AttachedPolicies"]) >= MANAGED_POLICIES_PER_ENTITY:
        raise LimitExceeded(
            f"Cannot exceed quota for {_QUOTA_NAMES[kind.kind]}: {MANAGED_POLICIES_PER_ENTITY}"
        )
    record["AttachedPolicies"].append(arn)
    entities.save(ctx, kind, record)


def detach(ctx: RequestContext, kind: EntityKind, name: str, arn: str) -> None:
    record = entities.require(ctx, kind, name)
    entities.check_modifiable(record)
    if arn not in record["AttachedPolicies"]:
        raise NoSuchEntity(f"Policy {arn} was not found.")
    record["AttachedPolicies"].remove(arn)
    entities.save(ctx, kind, record)


def list_attached(ctx: RequestContext, kind: EntityKind, request: dict[str, Any]) -> dict[str, Any]:
    record = entities.require(ctx, kind, request[kind.name_member])
    prefix = request.get("PathPrefix") or "/"
    found = [policies.find(ctx, arn) for arn in record["AttachedPolicies"]]
    attached = [
        {"PolicyName": policy["PolicyName"], "PolicyArn": policy["Arn"]}
        for policy in found
        if policy is not None and policy["Path"].startswith(prefix)
    ]
    return paginate(attached, request, lambda item: item["PolicyName"].lower(), "AttachedPolicies")


def put_boundary(ctx: RequestContext, kind: EntityKind, name: str, arn: str) -> None:
    record = entities.require(ctx, kind, name)
    record["PermissionsBoundary"] = boundary(ctx, arn)
    entities.save(ctx, kind, record)


def delete_boundary(ctx: RequestContext, kind: EntityKind, name: str) -> None:
    record = entities.require(ctx, kind, name)
    record.pop("PermissionsBoundary", None)
    entities.save(ctx, kind, record)


def boundary(ctx: RequestContext, arn: str) -> dict[str, str]:
    """The AttachedPermissionsBoundary for a managed policy ARN (which must exist)."""
    if policies.find(ctx, arn) is None:
        raise NoSuchEntity(f"Scope ARN: {arn} does not exist or is not attachable.")
    return {"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": arn}


_FILTER_KINDS = {"User": ("user",), "Group": ("group",), "Role": ("role",)}
_RESULT_MEMBERS = {"user": "PolicyUsers", "group": "PolicyGroups", "role": "PolicyRoles"}


def entities_for_policy(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    arn = request["PolicyArn"]
    policies.require(ctx, arn)
    kinds = _FILTER_KINDS.get(request.get("EntityFilter") or "", ("user", "group", "role"))
    as_boundary = request.get("PolicyUsageFilter") == "PermissionsBoundary"
    prefix = request.get("PathPrefix") or "/"
    found: list[tuple[str, dict[str, Any]]] = []
    for word in kinds:
        kind = entities.KINDS[word]
        for record in entities.store(ctx, kind).values():
            boundary_arn = (record.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
            uses = boundary_arn == arn if as_boundary else arn in record["AttachedPolicies"]
            if uses and record["Path"].startswith(prefix):
                found.append((word, record))
    page = paginate(found, request, lambda item: f"{item[0]}\0{item[1]['Arn'].lower()}", "Found")
    result: dict[str, Any] = {"PolicyGroups": [], "PolicyUsers": [], "PolicyRoles": []}
    for word, record in page.pop("Found"):
        kind = entities.KINDS[word]
        result[_RESULT_MEMBERS[word]].append(
            {kind.name_member: record[kind.name_member], kind.id_member: record[kind.id_member]}
        )
    return {**result, **page}
