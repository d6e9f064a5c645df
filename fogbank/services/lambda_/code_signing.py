"""Code signing configurations, stored and attached to functions. fogbank cannot verify Signer
signatures, so an `Enforce` policy (which would reject every unsigned upload) is refused rather
than silently not enforced (https://docs.aws.amazon.com/lambda/latest/dg/configuration-codesigning.html)."""

from __future__ import annotations

import secrets
from typing import Any

from fogbank import state
from fogbank.services.lambda_.errors import InvalidParameterValueException, ResourceNotFoundException
from fogbank.services.lambda_.functions import now_text


def collection(account: str, region: str) -> state.Collection[dict[str, Any]]:
    return state.collection("lambda", "code_signing_configs", account, region)


def _policies(requested: dict[str, Any] | None) -> dict[str, Any]:
    policy = (requested or {}).get("UntrustedArtifactOnDeployment", "Warn")
    if policy == "Enforce":
        raise InvalidParameterValueException(
            "fogbank cannot verify code signatures, so UntrustedArtifactOnDeployment=Enforce is not supported yet."
        )
    return {"UntrustedArtifactOnDeployment": policy}


def create(account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
    identifier = "csc-" + secrets.token_hex(9)[:17]
    config = {
        "CodeSigningConfigId": identifier,
        "CodeSigningConfigArn": f"arn:aws:lambda:{region}:{account}:code-signing-config:{identifier}",
        "Description": request.get("Description", ""),
        "AllowedPublishers": request["AllowedPublishers"],
        "CodeSigningPolicies": _policies(request.get("CodeSigningPolicies")),
        "LastModified": now_text(),
    }
    collection(account, region).put(config["CodeSigningConfigArn"], config)
    return config


def require(account: str, region: str, arn: str) -> dict[str, Any]:
    config = collection(account, region).get(arn)
    if config is None:
        raise ResourceNotFoundException(
            f"The code signing configuration cannot be found. Check that the provided configuration is not deleted: {arn}."
        )
    return config


def update(account: str, region: str, request: dict[str, Any]) -> dict[str, Any]:
    config = require(account, region, request["CodeSigningConfigArn"])
    if "Description" in request:
        config["Description"] = request["Description"]
    if "AllowedPublishers" in request:
        config["AllowedPublishers"] = request["AllowedPublishers"]
    if "CodeSigningPolicies" in request:
        config["CodeSigningPolicies"] = _policies(request["CodeSigningPolicies"])
    config["LastModified"] = now_text()
    collection(account, region).put(config["CodeSigningConfigArn"], config)
    return config
