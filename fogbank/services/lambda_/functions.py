"""Function records: one per function, holding every version's configuration, aliases, tags,
resource policy, concurrency and event invoke settings; names, ARNs and qualifier resolution.

A record is `{"versions": {"$LATEST": config, "1": config}, "next_version": 2, "aliases": {...},
"tags": {...}, "policy": {...} | None, "reserved": int | None, "provisioned": {...},
"event_invoke": {...}}`. A config is the `FunctionConfiguration` output shape plus private keys
starting with `_` (the code record, layer code records) that views leave out.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from fogbank import clock, state
from fogbank.services.lambda_.errors import InvalidParameterValueException, ResourceNotFoundException

LATEST = "$LATEST"
_FUNCTION_ARN = re.compile(
    r"^(?:arn:(?P<partition>aws[a-zA-Z-]*):lambda:(?P<region>[a-z0-9-]+):)?(?:(?P<account>\d{12}):function:)?"
    r"(?P<name>[a-zA-Z0-9-_]+)(?::(?P<qualifier>\$LATEST|[a-zA-Z0-9-_]+))?$"
)


def collection(account: str, region: str) -> state.Collection[dict[str, Any]]:
    return state.collection("lambda", "functions", account, region)


def function_arn(account: str, region: str, name: str, qualifier: str | None = None) -> str:
    partition = (
        "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"
    )
    arn = f"arn:{partition}:lambda:{region}:{account}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


def split_name(account: str, region: str, text: str, qualifier: str | None) -> tuple[str, str | None]:
    """The function name and qualifier that a name, partial ARN or full ARN (maybe qualified) and
    a separate `Qualifier` parameter designate."""
    match = _FUNCTION_ARN.match(text)
    if match is None or (text.startswith("arn:") and match["region"] is None):
        raise InvalidParameterValueException(f"Invalid function name: {text}")  # pragma: no cover
    if match["account"] and match["account"] != account:
        raise ResourceNotFoundException(f"Function not found: {text}")
    if match["region"] and match["region"] != region:
        raise InvalidParameterValueException(
            f"Functions from '{match['region']}' are not reachable in this region ('{region}')"
        )
    derived = match["qualifier"]
    if derived and qualifier and derived != qualifier:
        raise InvalidParameterValueException(
            "The derived qualifier from the function name does not match the specified qualifier."
        )
    return match["name"], derived or qualifier


def require(account: str, region: str, name: str, qualifier: str | None = None) -> dict[str, Any]:
    record = collection(account, region).get(name)
    if record is None:
        raise ResourceNotFoundException(
            f"Function not found: {function_arn(account, region, name, qualifier)}"
        )
    return record


def now_text() -> str:
    """LastModified as Lambda writes it: `2024-05-01T12:00:00.000+0000`."""
    return iso_millis(clock.now()) + "+0000"


def iso_millis(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]


def new_revision() -> str:
    return str(uuid.uuid4())


def version_config(
    account: str, region: str, record: dict[str, Any], name: str, qualifier: str | None
) -> tuple[dict[str, Any], str]:
    """The configuration a qualifier selects (version or alias → its primary version) and the
    version it resolved to."""
    version = qualifier or LATEST
    alias = record["aliases"].get(version)
    if alias is not None:
        version = alias["FunctionVersion"]
    config = record["versions"].get(version)
    if config is None:
        raise ResourceNotFoundException(
            f"Function not found: {function_arn(account, region, name, qualifier)}"
        )
    return config, version


def view(config: dict[str, Any], *, qualified: bool = False) -> dict[str, Any]:
    """The `FunctionConfiguration` a client sees (private keys dropped)."""
    result = {key: value for key, value in config.items() if not key.startswith("_")}
    if qualified and config["Version"] == LATEST:
        result["FunctionArn"] = config["FunctionArn"] + ":" + LATEST
    return result


def settled(config: dict[str, Any]) -> dict[str, Any]:
    """The configuration once creation or an update has finished: fogbank prepares functions
    synchronously, so every read after the answer to the change sees the settled state."""
    config["State"] = "Active"
    config["LastUpdateStatus"] = "Successful"
    for key in ("StateReason", "StateReasonCode", "LastUpdateStatusReason", "LastUpdateStatusReasonCode"):
        config.pop(key, None)
    return config


def pending_view(config: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """What AWS answers to CreateFunction (State Pending) and to updates (LastUpdateStatus
    InProgress); https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html"""
    result = view(config)
    if creating:
        result.pop("LastUpdateStatus", None)
        result.update(
            State="Pending", StateReason="The function is being created.", StateReasonCode="Creating"
        )
    else:
        result.update(
            LastUpdateStatus="InProgress",
            LastUpdateStatusReason="The function is being created.",
            LastUpdateStatusReasonCode="Creating",
        )
    return result


def empty_record() -> dict[str, Any]:
    return {
        "versions": {},
        "next_version": 1,
        "aliases": {},
        "tags": {},
        "policy": None,
        "reserved": None,
        "provisioned": {},
        "event_invoke": {},
        "url_configs": {},
        "code_signing": None,
    }
