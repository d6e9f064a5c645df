"""Parameters and their versions: creating and overwriting (PutParameter's rules), the value limits of
each tier, the 100-version history, and the views GetParameter / DescribeParameters answer.

A stored parameter is `{"Name", "Tags": {key: value}, "Versions": [version, ...]}` (oldest first).
A version holds everything PutParameter set for it; SecureString values are stored encrypted.
"""

from __future__ import annotations

import re
from typing import Any

from fogbank import clock, state
from fogbank.context import RequestContext
from fogbank.iam import identity
from fogbank.services.ssm import encryption, names, policies
from fogbank.services.ssm.errors import (
    InvalidAllowedPatternException,
    ParameterAlreadyExists,
    ParameterMaxVersionLimitExceeded,
    ParameterNotFound,
    ParameterPatternMismatchException,
    ParameterVersionNotFound,
    ValidationException,
)
from fogbank.services.ssm.tags import check_tags
from fogbank.state import Collection

Record = dict[str, Any]

MAX_VERSIONS = 100
# https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html
STANDARD_MAX_BYTES = 4096
ADVANCED_MAX_BYTES = 8192
DATA_TYPES = ("text", "aws:ec2:image")
_AMI_ID = re.compile(r"ami-([0-9a-f]{8}|[0-9a-f]{17})")

STANDARD_TOO_LARGE = (
    "Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger "
    "parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see "
    "https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html"
)
NO_DOWNGRADE = (
    "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the "
    "advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced "
    "parameter and recreate it as a standard parameter."
)
POLICIES_NEED_ADVANCED = (
    "Parameter policies are supported only for parameters in the advanced-parameter tier. Specify the "
    "Advanced or Intelligent-Tiering tier."
)
TAGS_WITH_OVERWRITE = (
    "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please "
    "remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or "
    "RemoveTagsFromResource."
)


def latest(record: Record) -> Record:
    return record["Versions"][-1]  # type: ignore[no-any-return]


def purge_expired(stored: Collection[Record]) -> None:
    """Parameters whose Expiration policy has come due on fogbank's clock are deleted."""
    now = clock.now()
    due = [name for name, record in stored.items() if (latest(record).get("ExpiresAt") or now + 1) <= now]
    if due:
        with state.atomic():
            for name in due:
                stored.delete(name)


def put(ctx: RequestContext, existing: Record | None, request: dict[str, Any]) -> Record:
    """The parameter after PutParameter (a new record, or `existing` with one more version)."""
    name = request["Name"]
    if request.get("Tags") and request.get("Overwrite"):
        raise ValidationException(TAGS_WITH_OVERWRITE)
    names.check_new_name(name)
    if existing is not None and not request.get("Overwrite"):
        raise ParameterAlreadyExists(
            "The parameter already exists. To overwrite this value, set the overwrite option in the request "
            "to true."
        )
    previous = latest(existing) if existing is not None else None
    version = _new_version(ctx, request, previous)
    if existing is None:
        return {"Name": name, "Tags": check_tags(request.get("Tags") or [], {}), "Versions": [version]}
    versions = list(existing["Versions"])
    if len(versions) >= MAX_VERSIONS:
        _drop_oldest(name, versions)
    version["Version"] = versions[-1]["Version"] + 1
    return {**existing, "Versions": [*versions, version]}


def _drop_oldest(name: str, versions: list[Record]) -> None:
    """At 100 versions the oldest goes, unless a label still points at it."""
    oldest = versions[0]
    if oldest["Labels"]:
        raise ParameterMaxVersionLimitExceeded(
            f"You attempted to create a new version of {name} by calling the PutParameter API with the "
            f"overwrite flag. Version {oldest['Version']}, the oldest version, can't be deleted because it "
            "has a label associated with it. Move the label to another version of the parameter, and try again."
        )
    del versions[0]


def _new_version(ctx: RequestContext, request: dict[str, Any], previous: Record | None) -> Record:
    """One version from the request; what an overwrite leaves out is kept from the previous version."""
    kept = previous or {}
    kind = request.get("Type") or kept.get("Type")
    if kind is None:
        raise ValidationException("A parameter type is required when you create a parameter.")
    value = request["Value"]
    if value == "":
        raise ValidationException(
            "1 validation error detected: Value '' at 'value' failed to satisfy constraint: Member must have "
            "length greater than or equal to 1."
        )
    pattern = request.get("AllowedPattern", kept.get("AllowedPattern"))
    _check_pattern(value, pattern)
    data_type = request.get("DataType") or kept.get("DataType") or "text"
    _check_data_type(kind, value, data_type)
    chosen = policies.parse(request["Policies"]) if "Policies" in request else kept.get("Policies", [])
    version: Record = {
        "Version": 1,
        "Type": kind,
        "Tier": _tier(request.get("Tier"), value, kept.get("Tier"), bool(chosen)),
        "DataType": data_type,
        "LastModifiedDate": clock.now(),
        "LastModifiedUser": identity.resolve(ctx.access_key).arn,
        "Labels": [],
        "Policies": chosen,
        "ExpiresAt": policies.expiry(chosen),
    }
    _set_optional(version, "Description", request.get("Description", kept.get("Description")))
    _set_optional(version, "AllowedPattern", pattern)
    key_id = _key_id(kind, request.get("KeyId"), kept)
    _set_optional(version, "KeyId", key_id)
    version["Value"] = encryption.encrypt(value, key_id) if key_id else value
    return version


def _set_optional(version: Record, field: str, value: str | None) -> None:
    if value:
        version[field] = value


