"""IAM groups: create, read with members, rename (members follow), delete when empty."""

from __future__ import annotations

from typing import Any

from fogbank import state
from fogbank.context import RequestContext
from fogbank.services.iam import entities, users
from fogbank.services.iam.entities import GROUP, USER
from fogbank.services.iam.errors import DeleteConflict
from fogbank.services.iam.pagination import paginate


def get(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    group = entities.require(ctx, GROUP, request["GroupName"])
    members = users.members_of(ctx, group)
    page = paginate(members, request, lambda user: user["UserName"].lower(), "Users")
    page["Users"] = [entities.view(USER, user, members=users.LIST_MEMBERS) for user in page["Users"]]
    return {"Group": entities.view(GROUP, group), **page}


def update(ctx: RequestContext, request: dict[str, Any]) -> None:
    group = entities.require(ctx, GROUP, request["GroupName"])
    with state.atomic():
        old_key = entities.rename(ctx, GROUP, group, request.get("NewGroupName"), request.get("NewPath"))
        new_key = group["GroupName"].lower()
        if new_key != old_key:
            for user in list(entities.store(ctx, USER).values()):
                if old_key in user["Groups"]:
                    user["Groups"] = [new_key if key == old_key else key for key in user["Groups"]]
                    entities.save(ctx, USER, user)


def delete(ctx: RequestContext, name: str) -> None:
    group = entities.require(ctx, GROUP, name)
    if users.members_of(ctx, group):
        raise DeleteConflict("Cannot delete entity, must remove users from group first.")
    if group["InlinePolicies"]:
        raise DeleteConflict("Cannot delete entity, must delete policies first.")
    if group["AttachedPolicies"]:
        raise DeleteConflict("Cannot delete entity, must detach all policies first.")
    entities.store(ctx, GROUP).delete(name.lower())


def for_user(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    user = entities.require(ctx, USER, request["UserName"])
    groups = users.groups_of(ctx, user)
    page = paginate(groups, request, lambda group: group["GroupName"].lower(), "Groups")
    page["Groups"] = [entities.view(GROUP, group) for group in page["Groups"]]
    return page
