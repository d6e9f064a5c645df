"""State machine records: definitions, revisions, versions and aliases with weighted routing.

A record lives under its unqualified ARN; versions (`…:stateMachine:name:3`) and aliases
(`…:stateMachine:name:prod`) are kept inside it, as they live and die with their machine.
https://docs.aws.amazon.com/step-functions/latest/dg/concepts-state-machine-version.html
"""

from __future__ import annotations

import random
import re
import uuid
from typing import Any

from fogbank import clock, state
from fogbank.services.stepfunctions.errors import (
    InvalidArn,
    InvalidName,
    ResourceNotFound,
    StateMachineDoesNotExist,
    ValidationException,
)

_NAME = re.compile(r"^[^\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]{1,80}$")
_VIEW = (
    "stateMachineArn",
    "name",
    "status",
    "definition",
    "roleArn",
    "type",
    "creationDate",
    "loggingConfiguration",
    "tracingConfiguration",
    "revisionId",
    "description",
)


def machines(account: str, region: str) -> state.Collection[dict[str, Any]]:
    return state.collection("stepfunctions", "state-machines", account, region)


def check_name(name: str) -> None:
    """Names: 1-80 characters without whitespace, brackets, wildcards or control characters."""
    if not _NAME.match(name):
        raise InvalidName(f"Invalid Name: '{name}'")


def split_arn(arn: str, kind: str = "stateMachine") -> tuple[str, str | None]:
    """(unqualified ARN, qualifier) of a state machine, version or alias ARN."""
    parts = arn.split(":")
    if len(parts) not in (7, 8) or parts[:3] != ["arn", "aws", "states"] or parts[5] != kind or not parts[6]:
        raise InvalidArn(
            f"Invalid Arn: 'Resource type not valid in this context: {arn}'"
            if len(parts) > 5
            else f"Invalid Arn: '{arn}'"
        )
    return ":".join(parts[:7]), parts[7] if len(parts) == 8 else None


def get(account: str, region: str, arn: str) -> tuple[dict[str, Any], str | None]:
    """The machine record and the qualifier (version number or alias name) of an ARN."""
    base, qualifier = split_arn(arn)
    record = machines(account, region).get(base)
    if record is None:
        raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{base}'")
    if qualifier is not None and qualifier not in record["versions"] and qualifier not in record["aliases"]:
        if qualifier.isdigit():
            raise StateMachineDoesNotExist(f"State Machine Does Not Exist: '{arn}'")
        raise ResourceNotFound(f"Resource not found: '{arn}'")
    return record, qualifier


def view(record: dict[str, Any], version: str | None = None) -> dict[str, Any]:
    """DescribeStateMachine's answer (for a version: that version's definition)."""
    source = record["versions"][version] if version else record
    described = {key: source[key] for key in _VIEW if key in source}
    if version:
        described["stateMachineArn"] = f"{record['stateMachineArn']}:{version}"
    return described


def new_record(arn: str, request: dict[str, Any]) -> dict[str, Any]:
    return {
        "stateMachineArn": arn,
        "name": request["name"],
        "status": "ACTIVE",
        "definition": request["definition"],
        "roleArn": request["roleArn"],
        "type": request.get("type") or "STANDARD",
        "creationDate": clock.now(),
        "loggingConfiguration": request.get("loggingConfiguration")
        or {"level": "OFF", "includeExecutionData": False},
        "tracingConfiguration": request.get("tracingConfiguration") or {"enabled": False},
        "revisionId": str(uuid.uuid4()),
        "versions": {},
        "nextVersion": 1,
        "aliases": {},
        "tags": {tag["key"]: tag.get("value", "") for tag in request.get("tags") or []},
        **({"description": request["description"]} if request.get("description") else {}),
    }


def publish(record: dict[str, Any], description: str | None) -> str:
    """Publish the current revision as a version (the latest one again if unchanged)."""
    for number, version in record["versions"].items():
        if version["revisionId"] == record["revisionId"]:
            return f"{record['stateMachineArn']}:{number}"
    number = str(record["nextVersion"])
    record["nextVersion"] += 1
    record["versions"][number] = {
        **{key: record[key] for key in _VIEW if key in record and key != "description"},
        "creationDate": clock.now(),
        **({"description": description} if description else {}),
    }
    return f"{record['stateMachineArn']}:{number}"


def check_routing(record: dict[str, Any], routing: list[dict[str, Any]]) -> None:
    if not 1 <= len(routing) <= 2 or sum(route["weight"] for route in routing) != 100:
        raise ValidationException(
            "The routing configuration must have one or two versions whose weights add up to 100"
        )
    for route in routing:
        base, qualifier = split_arn(route["stateMachineVersionArn"])
        if base != record["stateMachineArn"] or qualifier not in record["versions"]:
            raise ResourceNotFound(f"Resource not found: '{route['stateMachineVersionArn']}'")


def route(record: dict[str, Any], qualifier: str | None) -> tuple[dict[str, Any], str | None, str | None]:
    """What an execution of this ARN runs: (definition source, version ARN, alias ARN)."""
    if qualifier is None:
        return record, None, None
    if qualifier in record["versions"]:
        return record["versions"][qualifier], f"{record['stateMachineArn']}:{qualifier}", None
    alias = record["aliases"][qualifier]
    pick = random.uniform(0, 100)
    for entry in alias["routingConfiguration"]:
        pick -= entry["weight"]
        if pick <= 0:
            break
    version = entry["stateMachineVersionArn"].rsplit(":", 1)[1]
    return record["versions"][version], entry["stateMachineVersionArn"], alias["stateMachineAliasArn"]
