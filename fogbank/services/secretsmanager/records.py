"""Secret records: names and ARNs (with AWS's 6-character random suffix), finding a secret by name,
full ARN or partial ARN, the deletion window, and the DescribeSecret / ListSecrets views.

A stored secret is a JSON dict keyed by its name (a name belongs to one secret at a time, deleted or
not): `{"Name", "ARN", "CreatedDate", "LastChangedDate", "Tags": [...], "Versions": {id: version}, ...}`.
"""

from __future__ import annotations

import re
import secrets
import string
from typing import Any

from fogbank import clock, state
from fogbank.context import RequestContext
from fogbank.services.secretsmanager.errors import (
    InvalidParameterException,
    MarkedForDeletion,
    ResourceNotFoundException,
)
from fogbank.state import Collection

Record = dict[str, Any]

# https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html#API_CreateSecret_RequestSyntax
_NAME = re.compile(r"[a-zA-Z0-9/_+=.@\-]{1,512}")
_SUFFIX = re.compile(r"-[a-zA-Z0-9]{6}")
_SUFFIX_ALPHABET = string.ascii_letters + string.digits
_DAY = 86400.0


# Secrets other AWS services manage for you carry a '!' (EventBridge: events!connection/<name>/<id>);
# only fogbank's own services (internal calls) may create such names.
_MANAGED_NAME = re.compile(r"[a-z]+![a-zA-Z0-9/_+=.@\-]{1,500}")


def check_name(name: str, managed: bool = False) -> None:
    if not (_NAME.fullmatch(name) or (managed and _MANAGED_NAME.fullmatch(name))):
        raise InvalidParameterException(
            "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: "
            "-/_+=.@!"
        )


def new_arn(ctx: RequestContext, name: str) -> str:
    """Secret ARNs end with '-' and six random characters, so a re-created name gets a new ARN."""
    suffix = "".join(secrets.choice(_SUFFIX_ALPHABET) for _ in range(6))
    return ctx.arn("secretsmanager", f"secret:{name}-{suffix}")


def purge_expired(stored: Collection[Record]) -> None:
    """Secrets whose recovery window has passed on fogbank's clock are gone for good."""
    now = clock.now()
    due = [name for name, record in stored.items() if record.get("DeletionDate", now + 1) <= now]
    if due:
        with state.atomic():
            for name in due:
                stored.delete(name)


def find(ctx: RequestContext, stored: Collection[Record], secret_id: str) -> Record | None:
    """By name, by full ARN, or by partial ARN (the ARN without its random suffix)."""
    prefix = ctx.arn("secretsmanager", "secret:")
    if not secret_id.startswith("arn:"):
        return stored.get(secret_id)
    if not secret_id.startswith(prefix):
        return None
    rest = secret_id[len(prefix) :]
    found = stored.get(rest)
    if found is not None:
        return found
    if _SUFFIX.fullmatch(rest[-7:]):
        found = stored.get(rest[:-7])
        if found is not None and found["ARN"] == secret_id:
            return found
    return None


def require(
    ctx: RequestContext, stored: Collection[Record], secret_id: str, *, deleted_ok: bool = False
) -> Record:
    """The secret, or AWS's errors for a missing one and (unless allowed) one marked for deletion."""
    found = find(ctx, stored, secret_id)
    if found is None:
        raise ResourceNotFoundException()
    if "DeletedDate" in found and not deleted_ok:
        raise MarkedForDeletion()
    return found


def today() -> float:
    """LastAccessedDate has a granularity of one day (midnight UTC)."""
    now = clock.now()
    return now - now % _DAY


def stages_by_version(record: Record) -> dict[str, list[str]]:
    return {vid: list(v["Stages"]) for vid, v in record["Versions"].items() if v["Stages"]}


_DESCRIBED = (
    "Description", "KmsKeyId", "RotationEnabled", "RotationLambdaARN", "RotationRules", "LastRotatedDate",
    "LastChangedDate", "LastAccessedDate", "DeletedDate", "NextRotationDate",
)  # fmt: skip


def describe(record: Record) -> Record:
    """The DescribeSecret answer (fields AWS omits when unset are left out)."""
    shown: Record = {"ARN": record["ARN"], "Name": record["Name"]}
    for field in _DESCRIBED:
        if record.get(field) is not None:
            shown[field] = record[field]
    if record["Tags"]:
        shown["Tags"] = list(record["Tags"])
    shown["VersionIdsToStages"] = stages_by_version(record)
    shown["CreatedDate"] = record["CreatedDate"]
    return shown


def list_entry(record: Record) -> Record:
    """A ListSecrets entry: DescribeSecret's fields, with the version map under its list name."""
    shown = describe(record)
    shown["SecretVersionsToStages"] = shown.pop("VersionIdsToStages")
    if not shown["SecretVersionsToStages"]:
        del shown["SecretVersionsToStages"]
    return shown
