"""IAM users, groups and login profiles over boto3."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from iam_support import S3_READ, document, error_of


def test_create_user_new_name_returns_user_with_aida_id_and_arn(
    iam: Any, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("u")
    user = iam.create_user(UserName=name, Path="/team/", Tags=[{"Key": "env", "Value": "dev"}])["User"]
    assert user["UserName"] == name
    assert user["Path"] == "/team/"
    assert user["Arn"] == f"arn:aws:iam::000000000000:user/team/{name}"
    assert re.fullmatch(r"AIDA[A-Z2-7]{17}", user["UserId"])
    assert user["Tags"] == [{"Key": "env", "Value": "dev"}]
    fetched = iam.get_user(UserName=name)["User"]
    assert {key: fetched[key] for key in ("UserName", "UserId", "Arn", "Path", "CreateDate")} == {
        key: user[key] for key in ("UserName", "UserId", "Arn", "Path", "CreateDate")
    }


def test_create_user_same_name_other_case_fails_entity_already_exists(
    iam: Any, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("u")
    iam.create_user(UserName=name)
    with pytest.raises(ClientError) as raised:
        iam.create_user(UserName=name.upper())
    assert error_of(raised) == ("EntityAlreadyExists", f"User with name {name.upper()} already exists.", 409)


def test_get_user_unknown_fails_no_such_entity(iam: Any) -> None:
    with pytest.raises(ClientError) as raised:
        iam.get_user(UserName="nobody-here")
    assert error_of(raised) == ("NoSuchEntity", "The user with name nobody-here cannot be found.", 404)


def test_create_user_invalid_name_fails_validation_error(iam: Any) -> None:
    with pytest.raises(ClientError) as raised:
        iam.create_user(UserName="bad name")
    assert error_of(raised) == (
        "ValidationError",
        "1 validation error detected: Value 'bad name' at 'userName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w+=,.@-]+",
        400,
    )


def test_get_user_without_name_as_root_returns_root(iam: Any) -> None:
    user = iam.get_user()["User"]
    assert user["UserId"] == "000000000000"
    assert user["Arn"] == "arn:aws:iam::000000000000:root"
    assert user["CreateDate"].year >= 2024
    assert iam.get_user()["User"]["CreateDate"] == user["CreateDate"]


def test_list_users_path_prefix_paginates_with_marker(iam: Any, unique_name: Callable[[str], str]) -> None:
    path = f"/{unique_name('p')}/"
    names = sorted(unique_name("u") for _ in range(3))
    for name in names:
        iam.create_user(UserName=name, Path=path)
    first = iam.list_users(PathPrefix=path, MaxItems=2)
    assert [user["UserName"] for user in first["Users"]] == names[:2]
    assert first["IsTruncated"] is True
    second = iam.list_users(PathPrefix=path, MaxItems=2, Marker=first["Marker"])
    assert [user["UserName"] for user in second["Users"]] == names[2:]
    assert second["IsTruncated"] is False
    assert "Marker" not in second
    assert "Tags" not in first["Users"][0]


def test_update_user_new_name_and_path_moves_user(iam: Any, unique_name: Callable[[str], str]) -> None:
    name, new_name = unique_name("u"), unique_name("u")
    iam.create_user(UserName=name)
    iam.update_user(UserName=name, NewUserName=new_name, NewPath="/moved/")
    user = iam.get_user(UserName=new_name)["User"]
    assert user["Arn"] == f"arn:aws:iam::000000000000:user/moved/{new_name}"
    with pytest.raises(ClientError) as raised:
        iam.get_user(UserName=name)
    assert error_of(raised)[0] == "NoSuchEntity"


def test_delete_user_with_attachments_fails_delete_conflict_until_cleaned(
    iam: Any, unique_name: Callable[[str], str]
) -> None:
    name, group = unique_name("u"), unique_name("g")
    iam.create_user(UserName=name)
    iam.create_group(GroupName=group)
    iam.add_user_to_group(GroupName=group, UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]["AccessKeyId"]
    iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=document(S3_READ))
    steps = [
        (
            "Cannot delete entity, must delete access keys first.",
            lambda: iam.delete_access_key(UserName=name, AccessKeyId=key),
        ),
        (
            "Cannot delete entity, must delete policies first.",
            lambda: iam.delete_user_policy(UserName=name, PolicyName="inline"),
        ),
        (
            "Cannot delete entity, must remove users from group first.",
            lambda: iam.remove_user_from_group(GroupName=group, UserName=name),
        ),
    ]
    for message, clean in steps:
        with pytest.raises(ClientError) as raised:
            iam.delete_user(UserName=name)
        assert error_of(raised) == ("DeleteConflict", message, 409)
        clean()
    iam.delete_user(UserName=name)
    with pytest.raises(ClientError) as raised:
        iam.get_user(UserName=name)
    assert error_of(raised)[0] == "NoSuchEntity"


def test_tag_user_then_untag_lists_remaining_tags(iam: Any, unique_name: Callable[[str], str]) -> None:
    name = unique_name("u")
    iam.create_user(UserName=name)
    iam.tag_user(UserName=name, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    iam.tag_user(UserName=name, Tags=[{"Key": "a", "Value": "3"}])
    iam.untag_user(UserName=name, TagKeys=["B"])
    listed = iam.list_user_tags(UserName=name)
    assert listed["Tags"] == [{"Key": "a", "Value": "3"}]
    assert listed["IsTruncated"] is False
    with pytest.raises(ClientError) as raised:
        iam.tag_user(UserName=name, Tags=[{"Key": "k", "Value": "1"}, {"Key": "K", "Value": "2"}])
    assert error_of(raised) == (
        "InvalidInput",
        "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
        400,
    )


def test_group_membership_shows_in_get_group_and_list_groups_for_user(
    iam: Any, unique_name: Callable[[str], str]
) -> None:
    user, group = unique_name("u"), unique_name("g")
    iam.create_user(UserName=user)
    created = iam.create_group(GroupName=group, Path="/ops/")["Group"]
    assert re.fullmatch(r"AGPA[A-Z2-7]{17}", created["GroupId"])
    assert created["Arn"] == f"arn:aws:iam::000000000000:group/ops/{group}"
    iam.add_user_to_group(GroupName=group, UserName=user)
    fetched = iam.get_group(GroupName=group)
    assert fetched["Group"]["GroupName"] == group
    assert [member["UserName"] for member in fetched["Users"]] == [user]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName=user)["Groups"]] == [group]


def test_update_group_new_name_keeps_members(iam: Any, unique_name: Callable[[str], str]) -> None:
    user, group, renamed = unique_name("u"), unique_name("g"), unique_name("g")
    iam.create_user(UserName=user)
    iam.create_group(GroupName=group)
    iam.add_user_to_group(GroupName=group, UserName=user)
    iam.update_group(GroupName=group, NewGroupName=renamed)
    assert [member["UserName"] for member in iam.get_group(GroupName=renamed)["Users"]] == [user]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName=user)["Groups"]] == [renamed]


def test_delete_group_with_members_fails_delete_conflict(iam: Any, unique_name: Callable[[str], str]) -> None:
    user, group = unique_name("u"), unique_name("g")
    iam.create_user(UserName=user)
    iam.create_group(GroupName=group)
    iam.add_user_to_group(GroupName=group, UserName=user)
    with pytest.raises(ClientError) as raised:
        iam.delete_group(GroupName=group)
    assert error_of(raised) == (
        "DeleteConflict",
        "Cannot delete entity, must remove users from group first.",
        409,
    )
    iam.remove_user_from_group(GroupName=group, UserName=user)
    iam.delete_group(GroupName=group)
    with pytest.raises(ClientError) as raised:
        iam.get_group(GroupName=group)
    assert error_of(raised) == ("NoSuchEntity", f"The group with name {group} cannot be found.", 404)


def test_login_profile_lifecycle_create_get_update_delete(
    iam: Any, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("u")
    iam.create_user(UserName=name)
    created = iam.create_login_profile(UserName=name, Password="Sup3r-secret!", PasswordResetRequired=True)
    assert created["LoginProfile"]["UserName"] == name
    assert created["LoginProfile"]["PasswordResetRequired"] is True
    iam.update_login_profile(UserName=name, PasswordResetRequired=False)
    assert iam.get_login_profile(UserName=name)["LoginProfile"]["PasswordResetRequired"] is False
    with pytest.raises(ClientError) as raised:
        iam.delete_user(UserName=name)
    assert error_of(raised) == (
        "DeleteConflict",
        "Cannot delete entity, must delete login profile first.",
        409,
    )
    iam.delete_login_profile(UserName=name)
    with pytest.raises(ClientError) as raised:
        iam.get_login_profile(UserName=name)
    assert error_of(raised) == ("NoSuchEntity", f"Login Profile for User {name} cannot be found.", 404)


def test_login_profile_without_user_name_is_the_callers(
    iam: Any, client_with: Callable[..., Any], unique_name: Callable[[str], str]
) -> None:
    name = unique_name("u")
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    as_user = client_with("iam", key["AccessKeyId"], key["SecretAccessKey"])
    as_user.create_login_profile(Password="Sup3r-secret!")
    assert as_user.get_login_profile()["LoginProfile"]["UserName"] == name
    as_user.delete_login_profile()
    with pytest.raises(ClientError) as raised:
        iam.get_login_profile(UserName=name)
    assert error_of(raised)[0] == "NoSuchEntity"


def test_list_users_cli_shows_created_user(
    aws_cli: Callable[..., Any], unique_name: Callable[[str], str]
) -> None:
    name = unique_name("cli")
    created = aws_cli("iam", "create-user", "--user-name", name, "--path", "/cli/")
    assert created["User"]["Arn"] == f"arn:aws:iam::000000000000:user/cli/{name}"
    listed = aws_cli("iam", "list-users", "--path-prefix", "/cli/")
    assert name in [user["UserName"] for user in listed["Users"]]
