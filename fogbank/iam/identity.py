"""From an access key to the account (and principal) behind it.

A 12-digit access key id stands for that account (LocalStack's convention, so multi-account tests
work without IAM); keys issued by IAM or STS map to the account that issued them; anything else is
the default account.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fogbank.context import DEFAULT_ACCOUNT


@dataclass(frozen=True, slots=True)
class Principal:
    account: str
    arn: str
    user_id: str
    secret_key: str | None = None  # known for keys fogbank issued (signature verification)


# Resolvers registered by IAM and STS for the keys they issue (tried in order).
_resolvers: list[Callable[[str], Principal | None]] = []


def register_resolver(resolver: Callable[[str], Principal | None]) -> None:
    if resolver not in _resolvers:
        _resolvers.append(resolver)


def resolve(access_key: str) -> Principal:
    for resolver in _resolvers:
        found = resolver(access_key)
        if found is not None:
            return found
    account = access_key if len(access_key) == 12 and access_key.isdigit() else DEFAULT_ACCOUNT
    return Principal(account, f"arn:aws:iam::{account}:root", account)


def account_for_key(access_key: str) -> str:
    if not access_key:
        return DEFAULT_ACCOUNT
    if len(access_key) == 12 and access_key.isdigit() and not _resolvers:
        return access_key
    return resolve(access_key).account
