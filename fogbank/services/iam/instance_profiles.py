"""Instance profiles: containers for one role that EC2 instances use.

Records live in ("iam", "instance-profiles", <account>) keyed by lower-cased name; `Roles` holds
lower-cased role names. An instance profile holds at most one role (IAM and AWS STS quotas).
"""

from __future__ import annotations

from typing import Any

from fogbank import clock, state
from fogbank.context import RequestContext
from fogbank.services.iam import entities, policy_documents, tags
from fogbank.services.iam.entities import ROLE
from fogbank.services.iam.errors import DeleteConflict, EntityAlreadyExists, LimitExceeded, NoSuchEntity
from fogbank.services.iam.identifiers import (
    INSTANCE_PROFILE_ID_PREFIX,
    check_name,
    check_path,
    iam_arn,
    unique_id,
)
from fogbank.services.iam.pagination import paginate
from fogbank.state import Collection

ROLES_PER_PROFILE = 1
_ROLE_MEMBERS = ("Path", "RoleName", "RoleId", "Arn", "CreateDate", "AssumeRolePolicyDocument")


def store(ctx: RequestContext) -> Collection[dict[str, Any]]:
    return state.collection("iam", "instance-profiles", ctx.account)


def require(ctx: RequestContext, name: str) -> dict[str, Any]:
    record = store(ctx).get(name.lower())
    if record is None:
        raise NoSuchEntity(f"Instance Profile {name} cannot be found.")
    return record


def create(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    name = request["InstanceProfileName"]
    check_name(name, "instanceProfileName")
    path = check_path(request.get("Path"))
    if store(ctx).get(name.lower()) is not None:
        raise EntityAlreadyExists(f"Instance Profile {name} already exists.")
    entities.check_quota(len(store(ctx)), "InstanceProfilesPerAccount", 1000)
    record = {
        "Path": path,
        "InstanceProfileName": name,
        "InstanceProfileId": unique_id(INSTANCE_PROFILE_ID_PREFIX),
        "Arn": iam_arn(ctx.account, "instance-profile", path, name),
        "CreateDate": clock.now(),
        "Roles": [],
        "Tags": tags.merged([], request.get("Tags") or []),
    }
    store(ctx).put(name.lower(), record)
    return view(ctx, record)


def view(ctx: RequestContext, record: dict[str, Any]) -> dict[str, Any]:
    roles = entities.store(ctx, ROLE)
    shown = []
    for key in record["Roles"]:
        role = roles.get(key)
        if role is not None:
            item = entities.view(ROLE, role, members=_ROLE_MEMBERS)
            item["AssumeRolePolicyDocument"] = policy_documents.encode(role["AssumeRolePolicyDocument"])
            shown.append(item)
    result = {
        member: record[member]
        for member in ("Path", "InstanceProfileName", "InstanceProfileId", "Arn", "CreateDate")
    }
    result["Roles"] = shown
    if record.get("Tags"):
        result["Tags"] = record["Tags"]
    return result


def save(ctx: RequestContext, record: dict[str, Any]) -> None:
    store(ctx).put(record["InstanceProfileName"].lower(), record)


def delete(ctx: RequestContext, name: str) -> None:
    record = require(ctx, name)
    if record["Roles"]:
        raise DeleteConflict("Cannot delete entity, must remove roles from instance profile first.")
    store(ctx).delete(name.lower())


def add_role(ctx: RequestContext, name: str, role_name: str) -> None:
    record = require(ctx, name)
    role = entities.require(ctx, ROLE, role_name)
    key = role["RoleName"].lower()
    if key in record["Roles"]:
        raise EntityAlreadyExists(f"Role {role['RoleName']} already exists in instance profile {name}.")
    if len(record["Roles"]) >= ROLES_PER_PROFILE:
        raise LimitExceeded(
            f"Cannot exceed quota for InstanceSessionsPerInstanceProfile: {ROLES_PER_PROFILE}"
        )
    record["Roles"].append(key)
    save(ctx, record)


def remove_role(ctx: RequestContext, name: str, role_name: str) -> None:
    record = require(ctx, name)
    role = entities.require(ctx, ROLE, role_name)
    key = role["RoleName"].lower()
    if key not in record["Roles"]:
        raise NoSuchEntity(f"The role with name {role_name} cannot be found.")
    record["Roles"].remove(key)
    save(ctx, record)


def profiles_of(ctx: RequestContext, role: dict[str, Any]) -> list[dict[str, Any]]:
    key = role["RoleName"].lower()
    return [record for record in store(ctx).values() if key in record["Roles"]]


def listing(
    ctx: RequestContext, request: dict[str, Any], records: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    prefix = request.get("PathPrefix") or "/"
    chosen = records if records is not None else list(store(ctx).values())
    matching = [record for record in chosen if record["Path"].startswith(prefix)]
    page = paginate(
        matching, request, lambda record: record["InstanceProfileName"].lower(), "InstanceProfiles"
    )
    page["InstanceProfiles"] = [view(ctx, record) for record in page["InstanceProfiles"]]
    return page
