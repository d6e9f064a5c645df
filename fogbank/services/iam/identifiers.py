"""IAM identifiers: unique ids (AIDA/AGPA/AROA/ANPA/AIPA + 17 characters), access key ids and
secrets, ARNs with paths, and the name and path rules of the IAM API reference."""

from __future__ import annotations

import re
import secrets
import string

from fogbank.services.iam.errors import IamValidationError

# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
USER_ID_PREFIX = "AIDA"
GROUP_ID_PREFIX = "AGPA"
ROLE_ID_PREFIX = "AROA"
POLICY_ID_PREFIX = "ANPA"
INSTANCE_PROFILE_ID_PREFIX = "AIPA"
ACCESS_KEY_PREFIX = "AKIA"
SESSION_KEY_PREFIX = "ASIA"

_ID_ALPHABET = string.ascii_uppercase + "234567"  # AWS ids use base32 characters
_SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"

NAME_PATTERN = r"[\w+=,.@-]+"
PATH_PATTERN = r"(\u002F)|(\u002F[\u0021-\u007E]+\u002F)"
_NAME = re.compile(NAME_PATTERN)
_PATH = re.compile(r"/|/[\x21-\x7e]+/")


def unique_id(prefix: str) -> str:
    """A unique id as IAM shows it: a 4-letter type prefix and 17 base32 characters."""
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(17))


def access_key_id(prefix: str = ACCESS_KEY_PREFIX) -> str:
    """A 20-character access key id (AKIA… for IAM users, ASIA… for temporary credentials)."""
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(16))


def secret_access_key() -> str:
    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))


def iam_arn(account: str, kind: str, path: str, name: str) -> str:
    """`arn:aws:iam::<account>:<kind><path><name>`, e.g. `…:role/service-role/my-role`."""
    return f"arn:aws:iam::{account}:{kind}{path}{name}"


def check_name(value: str, member: str) -> None:
    """IAM names allow letters, digits and `+=,.@_-` (the model's pattern, checked as AWS does)."""
    if not _NAME.fullmatch(value):
        raise IamValidationError(
            f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
            f"Member must satisfy regular expression pattern: {NAME_PATTERN}"
        )


def check_path(value: str | None, member: str = "path") -> str:
    """A path begins and ends with `/` (default `/`)."""
    if value is None:
        return "/"
    if not _PATH.fullmatch(value):
        raise IamValidationError(
            f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
            f"Member must satisfy regular expression pattern: {PATH_PATTERN}"
        )
    return value


def name_from_arn(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]
