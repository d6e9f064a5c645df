"""Virtual MFA devices as authentication sees them: the durable index of device seeds (IAM writes
it; STS reads it to check MFA codes without loading IAM) and time-based one-time passwords
(RFC 6238: HMAC-SHA1, 30-second steps, 6 digits) on fogbank's clock.

Index: ("iam", "mfa-index", "global"): serial number → {"account", "seed" (base32), "user_arn"
(None until enabled)}.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Any

from fogbank import clock
from fogbank.state import Collection, database

STEP_SECONDS = 30
# Codes from the neighbouring steps are accepted too: device clocks drift.
_WINDOW = 1


def _index() -> Collection[dict[str, Any]]:
    return database().collection("iam", "mfa-index", "global")


def new_seed() -> str:
    """A base32 seed of 64 characters, like the ones IAM gives virtual devices."""
    return base64.b32encode(secrets.token_bytes(40)).decode()


def code_at(seed: str, step: int) -> str:
    digest = hmac.new(base64.b32decode(seed), step.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = (int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF) % 1_000_000
    return f"{value:06d}"


def current_step() -> int:
    return int(clock.now() // STEP_SECONDS)


def matching_step(seed: str, code: str) -> int | None:
    """The step (near now) whose code this is, or None."""
    now = current_step()
    for step in range(now - _WINDOW, now + _WINDOW + 1):
        if hmac.compare_digest(code_at(seed, step), code):
            return step
    return None


def consecutive_codes_match(seed: str, first: str, second: str) -> bool:
    """EnableMFADevice and ResyncMFADevice take two consecutive codes."""
    now = current_step()
    for step in range(now - _WINDOW - 1, now + _WINDOW + 1):
        if hmac.compare_digest(code_at(seed, step), first) and hmac.compare_digest(
            code_at(seed, step + 1), second
        ):
            return True
    return False


def index_device(serial: str, record: dict[str, Any]) -> None:
    _index().put(serial, record)


def forget_device(serial: str) -> None:
    _index().delete(serial)


def device(serial: str) -> dict[str, Any] | None:
    return _index().get(serial)
