"""Function URL configurations: Create/Get/Update/Delete/ListFunctionUrlConfig(s), and the global
index from a URL id to its function (https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html).

fogbank serves a URL at `http://<url-id>.lambda-url.<region>.localhost:<port>/` and, without DNS,
at `http://localhost:<port>/lambda-url/<url-id>/` (see `url_plane`). In the RESPONSE_STREAM invoke
mode the function's streamed response (with its HTTP prelude) may exceed 6 MB; fogbank sends it
to the client once the function has finished writing it.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from fogbank import state
from fogbank.config import settings
from fogbank.services.lambda_ import functions
from fogbank.services.lambda_.errors import (
    ResourceConflictException,
    ResourceNotFoundException,
)

_ALPHABET = string.ascii_lowercase + string.digits


def index() -> state.Collection[dict[str, Any]]:
    """URL id → {account, region, name, qualifier}: URLs are looked up by host before any account."""
    return state.database().collection("lambda", "function_urls", "global")


def url_of(url_id: str, region: str) -> str:
    return f"http://{url_id}.lambda-url.{region}.localhost:{settings.port}/"


def _key(qualifier: str | None, record: dict[str, Any], arn: str) -> str:
    if qualifier and qualifier != functions.LATEST and qualifier not in record["aliases"]:
        raise ResourceNotFoundException(f"Function not found: {arn}:{qualifier}")
    return qualifier or ""


def create(
    account: str, region: str, record: dict[str, Any], name: str, request: dict[str, Any]
) -> dict[str, Any]:
    arn = functions.function_arn(account, region, name, request.get("Qualifier"))
    key = _key(request.get("Qualifier"), record, functions.function_arn(account, region, name))
    if key in record["url_configs"]:
        raise ResourceConflictException(
            f"Failed to create function url config for [functionArn = {arn}]. Error message:  "
            "FunctionUrlConfig exists for this Lambda function"
        )
    url_id = "".join(secrets.choice(_ALPHABET) for _ in range(32))
    config = {
        "FunctionUrl": url_of(url_id, region),
        "FunctionArn": arn,
        "AuthType": request["AuthType"],
        "Cors": request.get("Cors") or {},
        "CreationTime": functions.now_text(),
        "LastModifiedTime": functions.now_text(),
        "InvokeMode": request.get("InvokeMode") or "BUFFERED",
        "_id": url_id,
    }
    record["url_configs"][key] = config
    index().put(url_id, {"account": account, "region": region, "name": name, "qualifier": key})
    return view(config, creating=True)


def view(config: dict[str, Any], *, creating: bool = False) -> dict[str, Any]:
    result = {key: value for key, value in config.items() if not key.startswith("_")}
    if creating:
        result.pop("LastModifiedTime")
    if not result["Cors"]:
        result.pop("Cors")
    return result


def require(
    account: str, region: str, record: dict[str, Any], name: str, qualifier: str | None
) -> dict[str, Any]:
    config: dict[str, Any] | None = record["url_configs"].get(qualifier or "")
    if config is None:
        raise ResourceNotFoundException("The resource you requested does not exist.")
    return config


def update(
    account: str, region: str, record: dict[str, Any], name: str, request: dict[str, Any]
) -> dict[str, Any]:
    config = require(account, region, record, name, request.get("Qualifier"))
    for member in ("AuthType", "Cors", "InvokeMode"):
        if member in request:
            config[member] = request[member]
    config["LastModifiedTime"] = functions.now_text()
    return view(config)


def delete(account: str, region: str, record: dict[str, Any], name: str, qualifier: str | None) -> None:
    config = require(account, region, record, name, qualifier)
    del record["url_configs"][qualifier or ""]
    index().delete(config["_id"])


def forget(record: dict[str, Any]) -> None:
    """A deleted function's URLs stop answering."""
    for config in record.get("url_configs", {}).values():
        index().delete(config["_id"])
