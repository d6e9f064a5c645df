"""Helpers shared by the STS behaviour tests: trust policies, tokens and error unpacking."""

from __future__ import annotations

import base64
import json
from typing import Any

from iam_support import error_of

__all__ = ["error_of", "jwt", "saml_assertion", "trust"]  # error_of: as the IAM tests unpack errors


def trust(principal: dict[str, Any], action: str = "sts:AssumeRole", **extra: Any) -> str:
    statement = {"Effect": "Allow", "Principal": principal, "Action": action, **extra}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def jwt(claims: dict[str, Any]) -> str:
    """An (unsigned-for-our-purposes) OpenID Connect ID token with the given claims."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256', 'kid': 'k'})}.{part(claims)}.c2lnbmF0dXJl"


def saml_assertion(issuer: str, subject: str, session_name: str) -> str:
    xml = f"""<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"
        xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">
      <saml:Issuer>{issuer}</saml:Issuer>
      <saml:Assertion>
        <saml:Issuer>{issuer}</saml:Issuer>
        <saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">{subject}</saml:NameID>
        </saml:Subject>
        <saml:Conditions><saml:AudienceRestriction><saml:Audience>https://signin.aws.amazon.com/saml</saml:Audience>
        </saml:AudienceRestriction></saml:Conditions>
        <saml:AttributeStatement>
          <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName">
            <saml:AttributeValue>{session_name}</saml:AttributeValue>
          </saml:Attribute>
        </saml:AttributeStatement>
      </saml:Assertion>
    </samlp:Response>"""
    return base64.b64encode(xml.encode()).decode()
