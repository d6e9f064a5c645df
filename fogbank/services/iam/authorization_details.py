"""GetAccountAuthorizationDetails: every user, group, role and managed policy of the account with
their inline policies, attachments and policy versions, in one paginated listing (AWS managed
policies appear when something in the account uses them)."""

from __future__ import annotations

from typing import Any

from fogbank.context import RequestContext
from fogbank.services.iam import (
    aws_managed,
    entities,
    instance_profiles,
    policies,
    policy_documents,
    roles,
    users,
)
from fogbank.services.iam.entities import GROUP, ROLE, USER, EntityKind
from fogbank.services.iam.pagination import paginate

_ALL = ("User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy")
_ORDER = {"User": 0, "Group": 1, "Role": 2, "LocalManagedPolicy": 3, "AWSManagedPolicy": 4}


def _inline(record: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {"PolicyName": name, "PolicyDocument": policy_documents.encode(document)}
        for name, document in record["InlinePolicies"].items()
    ]


def _attached(ctx: RequestContext, record: dict[str, Any]) -> list[dict[str, str]]:
    found = [policies.find(ctx, arn) for arn in record["AttachedPolicies"]]
    return [{"PolicyName": policy["PolicyName"], "PolicyArn": policy["Arn"]} for policy in found if policy]


def _entity(ctx: RequestContext, kind: EntityKind, record: dict[str, Any]) -> dict[str, Any]:
    base = roles.view(record) if kind is ROLE else entities.view(kind, record)
    detail = {
        **base,
        f"{kind.title}PolicyList": _inline(record),
        "AttachedManagedPolicies": _attached(ctx, record),
    }
    if kind is USER:
        detail["GroupList"] = [group["GroupName"] for group in users.groups_of(ctx, record)]
    if kind is ROLE:
        detail["InstanceProfileList"] = [
            instance_profiles.view(ctx, profile) for profile in instance_profiles.profiles_of(ctx, record)
        ]
    return detail


def _policy(record: dict[str, Any], counts: Any) -> dict[str, Any]:
    detail = policies.view(record, counts, (*policies.LIST_MEMBERS, "Description"))
    detail["PolicyVersionList"] = [
        policies.version_view(record, version, with_document=True) for version in record["Versions"]
    ]
    return detail


def details(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    wanted = set(request.get("Filter") or _ALL)
    items: list[tuple[str, str, dict[str, Any]]] = []
    for word, kind in (("User", USER), ("Group", GROUP), ("Role", ROLE)):
        if word in wanted:
            items += [(word, record["Arn"], record) for record in entities.store(ctx, kind).values()]
    counts = policies.usage(ctx)
    if "LocalManagedPolicy" in wanted:
        items += [("LocalManagedPolicy", record["Arn"], record) for record in policies.store(ctx).values()]
    if "AWSManagedPolicy" in wanted:
        used = [
            policy.record()
            for policy in aws_managed.all_policies()
            if counts[0][policy.arn] or counts[1][policy.arn]
        ]
        items += [("AWSManagedPolicy", record["Arn"], record) for record in used]
    page = paginate(items, request, lambda item: f"{_ORDER[item[0]]}{item[1].lower()}", "Items")
    result: dict[str, Any] = {
        "UserDetailList": [],
        "GroupDetailList": [],
        "RoleDetailList": [],
        "Policies": [],
    }
    member = {"User": "UserDetailList", "Group": "GroupDetailList", "Role": "RoleDetailList"}
    for word, _, record in page.pop("Items"):
        if word in member:
            result[member[word]].append(_entity(ctx, entities.KINDS[word.lower()], record))
        else:
            result["Policies"].append(_policy(record, counts))
    return {**result, **page}
