"""Temporary security credentials: ASIA… access key ids, 40-character secrets, session tokens and
an expiration on fogbank's clock, recorded in the identity index so that every later request made
with them acts as the principal they were issued for, in that principal's account.
"""

from __future__ import annotations

import base64
import json
import math
import re
import secrets
import string
import zlib
from typing import Any

from fogbank import clock
from fogbank.iam import identity, mfa
from fogbank.services.sts.errors import (
    AccessDenied,
    InvalidParameterValue,
    MalformedPolicyDocument,
    PackedPolicyTooLarge,
    StsValidationError,
)

_ID_ALPHABET = string.ascii_uppercase + "234567"
_SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"
_NAME_PATTERN = r"[\w+=,.@-]*"
# The packed (compressed) session policy and tags must fit this many bytes; PackedPolicySize is
# the percentage used (STS API reference, AssumeRole "PackedPolicySize").
_PACKED_LIMIT = 2048
_PLAINTEXT_POLICY_LIMIT = 2048


def _key_id() -> str:
    return identity.STS_KEY_PREFIX + "".join(secrets.choice(_ID_ALPHABET) for _ in range(16))


def _secret() -> str:
    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))


def _token() -> str:
    # Session tokens are opaque base64 text of a few hundred characters.
    return "FwoGZXIvYXdzE" + base64.b64encode(secrets.token_bytes(240)).decode()


def issue(account: str, arn: str, user_id: str, duration: int, **details: Any) -> dict[str, Any]:
    """New temporary credentials for `arn` in `account`, valid for `duration` seconds."""
    key_id, secret, token = _key_id(), _secret(), _token()
    expires = clock.now() + duration
    record = {
        "account": account,
        "arn": arn,
        "user_id": user_id,
        "secret": secret,
        "token": token,
        "expires": expires,
        "issued": clock.now(),
        **details,
    }
    identity.index_session(key_id, record)
    return {"AccessKeyId": key_id, "SecretAccessKey": secret, "SessionToken": token, "Expiration": expires}


def check_name(value: str, member: str) -> None:
    if not re.fullmatch(_NAME_PATTERN, value):
        raise StsValidationError(
            f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
            f"Member must satisfy regular expression pattern: {_NAME_PATTERN}"
        )


def check_session_policy(policy: str | None) -> None:
    """A session policy is an identity policy: JSON with statements (IAM validates the grammar)."""
    if policy is None:
        return
    if len(policy) > _PLAINTEXT_POLICY_LIMIT:
        raise StsValidationError(
            f"1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have "
            f"length less than or equal to {_PLAINTEXT_POLICY_LIMIT}"
        )
    try:
        parsed = json.loads(policy)
    except ValueError:
        raise MalformedPolicyDocument("Syntax errors in policy.") from None
    if not isinstance(parsed, dict) or "Statement" not in parsed:
        raise MalformedPolicyDocument("Syntax errors in policy.")


def packed_policy_size(request: dict[str, Any]) -> int | None:
    """The percentage of the packed-policy allowance used by the session policy and tags."""
    parts = {key: request.get(key) for key in ("Policy", "PolicyArns", "Tags") if request.get(key)}
    if not parts:
        return None
    packed = zlib.compress(json.dumps(parts, sort_keys=True, separators=(",", ":")).encode(), 9)
    size = math.ceil(len(packed) * 100 / _PACKED_LIMIT)
    if size > 100:
        raise PackedPolicyTooLarge(
            f"Packed policy consumes {size}% of allotted space, please use smaller policy."
        )
    return size


def caller_is_session(principal: identity.Principal) -> bool:
    """Temporary credentials of any kind (role, federated user or session token)."""
    return principal.session_token is not None


def is_role_session(principal: identity.Principal) -> bool:
    """A role session: assuming a role with it is role chaining (IAM User Guide, "Role chaining")."""
    return principal.session_token is not None and ":assumed-role/" in principal.arn


def mfa_authenticated(caller: identity.Principal, serial: str | None, code: str | None) -> bool:
    """Check an MFA code sent with AssumeRole or GetSessionToken against the caller's enabled
    virtual device; True when the session is MFA-authenticated."""
    if serial is None and code is None:
        return False
    if serial is None or code is None:
        raise AccessDenied(
            "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code."
        )
    device = mfa.device(serial)
    if device is None or device.get("user_arn") != caller.arn:
        raise AccessDenied(
            "MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is "
            "valid and associated with this user."
        )
    if mfa.matching_step(device["seed"], code) is None:
        raise AccessDenied("MultiFactorAuthentication failed with invalid MFA one time pass code. ")
    return True


def session_tags(
    caller: identity.Principal, request: dict[str, Any]
) -> tuple[list[dict[str, str]], list[str]]:
    """The new session's tags and transitive keys: those requested plus the transitive tags the
    calling role session passes down its chain (IAM User Guide, "Chaining roles with session tags")."""
    tags = list(request.get("Tags") or [])
    transitive = list(request.get("TransitiveTagKeys") or [])
    requested = {tag["Key"].lower() for tag in tags}
    if any(key.lower() not in requested for key in transitive):
        raise StsValidationError("The specified transitive tag key must be included in the requested tags.")
    inherited_keys = {key.lower() for key in caller.details.get("transitive_tag_keys") or []}
    inherited = [tag for tag in caller.details.get("tags") or [] if tag["Key"].lower() in inherited_keys]
    clashing = sorted(tag["Key"] for tag in inherited if tag["Key"].lower() in requested)
    if clashing:
        raise InvalidParameterValue(
            f"Session tags {clashing} conflict with transitive tags the calling session passes on."
        )
    return inherited + tags, [tag["Key"] for tag in inherited] + transitive
