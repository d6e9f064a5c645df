"""Parameter labels: which labels are valid, moving a label between versions, and the 10-label limit.

https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-labels.html — a label
has at most 100 characters of letters, numbers, periods, hyphens and underscores; it can't begin with
a number, "aws" or "ssm" (any case); a label names at most one version of a parameter.
"""

from __future__ import annotations

import re
from typing import Any

from fogbank.services.ssm.errors import ParameterVersionLabelLimitExceeded, ParameterVersionNotFound

MAX_LABELS_PER_VERSION = 10
_LABEL = re.compile(r"[a-zA-Z0-9_.\-]{1,100}")


def is_valid(label: str) -> bool:
    return (
        bool(_LABEL.fullmatch(label))
        and not label[0].isdigit()
        and not label.lower().startswith(("aws", "ssm"))
    )


def find_version(name: str, versions: list[dict[str, Any]], number: int | None) -> dict[str, Any]:
    if number is None:
        return versions[-1]
    for version in versions:
        if version["Version"] == number:
            return version
    raise ParameterVersionNotFound(
        f"Systems Manager could not find version {number} of {name}. Verify the version and try again."
    )


def attach(versions: list[dict[str, Any]], target: dict[str, Any], labels: list[str]) -> list[str]:
    """Put the valid labels on `target` (moving them off other versions); returns the invalid ones."""
    invalid = [label for label in labels if not is_valid(label)]
    valid = [label for label in dict.fromkeys(labels) if is_valid(label)]
    added = [label for label in valid if label not in target["Labels"]]
    if len(target["Labels"]) + len(added) > MAX_LABELS_PER_VERSION:
        raise ParameterVersionLabelLimitExceeded(
            "A parameter version can have maximum 10 labels.Move one or more labels to another version and "
            "try again."
        )
    for version in versions:
        if version is not target:
            version["Labels"] = [label for label in version["Labels"] if label not in valid]
    target["Labels"] = target["Labels"] + added
    return invalid


def detach(target: dict[str, Any], labels: list[str]) -> tuple[list[str], list[str]]:
    """Remove labels from `target`: (removed, invalid = not on this version)."""
    removed = [label for label in dict.fromkeys(labels) if label in target["Labels"]]
    invalid = [label for label in dict.fromkeys(labels) if label not in target["Labels"]]
    target["Labels"] = [label for label in target["Labels"] if label not in removed]
    return removed, invalid