def _key_id(kind: str, requested: str | None, kept: Record) -> str | None:
    """SecureString values are encrypted with the given key or the AWS managed key `alias/aws/ssm`."""
    if kind != "SecureString":
        if requested:
            raise ValidationException("KeyId is required for SecureString type parameter only.")
        return None
    if requested:
        return requested
    return kept.get("KeyId") if kept.get("Type") == "SecureString" else encryption.DEFAULT_KEY_ID


def _check_pattern(value: str, pattern: str | None) -> None:
    if not pattern:
        return
    try:
        compiled = re.compile(pattern)
    except re.error:
        raise InvalidAllowedPatternException(
            "The request does not meet the regular expression requirement."
        ) from None
    if not compiled.fullmatch(value):
        raise ParameterPatternMismatchException(
            f"Parameter value, cannot be validated against allowedPattern: {pattern}"
        )


def _check_data_type(kind: str, value: str, data_type: str) -> None:
    """`aws:ec2:image` values must be AMI ids (fogbank has no EC2 to check that the image exists)."""
    if data_type not in DATA_TYPES:
        raise ValidationException(
            f"The following data type is not supported: {data_type} (Data type names are all lowercase.)"
        )
    if data_type == "aws:ec2:image":
        if kind != "String":
            raise ValidationException("The aws:ec2:image data type is only supported for String parameters.")
        if not _AMI_ID.fullmatch(value):
            raise ValidationException(
                f"Parameter value, {value}, is not a valid AMI ID for data type aws:ec2:image."
            )


def _tier(requested: str | None, value: str, kept: str | None, has_policies: bool) -> str:
    """Standard holds 4 KB and no policies, Advanced 8 KB; Intelligent-Tiering picks the smallest tier
    that fits. An advanced parameter never goes back to Standard."""
    size = len(value.encode())
    if size > ADVANCED_MAX_BYTES:
        raise ValidationException(
            "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have "
            "length less than or equal to 8192"
        )
    needs_advanced = size > STANDARD_MAX_BYTES or kept == "Advanced" or has_policies
    if requested == "Intelligent-Tiering" or (requested is None and kept == "Advanced"):
        return "Advanced" if needs_advanced else "Standard"
    tier = requested or "Standard"
    if tier == "Standard" and kept == "Advanced":
        raise ValidationException(NO_DOWNGRADE)
    if tier == "Standard" and size > STANDARD_MAX_BYTES:
        raise ValidationException(STANDARD_TOO_LARGE)
    if tier == "Standard" and has_policies:
        raise ValidationException(POLICIES_NEED_ADVANCED)
    return tier


# -- reading -------------------------------------------------------------------------------------


def select(record: Record | None, selector: names.Selector, missing: str | None = None) -> Record:
    """The version a selector names (the latest when it names none). GetParameter answers a missing
    parameter with an empty message; other operations name it (`missing` overrides the default)."""
    if record is None:
        raise ParameterNotFound(f"Parameter {selector.name} not found." if missing is None else missing)
    if selector.version is not None:
        for version in record["Versions"]:
            if version["Version"] == selector.version:
                return version  # type: ignore[no-any-return]
        raise ParameterVersionNotFound(
            f"Systems Manager could not find version {selector.version} of {selector.name}. "
            "Verify the version and try again."
        )
    if selector.label is not None:
        for version in record["Versions"]:
            if selector.label in version["Labels"]:
                return version  # type: ignore[no-any-return]
        raise ParameterVersionNotFound(
            f"Systems Manager could not find label {selector.label} of {selector.name}. "
            "Verify the label and try again."
        )
    return latest(record)


def value_of(version: Record, decrypt: bool) -> str:
    if version["Type"] == "SecureString" and decrypt:
        return encryption.decrypt(version["Value"])
    return version["Value"]  # type: ignore[no-any-return]


def view(ctx: RequestContext, name: str, version: Record, decrypt: bool, suffix: str = "") -> Record:
    """The `Parameter` shape of GetParameter(s) and GetParametersByPath."""
    shown: Record = {
        "Name": name,
        "Type": version["Type"],
        "Value": value_of(version, decrypt),
        "Version": version["Version"],
        "LastModifiedDate": version["LastModifiedDate"],
        "ARN": names.arn(ctx, name),
        "DataType": version["DataType"],
    }
    if suffix:
        shown["Selector"] = suffix
    return shown


def describe(ctx: RequestContext, record: Record) -> Record:
    """The `ParameterMetadata` shape of DescribeParameters."""
    version = latest(record)
    shown: Record = {"Name": record["Name"], "ARN": names.arn(ctx, record["Name"])}
    shown.update(_metadata(version))
    return shown


def history_entry(name: str, version: Record, decrypt: bool) -> Record:
    """The `ParameterHistory` shape of GetParameterHistory."""
    shown: Record = {"Name": name, "Value": value_of(version, decrypt), "Labels": list(version["Labels"])}
    shown.update(_metadata(version))
    return shown


def _metadata(version: Record) -> Record:
    shown: Record = {
        "Type": version["Type"],
        "LastModifiedDate": version["LastModifiedDate"],
        "LastModifiedUser": version["LastModifiedUser"],
        "Version": version["Version"],
        "Tier": version["Tier"],
        "Policies": list(version.get("Policies", [])),
        "DataType": version["DataType"],
    }
    for field in ("KeyId", "Description", "AllowedPattern"):
        if field in version:
            shown[field] = version[field]
    return shown
