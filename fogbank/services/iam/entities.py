"""Users, groups and roles share one shape of record: a name unique per account regardless of
case, a unique id, a path, an ARN and a creation date, plus inline and attached policies.

Records live in the per-account collections ("iam", "users" | "groups" | "roles", <account>),
keyed by the lower-cased name ("Names are not distinguished by case", IAM User Guide, IAM
identifiers). Wire members are stored under their wire names; `InlinePolicies` (name → document)
and `AttachedPolicies` (ARNs) are internal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from fogbank import clock, state
from fogbank.context import RequestContext
from fogbank.services.iam.errors import EntityAlreadyExists, LimitExceeded, NoSuchEntity, UnmodifiableEntity
from fogbank.services.iam.identifiers import (
    GROUP_ID_PREFIX,
    ROLE_ID_PREFIX,
    USER_ID_PREFIX,
    check_name,
    check_path,
    iam_arn,
    unique_id,
)
from fogbank.services.iam.pagination import paginate
from fogbank.state import Collection


@dataclass(frozen=True, slots=True)
class EntityKind:
    kind: str  # "user" | "group" | "role": the ARN resource type and the word in messages
    collection: str
    name_member: str  # "UserName"
    id_member: str  # "UserId"
    id_prefix: str
    title: str  # "User" as in "User with name X already exists."
    public: tuple[str, ...]  # the members of the wire shape (User, Group, Role)
    quota: tuple[str, int]  # (quota name, default value) per account


USER = EntityKind(
    "user",
    "users",
    "UserName",
    "UserId",
    USER_ID_PREFIX,
    "User",
    ("Path", "UserName", "UserId", "Arn", "CreateDate", "PasswordLastUsed", "PermissionsBoundary", "Tags"),
    ("UsersPerAccount", 5000),
)
GROUP = EntityKind(
    "group",
    "groups",
    "GroupName",
    "GroupId",
    GROUP_ID_PREFIX,
    "Group",
    ("Path", "GroupName", "GroupId", "Arn", "CreateDate"),
    ("GroupsPerAccount", 300),
)
ROLE = EntityKind(
    "role",
    "roles",
    "RoleName",
    "RoleId",
    ROLE_ID_PREFIX,
    "Role",
    (
        "Path",
        "RoleName",
        "RoleId",
        "Arn",
        "CreateDate",
        "AssumeRolePolicyDocument",
        "Description",
        "MaxSessionDuration",
        "PermissionsBoundary",
        "Tags",
        "RoleLastUsed",
    ),
    ("RolesPerAccount", 1000),
)
KINDS = {"user": USER, "group": GROUP, "role": ROLE}


def store(ctx: RequestContext, kind: EntityKind) -> Collection[dict[str, Any]]:
    return state.collection("iam", kind.collection, ctx.account)


def find(ctx: RequestContext, kind: EntityKind, name: str) -> dict[str, Any] | None:
    return store(ctx, kind).get(name.lower())


def require(ctx: RequestContext, kind: EntityKind, name: str) -> dict[str, Any]:
    found = find(ctx, kind, name)
    if found is None:
        raise NoSuchEntity(f"The {kind.kind} with name {name} cannot be found.")
    return found


def create(
    ctx: RequestContext, kind: EntityKind, name: str, path: str | None, **fields: Any
) -> dict[str, Any]:
    check_name(name, kind.name_member[0].lower() + kind.name_member[1:])
    path = check_path(path)
    if find(ctx, kind, name) is not None:
        raise EntityAlreadyExists(f"{kind.title} with name {name} already exists.")
    check_quota(len(store(ctx, kind)), *kind.quota)
    record = {
        "Path": path,
        kind.name_member: name,
        kind.id_member: unique_id(kind.id_prefix),
        "Arn": iam_arn(ctx.account, kind.kind, path, name),
        "CreateDate": clock.now(),
        "InlinePolicies": {},
        "AttachedPolicies": [],
        **fields,
    }
    store(ctx, kind).put(name.lower(), record)
    return record


def check_quota(count: int, quota: str, limit: int) -> None:
    """Account quotas of IAM (IAM User Guide, "IAM and AWS STS quotas")."""
    if count >= limit:
        raise LimitExceeded(f"Cannot exceed quota for {quota}: {limit}")


def check_modifiable(record: dict[str, Any]) -> None:
    """Service-linked roles belong to their service: only it changes them (IAM User Guide,
    "Using service-linked roles")."""
    if "RoleName" in record and str(record["Path"]).startswith("/aws-service-role/"):
        raise UnmodifiableEntity(
            f"Cannot perform the operation on the protected role '{record['RoleName']}' - this role is only "
            "modifiable by AWS"
        )


def save(ctx: RequestContext, kind: EntityKind, record: dict[str, Any]) -> None:
    store(ctx, kind).put(record[kind.name_member].lower(), record)


def rename(
    ctx: RequestContext, kind: EntityKind, record: dict[str, Any], new_name: str | None, new_path: str | None
) -> str:
    """Move an entity to a new name and/or path (UpdateUser, UpdateGroup); returns the old key."""
    old_key: str = record[kind.name_member].lower()
    if new_name is not None:
        check_name(new_name, "new" + kind.name_member)
        existing = find(ctx, kind, new_name)
        if existing is not None and existing is not record:
            raise EntityAlreadyExists(f"{kind.title} with name {new_name} already exists.")
    path = check_path(new_path, "newPath") if new_path is not None else record["Path"]
    if new_name is not None:
        record[kind.name_member] = new_name
    record["Path"] = path
    record["Arn"] = iam_arn(ctx.account, kind.kind, path, record[kind.name_member])
    store(ctx, kind).delete(old_key)
    save(ctx, kind, record)
    return old_key


def view(kind: EntityKind, record: dict[str, Any], *, members: Iterable[str] | None = None) -> dict[str, Any]:
    """The record as its wire shape (only members that are set; empty Tags are left out)."""
    result = {}
    for member in members if members is not None else kind.public:
        value = record.get(member)
        if value is not None and value != []:
            result[member] = value
    return result


def listing(
    ctx: RequestContext,
    kind: EntityKind,
    request: dict[str, Any],
    member: str,
    records: Iterable[dict[str, Any]] | None = None,
    *,
    members: Iterable[str] | None = None,
    render: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A page of entities (all of the kind unless `records`), filtered by PathPrefix."""
    prefix = request.get("PathPrefix") or "/"
    chosen = records if records is not None else store(ctx, kind).values()
    matching = [record for record in chosen if record["Path"].startswith(prefix)]
    page = paginate(matching, request, lambda record: record[kind.name_member].lower(), member)
    shown = tuple(members) if members is not None else None
    page[member] = [
        render(record) if render else view(kind, record, members=shown) for record in page[member]
    ]
    return page
