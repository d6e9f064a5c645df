"""Managed policies: customer managed policies with up to five versions and a default version,
AWS managed policies (read-only, see `aws_managed`), and their attachment counts.

Customer policies live in ("iam", "policies", <account>) keyed by the lower-cased policy name
(names are unique in an account whatever the path). A record keeps its versions in `Versions`
(version id → {"Document", "CreateDate"}) and the next version number in `NextVersion`; version ids
are never reused (IAM User Guide, "Versioning IAM policies"). Which entities a policy is attached to
is read from the users, groups and roles themselves, so it never goes out of step.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from fogbank import clock, state
from fogbank.context import RequestContext
from fogbank.services.iam import aws_managed, entities, policy_documents
from fogbank.services.iam.errors import DeleteConflict, EntityAlreadyExists, LimitExceeded, NoSuchEntity
from fogbank.services.iam.identifiers import POLICY_ID_PREFIX, check_name, check_path, iam_arn, unique_id
from fogbank.services.iam.pagination import paginate
from fogbank.state import Collection

MAX_VERSIONS = 5
LIST_MEMBERS = (
    "PolicyName",
    "PolicyId",
    "Arn",
    "Path",
    "DefaultVersionId",
    "AttachmentCount",
    "PermissionsBoundaryUsageCount",
    "IsAttachable",
    "CreateDate",
    "UpdateDate",
)
GET_MEMBERS = (*LIST_MEMBERS, "Description", "Tags")


def store(ctx: RequestContext) -> Collection[dict[str, Any]]:
    return state.collection("iam", "policies", ctx.account)


def not_found(arn: str) -> NoSuchEntity:
    return NoSuchEntity(f"Policy {arn} does not exist or is not attachable.")


def find(ctx: RequestContext, arn: str) -> dict[str, Any] | None:
    """A customer policy of the caller's account or an AWS managed policy, by ARN."""
    if aws_managed.is_aws_policy_arn(arn):
        found = aws_managed.find(arn)
        return found.record() if found else None
    record = store(ctx).get(arn.rsplit("/", 1)[-1].lower())
    if record is None or record["Arn"] != arn:
        return None
    return record


def require(ctx: RequestContext, arn: str) -> dict[str, Any]:
    record = find(ctx, arn)
    if record is None:
        raise not_found(arn)
    return record


def require_customer(ctx: RequestContext, arn: str) -> dict[str, Any]:
    """A policy the caller may change. AWS managed policies belong to no customer account and
    cannot be changed or deleted: they answer like any policy outside the caller's account."""
    record = require(ctx, arn)
    if record.get("AwsManaged"):
        raise not_found(arn)
    return record


