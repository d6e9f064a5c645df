"""OpenID Connect and SAML identity providers: the federation sources that web identity and SAML
role sessions trust.

Records live in ("iam", "oidc-providers" | "saml-providers", <account>) keyed by ARN. An OIDC
provider's ARN names its URL without the scheme (`…:oidc-provider/token.actions.githubusercontent.com`);
quotas: 100 client ids and 5 thumbprints per provider (IAM and AWS STS quotas).
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from fogbank import clock, state
from fogbank.context import RequestContext
from fogbank.protocol.values import parse_timestamp
from fogbank.services.iam import tags
from fogbank.services.iam.errors import EntityAlreadyExists, InvalidInput, LimitExceeded, NoSuchEntity
from fogbank.services.iam.identifiers import check_name
from fogbank.state import Collection

MAX_CLIENT_IDS = 100
MAX_THUMBPRINTS = 5
_VALID_UNTIL = re.compile(rb'validUntil="([^"]+)"')
_SAML_DEFAULT_VALIDITY = 100 * 365 * 86400  # metadata without validUntil stays valid


def oidc_store(ctx: RequestContext) -> Collection[dict[str, Any]]:
    return state.collection("iam", "oidc-providers", ctx.account)


def saml_store(ctx: RequestContext) -> Collection[dict[str, Any]]:
    return state.collection("iam", "saml-providers", ctx.account)


# -- OpenID Connect -----------------------------------------------------------------------------


def _check_oidc_lists(client_ids: list[str], thumbprints: list[str]) -> None:
    if len(client_ids) > MAX_CLIENT_IDS:
        raise LimitExceeded(f"Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: {MAX_CLIENT_IDS}")
    if len(thumbprints) > MAX_THUMBPRINTS:
        raise LimitExceeded(f"Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: {MAX_THUMBPRINTS}")


def create_oidc(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    url = request["Url"]
    if not url.startswith("https://"):
        raise InvalidInput("Url must begin with https://")
    client_ids = list(dict.fromkeys(request.get("ClientIDList") or []))
    thumbprints = list(dict.fromkeys(request.get("ThumbprintList") or []))
    _check_oidc_lists(client_ids, thumbprints)
    arn = f"arn:aws:iam::{ctx.account}:oidc-provider/{url.removeprefix('https://').rstrip('/')}"
    if arn in oidc_store(ctx):
        raise EntityAlreadyExists(f"Provider with url {url} already exists.")
    record = {
        "Arn": arn,
        "Url": url.removeprefix("https://").rstrip("/"),
        "ClientIDList": client_ids,
        "ThumbprintList": thumbprints,
        "CreateDate": clock.now(),
        "Tags": tags.merged([], request.get("Tags") or []),
    }
    oidc_store(ctx).put(arn, record)
    return record


def require_oidc(ctx: RequestContext, arn: str) -> dict[str, Any]:
    record = oidc_store(ctx).get(arn)
    if record is None:
        raise NoSuchEntity(f"OpenIDConnect Provider not found for arn {arn}")
    return record


def oidc_view(record: dict[str, Any]) -> dict[str, Any]:
    result = {member: record[member] for member in ("Url", "ClientIDList", "ThumbprintList", "CreateDate")}
    if record["Tags"]:
        result["Tags"] = record["Tags"]
    return result


def change_oidc(
    ctx: RequestContext,
    arn: str,
    *,
    add_client: str | None = None,
    remove_client: str | None = None,
    thumbprints: list[str] | None = None,
) -> None:
    record = require_oidc(ctx, arn)
    client_ids = [cid for cid in record["ClientIDList"] if cid != remove_client]
    if add_client is not None and add_client not in client_ids:
        client_ids.append(add_client)
    new_thumbprints = (
        list(dict.fromkeys(thumbprints)) if thumbprints is not None else record["ThumbprintList"]
    )
    _check_oidc_lists(client_ids, new_thumbprints)
    record["ClientIDList"], record["ThumbprintList"] = client_ids, new_thumbprints
    oidc_store(ctx).put(arn, record)


# -- SAML ---------------------------------------------------------------------------------------


def _valid_until(metadata: str) -> float:
    """The metadata document's `validUntil`, if it has one."""
    found = _VALID_UNTIL.search(metadata.encode())
    if found:
        try:
            return parse_timestamp(found.group(1).decode()).timestamp()
        except Exception:  # noqa: BLE001 - an unreadable date is reported as malformed metadata
            raise InvalidInput("Could not parse metadata: validUntil is not a valid date.") from None
    return clock.now() + _SAML_DEFAULT_VALIDITY


def create_saml(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    name = request["Name"]
    check_name(name, "name")
    metadata = request["SAMLMetadataDocument"]
    if "EntityDescriptor" not in metadata:
        raise InvalidInput("Could not parse metadata")
    arn = f"arn:aws:iam::{ctx.account}:saml-provider/{name}"
    if arn in saml_store(ctx):
        raise EntityAlreadyExists(f"SAMLProvider {name} already exists.")
    record = {
        "Arn": arn,
        "SAMLMetadataDocument": metadata,
        "SAMLProviderUUID": str(uuid.uuid4()),
        "CreateDate": clock.now(),
        "ValidUntil": _valid_until(metadata),
        "Tags": tags.merged([], request.get("Tags") or []),
    }
    saml_store(ctx).put(arn, record)
    return record


def require_saml(ctx: RequestContext, arn: str) -> dict[str, Any]:
    record = saml_store(ctx).get(arn)
    if record is None:
        raise NoSuchEntity(f"Manifest not found for arn {arn}")
    return record


def update_saml(ctx: RequestContext, arn: str, metadata: str | None) -> None:
    record = require_saml(ctx, arn)
    if metadata is not None:
        if "EntityDescriptor" not in metadata:
            raise InvalidInput("Could not parse metadata")
        record["SAMLMetadataDocument"], record["ValidUntil"] = metadata, _valid_until(metadata)
        saml_store(ctx).put(arn, record)


def saml_view(record: dict[str, Any]) -> dict[str, Any]:
    result = {
        member: record[member]
        for member in ("SAMLProviderUUID", "SAMLMetadataDocument", "CreateDate", "ValidUntil")
    }
    if record["Tags"]:
        result["Tags"] = record["Tags"]
    return result
