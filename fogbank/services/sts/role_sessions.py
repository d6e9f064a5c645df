"""Role sessions: AssumeRole, AssumeRoleWithWebIdentity and AssumeRoleWithSAML find the role in its
own account (through IAM's public GetRole, so cross-account roles work), check the session name,
duration and external id, and issue credentials that act as
`arn:aws:sts::<role account>:assumed-role/<role name>/<session name>`.

Trust policies are stored by IAM and not evaluated yet (policy enforcement comes later), except
for their `sts:ExternalId` condition, which AssumeRole checks. Web identity tokens and SAML
assertions are read, not cryptographically verified (see `federation` for the provider checks).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote
from xml.etree import ElementTree

from fogbank import clock, state
from fogbank.errors import AwsError
from fogbank.iam import identity
from fogbank.services.calls import call
from fogbank.services.sts import credentials
from fogbank.services.sts.errors import AccessDenied, InvalidIdentityToken, StsValidationError

_ROLE_ARN = re.compile(r"arn:aws(?:-[a-z-]+)?:iam::(\d{12}):role(/(?:[\x21-\x7e]*/)?)([\w+=,.@-]+)")
DEFAULT_DURATION = 3600
CHAINED_MAX_DURATION = 3600


@dataclass(slots=True)
class Role:
    account: str
    name: str
    arn: str
    role_id: str
    max_session_duration: int
    trust_policy: str


def find_role(role_arn: str, caller_arn: str | None, action: str, region: str) -> Role:
    """The role named by `role_arn` in its own account; AccessDenied when there is none
    (STS does not reveal whether a role exists). Unsigned callers (web identity, SAML) have no ARN."""
    if caller_arn is None:
        denied = AccessDenied(f"Not authorized to perform sts:{action}")
    else:
        denied = AccessDenied(
            f"User: {caller_arn} is not authorized to perform: sts:{action} on resource: {role_arn}"
        )
    match = _ROLE_ARN.fullmatch(role_arn)
    if not match:
        raise StsValidationError(f"{role_arn} is invalid")
    account, _, name = match.groups()
    try:
        role = call("iam", "GetRole", {"RoleName": name}, account=account, region=region)["Role"]
    except AwsError as error:
        if error.code == "NoSuchEntity":
            raise denied from None
        raise
    if role["Arn"] != role_arn:
        raise denied
    return Role(
        account,
        role["RoleName"],
        role["Arn"],
        role["RoleId"],
        role["MaxSessionDuration"],
        unquote(role["AssumeRolePolicyDocument"]),
    )


def session_duration(requested: int | None, role: Role, *, chained: bool) -> int:
    """DurationSeconds within the role's MaxSessionDuration, and one hour when a role session
    assumes another role (IAM User Guide, "Role chaining")."""
    duration = requested or DEFAULT_DURATION
    if duration > role.max_session_duration:
        raise StsValidationError(
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
        )
    if chained and duration > CHAINED_MAX_DURATION:
        raise StsValidationError(
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
        )
    return duration


def check_external_id(role: Role, external_id: str | None, caller_arn: str) -> None:
    """A trust policy that requires `sts:ExternalId` admits only callers that send it."""
    required = _required_external_ids(role.trust_policy)
    if required is not None and external_id not in required:
        raise AccessDenied(
            f"User: {caller_arn} is not authorized to perform: sts:AssumeRole on resource: {role.arn}"
        )


def _required_external_ids(document: str) -> list[str] | None:
    try:
        statements = json.loads(document).get("Statement", [])
    except (ValueError, AttributeError):
        return None
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        for operator in ("StringEquals", "StringLike"):
            values = ((statement.get("Condition") or {}).get(operator) or {}).get("sts:ExternalId")
            if values is not None:
                return [str(value) for value in (values if isinstance(values, list) else [values])]
    return None


def start_session(
    role: Role, session_name: str, duration: int, region: str, **details: Any
) -> dict[str, Any]:
    """Issue the session's credentials, describe its assumed-role user, and note the role's use
    (IAM reports it as RoleLastUsed)."""
    arn = f"arn:aws:sts::{role.account}:assumed-role/{role.name}/{session_name}"
    user_id = f"{role.role_id}:{session_name}"
    with state.atomic():
        issued = credentials.issue(
            role.account, arn, user_id, duration, role_arn=role.arn, session_name=session_name, **details
        )
        identity.note_role_use(role.arn, region)
    return {"Credentials": issued, "AssumedRoleUser": {"AssumedRoleId": user_id, "Arn": arn}}


# -- web identity (OpenID Connect ID tokens) --------------------------------------------------


def token_claims(token: str) -> dict[str, Any]:
    """The claims of a JWT (header.payload.signature); the signature is not checked."""
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidIdentityToken(
            "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"
        )
    try:
        payload = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = json.loads(payload)
    except (ValueError, binascii.Error):
        raise InvalidIdentityToken(
            "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"
        ) from None
    if not isinstance(claims, dict):
        raise InvalidIdentityToken(
            "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"
        )
    expires = claims.get("exp")
    if isinstance(expires, int | float) and expires < clock.now():
        raise AwsError(
            "Token expired: current date/time must be before the expiration date/time.",
            code="ExpiredTokenException",
            status=400,
        )
    return claims


# -- SAML 2.0 assertions ----------------------------------------------------------------------

_SAML = "{urn:oasis:names:tc:SAML:2.0:assertion}"
_ROLE_SESSION_NAME = "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
_SESSION_DURATION = "https://aws.amazon.com/SAML/Attributes/SessionDuration"


@dataclass(slots=True)
class SamlAssertion:
    issuer: str
    subject: str
    subject_type: str
    audience: str
    session_name: str
    duration: int | None


def read_saml(encoded: str) -> SamlAssertion:
    """The parts of a base64 SAML response that STS uses (the XML signature is not checked)."""
    try:
        root = ElementTree.fromstring(base64.b64decode(encoded, validate=False))
    except (ValueError, binascii.Error, ElementTree.ParseError):
        raise InvalidIdentityToken(
            "Invalid SAML Assertion: the SAMLResponse is not valid base64-encoded XML."
        ) from None
    issuer = root.findtext(f".//{_SAML}Issuer") or ""
    name_id = root.find(f".//{_SAML}Subject/{_SAML}NameID")
    attributes = {
        attribute.get("Name"): [value.text or "" for value in attribute.findall(f"{_SAML}AttributeValue")]
        for attribute in root.iter(f"{_SAML}Attribute")
    }
    session_names = attributes.get(_ROLE_SESSION_NAME) or []
    if not session_names:
        raise InvalidIdentityToken(f"Missing required attribute {_ROLE_SESSION_NAME} in SAML assertion.")
    durations = attributes.get(_SESSION_DURATION) or []
    subject_format = name_id.get("Format", "") if name_id is not None else ""
    return SamlAssertion(
        issuer=issuer,
        subject=(name_id.text or "") if name_id is not None else "",
        subject_type=subject_format.rsplit(":", 1)[-1] if subject_format else "persistent",
        audience=root.findtext(f".//{_SAML}Audience") or "https://signin.aws.amazon.com/saml",
        session_name=session_names[0],
        duration=int(durations[0]) if durations and durations[0].isdigit() else None,
    )


def name_qualifier(issuer: str, account: str, provider_arn: str) -> str:
    """BASE64(SHA1(issuer + account + "/" + provider name)) (STS API reference, AssumeRoleWithSAML)."""
    provider = provider_arn.rsplit("/", 1)[-1]
    return base64.b64encode(hashlib.sha1(f"{issuer}{account}/{provider}".encode()).digest()).decode()