def create(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    name = request["PolicyName"]
    check_name(name, "policyName")
    path = check_path(request.get("Path"))
    document = request["PolicyDocument"]
    policy_documents.validate_managed_policy(document)
    if store(ctx).get(name.lower()) is not None:
        raise EntityAlreadyExists(f"A policy called {name} already exists. Duplicate names are not allowed.")
    entities.check_quota(len(store(ctx)), "PoliciesPerAccount", 1500)
    now = clock.now()
    record: dict[str, Any] = {
        "PolicyName": name,
        "PolicyId": unique_id(POLICY_ID_PREFIX),
        "Arn": iam_arn(ctx.account, "policy", path, name),
        "Path": path,
        "DefaultVersionId": "v1",
        "Description": request.get("Description"),
        "CreateDate": now,
        "UpdateDate": now,
        "Tags": list(request.get("Tags") or []),
        "Versions": {"v1": {"Document": document, "CreateDate": now}},
        "NextVersion": 2,
    }
    store(ctx).put(name.lower(), record)
    return record


def usage(ctx: RequestContext) -> tuple[Counter[str], Counter[str]]:
    """How many entities each policy is attached to, and how many use it as a boundary."""
    attached: Counter[str] = Counter()
    boundaries: Counter[str] = Counter()
    for kind in (entities.USER, entities.GROUP, entities.ROLE):
        for record in entities.store(ctx, kind).values():
            attached.update(record["AttachedPolicies"])
            boundary = record.get("PermissionsBoundary")
            if boundary:
                boundaries[boundary["PermissionsBoundaryArn"]] += 1
    return attached, boundaries


def view(
    record: dict[str, Any], counts: tuple[Counter[str], Counter[str]], members: tuple[str, ...]
) -> dict[str, Any]:
    full = {
        **record,
        "AttachmentCount": counts[0][record["Arn"]],
        "PermissionsBoundaryUsageCount": counts[1][record["Arn"]],
        "IsAttachable": True,
    }
    return {member: full[member] for member in members if full.get(member) not in (None, [])}


def delete(ctx: RequestContext, arn: str) -> None:
    record = require_customer(ctx, arn)
    attached, boundaries = usage(ctx)
    if attached[arn] or boundaries[arn]:
        raise DeleteConflict("Cannot delete a policy attached to entities.")
    store(ctx).delete(record["PolicyName"].lower())


def listing(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    scope = request.get("Scope") or "All"
    prefix = request.get("PathPrefix") or "/"
    counts = usage(ctx)
    chosen: list[dict[str, Any]] = []
    if scope in ("All", "AWS"):
        chosen += [policy.record() for policy in aws_managed.all_policies()]
    if scope in ("All", "Local"):
        chosen += list(store(ctx).values())
    usage_filter = request.get("PolicyUsageFilter")
    counter = counts[1] if usage_filter == "PermissionsBoundary" else counts[0]
    # OnlyAttached keeps attached policies; PolicyUsageFilter keeps those used that way.
    must_be_used = bool(request.get("OnlyAttached") or usage_filter)
    matching = [
        record
        for record in chosen
        if record["Path"].startswith(prefix) and (not must_be_used or counter[record["Arn"]] > 0)
    ]
    page = paginate(
        matching, request, lambda record: record["PolicyName"].lower() + "\0" + record["Arn"], "Policies"
    )
    page["Policies"] = [view(record, counts, LIST_MEMBERS) for record in page["Policies"]]
    return page


# -- versions ---------------------------------------------------------------------------------


def version_view(record: dict[str, Any], version_id: str, *, with_document: bool) -> dict[str, Any]:
    version = record["Versions"][version_id]
    result: dict[str, Any] = {
        "VersionId": version_id,
        "IsDefaultVersion": version_id == record["DefaultVersionId"],
        "CreateDate": version["CreateDate"],
    }
    if with_document:
        result["Document"] = policy_documents.encode(version["Document"])
    return result


def require_version(record: dict[str, Any], version_id: str) -> dict[str, Any]:
    version: dict[str, Any] | None = record["Versions"].get(version_id)
    if version is None:
        raise NoSuchEntity(
            f"Policy {record['Arn']} version {version_id} does not exist or is not attachable."
        )
    return version


def create_version(ctx: RequestContext, arn: str, document: str, set_default: bool) -> str:
    record = require_customer(ctx, arn)
    policy_documents.validate_managed_policy(document)
    if len(record["Versions"]) >= MAX_VERSIONS:
        raise LimitExceeded(
            "A managed policy can have up to 5 versions. Before you create a new version, you must delete "
            "an existing version."
        )
    version_id = f"v{record['NextVersion']}"
    record["NextVersion"] += 1
    now = clock.now()
    record["Versions"][version_id] = {"Document": document, "CreateDate": now}
    if set_default:
        record["DefaultVersionId"] = version_id
    record["UpdateDate"] = now
    store(ctx).put(record["PolicyName"].lower(), record)
    return version_id


def set_default_version(ctx: RequestContext, arn: str, version_id: str) -> None:
    record = require_customer(ctx, arn)
    require_version(record, version_id)
    record["DefaultVersionId"] = version_id
    record["UpdateDate"] = clock.now()
    store(ctx).put(record["PolicyName"].lower(), record)


def delete_version(ctx: RequestContext, arn: str, version_id: str) -> None:
    record = require_customer(ctx, arn)
    require_version(record, version_id)
    if version_id == record["DefaultVersionId"]:
        raise DeleteConflict("Cannot delete the default version of a policy.")
    del record["Versions"][version_id]
    store(ctx).put(record["PolicyName"].lower(), record)


def default_document(record: dict[str, Any]) -> str:
    return str(record["Versions"][record["DefaultVersionId"]]["Document"])
