"""Parameter filters of DescribeParameters (`Filters`, `ParameterFilters`) and GetParametersByPath.

https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_ParameterStringFilter.html:
DescribeParameters takes every key but Label; GetParametersByPath takes Type, KeyId and Label. Options
are Equals and BeginsWith (Name also Contains; Path takes OneLevel or Recursive).
"""

from __future__ import annotations

from typing import Any

from fogbank.services.ssm import names
from fogbank.services.ssm.errors import (
    InvalidFilterKey,
    InvalidFilterOption,
    InvalidFilterValue,
    ValidationException,
)

Filter = dict[str, Any]

DESCRIBE_KEYS = ("Path", "Name", "Type", "KeyId", "Tier", "DataType")
BY_PATH_KEYS = ("Type", "KeyId", "Label")
_ALLOWED_VALUES = {
    "Type": ("String", "StringList", "SecureString"),
    "Tier": ("Standard", "Advanced", "Intelligent-Tiering"),
}


def _option(item: Filter) -> str:
    return item.get("Option") or ("OneLevel" if item["Key"] == "Path" else "Equals")


def check(filters: list[Filter], by_path: bool) -> None:
    """Reject what AWS rejects: unknown or repeated keys, bad options, missing or bad values."""
    seen: set[str] = set()
    allowed = BY_PATH_KEYS if by_path else DESCRIBE_KEYS
    for item in filters:
        key = item["Key"]
        is_tag = key.startswith("tag:")
        if (is_tag and by_path) or (not is_tag and key not in allowed):
            raise InvalidFilterKey(
                f"The following filter key is not valid: {key}. Valid filter keys include: [{', '.join(allowed)}]."
            )
        if key in seen:
            raise InvalidFilterKey(
                f"The following filter is duplicated in the request: {key}. A request can contain only one "
                "occurrence of a specific filter."
            )
        seen.add(key)
        _check_option(key, _option(item))
        _check_values(key, item.get("Values") or [], is_tag)


def _check_option(key: str, option: str) -> None:
    if key == "Path":
        valid = ["Recursive", "OneLevel"]
    elif key == "Name":
        valid = ["BeginsWith", "Equals", "Contains"]
    elif key == "Label":
        valid = ["Equals"]
    else:
        valid = ["BeginsWith", "Equals"]
    if option not in valid:
        raise InvalidFilterOption(
            f"The following filter option is not valid: {option}. Valid options include: [{', '.join(valid)}]."
        )


def _check_values(key: str, values: list[str], is_tag: bool) -> None:
    if not values and not is_tag:
        raise InvalidFilterValue(f"The following filter values are missing : null for filter key {key}.")
    for value in values:
        allowed = _ALLOWED_VALUES.get(key)
        if allowed and value not in allowed:
            raise InvalidFilterValue(
                f"The following filter value is not valid: {value}. Valid values include: [{', '.join(allowed)}]."
            )
        if key == "Path":
            if value.lower().startswith(("/aws", "/ssm")):
                raise ValidationException(
                    'Filters for common parameters can\'t be prefixed with "aws" or "ssm" (case-insensitive). '
                    "When using global parameters, please specify within a global namespace."
                )
            names.check_path(value)


def check_legacy(filters: list[Filter]) -> None:
    for item in filters:
        if not item.get("Values"):
            raise InvalidFilterValue(
                f"The following filter values are missing : null for filter key {item['Key']}."
            )


def matches(record: dict[str, Any], version: dict[str, Any], filters: list[Filter]) -> bool:
    """Every filter must hold; within one filter, any value may match."""
    return all(_matches_one(record, version, item) for item in filters)


def matches_legacy(version: dict[str, Any], name: str, filters: list[Filter]) -> bool:
    """The deprecated `Filters`: Name begins with, Type and KeyId equal."""
    for item in filters:
        if item["Key"] == "Name":
            ok = any(_plain(name).startswith(_plain(value)) for value in item["Values"])
        else:
            ok = version.get(item["Key"]) in item["Values"]
        if not ok:
            return False
    return True


def _plain(name: str) -> str:
    """Filter values compare names with or without the leading slash alike."""
    return name.lstrip("/")


def _matches_one(record: dict[str, Any], version: dict[str, Any], item: Filter) -> bool:
    key, option, values = item["Key"], _option(item), item.get("Values") or []
    if key.startswith("tag:"):
        tag = record["Tags"].get(key[4:])
        return tag is not None and (not values or _compare(tag, option, values))
    if key == "Path":
        return any(
            names.in_path(record["Name"], names.check_path(value), option == "Recursive") for value in values
        )
    if key == "Label":
        return any(label in version["Labels"] for label in values)
    if key == "Name":
        return _compare(_plain(record["Name"]), option, [_plain(value) for value in values])
    actual = version.get(key)
    return actual is not None and _compare(actual, option, values)


def _compare(actual: str, option: str, values: list[str]) -> bool:
    if option == "BeginsWith":
        return any(actual.startswith(value) for value in values)
    if option == "Contains":
        return any(value in actual for value in values)
    return actual in values
