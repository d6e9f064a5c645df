"""EventBridge API destinations: an HTTP endpoint, method and connection that rule targets and
Pipes call (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-api-destinations.html).

An endpoint may hold `*` path parameters, filled from the target's PathParameterValues.
AWS only accepts HTTPS endpoints; fogbank also accepts plain HTTP to loopback addresses so that
local test servers can be called. InvocationRateLimitPerSecond (default 300) is enforced by
`fogbank.events.api_calls` on fogbank's clock.
"""

from __future__ import annotations

import uuid
from typing import Any

from fogbank import clock, state
from fogbank.services.events import connections
from fogbank.services.events.errors import ResourceNotFoundException

DEFAULT_RATE = 300
_SHOWN = (
    "ApiDestinationArn",
    "Name",
    "Description",
    "ApiDestinationState",
    "ConnectionArn",
    "InvocationEndpoint",
    "HttpMethod",
    "InvocationRateLimitPerSecond",
    "CreationTime",
    "LastModifiedTime",
)


def collection(account: str, region: str) -> state.Collection[dict[str, Any]]:
    return state.collection("events", "api-destinations", account, region)


def require(account: str, region: str, name: str) -> dict[str, Any]:
    record = collection(account, region).get(name)
    if record is None:
        raise ResourceNotFoundException(
            f"Failed to describe the api-destination(s). An api-destination '{name}' does not exist."
        )
    return record


def find(arn: str) -> dict[str, Any] | None:
    """The API destination an ARN `...:api-destination/<name>/<uuid>` names (None when gone)."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or not parts[5].startswith("api-destination/"):
        return None
    record = collection(parts[4], parts[3]).get(parts[5].split("/")[1])
    return record if record is not None and record["ApiDestinationArn"] == arn else None


def is_arn(arn: str) -> bool:
    return arn.startswith("arn:") and arn.split(":", 5)[-1].startswith("api-destination/")


def check_endpoint(endpoint: str) -> None:
    connections.check_url(endpoint, "InvocationEndpoint")


def check_connection(account: str, region: str, arn: str) -> None:
    record = connections.collection(account, region).get(connections.name_of(arn))
    if record is None or record["ConnectionArn"] != arn:
        raise ResourceNotFoundException(f"Connection '{connections.name_of(arn)}' does not exist.")


def create(account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
    check_endpoint(request["InvocationEndpoint"])
    check_connection(account, region, request["ConnectionArn"])
    now = clock.now()
    name = request["Name"]
    record = {
        "ApiDestinationArn": f"arn:aws:events:{region}:{account}:api-destination/{name}/{uuid.uuid4()}",
        "Name": name,
        "ApiDestinationState": "ACTIVE",
        "ConnectionArn": request["ConnectionArn"],
        "InvocationEndpoint": request["InvocationEndpoint"],
        "HttpMethod": request["HttpMethod"],
        "InvocationRateLimitPerSecond": request.get("InvocationRateLimitPerSecond") or DEFAULT_RATE,
        "CreationTime": now,
        "LastModifiedTime": now,
    }
    if request.get("Description"):
        record["Description"] = request["Description"]
    return record


def update(account: str, region: str, record: dict[str, Any], request: dict[str, Any]) -> None:
    if request.get("InvocationEndpoint"):
        check_endpoint(request["InvocationEndpoint"])
    if request.get("ConnectionArn"):
        check_connection(account, region, request["ConnectionArn"])
    for member in (
        "Description",
        "ConnectionArn",
        "InvocationEndpoint",
        "HttpMethod",
        "InvocationRateLimitPerSecond",
    ):
        if request.get(member) is not None:
            record[member] = request[member]
    record["LastModifiedTime"] = clock.now()


def describe(record: dict[str, Any]) -> dict[str, Any]:
    return {member: record[member] for member in _SHOWN if member in record}


def summary(record: dict[str, Any]) -> dict[str, Any]:
    return {
        member: record[member]
        for member in ("ApiDestinationArn", "ApiDestinationState", "CreationTime", "LastModifiedTime")
    }
