"""Event invoke configurations (retries, event age, destinations) per function qualifier:
Put/Update/Get/Delete/ListFunctionEventInvokeConfig(s), read by `async_invocations`
(https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-configure.html)."""

from __future__ import annotations

from typing import Any

from fogbank import clock
from fogbank.services import registry
from fogbank.services.lambda_ import functions
from fogbank.services.lambda_.errors import InvalidParameterValueException, ResourceNotFoundException
from fogbank.services.lambda_.functions import LATEST

_DESTINATION_SERVICES = ("sqs", "sns", "lambda", "events")


def _check_destinations(config: dict[str, Any] | None) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for side in ("OnSuccess", "OnFailure"):
        destination = ((config or {}).get(side) or {}).get("Destination")
        if destination is None:
            continue
        parts = destination.split(":")
        if len(parts) >= 6 and parts[2] in _DESTINATION_SERVICES and not registry.is_implemented(parts[2]):
            raise InvalidParameterValueException(f"{parts[2]} destinations are not supported by fogbank yet.")
        if len(parts) < 6 or parts[0] != "arn" or parts[2] not in _DESTINATION_SERVICES:
            raise InvalidParameterValueException(
                f"The provided destination config DestinationConfig(onSuccess={_shown(config, 'OnSuccess')}, "
                f"onFailure={_shown(config, 'OnFailure')}) is invalid."
            )
        found[side] = {"Destination": destination}
    return {"OnSuccess": found.get("OnSuccess", {}), "OnFailure": found.get("OnFailure", {})}


def _shown(config: dict[str, Any] | None, side: str) -> str:
    destination = ((config or {}).get(side) or {}).get("Destination")
    return f"OnSuccess(destination={destination})" if destination else "null"


def _target(account: str, region: str, record: dict[str, Any], name: str, qualifier: str | None) -> str:
    key = qualifier or LATEST
    if key not in record["versions"] and key not in record["aliases"]:
        raise ResourceNotFoundException(
            f"Function not found: {functions.function_arn(account, region, name, key)}"
        )
    return key


def put(
    account: str, region: str, record: dict[str, Any], name: str, request: dict[str, Any], *, merge: bool
) -> dict[str, Any]:
    key = _target(account, region, record, name, request.get("Qualifier"))
    current = record["event_invoke"].get(key) if merge else None
    config: dict[str, Any] = dict(current or {})
    for member in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds"):
        if member in request:
            config[member] = request[member]
    if "DestinationConfig" in request or not merge:
        config["DestinationConfig"] = _check_destinations(request.get("DestinationConfig"))
    config["FunctionArn"] = functions.function_arn(account, region, name, key)
    config["LastModified"] = clock.now()
    record["event_invoke"][key] = config
    return view(config)


def view(config: dict[str, Any]) -> dict[str, Any]:
    result = dict(config)
    result.setdefault("DestinationConfig", {"OnSuccess": {}, "OnFailure": {}})
    return result


def get(
    account: str, region: str, record: dict[str, Any], name: str, qualifier: str | None
) -> dict[str, Any]:
    key = _target(account, region, record, name, qualifier)
    config = record["event_invoke"].get(key)
    if config is None:
        arn = functions.function_arn(account, region, name, key)
        raise ResourceNotFoundException(f"The function {arn} doesn't have an EventInvokeConfig")
    return view(config)


def delete(account: str, region: str, record: dict[str, Any], name: str, qualifier: str | None) -> None:
    get(account, region, record, name, qualifier)
    record["event_invoke"].pop(qualifier or LATEST)


def listing(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [view(config) for _, config in sorted(record["event_invoke"].items())]
