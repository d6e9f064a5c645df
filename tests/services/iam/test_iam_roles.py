"""IAM roles, trust policies, instance profiles and permissions boundaries over boto3."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from iam_support import LAMBDA_TRUST, document, error_of

BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def test_create_role_with_settings_returns_role_with_decoded_trust_policy(
    iam: Any, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("r")
    role = iam.create_role(
        RoleName=name,
        Path="/service-role/",
        AssumeRolePolicyDocument=document(LAMBDA_TRUST),
        Description="runs functions",
        MaxSessionDuration=7200,
        Tags=[{"Key": "app", "Value": "x"}],
    )["Role"]
    assert role["Arn"] == f"arn:aws:iam::000000000000:role/service-role/{name}"
    assert re.fullmatch(r"AROA[A-Z2-7]{17}", role["RoleId"])
    assert role["AssumeRolePolicyDocument"] == LAMBDA_TRUST
    fetched = iam.get_role(RoleName=name)["Role"]
    assert fetched["Description"] == "runs functions"
    assert fetched["MaxSessionDuration"] == 7200
    assert fetched["Tags"] == [{"Key": "app", "Value": "x"}]
    assert fetched["AssumeRolePolicyDocument"] == LAMBDA_TRUST
    assert fetched["RoleLastUsed"] == {}


def test_get_role_trust_policy_is_url_encoded_on_the_wire(
    iam: Any, unique_name: Callable[[str], str], endpoint: str
) -> None:
    name = unique_name("r")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=document(LAMBDA_TRUST))
    raw: dict[str, bytes] = {}
    iam.meta.events.register(
        "after-call.iam.GetRole", lambda http_response, **_: raw.update(body=http_response.content)
    )
    iam.get_role(RoleName=name)
    assert b"<AssumeRolePolicyDocument>%7B%22Version%22%3A%20%222012-10-17%22" in raw["body"]


def test_get_role_unknown_fails_no_such_entity(iam: Any) -> None:
    with pytest.raises(ClientError) as raised:
        iam.get_role(RoleName="no-such-role")
    assert error_of(raised) == ("NoSuchEntity", "The role with name no-such-role cannot be found.", 404)


def test_create_role_malformed_trust_policy_fails_malformed_policy_document(
    iam: Any, unique_name: Callable[[str], str]
) -> None:
    with pytest.raises(ClientError) as raised:
        iam.create_role(RoleName=unique_name("r"), AssumeRolePolicyDocument="{not json")
    assert error_of(raised) == ("MalformedPolicyDocument", "Syntax errors in policy.", 400)
    with_resource = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Resource": "*",
            }
        ],
    }
    with pytest.raises(ClientError) as raised:
        iam.create_role(RoleName=unique_name("r"), AssumeRolePolicyDocument=document(with_resource))
    assert error_of(raised) == ("MalformedPolicyDocument", "Has prohibited field Resource", 400)


def test_create_role_max_session_duration_out_of_range_fails_validation(
    iam: Any, unique_name: Callable[[str], str]
) -> None:
    with pytest.raises(ClientError) as raised:
        iam.create_role(
            RoleName=unique_name("r"),
            AssumeRolePolicyDocument=document(LAMBDA_TRUST),
            MaxSessionDuration=50000,
        )
    code, message, status = error_of(raised)
    assert (code, status) == ("ValidationError", 400)
    assert "Member must have value less than or equal to 43200" in message


def test_update_role_and_trust_policy_change_role(iam: Any, unique_name: Callable[[str], str]) -> None:
    name = unique_name("r")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=document(LAMBDA_TRUST))
    iam.update_role(RoleName=name, Description="new", MaxSessionDuration=43200)
    ec2_trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(ec2_trust))
    role = iam.get_role(RoleName=name)["Role"]
    assert (role["Description"], role["MaxSessionDuration"]) == ("new", 43200)
    assert role["AssumeRolePolicyDocument"] == ec2_trust
    described = iam.update_role_description(RoleName=name, Description="again")["Role"]
    assert described["Description"] == "again"


def test_list_roles_paginates_and_decodes_trust_policies(iam: Any, unique_name: Callable[[str], str]) -> None:
    path = f"/{unique_name('p')}/"
    names = sorted(unique_name("r") for _ in range(3))
    for name in names:
        iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=document(LAMBDA_TRUST))
    paginator = iam.get_paginator("list_roles")
    pages = list(paginator.paginate(PathPrefix=path, PaginationConfig={"PageSize": 2}))
    assert [len(page["Roles"]) for page in pages] == [2, 1]
    listed = [role for page in pages for role in page["Roles"]]
    assert [role["RoleName"] for role in listed] == names
    assert all(role["AssumeRolePolicyDocument"] == LAMBDA_TRUST for role in listed)


def test_delete_role_with_policies_and_profile_fails_delete_conflict(
    iam: Any, unique_name: Callable[[str], str]
) -> None:
    name, profile = unique_name("r"), unique_name("ip")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=document(LAMBDA_TRUST))
    iam.attach_role_policy(RoleName=name, PolicyArn=BASIC_EXECUTION)
    iam.create_instance_profile(InstanceProfileName=profile)
    iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=name)
    steps = [
        (
            "Cannot delete entity, must remove roles from instance profile first.",
            lambda: iam.remove_role_from_instance_profile(InstanceProfileName=profile, RoleName=name),
        ),
        (
            "Cannot delete entity, must detach all policies first.",
            lambda: iam.detach_role_policy(RoleName=name, PolicyArn=BASIC_EXECUTION),
        ),
    ]
    for message, clean in steps:
        with pytest.raises(ClientError) as raised:
            iam.delete_role(RoleName=name)
        assert error_of(raised) == ("DeleteConflict", message, 409)
        clean()
    iam.delete_role(RoleName=name)


def test_instance_profile_holds_one_role_and_lists_for_role(
    iam: Any, unique_name: Callable[[str], str]
) -> None:
    role, other, profile = unique_name("r"), unique_name("r"), unique_name("ip")
    for name in (role, other):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=document(LAMBDA_TRUST))
    created = iam.create_instance_profile(InstanceProfileName=profile, Path="/ec2/")["InstanceProfile"]
    assert re.fullmatch(r"AIPA[A-Z2-7]{17}", created["InstanceProfileId"])
    assert created["Arn"] == f"arn:aws:iam::000000000000:instance-profile/ec2/{profile}"
    assert created["Roles"] == []
    iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=role)
    with pytest.raises(ClientError) as raised:
        iam.add_role_to_instance_profile(InstanceProfileName=profile, RoleName=other)
    assert error_of(raised) == (
        "LimitExceeded",
        "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1",
        409,
    )
    fetched = iam.get_instance_profile(InstanceProfileName=profile)["InstanceProfile"]
    assert [r["RoleName"] for r in fetched["Roles"]] == [role]
    assert fetched["Roles"][0]["AssumeRolePolicyDocument"] == LAMBDA_TRUST
    listed = iam.list_instance_profiles_for_role(RoleName=role)["InstanceProfiles"]
    assert [p["InstanceProfileName"] for p in listed] == [profile]
    with pytest.raises(ClientError) as raised:
        iam.delete_instance_profile(InstanceProfileName=profile)
    assert error_of(raised)[0] == "DeleteConflict"
    iam.remove_role_from_instance_profile(InstanceProfileName=profile, RoleName=role)
    iam.delete_instance_profile(InstanceProfileName=profile)
    with pytest.raises(ClientError) as raised:
        iam.get_instance_profile(InstanceProfileName=profile)
    assert error_of(raised) == ("NoSuchEntity", f"Instance Profile {profile} cannot be found.", 404)


def test_put_role_permissions_boundary_shows_in_role_and_policy_usage(
    iam: Any, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("r")
    boundary = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=document(LAMBDA_TRUST))
    iam.put_role_permissions_boundary(RoleName=name, PermissionsBoundary=boundary)
    assert iam.get_role(RoleName=name)["Role"]["PermissionsBoundary"] == {
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
        "PermissionsBoundaryArn": boundary,
    }
    users = iam.list_entities_for_policy(PolicyArn=boundary, PolicyUsageFilter="PermissionsBoundary")
    assert name in [role["RoleName"] for role in users["PolicyRoles"]]
    iam.delete_role_permissions_boundary(RoleName=name)
    assert "PermissionsBoundary" not in iam.get_role(RoleName=name)["Role"]


def test_tag_role_untag_role_list_role_tags(iam: Any, unique_name: Callable[[str], str]) -> None:
    name = unique_name("r")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=document(LAMBDA_TRUST))
    iam.tag_role(RoleName=name, Tags=[{"Key": "k1", "Value": "v1"}, {"Key": "k2", "Value": "v2"}])
    iam.untag_role(RoleName=name, TagKeys=["k1"])
    assert iam.list_role_tags(RoleName=name)["Tags"] == [{"Key": "k2", "Value": "v2"}]


def test_create_role_cli_reads_trust_policy_document(
    aws_cli: Callable[..., Any], unique_name: Callable[[str], str]
) -> None:
    name = unique_name("cli")
    created = aws_cli(
        "iam", "create-role", "--role-name", name, "--assume-role-policy-document", document(LAMBDA_TRUST)
    )
    assert created["Role"]["AssumeRolePolicyDocument"] == LAMBDA_TRUST
    aws_cli("iam", "attach-role-policy", "--role-name", name, "--policy-arn", BASIC_EXECUTION)
    attached = aws_cli("iam", "list-attached-role-policies", "--role-name", name)
    assert attached["AttachedPolicies"] == [
        {"PolicyName": "AWSLambdaBasicExecutionRole", "PolicyArn": BASIC_EXECUTION}
    ]
