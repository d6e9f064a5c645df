"""Layer versions: PublishLayerVersion, Get/List/Delete, and resolving a function's `Layers`
into the code records that execution environments unpack in order into their `/opt` folder
(https://docs.aws.amazon.com/lambda/latest/dg/chapter-layers.html)."""

from __future__ import annotations

from typing import Any

from fogbank import clock, state
from fogbank.services.lambda_ import code as packages
from fogbank.services.lambda_.errors import InvalidParameterValueException, ResourceNotFoundException

MAX_LAYERS = 5
_VIEW = (
    "LayerVersionArn",
    "Version",
    "Description",
    "CreatedDate",
    "CompatibleRuntimes",
    "CompatibleArchitectures",
    "LicenseInfo",
)


def collection(account: str, region: str) -> state.Collection[dict[str, Any]]:
    return state.collection("lambda", "layers", account, region)


def layer_arn(account: str, region: str, name: str) -> str:
    return f"arn:aws:lambda:{region}:{account}:layer:{name}"


def publish(account: str, region: str, request: dict[str, Any], base_url: str) -> dict[str, Any]:
    from fogbank.services.lambda_.functions import iso_millis

    content = packages.from_request(account, region, request["Content"])
    if content.get("hot_reload"):
        raise InvalidParameterValueException("Hot reload is only available for function code, not layers.")
    name = (
        request["LayerName"].rsplit(":", 1)[-1]
        if request["LayerName"].startswith("arn:")
        else request["LayerName"]
    )
    layers = collection(account, region)
    record = layers.get(name) or {"next": 1, "versions": {}}
    number = record["next"]
    arn = layer_arn(account, region, name)
    version = {
        "LayerArn": arn,
        "LayerVersionArn": f"{arn}:{number}",
        "Version": number,
        "Description": request.get("Description", ""),
        "CreatedDate": iso_millis(clock.now()) + "+0000",
        "Content": {
            "Location": location(base_url, content),
            "CodeSha256": content["sha"],
            "CodeSize": content["size"],
        },
        "_code": content,
    }
    for member in ("CompatibleRuntimes", "CompatibleArchitectures", "LicenseInfo"):
        if request.get(member):
            version[member] = request[member]
    record["versions"][str(number)] = version
    record["next"] = number + 1
    layers.put(name, record)
    return view(version)


def location(base_url: str, content: dict[str, Any]) -> str:
    """Where the zip can be downloaded (AWS answers a presigned S3 URL)."""
    return f"{base_url}/_fogbank/lambda/code?sha={content['zip']}"


def view(version: dict[str, Any], members: tuple[str, ...] | None = None) -> dict[str, Any]:
    return {
        key: value
        for key, value in version.items()
        if not key.startswith("_") and (members is None or key in members)
    }


def find(account: str, region: str, name: str, number: int) -> dict[str, Any]:
    record = collection(account, region).get(name)
    version: dict[str, Any] | None = record["versions"].get(str(number)) if record else None
    if version is None:
        raise ResourceNotFoundException("The resource you requested does not exist.")
    return version


def find_by_arn(arn: str) -> dict[str, Any] | None:
    parts = arn.split(":")
    if len(parts) != 8 or parts[5] != "layer" or not parts[7].isdigit():
        return None
    record = collection(parts[4], parts[3]).get(parts[6])
    return record["versions"].get(parts[7]) if record else None


def listing(account: str, region: str, name: str, request: dict[str, Any]) -> list[dict[str, Any]]:
    record = collection(account, region).get(name) or {"versions": {}}
    found = [
        view(version, _VIEW)
        for _, version in sorted(record["versions"].items(), key=lambda item: -int(item[0]))
    ]
    runtime, architecture = request.get("CompatibleRuntime"), request.get("CompatibleArchitecture")
    if runtime:
        found = [version for version in found if runtime in version.get("CompatibleRuntimes", [])]
    if architecture:
        found = [version for version in found if architecture in version.get("CompatibleArchitectures", [])]
    return found


def layers_list(account: str, region: str, request: dict[str, Any]) -> list[dict[str, Any]]:
    result = []
    for name in sorted(collection(account, region)):
        versions = listing(account, region, name, request)
        if versions:
            result.append(
                {
                    "LayerName": name,
                    "LayerArn": layer_arn(account, region, name),
                    "LatestMatchingVersion": versions[0],
                }
            )
    return result


def delete(account: str, region: str, name: str, number: int) -> None:
    layers = collection(account, region)
    record = layers.get(name)
    if record and record["versions"].pop(str(number), None) is not None:
        layers.put(name, record)


def resolve(
    account: str, region: str, arns: list[str], runtime: str | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The `Layers` of a configuration and the code records to unpack, in order."""
    if len(arns) > MAX_LAYERS:
        raise InvalidParameterValueException(f"Cannot reference more than {MAX_LAYERS} layers.")
    shown, contents = [], []
    for arn in arns:
        version = find_by_arn(arn)
        if version is None:
            raise InvalidParameterValueException(f"Layer version {arn} does not exist.")
        shown.append({"Arn": arn, "CodeSize": version["Content"]["CodeSize"]})
        contents.append(version["_code"])
    return shown, contents
