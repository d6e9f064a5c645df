"""Virtual MFA devices, and MFA codes checked by STS (codes computed on fogbank's clock)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from iam_support import document, error_of

ROOT_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::000000000000:root"},
            "Action": "sts:AssumeRole",
        }
    ],
}


def totp(seed: bytes, fogbank: Any, offset_steps: int = 0) -> str:
    """RFC 6238 code of the step that fogbank's clock is in (plus `offset_steps`)."""
    step = int(float(fogbank.get("/_fogbank/clock")["epoch"]) // 30) + offset_steps
    digest = hmac.new(base64.b32decode(seed), step.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(int.from_bytes(digest[offset : offset + 4], 'big') & 0x7FFFFFFF) % 1_000_000:06d}"


def make_device_user(iam: Any, unique_name: Callable[[str], str], fogbank: Any) -> tuple[str, str, bytes]:
    user = unique_name("u")
    iam.create_user(UserName=user)
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=unique_name("mfa"))["VirtualMFADevice"]
    seed = device["Base32StringSeed"]
    iam.enable_mfa_device(
        UserName=user,
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1=totp(seed, fogbank, -1),
        AuthenticationCode2=totp(seed, fogbank),
    )
    return user, device["SerialNumber"], seed


def test_virtual_mfa_device_lifecycle(iam: Any, unique_name: Callable[[str], str], fogbank: Any) -> None:
    name = unique_name("mfa")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=name, Path="/team/")["VirtualMFADevice"]
    assert device["SerialNumber"] == f"arn:aws:iam::000000000000:mfa/team/{name}"
    assert len(device["Base32StringSeed"]) == 64
    unassigned = iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]
    assert {"SerialNumber": device["SerialNumber"]} in unassigned
    user = unique_name("u")
    iam.create_user(UserName=user)
    with pytest.raises(ClientError) as raised:
        iam.enable_mfa_device(
            UserName=user,
            SerialNumber=device["SerialNumber"],
            AuthenticationCode1="000000",
            AuthenticationCode2="000000",
        )
    assert error_of(raised) == (
        "InvalidAuthenticationCode",
        "Authentication code for device is not valid.",
        403,
    )
    seed = device["Base32StringSeed"]
    iam.enable_mfa_device(
        UserName=user,
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1=totp(seed, fogbank, -1),
        AuthenticationCode2=totp(seed, fogbank),
    )
    [listed] = iam.list_mfa_devices(UserName=user)["MFADevices"]
    assert (listed["UserName"], listed["SerialNumber"]) == (user, device["SerialNumber"])
    with pytest.raises(ClientError) as raised:
        iam.delete_user(UserName=user)
    assert error_of(raised) == ("DeleteConflict", "Cannot delete entity, must delete MFA device first.", 409)
    with pytest.raises(ClientError) as raised:
        iam.delete_virtual_mfa_device(SerialNumber=device["SerialNumber"])
    assert error_of(raised)[::2] == ("DeleteConflict", 409)
    iam.deactivate_mfa_device(UserName=user, SerialNumber=device["SerialNumber"])
    iam.delete_virtual_mfa_device(SerialNumber=device["SerialNumber"])
    iam.delete_user(UserName=user)


def test_get_session_token_with_mfa_code_checks_code(
    iam: Any, client_with: Callable[..., Any], unique_name: Callable[[str], str], fogbank: Any
) -> None:
    user, serial, seed = make_device_user(iam, unique_name, fogbank)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    sts = client_with("sts", key["AccessKeyId"], key["SecretAccessKey"])
    assert sts.get_session_token(SerialNumber=serial, TokenCode=totp(seed, fogbank))["Credentials"]
    wrong = f"{(int(totp(seed, fogbank)) + 1) % 1_000_000:06d}"
    with pytest.raises(ClientError) as raised:
        sts.get_session_token(SerialNumber=serial, TokenCode=wrong)
    assert error_of(raised) == (
        "AccessDenied",
        "MultiFactorAuthentication failed with invalid MFA one time pass code. ",
        403,
    )


def test_assume_role_with_mfa_of_other_user_fails_access_denied(
    iam: Any, client_with: Callable[..., Any], unique_name: Callable[[str], str], fogbank: Any
) -> None:
    _, serial, seed = make_device_user(iam, unique_name, fogbank)
    caller = unique_name("u")
    iam.create_user(UserName=caller)
    key = iam.create_access_key(UserName=caller)["AccessKey"]
    role = iam.create_role(RoleName=unique_name("r"), AssumeRolePolicyDocument=document(ROOT_TRUST))["Role"]
    sts = client_with("sts", key["AccessKeyId"], key["SecretAccessKey"])
    with pytest.raises(ClientError) as raised:
        sts.assume_role(
            RoleArn=role["Arn"], RoleSessionName="mfa", SerialNumber=serial, TokenCode=totp(seed, fogbank)
        )
    assert error_of(raised) == (
        "AccessDenied",
        "MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is "
        "valid and associated with this user.",
        403,
    )


def test_assume_role_with_own_mfa_device_succeeds(
    iam: Any, client_with: Callable[..., Any], unique_name: Callable[[str], str], fogbank: Any
) -> None:
    user, serial, seed = make_device_user(iam, unique_name, fogbank)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    role = iam.create_role(RoleName=unique_name("r"), AssumeRolePolicyDocument=document(ROOT_TRUST))["Role"]
    sts = client_with("sts", key["AccessKeyId"], key["SecretAccessKey"])
    response = sts.assume_role(
        RoleArn=role["Arn"], RoleSessionName="mfa", SerialNumber=serial, TokenCode=totp(seed, fogbank)
    )
    assert response["AssumedRoleUser"]["Arn"].endswith(f"/{role['RoleName']}/mfa")
    with pytest.raises(ClientError) as raised:
        sts.assume_role(RoleArn=role["Arn"], RoleSessionName="mfa", SerialNumber=serial)
    assert error_of(raised) == (
        "AccessDenied",
        "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.",
        403,
    )
