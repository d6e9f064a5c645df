"""Versions and aliases: PublishVersion (a frozen copy of $LATEST), version deletion, and aliases
with weighted routing (https://docs.aws.amazon.com/lambda/latest/dg/configuration-versions.html,
https://docs.aws.amazon.com/lambda/latest/dg/configuration-aliases.html)."""

from __future__ import annotations

import copy
import re
from typing import Any

from fogbank.services.lambda_ import functions
from fogbank.services.lambda_.errors import (
    InvalidParameterValueException,
    PreconditionFailedException,
    ResourceConflictException,
    ResourceNotFoundException,
)
from fogbank.services.lambda_.functions import LATEST

_ALIAS_NAME = re.compile(r"^(?!^[0-9]+$)[a-zA-Z0-9-_]+$")


def check_revision(expected: str | None, actual: str) -> None:
    if expected and expected != actual:
        raise PreconditionFailedException(
            "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias "
            "API to retrieve the latest Revision Id"
        )


def publish(record: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    """Publish $LATEST; an unchanged $LATEST gives back the version published from it."""
    latest = record["versions"][LATEST]
    check_revision(request.get("RevisionId"), latest["RevisionId"])
    sha = request.get("CodeSha256")
    if sha and sha != latest["CodeSha256"]:
        raise InvalidParameterValueException(
            f"CodeSHA256 ({sha}) is different from current CodeSHA256 in $LATEST ({latest['CodeSha256']}). Please try again"
        )
    version: dict[str, Any]
    for version in record["versions"].values():
        if version.get("_published_from") == latest["RevisionId"]:
            return version
    number = str(record["next_version"])
    record["next_version"] += 1
    version = copy.deepcopy(latest)
    version.update(
        Version=number,
        FunctionArn=latest["FunctionArn"] + ":" + number,
        Description=request.get("Description", latest.get("Description", "")),
        RevisionId=functions.new_revision(),
        LastModified=functions.now_text(),
        _published_from=latest["RevisionId"],
    )
    record["versions"][number] = functions.settled(version)
    return version


def delete_version(record: dict[str, Any], arn: str, version: str) -> None:
    if version == LATEST:
        raise InvalidParameterValueException(
            "$LATEST version cannot be deleted without deleting the function."
        )
    users = sorted(name for name, alias in record["aliases"].items() if _alias_versions(alias) & {version})
    if users:
        raise ResourceConflictException(
            f"Unable to delete version because the following aliases reference it: [{', '.join(users)}]"
        )
    record["versions"].pop(version, None)
    record["event_invoke"].pop(version, None)
    record["provisioned"].pop(version, None)


def _alias_versions(alias: dict[str, Any]) -> set[str]:
    weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    return {alias["FunctionVersion"], *weights}


def alias_arn(account: str, region: str, name: str, alias: str) -> str:
    return functions.function_arn(account, region, name, alias)


def check_routing(
    record: dict[str, Any], arn: str, version: str, routing: dict[str, Any] | None
) -> dict[str, Any]:
    if version != LATEST and version not in record["versions"]:
        raise ResourceNotFoundException(f"Function not found: {arn}:{version}")
    weights = (routing or {}).get("AdditionalVersionWeights") or {}
    if not weights:
        return {}
    if len(weights) > 1:
        raise InvalidParameterValueException(
            "Number of items in AdditionalVersionWeights cannot be greater than 1"
        )
    if version == LATEST or LATEST in weights:
        raise InvalidParameterValueException(
            "$LATEST is not supported for an alias pointing to more than 1 version"
        )
    for extra, weight in weights.items():
        if extra not in record["versions"]:
            raise InvalidParameterValueException(f"Version {extra} does not exist for function {arn}")
        if extra == version:
            raise InvalidParameterValueException(
                f"Invalid function version {extra}. Function version {extra} is already included in routing configuration."
            )
        if not 0.0 <= weight <= 1.0:
            raise InvalidParameterValueException(
                f"Value {weight} at 'AdditionalVersionWeights' must be between 0.0 and 1.0"
            )
    return {"AdditionalVersionWeights": dict(weights)}


def create_alias(
    account: str, region: str, record: dict[str, Any], name: str, request: dict[str, Any]
) -> dict[str, Any]:
    alias_name = request["Name"]
    arn = alias_arn(account, region, name, alias_name)
    if not _ALIAS_NAME.match(alias_name):
        raise InvalidParameterValueException(
            f"1 validation error detected: Value '{alias_name}' at 'name' failed to satisfy constraint"
        )
    if alias_name in record["aliases"]:
        raise ResourceConflictException(f"Alias already exists: {arn}")
    routing = check_routing(
        record,
        functions.function_arn(account, region, name),
        request["FunctionVersion"],
        request.get("RoutingConfig"),
    )
    alias = {
        "AliasArn": arn,
        "Name": alias_name,
        "FunctionVersion": request["FunctionVersion"],
        "Description": request.get("Description", ""),
        "RevisionId": functions.new_revision(),
    }
    if routing:
        alias["RoutingConfig"] = routing
    record["aliases"][alias_name] = alias
    return alias


def require_alias(
    account: str, region: str, record: dict[str, Any], name: str, alias_name: str
) -> dict[str, Any]:
    alias: dict[str, Any] | None = record["aliases"].get(alias_name)
    if alias is None:
        raise ResourceNotFoundException(f"Alias not found: {alias_arn(account, region, name, alias_name)}")
    return alias


def update_alias(
    account: str, region: str, record: dict[str, Any], name: str, request: dict[str, Any]
) -> dict[str, Any]:
    alias = require_alias(account, region, record, name, request["Name"])
    check_revision(request.get("RevisionId"), alias["RevisionId"])
    version = request.get("FunctionVersion", alias["FunctionVersion"])
    routing = request["RoutingConfig"] if "RoutingConfig" in request else alias.get("RoutingConfig")
    checked = check_routing(record, functions.function_arn(account, region, name), version, routing)
    alias["FunctionVersion"] = version
    if "Description" in request:
        alias["Description"] = request["Description"]
    alias.pop("RoutingConfig", None)
    if checked:
        alias["RoutingConfig"] = checked
    alias["RevisionId"] = functions.new_revision()
    return alias
