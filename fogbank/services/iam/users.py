"""IAM users: create, read, rename, delete (only once nothing hangs on them), the caller as a
user (GetUser without a name), group membership and login profiles.

A user record also holds `Groups` (lower-cased group names) and `LoginProfile` (None or
{"CreateDate", "PasswordResetRequired", "PasswordHash"}).
"""

from __future__ import annotations

import hashlib
from typing import Any

from fogbank import clock, state
from fogbank.context import RequestContext
from fogbank.iam import identity
from fogbank.services.iam import (
    access_keys,
    account,
    attachments,
    entities,
    mfa_devices,
    password_policy,
    tags,
)
from fogbank.services.iam.entities import GROUP, USER
from fogbank.services.iam.errors import DeleteConflict, EntityAlreadyExists, IamValidationError, NoSuchEntity

LIST_MEMBERS = ("Path", "UserName", "UserId", "Arn", "CreateDate", "PasswordLastUsed")


def create(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    boundary = request.get("PermissionsBoundary")
    return entities.create(
        ctx,
        USER,
        request["UserName"],
        request.get("Path"),
        Tags=tags.merged([], request.get("Tags") or []),
        PermissionsBoundary=attachments.boundary(ctx, boundary) if boundary else None,
        Groups=[],
        LoginProfile=None,
    )


def caller(ctx: RequestContext) -> dict[str, Any]:
    """GetUser without UserName: the user whose key signed the request, or the account root."""
    principal = identity.resolve(ctx.access_key)
    if principal.arn.endswith(":root"):
        # The root user has no name or path (IAM API reference, GetUser).
        return {"UserId": ctx.account, "Arn": principal.arn, "CreateDate": account.created_at(ctx)}
    if ":user/" not in principal.arn or principal.account != ctx.account:
        raise IamValidationError("Must specify userName when calling with non-User credentials")
    return entities.view(USER, entities.require(ctx, USER, principal.arn.rsplit("/", 1)[-1]))


def update(ctx: RequestContext, request: dict[str, Any]) -> None:
    record = entities.require(ctx, USER, request["UserName"])
    old_name = record["UserName"]
    with state.atomic():
        entities.rename(ctx, USER, record, request.get("NewUserName"), request.get("NewPath"))
        access_keys.follow_user(ctx, old_name, record)


def delete(ctx: RequestContext, name: str) -> None:
    """DeleteUser refuses while the user still has keys, a password, policies or groups
    (IAM User Guide, "Deleting an IAM user (AWS API)")."""
    record = entities.require(ctx, USER, name)
    if access_keys.count_for(ctx, record):
        raise DeleteConflict("Cannot delete entity, must delete access keys first.")
    if record.get("LoginProfile"):
        raise DeleteConflict("Cannot delete entity, must delete login profile first.")
    if mfa_devices.of_user(ctx, record):
        raise DeleteConflict("Cannot delete entity, must delete MFA device first.")
    if record["InlinePolicies"]:
        raise DeleteConflict("Cannot delete entity, must delete policies first.")
    if record["AttachedPolicies"]:
        raise DeleteConflict("Cannot delete entity, must detach all policies first.")
    if record["Groups"]:
        raise DeleteConflict("Cannot delete entity, must remove users from group first.")
    entities.store(ctx, USER).delete(name.lower())


# -- groups -----------------------------------------------------------------------------------


def add_to_group(ctx: RequestContext, group_name: str, user_name: str) -> None:
    group = entities.require(ctx, GROUP, group_name)
    user = entities.require(ctx, USER, user_name)
    key = group["GroupName"].lower()
    if key not in user["Groups"]:
        entities.check_quota(len(user["Groups"]), "GroupsPerUser", 10)
        user["Groups"].append(key)
        entities.save(ctx, USER, user)


def remove_from_group(ctx: RequestContext, group_name: str, user_name: str) -> None:
    group = entities.require(ctx, GROUP, group_name)
    user = entities.require(ctx, USER, user_name)
    key = group["GroupName"].lower()
    if key not in user["Groups"]:
        raise NoSuchEntity(f"User {user['UserName']} is not in group {group['GroupName']}.")
    user["Groups"].remove(key)
    entities.save(ctx, USER, user)


def members_of(ctx: RequestContext, group: dict[str, Any]) -> list[dict[str, Any]]:
    key = group["GroupName"].lower()
    return [user for user in entities.store(ctx, USER).values() if key in user["Groups"]]


def groups_of(ctx: RequestContext, user: dict[str, Any]) -> list[dict[str, Any]]:
    groups = entities.store(ctx, GROUP)
    return [groups[key] for key in user["Groups"] if key in groups]


# -- login profiles ---------------------------------------------------------------------------


def _hash(password: str) -> str:
    return hashlib.sha256(password.encode()).hexdigest()


def create_login_profile(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    user = entities.require(ctx, USER, request["UserName"])
    if user.get("LoginProfile"):
        raise EntityAlreadyExists(f"Login Profile for user {user['UserName']} already exists.")
    if not request.get("Password"):
        raise IamValidationError(
            "Password is required: fogbank does not support password-less login profiles."
        )
    password_policy.check(ctx, request["Password"])
    user["LoginProfile"] = {
        "CreateDate": clock.now(),
        "PasswordResetRequired": bool(request.get("PasswordResetRequired")),
        "PasswordHash": _hash(request["Password"]),
    }
    entities.save(ctx, USER, user)
    return login_profile(ctx, user["UserName"])


def _require_login_profile(ctx: RequestContext, name: str) -> dict[str, Any]:
    user = entities.require(ctx, USER, name)
    if not user.get("LoginProfile"):
        raise NoSuchEntity(f"Login Profile for User {user['UserName']} cannot be found.")
    return user


def login_profile(ctx: RequestContext, name: str) -> dict[str, Any]:
    user = _require_login_profile(ctx, name)
    profile = user["LoginProfile"]
    return {
        "UserName": user["UserName"],
        "CreateDate": profile["CreateDate"],
        "PasswordResetRequired": profile["PasswordResetRequired"],
    }


def update_login_profile(ctx: RequestContext, request: dict[str, Any]) -> None:
    user = _require_login_profile(ctx, request["UserName"])
    if request.get("Password"):
        password_policy.check(ctx, request["Password"])
        user["LoginProfile"]["PasswordHash"] = _hash(request["Password"])
    if request.get("PasswordResetRequired") is not None:
        user["LoginProfile"]["PasswordResetRequired"] = request["PasswordResetRequired"]
    entities.save(ctx, USER, user)


def delete_login_profile(ctx: RequestContext, name: str) -> None:
    user = _require_login_profile(ctx, name)
    user["LoginProfile"] = None
    entities.save(ctx, USER, user)
