"""Managed policies with versions, AWS managed policies, attachments and inline policies."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from iam_support import LAMBDA_TRUST, S3_READ, document, error_of

ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
AWS_POLICIES = [
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "arn:aws:iam::aws:policy/AdministratorAccess",
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",
    "arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole",
    "arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole",
    "arn:aws:iam::aws:policy/AmazonS3FullAccess",
]


def test_create_policy_returns_policy_and_default_version_document(
    iam: Any, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("p")
    policy = iam.create_policy(
        PolicyName=name,
        Path="/app/",
        PolicyDocument=document(S3_READ),
        Description="read",
        Tags=[{"Key": "t", "Value": "1"}],
    )["Policy"]
    assert policy["Arn"] == f"arn:aws:iam::000000000000:policy/app/{name}"
    assert re.fullmatch(r"ANPA[A-Z2-7]{17}", policy["PolicyId"])
    assert (policy["DefaultVersionId"], policy["AttachmentCount"], policy["IsAttachable"]) == ("v1", 0, True)
    fetched = iam.get_policy(PolicyArn=policy["Arn"])["Policy"]
    assert (fetched["Description"], fetched["Tags"]) == ("read", [{"Key": "t", "Value": "1"}])
    version = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId="v1")["PolicyVersion"]
    assert version["Document"] == S3_READ
    assert version["IsDefaultVersion"] is True


def test_create_policy_duplicate_name_fails_entity_already_exists(
    iam: Any, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("p")
    iam.create_policy(PolicyName=name, PolicyDocument=document(S3_READ))
    with pytest.raises(ClientError) as raised:
        iam.create_policy(PolicyName=name, Path="/other/", PolicyDocument=document(S3_READ))
    assert error_of(raised) == (
        "EntityAlreadyExists",
        f"A policy called {name} already exists. Duplicate names are not allowed.",
        409,
    )


@pytest.mark.parametrize(
    ("policy_document", "message"),
    [
        ('{"Version": ', "Syntax errors in policy."),
        (
            '{"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]}',
            "Syntax errors in policy.",
        ),
        (
            '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]}',
            "Policy statement must contain actions.",
        ),
        (
            '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*"}]}',
            "Policy statement must contain resources.",
        ),
        (
            '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", '
            '"Resource": "*"}]}',
            "Policy document should not specify a principal.",
        ),
        (
            '{"Statement": [{"Sid": "A", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}, '
            '{"Sid": "A", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}',
            "Statement IDs (SID) in a single policy must be unique.",
        ),
    ],
)
def test_create_policy_invalid_document_fails_malformed_policy_document(
    iam: Any, unique_name: Callable[[str], str], policy_document: str, message: str
) -> None:
    with pytest.raises(ClientError) as raised:
        iam.create_policy(PolicyName=unique_name("p"), PolicyDocument=policy_document)
    assert error_of(raised) == ("MalformedPolicyDocument", message, 400)


def test_policy_versions_limit_default_and_delete_rules(iam: Any, unique_name: Callable[[str], str]) -> None:
    arn = iam.create_policy(PolicyName=unique_name("p"), PolicyDocument=document(S3_READ))["Policy"]["Arn"]
    for number in range(2, 6):
        version = iam.create_policy_version(
            PolicyArn=arn, PolicyDocument=document(ALLOW_ALL), SetAsDefault=number == 3
        )["PolicyVersion"]
        assert version["VersionId"] == f"v{number}"
    with pytest.raises(ClientError) as raised:
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=document(ALLOW_ALL))
    assert error_of(raised) == (
        "LimitExceeded",
        "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing "
        "version.",
        409,
    )
    versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in versions] == [
        ("v5", False),
        ("v4", False),
        ("v3", True),
        ("v2", False),
        ("v1", False),
    ]
    with pytest.raises(ClientError) as raised:
        iam.delete_policy_version(PolicyArn=arn, VersionId="v3")
    assert error_of(raised) == ("DeleteConflict", "Cannot delete the default version of a policy.", 409)
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v5")
    iam.delete_policy_version(PolicyArn=arn, VersionId="v3")
    assert (
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=document(S3_READ))["PolicyVersion"][
            "VersionId"
        ]
        == "v6"
    )
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v5"
    with pytest.raises(ClientError) as raised:
        iam.get_policy_version(PolicyArn=arn, VersionId="v3")
    assert error_of(raised) == (
        "NoSuchEntity",
        f"Policy {arn} version v3 does not exist or is not attachable.",
        404,
    )


def test_delete_policy_attached_fails_delete_conflict_until_detached(
    iam: Any, unique_name: Callable[[str], str]
) -> None:
    user, group, role = unique_name("u"), unique_name("g"), unique_name("r")
    iam.create_user(UserName=user)
    iam.create_group(GroupName=group)
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=document(LAMBDA_TRUST))
    arn = iam.create_policy(PolicyName=unique_name("p"), PolicyDocument=document(S3_READ))["Policy"]["Arn"]
    iam.attach_user_policy(UserName=user, PolicyArn=arn)
    iam.attach_group_policy(GroupName=group, PolicyArn=arn)
    iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 3
    entities = iam.list_entities_for_policy(PolicyArn=arn)
    assert [u["UserName"] for u in entities["PolicyUsers"]] == [user]
    assert [g["GroupName"] for g in entities["PolicyGroups"]] == [group]
    assert [r["RoleName"] for r in entities["PolicyRoles"]] == [role]
    with pytest.raises(ClientError) as raised:
        iam.delete_policy(PolicyArn=arn)
    assert error_of(raised) == ("DeleteConflict", "Cannot delete a policy attached to entities.", 409)
    iam.detach_user_policy(UserName=user, PolicyArn=arn)
    iam.detach_group_policy(GroupName=group, PolicyArn=arn)
    iam.detach_role_policy(RoleName=role, PolicyArn=arn)
    iam.delete_policy(PolicyArn=arn)
    with pytest.raises(ClientError) as raised:
        iam.get_policy(PolicyArn=arn)
    assert error_of(raised) == ("NoSuchEntity", f"Policy {arn} does not exist or is not attachable.", 404)


def test_detach_role_policy_not_attached_fails_no_such_entity(
    iam: Any, unique_name: Callable[[str], str]
) -> None:
    role = unique_name("r")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=document(LAMBDA_TRUST))
    with pytest.raises(ClientError) as raised:
        iam.detach_role_policy(RoleName=role, PolicyArn=AWS_POLICIES[1])
    assert error_of(raised) == ("NoSuchEntity", f"Policy {AWS_POLICIES[1]} was not found.", 404)


@pytest.mark.parametrize("arn", AWS_POLICIES)
def test_get_policy_aws_managed_resolves_and_attaches(
    iam: Any, unique_name: Callable[[str], str], arn: str
) -> None:
    policy = iam.get_policy(PolicyArn=arn)["Policy"]
    assert policy["Arn"] == arn
    assert policy["PolicyName"] == arn.rsplit("/", 1)[-1]
    version = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
    assert version["Document"]["Statement"]
    role = unique_name("r")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=document(LAMBDA_TRUST))
    iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    assert attached == [{"PolicyName": policy["PolicyName"], "PolicyArn": arn}]


def test_attach_role_policy_unknown_policy_fails_no_such_entity(
    iam: Any, unique_name: Callable[[str], str]
) -> None:
    role = unique_name("r")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=document(LAMBDA_TRUST))
    arn = "arn:aws:iam::aws:policy/NoSuchManagedPolicy"
    with pytest.raises(ClientError) as raised:
        iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    assert error_of(raised) == ("NoSuchEntity", f"Policy {arn} does not exist or is not attachable.", 404)


def test_attach_role_policy_eleventh_fails_limit_exceeded(
    iam: Any, unique_name: Callable[[str], str]
) -> None:
    role = unique_name("r")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=document(LAMBDA_TRUST))
    for _ in range(10):
        arn = iam.create_policy(PolicyName=unique_name("p"), PolicyDocument=document(S3_READ))["Policy"][
            "Arn"
        ]
        iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    with pytest.raises(ClientError) as raised:
        iam.attach_role_policy(RoleName=role, PolicyArn=AWS_POLICIES[0])
    assert error_of(raised) == ("LimitExceeded", "Cannot exceed quota for PoliciesPerRole: 10", 409)


def test_list_policies_local_only_attached_filters(iam: Any, unique_name: Callable[[str], str]) -> None:
    path = f"/{unique_name('path')}/"
    attached = iam.create_policy(PolicyName=unique_name("p"), Path=path, PolicyDocument=document(S3_READ))
    iam.create_policy(PolicyName=unique_name("p"), Path=path, PolicyDocument=document(S3_READ))
    user = unique_name("u")
    iam.create_user(UserName=user)
    iam.attach_user_policy(UserName=user, PolicyArn=attached["Policy"]["Arn"])
    local = iam.list_policies(Scope="Local", PathPrefix=path)["Policies"]
    assert len(local) == 2
    only_attached = iam.list_policies(Scope="Local", PathPrefix=path, OnlyAttached=True)["Policies"]
    assert [p["Arn"] for p in only_attached] == [attached["Policy"]["Arn"]]
    assert only_attached[0]["AttachmentCount"] == 1
    aws = iam.list_policies(Scope="AWS", MaxItems=1000)["Policies"]
    assert set(AWS_POLICIES) <= {p["Arn"] for p in aws}


def test_tag_policy_untag_policy_list_policy_tags(iam: Any, unique_name: Callable[[str], str]) -> None:
    arn = iam.create_policy(PolicyName=unique_name("p"), PolicyDocument=document(S3_READ))["Policy"]["Arn"]
    iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    iam.untag_policy(PolicyArn=arn, TagKeys=["a"])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [{"Key": "b", "Value": "2"}]


@pytest.mark.parametrize("kind", ["User", "Group", "Role"])
def test_inline_policy_put_get_list_delete(iam: Any, unique_name: Callable[[str], str], kind: str) -> None:
    name = unique_name(kind.lower())
    if kind == "Role":
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=document(LAMBDA_TRUST))
    else:
        getattr(iam, f"create_{kind.lower()}")(**{f"{kind}Name": name})
    entity = {f"{kind}Name": name}
    getattr(iam, f"put_{kind.lower()}_policy")(
        **entity, PolicyName="reader", PolicyDocument=document(S3_READ)
    )
    fetched = getattr(iam, f"get_{kind.lower()}_policy")(**entity, PolicyName="reader")
    assert (fetched[f"{kind}Name"], fetched["PolicyName"], fetched["PolicyDocument"]) == (
        name,
        "reader",
        S3_READ,
    )
    assert getattr(iam, f"list_{kind.lower()}_policies")(**entity)["PolicyNames"] == ["reader"]
    getattr(iam, f"delete_{kind.lower()}_policy")(**entity, PolicyName="reader")
    with pytest.raises(ClientError) as raised:
        getattr(iam, f"get_{kind.lower()}_policy")(**entity, PolicyName="reader")
    assert error_of(raised) == (
        "NoSuchEntity",
        f"The {kind.lower()} policy with name reader cannot be found.",
        404,
    )


def test_put_user_policy_over_size_quota_fails_limit_exceeded(
    iam: Any, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("u")
    iam.create_user(UserName=name)
    big = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": [f"s3:GetObject{i}" for i in range(150)], "Resource": "*"}
        ],
    }
    with pytest.raises(ClientError) as raised:
        iam.put_user_policy(UserName=name, PolicyName="big", PolicyDocument=document(big))
    assert error_of(raised) == (
        "LimitExceeded",
        f"Maximum policy size of 2048 bytes exceeded for user {name}",
        409,
    )


def test_create_policy_cli_and_get_policy_version(
    aws_cli: Callable[..., Any], unique_name: Callable[[str], str]
) -> None:
    created = aws_cli(
        "iam", "create-policy", "--policy-name", unique_name("cli"), "--policy-document", document(S3_READ)
    )
    arn = created["Policy"]["Arn"]
    version = aws_cli("iam", "get-policy-version", "--policy-arn", arn, "--version-id", "v1")
    assert version["PolicyVersion"]["Document"] == S3_READ
