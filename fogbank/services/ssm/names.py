"""Parameter names: the naming rules, hierarchy levels, `name:version` / `name:label` selectors,
ARNs and path membership.

Rules from https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-parameter-name-constraints.html
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fogbank.context import RequestContext
from fogbank.services.ssm.errors import (
    AccessDeniedException,
    HierarchyLevelLimitExceededException,
    ValidationException,
)

MAX_HIERARCHY_LEVELS = 15
_VALID_NAME = re.compile(r"[a-zA-Z0-9_.\-/]+")
_RESERVED = ("aws", "ssm")

RESERVED_PREFIX = 'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).'
INVALID_PATH_NAME = (
    'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it '
    "can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, "
    "numbers and the following 3 symbols .-_"
)
INVALID_PATH = (
    "The parameter doesn't meet the parameter name requirements. The parameter name must begin with a "
    'forward slash "/". It can\'t be prefixed with "aws" or "ssm" (case-insensitive). It must use only '
    "letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters "
    'are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: '
    "/get/parameters2-/by1./path0_."
)


def is_public(name: str) -> bool:
    """AWS's public parameters (`/aws/service/...`): out of fogbank's scope, so never found."""
    return name.lower().startswith("/aws/")


def check_new_name(name: str) -> None:
    """The rules PutParameter enforces on the name of a parameter it creates or overwrites."""
    is_path = "/" in name
    if is_path and name.lower().startswith("/aws/"):
        raise AccessDeniedException(f"No access to reserved parameter name: {name}.")
    if not _VALID_NAME.fullmatch(name) or "//" in name or (is_path and name.endswith("/")):
        raise ValidationException(INVALID_PATH_NAME)
    first = name.lstrip("/").lower()
    if first.startswith(_RESERVED):
        raise ValidationException(INVALID_PATH_NAME if is_path else RESERVED_PREFIX)
    if is_path and not name.startswith("/"):
        raise ValidationException("Parameter name must be a fully qualified name.")
    if name.count("/") > MAX_HIERARCHY_LEVELS:
        raise HierarchyLevelLimitExceededException(
            "A hierarchy can have a maximum of 15 levels. For more information, see "
            "https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-su-create.html"
        )


def check_path(path: str) -> str:
    """A GetParametersByPath path, normalized to end with '/'."""
    if not path.startswith("/") or "//" in path or not _VALID_NAME.fullmatch(path):
        raise ValidationException(INVALID_PATH)
    return path if path.endswith("/") else path + "/"


def in_path(name: str, path: str, recursive: bool) -> bool:
    """Whether `name` lies below `path` (ending with '/'); names without a leading slash sit at the root."""
    qualified = name if name.startswith("/") else "/" + name
    if not qualified.startswith(path):
        return False
    return recursive or "/" not in qualified[len(path) :]


def arn(ctx: RequestContext, name: str) -> str:
    """`arn:aws:ssm:<region>:<account>:parameter/<name without leading slash>`."""
    return ctx.arn("ssm", "parameter/" + name.lstrip("/"))


@dataclass(slots=True)
class Selector:
    """A requested name, split into the parameter name and its optional `:version` or `:label`."""

    name: str
    version: int | None = None
    label: str | None = None
    from_arn: bool = False  # an ARN drops the leading slash of single-level names: try both forms

    @property
    def suffix(self) -> str:
        if self.version is not None:
            return f":{self.version}"
        return f":{self.label}" if self.label is not None else ""


def parse_selector(ctx: RequestContext, requested: str) -> Selector:
    """Split `name`, `name:3`, `name:label` or a parameter ARN (with the same suffixes)."""
    text = requested
    prefix = ctx.arn("ssm", "parameter")
    if text.startswith(prefix):
        text = text[len(prefix) :]
        if not text.startswith("/"):
            return Selector(requested)
    from_arn = text is not requested
    name, colon, qualifier = text.partition(":")
    if not colon:
        return Selector(name, from_arn=from_arn)
    if ":" in qualifier or not qualifier:
        raise ValidationException(
            f"Invalid parameter name. Please ensure that the parameter name contains only valid characters: "
            f"{requested}"
        )
    if qualifier.isdigit():
        return Selector(name, version=int(qualifier), from_arn=from_arn)
    return Selector(name, label=qualifier, from_arn=from_arn)
