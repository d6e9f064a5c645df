"""Federated sign-in checks: a web identity token's issuer must be an OpenID Connect provider of the
role's account (through IAM's public GetOpenIDConnectProvider) with the token's audience among its
client ids; a SAML assertion's PrincipalArn must be a SAML provider of that account. The identity
providers AWS runs itself (Amazon, Facebook, Google, Cognito) need no IAM provider.
"""

from __future__ import annotations

from typing import Any

from fogbank.errors import AwsError
from fogbank.services.calls import call
from fogbank.services.sts.errors import InvalidIdentityToken

BUILT_IN_ISSUERS = frozenset(
    {"accounts.google.com", "graph.facebook.com", "www.amazon.com", "cognito-identity.amazonaws.com"}
)


def _iam(operation: str, params: dict[str, Any], account: str, region: str) -> dict[str, Any] | None:
    """An IAM read, or None when IAM answers NoSuchEntity."""
    try:
        return call("iam", operation, params, account=account, region=region)
    except AwsError as error:
        if error.code == "NoSuchEntity":
            return None
        raise


def check_oidc(issuer: str, audience: Any, account: str, region: str) -> None:
    host = issuer.removeprefix("https://").rstrip("/")
    if host in BUILT_IN_ISSUERS:
        return
    arn = f"arn:aws:iam::{account}:oidc-provider/{host}"
    provider = _iam("GetOpenIDConnectProvider", {"OpenIDConnectProviderArn": arn}, account, region)
    if provider is None:
        raise InvalidIdentityToken(f"No OpenIDConnect provider found in your account for {issuer}")
    audiences = audience if isinstance(audience, list) else [audience]
    if not any(item in provider.get("ClientIDList", []) for item in audiences):
        raise InvalidIdentityToken("Incorrect token audience")


def check_saml(provider_arn: str, account: str, region: str) -> None:
    if _iam("GetSAMLProvider", {"SAMLProviderArn": provider_arn}, account, region) is None:
        raise InvalidIdentityToken(f"The SAML provider {provider_arn} does not exist in account {account}.")
