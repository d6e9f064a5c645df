"""From an access key to the account and principal behind it, and the durable index of the keys
fogbank issued.

A 12-digit access key id stands for that account (LocalStack's convention, so multi-account tests
work without IAM); keys that IAM (`AKIA…`) or STS (`ASIA…`) issued map to the principal they were
issued for; anything else is the root of the default account.

The index lives in two durable collections that this module reads directly, so a key resolves
right after a restart even before IAM or STS are loaded, and resetting a service forgets the keys
it issued:

- ("iam", "access-key-index", "global"): AKIA… → {"account", "arn", "user_id", "secret", "status",
  "user_name", "last_used"}
- ("sts", "session-credentials", "global"): ASIA… → {"account", "arn", "user_id", "secret", "token",
  "expires", plus what the issuing call recorded (session policy, tags, source identity…)}
- ("sts", "role-last-used", "global"): role ARN → {"date", "region"} of the last role session
  (IAM's GetRole reports it as RoleLastUsed)

The gateway asks `account_for_key` on every request: the default `test` key and 12-digit ids
answer without any lookup, issued keys with one in-memory dict lookup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fogbank import clock
from fogbank.context import DEFAULT_ACCOUNT
from fogbank.state import Collection, database

# The default key pair (`test`/`test`); 12-digit account key ids sign with the same secret.
DEFAULT_ACCESS_KEY = "test"
DEFAULT_SECRET = "test"
IAM_KEY_PREFIX = "AKIA"
STS_KEY_PREFIX = "ASIA"
# Last-used bookkeeping is written at most this often per key (AWS also reports it lazily).
_LAST_USED_WRITE_INTERVAL = 60.0


@dataclass(frozen=True, slots=True)
class Principal:
    account: str
    arn: str
    user_id: str
    secret_key: str | None = None  # known for keys fogbank issued (signature verification)
    session_token: str | None = None  # temporary credentials only
    expires: float | None = None  # temporary credentials only (epoch seconds on fogbank's clock)
    active: bool = True  # IAM keys can be made Inactive
    issued: bool = False  # True when IAM or STS issued the key (False: root by convention)
    details: dict[str, Any] = field(default_factory=dict, compare=False)

    def is_expired(self) -> bool:
        return self.expires is not None and clock.now() >= self.expires


# Resolvers other services may register for keys they issue (tried after the index).
_resolvers: list[Callable[[str], Principal | None]] = []


def register_resolver(resolver: Callable[[str], Principal | None]) -> None:
    if resolver not in _resolvers:
        _resolvers.append(resolver)


def iam_key_index() -> Collection[dict[str, Any]]:
    return database().collection("iam", "access-key-index", "global")


def session_index() -> Collection[dict[str, Any]]:
    return database().collection("sts", "session-credentials", "global")


def _indexed(access_key: str) -> dict[str, Any] | None:
    prefix = access_key[:4]
    if prefix == IAM_KEY_PREFIX:
        return iam_key_index().get(access_key)
    if prefix == STS_KEY_PREFIX:
        return session_index().get(access_key)
    return None


def root_principal(account: str) -> Principal:
    return Principal(account, f"arn:aws:iam::{account}:root", account, DEFAULT_SECRET)


def resolve(access_key: str) -> Principal:
    """The principal behind a key; unknown keys are the root of their (default) account."""
    record = _indexed(access_key) if access_key else None
    if record is not None:
        return Principal(
            account=record["account"],
            arn=record["arn"],
            user_id=record["user_id"],
            secret_key=record["secret"],
            session_token=record.get("token"),
            expires=record.get("expires"),
            active=record.get("status", "Active") == "Active",
            issued=True,
            details=record,
        )
    for resolver in _resolvers:
        found = resolver(access_key)
        if found is not None:
            return found
    account = access_key if len(access_key) == 12 and access_key.isdigit() else DEFAULT_ACCOUNT
    return root_principal(account)


def is_known_key(access_key: str) -> bool:
    """Whether signatures made with this key can be checked: issued keys and the default pairs."""
    if access_key == DEFAULT_ACCESS_KEY or (len(access_key) == 12 and access_key.isdigit()):
        return True
    return _indexed(access_key) is not None or any(resolver(access_key) for resolver in _resolvers)


def account_for_key(access_key: str, service: str = "", region: str = "") -> str:
    """The account a request acts in (called for every request: keep it cheap)."""
    if not access_key or access_key == DEFAULT_ACCESS_KEY:
        return DEFAULT_ACCOUNT
    if len(access_key) == 12 and access_key.isdigit():
        return access_key
    record = _indexed(access_key)
    if record is not None:
        if service and access_key[:4] == IAM_KEY_PREFIX:
            _note_use(access_key, record, service, region)
        return str(record["account"])
    if _resolvers:
        return resolve(access_key).account
    return DEFAULT_ACCOUNT


def _note_use(access_key: str, record: dict[str, Any], service: str, region: str) -> None:
    """Remember when and where an IAM key was last used (GetAccessKeyLastUsed)."""
    now = clock.now()
    last = record.get("last_used")
    if (
        last
        and last["service"] == service
        and last["region"] == region
        and now - last["date"] < _LAST_USED_WRITE_INTERVAL
    ):
        return
    record["last_used"] = {"date": now, "service": service, "region": region}
    iam_key_index().put(access_key, record)


# -- writing the index (IAM and STS call these when they issue, change or delete keys) ----------


def index_iam_key(access_key: str, record: dict[str, Any]) -> None:
    iam_key_index().put(access_key, record)


def forget_iam_key(access_key: str) -> None:
    iam_key_index().delete(access_key)


def index_session(access_key: str, record: dict[str, Any]) -> None:
    session_index().put(access_key, record)


def _role_usage() -> Collection[dict[str, Any]]:
    return database().collection("sts", "role-last-used", "global")


def note_role_use(role_arn: str, region: str) -> None:
    _role_usage().put(role_arn, {"date": clock.now(), "region": region})


def role_last_used(role_arn: str) -> dict[str, Any] | None:
    return _role_usage().get(role_arn)


def forget_role_use(role_arn: str) -> None:
    _role_usage().delete(role_arn)
