"""Identity providers (OIDC, SAML), service-linked roles, account alias and summary."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from iam_support import LAMBDA_TRUST, S3_READ, document, error_of

THUMBPRINT = "6938fd4d98bab03faadb97b34396831e3780aea1"
SAML_METADATA = (
    '<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
    'entityID="https://idp.example.com" validUntil="2035-01-01T00:00:00Z"><md:IDPSSODescriptor '
    'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
    + "<!-- padding -->" * 60
    + "</md:IDPSSODescriptor></md:EntityDescriptor>"
)


def test_open_id_connect_provider_lifecycle(iam: Any, unique_name: Callable[[str], str]) -> None:
    host = f"{unique_name('oidc')}.example.com"
    created = iam.create_open_id_connect_provider(
        Url=f"https://{host}",
        ClientIDList=["sts.amazonaws.com"],
        ThumbprintList=[THUMBPRINT],
        Tags=[{"Key": "k", "Value": "v"}],
    )
    arn = created["OpenIDConnectProviderArn"]
    assert arn == f"arn:aws:iam::000000000000:oidc-provider/{host}"
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="my-app")
    iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn, ThumbprintList=["a" * 40])
    provider = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert (provider["Url"], provider["ClientIDList"], provider["ThumbprintList"], provider["Tags"]) == (
        host,
        ["sts.amazonaws.com", "my-app"],
        ["a" * 40],
        [{"Key": "k", "Value": "v"}],
    )
    assert {"Arn": arn} in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    with pytest.raises(ClientError) as raised:
        iam.create_open_id_connect_provider(Url=f"https://{host}", ThumbprintList=[THUMBPRINT])
    assert error_of(raised) == (
        "EntityAlreadyExists",
        f"Provider with url https://{host} already exists.",
        409,
    )
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    with pytest.raises(ClientError) as raised:
        iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert error_of(raised) == ("NoSuchEntity", f"OpenIDConnect Provider not found for arn {arn}", 404)


def test_saml_provider_lifecycle(iam: Any, unique_name: Callable[[str], str]) -> None:
    name = unique_name("saml")
    arn = iam.create_saml_provider(Name=name, SAMLMetadataDocument=SAML_METADATA)["SAMLProviderArn"]
    assert arn == f"arn:aws:iam::000000000000:saml-provider/{name}"
    provider = iam.get_saml_provider(SAMLProviderArn=arn)
    assert provider["SAMLMetadataDocument"] == SAML_METADATA
    assert provider["ValidUntil"].year == 2035
    assert arn in [item["Arn"] for item in iam.list_saml_providers()["SAMLProviderList"]]
    iam.delete_saml_provider(SAMLProviderArn=arn)
    with pytest.raises(ClientError) as raised:
        iam.get_saml_provider(SAMLProviderArn=arn)
    assert error_of(raised)[::2] == ("NoSuchEntity", 404)


def test_service_linked_role_create_protected_delete(iam: Any, unique_name: Callable[[str], str]) -> None:
    suffix = unique_name("s").replace("-", "")[-20:]
    role = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com", CustomSuffix=suffix)[
        "Role"
    ]
    assert role["RoleName"] == f"AWSServiceRoleForAutoScaling_{suffix}"
    assert role["Path"] == "/aws-service-role/autoscaling.amazonaws.com/"
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": ["autoscaling.amazonaws.com"]
    }
    with pytest.raises(ClientError) as raised:
        iam.delete_role(RoleName=role["RoleName"])
    assert error_of(raised) == (
        "UnmodifiableEntity",
        f"Cannot perform the operation on the protected role '{role['RoleName']}' - this role is only modifiable "
        "by AWS",
        400,
    )
    with pytest.raises(ClientError) as raised:
        iam.attach_role_policy(RoleName=role["RoleName"], PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    assert error_of(raised)[::2] == ("UnmodifiableEntity", 400)
    task = iam.delete_service_linked_role(RoleName=role["RoleName"])["DeletionTaskId"]
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "SUCCEEDED"
    with pytest.raises(ClientError) as raised:
        iam.get_role(RoleName=role["RoleName"])
    assert error_of(raised)[0] == "NoSuchEntity"


def test_account_alias_and_summary(client_factory: Callable[..., Any], fresh_account: str) -> None:
    iam = client_factory("iam", access_key=fresh_account)
    iam.create_account_alias(AccountAlias="my-company")
    assert iam.list_account_aliases()["AccountAliases"] == ["my-company"]
    iam.create_role(RoleName="summary-role", AssumeRolePolicyDocument=document(LAMBDA_TRUST))
    summary = iam.get_account_summary()["SummaryMap"]
    assert (summary["Roles"], summary["RolesQuota"], summary["AccessKeysPerUserQuota"]) == (1, 1000, 2)
    iam.delete_account_alias(AccountAlias="my-company")
    assert iam.list_account_aliases()["AccountAliases"] == []


def test_get_account_authorization_details_lists_entities_with_policies(
    client_factory: Callable[..., Any], fresh_account: str
) -> None:
    iam = client_factory("iam", access_key=fresh_account)
    iam.create_user(UserName="detail-user")
    iam.create_group(GroupName="detail-group")
    iam.add_user_to_group(GroupName="detail-group", UserName="detail-user")
    iam.put_user_policy(UserName="detail-user", PolicyName="inline", PolicyDocument=document(S3_READ))
    iam.create_role(RoleName="detail-role", AssumeRolePolicyDocument=document(LAMBDA_TRUST))
    basic = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    iam.attach_role_policy(RoleName="detail-role", PolicyArn=basic)
    local = iam.create_policy(PolicyName="detail-policy", PolicyDocument=document(S3_READ))["Policy"]["Arn"]
    details = iam.get_account_authorization_details()
    [user] = details["UserDetailList"]
    assert (user["GroupList"], user["UserPolicyList"]) == (
        ["detail-group"],
        [{"PolicyName": "inline", "PolicyDocument": S3_READ}],
    )
    [role] = details["RoleDetailList"]
    assert role["AssumeRolePolicyDocument"] == LAMBDA_TRUST
    assert role["AttachedManagedPolicies"] == [
        {"PolicyName": "AWSLambdaBasicExecutionRole", "PolicyArn": basic}
    ]
    assert [group["GroupName"] for group in details["GroupDetailList"]] == ["detail-group"]
    by_arn = {policy["Arn"]: policy for policy in details["Policies"]}
    assert set(by_arn) == {basic, local}
    assert by_arn[local]["PolicyVersionList"][0]["Document"] == S3_READ
    only_roles = iam.get_account_authorization_details(Filter=["Role"])
    assert (len(only_roles["RoleDetailList"]), only_roles["UserDetailList"], only_roles["Policies"]) == (
        1,
        [],
        [],
    )
    first = iam.get_account_authorization_details(MaxItems=2)
    assert first["IsTruncated"] is True
    rest = iam.get_account_authorization_details(MaxItems=100, Marker=first["Marker"])
    assert rest["IsTruncated"] is False


def test_account_password_policy_applies_to_login_profiles(
    client_factory: Callable[..., Any], fresh_account: str
) -> None:
    iam = client_factory("iam", access_key=fresh_account)
    with pytest.raises(ClientError) as raised:
        iam.get_account_password_policy()
    assert error_of(raised) == (
        "NoSuchEntity",
        f"The Password Policy with domain name {fresh_account} cannot be found.",
        404,
    )
    iam.update_account_password_policy(MinimumPasswordLength=12, RequireNumbers=True, MaxPasswordAge=90)
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert (policy["MinimumPasswordLength"], policy["RequireNumbers"], policy["RequireSymbols"]) == (
        12,
        True,
        False,
    )
    assert (policy["MaxPasswordAge"], policy["ExpirePasswords"]) == (90, True)
    iam.create_user(UserName="console-user")
    with pytest.raises(ClientError) as raised:
        iam.create_login_profile(UserName="console-user", Password="short1")
    assert error_of(raised) == ("PasswordPolicyViolation", "Password should have a minimum length of 12", 400)
    with pytest.raises(ClientError) as raised:
        iam.create_login_profile(UserName="console-user", Password="long-enough-but-no-digits")
    assert error_of(raised) == ("PasswordPolicyViolation", "Password should have at least one number", 400)
    iam.create_login_profile(UserName="console-user", Password="long-enough-with-1-digit")
    iam.delete_account_password_policy()
    with pytest.raises(ClientError) as raised:
        iam.delete_account_password_policy()
    assert error_of(raised)[0] == "NoSuchEntity"
