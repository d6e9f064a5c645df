"""Secret versions and staging labels: new versions with ClientRequestToken idempotency, moving
AWSCURRENT (the previous current version becomes AWSPREVIOUS), UpdateSecretVersionStage, pruning of
versions without labels, and the GetSecretValue view.

https://docs.aws.amazon.com/secretsmanager/latest/userguide/whats-in-a-secret.html#term_version
"""

from __future__ import annotations

import base64
import uuid
from typing import Any

from fogbank import clock
from fogbank.services.secretsmanager.errors import (
    InvalidParameterException,
    InvalidRequestException,
    ResourceExistsException,
    ResourceNotFoundException,
)

Record = dict[str, Any]

CURRENT, PREVIOUS, PENDING = "AWSCURRENT", "AWSPREVIOUS", "AWSPENDING"
# AWS keeps at most 100 versions; the oldest ones without a staging label go first.
MAX_VERSIONS = 100


def value_of(request: dict[str, Any], *, required: bool) -> Record | None:
    """The SecretString or SecretBinary of a request (binary stored as base64 text)."""
    text, binary = request.get("SecretString"), request.get("SecretBinary")
    if text is not None and binary is not None:
        raise InvalidParameterException(
            "You can't specify both a binary secret value and a string secret value in the same secret."
        )
    if text is not None:
        return {"SecretString": text}
    if binary is not None:
        return {"SecretBinary": base64.b64encode(binary).decode()}
    if required:
        raise InvalidRequestException("You must provide either SecretString or SecretBinary.")
    return None


def same_value(version: Record, value: Record) -> bool:
    return all(version.get(field) == value.get(field) for field in ("SecretString", "SecretBinary"))


def add(record: Record, token: str | None, value: Record, stages: list[str]) -> tuple[str, bool]:
    """Add a version carrying `stages` to `record` (mutated): (version id, whether it is new).

    Repeating a ClientRequestToken with the same value changes nothing (a retried request); with a
    different value it fails, because a version can never be modified."""
    version_id = token or str(uuid.uuid4())
    existing = record["Versions"].get(version_id)
    if existing is not None:
        if not same_value(existing, value):
            raise ResourceExistsException(
                "You can't modify an existing version, you can only create a new version."
            )
        return version_id, False
    record["Versions"][version_id] = {
        "VersionId": version_id,
        **value,
        "CreatedDate": clock.now(),
        "Stages": [],
    }
    for stage in dict.fromkeys(stages):
        move_stage(record, stage, version_id)
    _prune(record)
    return version_id, True


def move_stage(record: Record, stage: str, target: str) -> None:
    """Attach `stage` to `target`, detaching it elsewhere; moving AWSCURRENT leaves AWSPREVIOUS on the
    version that held it."""
    holder = holder_of(record, stage)
    if holder == target:
        return
    if holder is not None:
        record["Versions"][holder]["Stages"].remove(stage)
        if stage == CURRENT:
            move_stage(record, PREVIOUS, holder)
    record["Versions"][target]["Stages"].append(stage)


def holder_of(record: Record, stage: str) -> str | None:
    version_id: str
    for version_id, version in record["Versions"].items():
        if stage in version["Stages"]:
            return version_id
    return None


def _prune(record: Record) -> None:
    versions = record["Versions"]
    for version_id in [vid for vid, version in versions.items() if not version["Stages"]]:
        if len(versions) <= MAX_VERSIONS:
            break
        del versions[version_id]


def update_stage(record: Record, stage: str, remove_from: str | None, move_to: str | None) -> None:
    """UpdateSecretVersionStage: move `stage` to `move_to`, or remove it from `remove_from`."""
    for version_id in (remove_from, move_to):
        if version_id is not None and version_id not in record["Versions"]:
            raise ResourceNotFoundException(
                f"Secrets Manager can't find the specified secret version: {version_id}"
            )
    holder = holder_of(record, stage)
    if move_to is None:
        if remove_from is None:
            raise InvalidParameterException("You must specify RemoveFromVersionId, MoveToVersionId, or both.")
        if holder != remove_from:
            raise InvalidParameterException(
                f"The staging label {stage} is not attached to version {remove_from}, so it can't be removed."
            )
        if stage == CURRENT:
            raise InvalidParameterException(
                "You can only move staging label AWSCURRENT to a different secret version. It can't be completely "
                "removed."
            )
        record["Versions"][remove_from]["Stages"].remove(stage)
        return
    if holder is not None and holder != move_to and remove_from != holder:
        raise InvalidParameterException(
            f"The parameter RemoveFromVersionId can't be empty. Staging label {stage} is currently attached to "
            f"version {holder}, so you must explicitly reference that version in RemoveFromVersionId."
            if remove_from is None
            else f"Staging label {stage} is currently attached to version {holder}, but you specified version "
            f"{remove_from} in RemoveFromVersionId."
        )
    move_stage(record, stage, move_to)


def choose(record: Record, version_id: str | None, stage: str | None) -> Record:
    """The version GetSecretValue reads: by id and/or stage, AWSCURRENT by default."""
    if version_id is not None:
        version = record["Versions"].get(version_id)
        if version is None or (stage is not None and stage not in version["Stages"]):
            raise ResourceNotFoundException(
                f"Secrets Manager can't find the specified secret value for VersionId: {version_id}"
            )
        return version  # type: ignore[no-any-return]
    wanted = stage or CURRENT
    holder = holder_of(record, wanted)
    if holder is None:
        raise ResourceNotFoundException(
            f"Secrets Manager can't find the specified secret value for staging label: {wanted}"
        )
    return record["Versions"][holder]  # type: ignore[no-any-return]


def secret_value(record: Record, version: Record) -> Record:
    """The GetSecretValue / BatchGetSecretValue answer for one version."""
    shown: Record = {"ARN": record["ARN"], "Name": record["Name"], "VersionId": version["VersionId"]}
    if "SecretBinary" in version:
        shown["SecretBinary"] = base64.b64decode(version["SecretBinary"])
    if "SecretString" in version:
        shown["SecretString"] = version["SecretString"]
    shown["VersionStages"] = list(version["Stages"])
    shown["CreatedDate"] = version["CreatedDate"]
    return shown


def list_entry(version: Record, kms_key_id: str | None) -> Record:
    shown: Record = {"VersionId": version["VersionId"], "VersionStages": list(version["Stages"])}
    if version.get("LastAccessedDate") is not None:
        shown["LastAccessedDate"] = version["LastAccessedDate"]
    shown["CreatedDate"] = version["CreatedDate"]
    shown["KmsKeyIds"] = [kms_key_id or "DefaultEncryptionKey"]
    return shown
