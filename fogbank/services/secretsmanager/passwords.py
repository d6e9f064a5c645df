"""GetRandomPassword: random passwords from the character types the request keeps.

https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetRandomPassword.html — default
length 32; punctuation is ``!"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~``; by default the password contains at
least one character of every included type.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from fogbank.services.secretsmanager.errors import InvalidParameterException

DEFAULT_LENGTH = 32
PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"


def character_types(request: dict[str, Any]) -> list[str]:
    """The included character types, each without the excluded characters (empty types dropped)."""
    types = []
    if not request.get("ExcludeLowercase"):
        types.append(string.ascii_lowercase)
    if not request.get("ExcludeUppercase"):
        types.append(string.ascii_uppercase)
    if not request.get("ExcludeNumbers"):
        types.append(string.digits)
    if not request.get("ExcludePunctuation"):
        types.append(PUNCTUATION)
    if request.get("IncludeSpace"):
        types.append(" ")
    excluded = set(request.get("ExcludeCharacters") or "")
    kept = ["".join(ch for ch in chars if ch not in excluded) for chars in types]
    return [chars for chars in kept if chars]


def generate(request: dict[str, Any]) -> str:
    length = request.get("PasswordLength") or DEFAULT_LENGTH
    types = character_types(request)
    if not types:
        raise InvalidParameterException(
            "The password can't be generated: every character type is excluded or all of its characters are in "
            "ExcludeCharacters."
        )
    require_each = request.get("RequireEachIncludedType", True)
    if require_each and length < len(types):
        raise InvalidParameterException("Password length is too short based on the required types.")
    alphabet = "".join(types)
    chosen = [secrets.choice(chars) for chars in types] if require_each else []
    chosen += [secrets.choice(alphabet) for _ in range(length - len(chosen))]
    secrets.SystemRandom().shuffle(chosen)
    return "".join(chosen)
