"""Access keys: issuing, status, last use, and the identity they carry (also after a restart)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from iam_support import error_of


def test_create_access_key_returns_akia_id_and_40_char_secret(
    iam: Any, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("u")
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    assert re.fullmatch(r"AKIA[A-Z2-7]{16}", key["AccessKeyId"])
    assert len(key["SecretAccessKey"]) == 40
    assert (key["UserName"], key["Status"]) == (name, "Active")
    listed = iam.list_access_keys(UserName=name)["AccessKeyMetadata"]
    assert listed == [
        {
            "UserName": name,
            "AccessKeyId": key["AccessKeyId"],
            "Status": "Active",
            "CreateDate": key["CreateDate"],
        }
    ]


def test_create_access_key_third_fails_limit_exceeded(iam: Any, unique_name: Callable[[str], str]) -> None:
    name = unique_name("u")
    iam.create_user(UserName=name)
    iam.create_access_key(UserName=name)
    iam.create_access_key(UserName=name)
    with pytest.raises(ClientError) as raised:
        iam.create_access_key(UserName=name)
    assert error_of(raised) == ("LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2", 409)


def test_update_access_key_inactive_then_delete(iam: Any, unique_name: Callable[[str], str]) -> None:
    name = unique_name("u")
    iam.create_user(UserName=name)
    key_id = iam.create_access_key(UserName=name)["AccessKey"]["AccessKeyId"]
    iam.update_access_key(UserName=name, AccessKeyId=key_id, Status="Inactive")
    assert iam.list_access_keys(UserName=name)["AccessKeyMetadata"][0]["Status"] == "Inactive"
    iam.delete_access_key(UserName=name, AccessKeyId=key_id)
    assert iam.list_access_keys(UserName=name)["AccessKeyMetadata"] == []
    with pytest.raises(ClientError) as raised:
        iam.delete_access_key(UserName=name, AccessKeyId=key_id)
    assert error_of(raised) == ("NoSuchEntity", f"The Access Key with id {key_id} cannot be found.", 404)


def test_issued_key_acts_as_its_user(
    iam: Any, client_with: Callable[..., Any], unique_name: Callable[[str], str]
) -> None:
    name = unique_name("u")
    user = iam.create_user(UserName=name)["User"]
    key = iam.create_access_key(UserName=name)["AccessKey"]
    as_user = client_with("iam", key["AccessKeyId"], key["SecretAccessKey"])
    assert as_user.get_user()["User"]["Arn"] == user["Arn"]
    own_keys = as_user.list_access_keys()["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in own_keys] == [key["AccessKeyId"]]
    identity = client_with("sts", key["AccessKeyId"], key["SecretAccessKey"]).get_caller_identity()
    assert (identity["Arn"], identity["UserId"], identity["Account"]) == (
        user["Arn"],
        user["UserId"],
        "000000000000",
    )


def test_update_user_renamed_user_keys_act_as_new_arn(
    iam: Any, client_with: Callable[..., Any], unique_name: Callable[[str], str]
) -> None:
    name, new_name = unique_name("u"), unique_name("u")
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    iam.update_user(UserName=name, NewUserName=new_name, NewPath="/renamed/")
    assert iam.list_access_keys(UserName=new_name)["AccessKeyMetadata"][0]["UserName"] == new_name
    identity = client_with("sts", key["AccessKeyId"], key["SecretAccessKey"]).get_caller_identity()
    assert identity["Arn"] == f"arn:aws:iam::000000000000:user/renamed/{new_name}"


def test_issued_key_in_other_account_acts_in_that_account(
    client_factory: Callable[..., Any], client_with: Callable[..., Any], unique_name: Callable[[str], str]
) -> None:
    other = client_factory("iam", access_key="123456789012")
    name = unique_name("u")
    other.create_user(UserName=name)
    key = other.create_access_key(UserName=name)["AccessKey"]
    as_user = client_with("iam", key["AccessKeyId"], key["SecretAccessKey"])
    assert as_user.get_user()["User"]["Arn"] == f"arn:aws:iam::123456789012:user/{name}"
    assert name in [u["UserName"] for u in as_user.list_users()["Users"]]


def test_get_access_key_last_used_after_use_names_service_and_region(
    iam: Any, client_with: Callable[..., Any], unique_name: Callable[[str], str]
) -> None:
    name = unique_name("u")
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    unused = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])
    assert (unused["UserName"], unused["AccessKeyLastUsed"]) == (
        name,
        {"ServiceName": "N/A", "Region": "N/A"},
    )
    client_with("sts", key["AccessKeyId"], key["SecretAccessKey"], region="eu-west-1").get_caller_identity()
    used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"]
    assert (used["ServiceName"], used["Region"]) == ("sts", "eu-west-1")
    assert "LastUsedDate" in used


def test_issued_key_resolves_after_restart_before_iam_is_used(
    fogbank_factory: Callable[..., Any], tmp_path: Path
) -> None:
    def client(server: Any, service: str, key: str, secret: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=server.url,
            region_name="us-east-1",
            aws_access_key_id=key,
            aws_secret_access_key=secret,
            config=Config(retries={"max_attempts": 1}),
        )

    first = fogbank_factory(data_dir=tmp_path)
    admin = client(first, "iam", "210987654321", "test")
    admin.create_user(UserName="persisted")
    key = admin.create_access_key(UserName="persisted")["AccessKey"]
    first.stop()
    second = fogbank_factory(data_dir=tmp_path, extra_args=["--verify-signatures"])
    sts = client(second, "sts", key["AccessKeyId"], key["SecretAccessKey"])
    identity = sts.get_caller_identity()
    assert (identity["Account"], identity["Arn"]) == (
        "210987654321",
        "arn:aws:iam::210987654321:user/persisted",
    )
