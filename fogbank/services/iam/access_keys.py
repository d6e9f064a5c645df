"""Access keys of IAM users (and of the account root): AKIA… ids with 40-character secrets.

Key metadata lives in ("iam", "access-keys", <account>) keyed by key id; the secret and the
principal the key acts as live in the identity index (`fogbank.iam.identity`), which the gateway
reads for every request and for signature verification. Quota: two keys per user.
"""

from __future__ import annotations

from typing import Any

from fogbank import clock, state
from fogbank.context import RequestContext
from fogbank.iam import identity
from fogbank.services.iam import entities
from fogbank.services.iam.errors import IamValidationError, LimitExceeded, NoSuchEntity
from fogbank.services.iam.identifiers import access_key_id, secret_access_key
from fogbank.services.iam.pagination import paginate
from fogbank.state import Collection

KEYS_PER_USER = 2


def store(ctx: RequestContext) -> Collection[dict[str, Any]]:
    return state.collection("iam", "access-keys", ctx.account)


def owner(ctx: RequestContext, user_name: str | None) -> dict[str, Any] | None:
    """The user a request without UserName is about: the caller (None when the caller is root).

    "If you do not specify a user name, IAM determines the user name implicitly based on the
    access key ID used to sign the request" (IAM API reference, CreateAccessKey).
    """
    if user_name is not None:
        return entities.require(ctx, entities.USER, user_name)
    principal = identity.resolve(ctx.access_key)
    if principal.arn.endswith(":root"):
        return None
    if ":user/" not in principal.arn:
        raise IamValidationError("Must specify userName when calling with non-User credentials")
    return entities.require(ctx, entities.USER, principal.arn.rsplit("/", 1)[-1])


def _keys_of(ctx: RequestContext, user: dict[str, Any] | None) -> list[dict[str, Any]]:
    wanted = user["UserName"].lower() if user else None
    return [key for key in store(ctx).values() if ((key["UserName"] or "").lower() or None) == wanted]


def create(ctx: RequestContext, user_name: str | None) -> dict[str, Any]:
    user = owner(ctx, user_name)
    if len(_keys_of(ctx, user)) >= KEYS_PER_USER:
        raise LimitExceeded(f"Cannot exceed quota for AccessKeysPerUser: {KEYS_PER_USER}")
    key_id, secret = access_key_id(), secret_access_key()
    record = {
        "UserName": user["UserName"] if user else None,
        "AccessKeyId": key_id,
        "Status": "Active",
        "CreateDate": clock.now(),
    }
    with state.atomic():
        store(ctx).put(key_id, record)
        identity.index_iam_key(
            key_id,
            {
                "account": ctx.account,
                "arn": user["Arn"] if user else f"arn:aws:iam::{ctx.account}:root",
                "user_id": user["UserId"] if user else ctx.account,
                "secret": secret,
                "status": "Active",
            },
        )
    return {**_view(record), "SecretAccessKey": secret}


def _view(record: dict[str, Any]) -> dict[str, Any]:
    return {member: value for member, value in record.items() if value is not None}


def require(ctx: RequestContext, user_name: str | None, key_id: str) -> dict[str, Any]:
    user = owner(ctx, user_name)
    record = store(ctx).get(key_id)
    if record is None or record not in _keys_of(ctx, user):
        raise NoSuchEntity(f"The Access Key with id {key_id} cannot be found.")
    return record


def listing(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    user = owner(ctx, request.get("UserName"))
    keys = [_view(key) for key in _keys_of(ctx, user)]
    page = paginate(
        keys, request, lambda key: f"{key['CreateDate']:020.6f}{key['AccessKeyId']}", "AccessKeyMetadata"
    )
    return page


def update_status(ctx: RequestContext, user_name: str | None, key_id: str, status: str) -> None:
    record = require(ctx, user_name, key_id)
    record["Status"] = status
    with state.atomic():
        store(ctx).put(key_id, record)
        indexed = identity.iam_key_index().get(key_id)
        if indexed is not None:
            indexed["status"] = status
            identity.index_iam_key(key_id, indexed)


def delete(ctx: RequestContext, user_name: str | None, key_id: str) -> None:
    require(ctx, user_name, key_id)
    with state.atomic():
        store(ctx).delete(key_id)
        identity.forget_iam_key(key_id)


def last_used(ctx: RequestContext, key_id: str) -> dict[str, Any]:
    record = store(ctx).get(key_id)
    indexed = identity.iam_key_index().get(key_id)
    if record is None or indexed is None:
        raise NoSuchEntity(f"The Access Key with id {key_id} cannot be found.")
    used = indexed.get("last_used")
    # A key never used reports "N/A" for service and region (IAM API reference, AccessKeyLastUsed).
    last = {"ServiceName": "N/A", "Region": "N/A"}
    if used:
        last = {"LastUsedDate": used["date"], "ServiceName": used["service"], "Region": used["region"]}
    result: dict[str, Any] = {"AccessKeyLastUsed": last}
    if record["UserName"]:
        result["UserName"] = record["UserName"]
    return result


def follow_user(ctx: RequestContext, old_name: str, user: dict[str, Any]) -> None:
    """After a user is renamed or moved, its keys belong to the new name and ARN."""
    for record in list(store(ctx).values()):
        if (record["UserName"] or "").lower() == old_name.lower():
            record["UserName"] = user["UserName"]
            store(ctx).put(record["AccessKeyId"], record)
            indexed = identity.iam_key_index().get(record["AccessKeyId"])
            if indexed is not None:
                indexed["arn"] = user["Arn"]
                identity.index_iam_key(record["AccessKeyId"], indexed)


def count_for(ctx: RequestContext, user: dict[str, Any]) -> int:
    return len(_keys_of(ctx, user))
