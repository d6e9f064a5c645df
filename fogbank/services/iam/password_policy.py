"""The account password policy (Get/Update/DeleteAccountPasswordPolicy) and the check of console
passwords against it when login profiles are created or changed.

Settings left out of UpdateAccountPasswordPolicy return to their defaults (IAM API reference).
Without a custom policy, passwords are not checked here.
"""

from __future__ import annotations

import string
from typing import Any

from fogbank import state
from fogbank.context import RequestContext
from fogbank.services.iam.errors import NoSuchEntity, PasswordPolicyViolation

_DEFAULTS: dict[str, Any] = {
    "MinimumPasswordLength": 6,
    "RequireSymbols": False,
    "RequireNumbers": False,
    "RequireUppercaseCharacters": False,
    "RequireLowercaseCharacters": False,
    "AllowUsersToChangePassword": False,
    "HardExpiry": False,
}
_SYMBOLS = set("!@#$%^&*()_+-=[]{}|'")
_CHARACTER_RULES = (
    ("RequireUppercaseCharacters", set(string.ascii_uppercase), "at least one uppercase letter"),
    ("RequireLowercaseCharacters", set(string.ascii_lowercase), "at least one lowercase letter"),
    ("RequireNumbers", set(string.digits), "at least one number"),
    ("RequireSymbols", _SYMBOLS, "at least one symbol"),
)


def _settings(ctx: RequestContext) -> state.Collection[dict[str, Any]]:
    return state.collection("iam", "account", ctx.account)


def update(ctx: RequestContext, request: dict[str, Any]) -> None:
    policy = {**_DEFAULTS, **{key: value for key, value in request.items() if value is not None}}
    policy["ExpirePasswords"] = bool(policy.get("MaxPasswordAge"))
    _settings(ctx).put("password-policy", policy)


def get(ctx: RequestContext) -> dict[str, Any]:
    policy = _settings(ctx).get("password-policy")
    if policy is None:
        raise NoSuchEntity(f"The Password Policy with domain name {ctx.account} cannot be found.")
    return policy


def delete(ctx: RequestContext) -> None:
    get(ctx)
    _settings(ctx).delete("password-policy")


def check(ctx: RequestContext, password: str) -> None:
    """PasswordPolicyViolation for a password the account's policy refuses."""
    policy = _settings(ctx).get("password-policy")
    if policy is None:
        return
    if len(password) < policy["MinimumPasswordLength"]:
        raise PasswordPolicyViolation(
            f"Password should have a minimum length of {policy['MinimumPasswordLength']}"
        )
    for setting, characters, wording in _CHARACTER_RULES:
        if policy.get(setting) and not characters.intersection(password):
            raise PasswordPolicyViolation(f"Password should have {wording}")
