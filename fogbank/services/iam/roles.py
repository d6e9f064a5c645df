"""IAM roles: trust policies (AssumeRolePolicyDocument), MaxSessionDuration, descriptions,
permissions boundaries, and deletion once nothing hangs on them.

A role record keeps its trust policy as sent (`AssumeRolePolicyDocument`); it is URL-encoded only
on the way out, like every IAM policy document.
"""

from __future__ import annotations

from typing import Any

from fogbank import state
from fogbank.context import RequestContext
from fogbank.iam import identity
from fogbank.services.iam import attachments, entities, instance_profiles, policy_documents, tags
from fogbank.services.iam.entities import ROLE
from fogbank.services.iam.errors import DeleteConflict

DEFAULT_MAX_SESSION_DURATION = 3600
# CreateRole answers with the whole Role shape but RoleLastUsed; ListRoles leaves out
# PermissionsBoundary and Tags as well (GetRole to see them), as its API reference says.
CREATE_MEMBERS = tuple(member for member in ROLE.public if member != "RoleLastUsed")
LIST_MEMBERS = tuple(member for member in CREATE_MEMBERS if member not in ("PermissionsBoundary", "Tags"))


def view(record: dict[str, Any], members: tuple[str, ...] | None = None) -> dict[str, Any]:
    result = entities.view(ROLE, record, members=members)
    if "AssumeRolePolicyDocument" in result:
        result["AssumeRolePolicyDocument"] = policy_documents.encode(result["AssumeRolePolicyDocument"])
    if "RoleLastUsed" in result:
        used = identity.role_last_used(record["Arn"])
        result["RoleLastUsed"] = {"LastUsedDate": used["date"], "Region": used["region"]} if used else {}
    return result


def create(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    document = request["AssumeRolePolicyDocument"]
    policy_documents.validate_trust_policy(document)
    boundary = request.get("PermissionsBoundary")
    return entities.create(
        ctx,
        ROLE,
        request["RoleName"],
        request.get("Path"),
        AssumeRolePolicyDocument=document,
        Description=request.get("Description"),
        MaxSessionDuration=request.get("MaxSessionDuration") or DEFAULT_MAX_SESSION_DURATION,
        PermissionsBoundary=attachments.boundary(ctx, boundary) if boundary else None,
        Tags=tags.merged([], request.get("Tags") or []),
        RoleLastUsed={},
    )


def update(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    record = entities.require(ctx, ROLE, request["RoleName"])
    if request.get("Description") is not None:
        record["Description"] = request["Description"]
    if request.get("MaxSessionDuration") is not None:
        record["MaxSessionDuration"] = request["MaxSessionDuration"]
    entities.save(ctx, ROLE, record)
    return record


def update_trust_policy(ctx: RequestContext, name: str, document: str) -> None:
    record = entities.require(ctx, ROLE, name)
    entities.check_modifiable(record)
    policy_documents.validate_trust_policy(document)
    record["AssumeRolePolicyDocument"] = document
    entities.save(ctx, ROLE, record)


def delete(ctx: RequestContext, name: str, *, allow_service_linked: bool = False) -> None:
    """DeleteRole refuses while the role is in an instance profile or has policies
    (IAM User Guide, "Deleting roles or instance profiles"); service-linked roles are deleted
    through DeleteServiceLinkedRole only."""
    record = entities.require(ctx, ROLE, name)
    if not allow_service_linked:
        entities.check_modifiable(record)
    if instance_profiles.profiles_of(ctx, record):
        raise DeleteConflict("Cannot delete entity, must remove roles from instance profile first.")
    if record["AttachedPolicies"]:
        raise DeleteConflict("Cannot delete entity, must detach all policies first.")
    if record["InlinePolicies"]:
        raise DeleteConflict("Cannot delete entity, must delete policies first.")
    with state.atomic():
        entities.store(ctx, ROLE).delete(name.lower())
        identity.forget_role_use(record["Arn"])
