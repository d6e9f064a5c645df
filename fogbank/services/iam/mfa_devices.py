"""Virtual MFA devices: created unassigned with a base32 seed, enabled for a user with two
consecutive codes, deactivated, deleted. Device records live in ("iam", "mfa-devices", <account>)
keyed by serial number (`arn:aws:iam::<account>:mfa<path><name>`); seeds live in the MFA index
(`fogbank.iam.mfa`), which STS reads to check codes. A user may have up to 8 MFA devices.

The QR code image (QRCodePNG) is not produced: clients configure authenticator apps from the seed.
"""

from __future__ import annotations

from typing import Any

from fogbank import clock, state
from fogbank.context import RequestContext
from fogbank.iam import mfa
from fogbank.services.iam import entities, tags
from fogbank.services.iam.entities import USER
from fogbank.services.iam.errors import (
    DeleteConflict,
    EntityAlreadyExists,
    InvalidAuthenticationCode,
    LimitExceeded,
    NoSuchEntity,
)
from fogbank.services.iam.identifiers import check_name, check_path, iam_arn
from fogbank.services.iam.pagination import paginate
from fogbank.state import Collection

DEVICES_PER_USER = 8


def store(ctx: RequestContext) -> Collection[dict[str, Any]]:
    return state.collection("iam", "mfa-devices", ctx.account)


def create_virtual(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    name = request["VirtualMFADeviceName"]
    check_name(name, "virtualMFADeviceName")
    serial = iam_arn(ctx.account, "mfa", check_path(request.get("Path")), name)
    if serial in store(ctx):
        raise EntityAlreadyExists("MFADevice entity at the same path and name already exists.")
    seed = mfa.new_seed()
    record = {
        "SerialNumber": serial,
        "UserName": None,
        "EnableDate": None,
        "Tags": tags.merged([], request.get("Tags") or []),
    }
    with state.atomic():
        store(ctx).put(serial, record)
        mfa.index_device(serial, {"account": ctx.account, "seed": seed, "user_arn": None})
    result = {"SerialNumber": serial, "Base32StringSeed": seed.encode()}
    if record["Tags"]:
        result["Tags"] = record["Tags"]
    return result


def require(ctx: RequestContext, serial: str) -> dict[str, Any]:
    record = store(ctx).get(serial)
    if record is None:
        raise NoSuchEntity(f"VirtualMFADevice with serial number {serial} doesn't exist.")
    return record


def _check_codes(serial: str, first: str, second: str) -> None:
    indexed = mfa.device(serial) or {}
    if not mfa.consecutive_codes_match(indexed.get("seed", ""), first, second):
        raise InvalidAuthenticationCode("Authentication code for device is not valid.")


def enable(ctx: RequestContext, request: dict[str, Any]) -> None:
    user = entities.require(ctx, USER, request["UserName"])
    record = require(ctx, request["SerialNumber"])
    if record["UserName"] is not None:
        raise EntityAlreadyExists("MFA Device is already in use.")
    if sum(1 for device in store(ctx).values() if device["UserName"] == user["UserName"]) >= DEVICES_PER_USER:
        raise LimitExceeded(f"Cannot exceed quota for MFADevicesPerUser: {DEVICES_PER_USER}")
    _check_codes(record["SerialNumber"], request["AuthenticationCode1"], request["AuthenticationCode2"])
    record["UserName"], record["EnableDate"] = user["UserName"], clock.now()
    indexed = mfa.device(record["SerialNumber"]) or {}
    with state.atomic():
        store(ctx).put(record["SerialNumber"], record)
        mfa.index_device(record["SerialNumber"], {**indexed, "user_arn": user["Arn"]})


def _require_assigned(ctx: RequestContext, user_name: str, serial: str) -> dict[str, Any]:
    user = entities.require(ctx, USER, user_name)
    record = store(ctx).get(serial)
    if record is None or (record["UserName"] or "").lower() != user["UserName"].lower():
        raise NoSuchEntity(f"MFA Device with serial number {serial} does not exist.")
    return record


def resync(ctx: RequestContext, request: dict[str, Any]) -> None:
    record = _require_assigned(ctx, request["UserName"], request["SerialNumber"])
    _check_codes(record["SerialNumber"], request["AuthenticationCode1"], request["AuthenticationCode2"])


def deactivate(ctx: RequestContext, user_name: str, serial: str) -> None:
    record = _require_assigned(ctx, user_name, serial)
    record["UserName"], record["EnableDate"] = None, None
    indexed = mfa.device(serial) or {}
    with state.atomic():
        store(ctx).put(serial, record)
        mfa.index_device(serial, {**indexed, "user_arn": None})


def delete_virtual(ctx: RequestContext, serial: str) -> None:
    record = require(ctx, serial)
    if record["UserName"] is not None:
        raise DeleteConflict("MFA Device is still in use")
    with state.atomic():
        store(ctx).delete(serial)
        mfa.forget_device(serial)


def of_user(ctx: RequestContext, user: dict[str, Any]) -> list[dict[str, Any]]:
    name = user["UserName"].lower()
    return [device for device in store(ctx).values() if (device["UserName"] or "").lower() == name]


def listing(ctx: RequestContext, user: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    devices = [
        {
            "UserName": user["UserName"],
            "SerialNumber": device["SerialNumber"],
            "EnableDate": device["EnableDate"],
        }
        for device in of_user(ctx, user)
    ]
    return paginate(devices, request, lambda device: device["SerialNumber"], "MFADevices")


def virtual_listing(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    status = request.get("AssignmentStatus") or "Any"
    chosen = [
        device
        for device in store(ctx).values()
        if status == "Any" or (device["UserName"] is not None) == (status == "Assigned")
    ]
    page = paginate(chosen, request, lambda device: device["SerialNumber"], "VirtualMFADevices")
    users = entities.store(ctx, USER)
    shown = []
    for device in page["VirtualMFADevices"]:
        item: dict[str, Any] = {"SerialNumber": device["SerialNumber"]}
        if device["UserName"] is not None and device["UserName"].lower() in users:
            item["User"] = entities.view(USER, users[device["UserName"].lower()])
            item["EnableDate"] = device["EnableDate"]
        if device["Tags"]:
            item["Tags"] = device["Tags"]
        shown.append(item)
    page["VirtualMFADevices"] = shown
    return page
