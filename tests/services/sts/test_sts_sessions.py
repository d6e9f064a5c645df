"""STS: the caller's identity, role sessions (also across accounts), and session tokens."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
from sts_support import error_of, jwt, saml_assertion, trust

ROOT = {"AWS": "arn:aws:iam::000000000000:root"}


def fogbank_now(fogbank: Any) -> float:
    return float(fogbank.get("/_fogbank/clock")["epoch"])


def assume(sts: Any, arn: str, session: str = "session", **options: Any) -> dict[str, Any]:
    return dict(sts.assume_role(RoleArn=arn, RoleSessionName=session, **options))


def test_get_caller_identity_default_key_is_root_of_default_account(sts: Any) -> None:
    identity = sts.get_caller_identity()
    assert (identity["UserId"], identity["Account"], identity["Arn"]) == (
        "000000000000",
        "000000000000",
        "arn:aws:iam::000000000000:root",
    )


def test_get_caller_identity_12_digit_key_is_root_of_that_account(client_factory: Callable[..., Any]) -> None:
    identity = client_factory("sts", access_key="111122223333").get_caller_identity()
    assert (identity["Account"], identity["Arn"]) == ("111122223333", "arn:aws:iam::111122223333:root")


def test_assume_role_credentials_act_as_assumed_role(
    sts: Any, iam: Any, client_with: Callable[..., Any], unique_name: Callable[[str], str], fogbank: Any
) -> None:
    role = iam.create_role(RoleName=unique_name("r"), Path="/apps/", AssumeRolePolicyDocument=trust(ROOT))[
        "Role"
    ]
    before = fogbank_now(fogbank)
    response = assume(sts, role["Arn"], "my-session", DurationSeconds=900)
    credentials = response["Credentials"]
    assert re.fullmatch(r"ASIA[A-Z2-7]{16}", credentials["AccessKeyId"])
    assert len(credentials["SecretAccessKey"]) == 40
    assert credentials["SessionToken"]
    assert before + 900 - 5 <= credentials["Expiration"].timestamp() <= fogbank_now(fogbank) + 900 + 5
    expected_arn = f"arn:aws:sts::000000000000:assumed-role/{role['RoleName']}/my-session"
    assert response["AssumedRoleUser"] == {
        "AssumedRoleId": f"{role['RoleId']}:my-session",
        "Arn": expected_arn,
    }
    session = client_with(
        "sts", credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"]
    )
    identity = session.get_caller_identity()
    assert (identity["Arn"], identity["UserId"], identity["Account"]) == (
        expected_arn,
        f"{role['RoleId']}:my-session",
        "000000000000",
    )


def test_assume_role_records_role_last_used(sts: Any, iam: Any, unique_name: Callable[[str], str]) -> None:
    role = iam.create_role(RoleName=unique_name("r"), AssumeRolePolicyDocument=trust(ROOT))["Role"]
    assert iam.get_role(RoleName=role["RoleName"])["Role"]["RoleLastUsed"] == {}
    assume(sts, role["Arn"])
    used = iam.get_role(RoleName=role["RoleName"])["Role"]["RoleLastUsed"]
    assert used["Region"] == "us-east-1"
    assert "LastUsedDate" in used


def test_assume_role_with_web_identity_unknown_role_fails_access_denied(endpoint: str) -> None:
    anonymous = boto3.client(
        "sts", endpoint_url=endpoint, region_name="us-east-1", config=Config(signature_version=UNSIGNED)
    )
    with pytest.raises(ClientError) as raised:
        anonymous.assume_role_with_web_identity(
            RoleArn="arn:aws:iam::000000000000:role/no-such-role",
            RoleSessionName="web",
            WebIdentityToken=jwt({"sub": "s", "aud": "a", "iss": "https://issuer"}),
        )
    assert error_of(raised) == (
        "AccessDenied",
        "Not authorized to perform sts:AssumeRoleWithWebIdentity",
        403,
    )


def test_assume_role_in_other_account_gives_keys_acting_there(
    sts: Any,
    client_factory: Callable[..., Any],
    client_with: Callable[..., Any],
    unique_name: Callable[[str], str],
) -> None:
    target_account = str(secrets.randbelow(9 * 10**11) + 10**11)
    target = client_factory("iam", access_key=target_account)
    role = target.create_role(RoleName=unique_name("r"), AssumeRolePolicyDocument=trust(ROOT))["Role"]
    credentials = assume(sts, role["Arn"])["Credentials"]
    keys = (credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"])
    identity = client_with("sts", *keys).get_caller_identity()
    assert identity["Account"] == target_account
    assert identity["Arn"] == f"arn:aws:sts::{target_account}:assumed-role/{role['RoleName']}/session"
    queue = unique_name("q")
    client_with("sqs", *keys).create_queue(QueueName=queue)
    urls = client_factory("sqs", access_key=target_account).list_queues(QueueNamePrefix=queue)["QueueUrls"]
    assert [url.rsplit("/", 2)[-2:] for url in urls] == [[target_account, queue]]
    assert sts.get_access_key_info(AccessKeyId=credentials["AccessKeyId"])["Account"] == target_account


def test_assume_role_unknown_role_fails_access_denied(sts: Any) -> None:
    arn = "arn:aws:iam::000000000000:role/does-not-exist"
    with pytest.raises(ClientError) as raised:
        assume(sts, arn)
    assert error_of(raised) == (
        "AccessDenied",
        f"User: arn:aws:iam::000000000000:root is not authorized to perform: sts:AssumeRole on resource: {arn}",
        403,
    )


def test_assume_role_duration_over_role_maximum_fails_validation(
    sts: Any, iam: Any, unique_name: Callable[[str], str]
) -> None:
    role = iam.create_role(
        RoleName=unique_name("r"), AssumeRolePolicyDocument=trust(ROOT), MaxSessionDuration=7200
    )["Role"]
    assert assume(sts, role["Arn"], DurationSeconds=7200)["Credentials"]
    with pytest.raises(ClientError) as raised:
        assume(sts, role["Arn"], DurationSeconds=7201)
    assert error_of(raised) == (
        "ValidationError",
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        400,
    )


def test_assume_role_by_role_session_over_one_hour_fails_role_chaining_limit(
    sts: Any, iam: Any, client_with: Callable[..., Any], unique_name: Callable[[str], str]
) -> None:
    role = iam.create_role(
        RoleName=unique_name("r"), AssumeRolePolicyDocument=trust(ROOT), MaxSessionDuration=43200
    )["Role"]
    credentials = assume(sts, role["Arn"])["Credentials"]
    chained = client_with(
        "sts", credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"]
    )
    assert assume(chained, role["Arn"], "hop", DurationSeconds=3600)["AssumedRoleUser"]["Arn"].endswith(
        "/hop"
    )
    with pytest.raises(ClientError) as raised:
        assume(chained, role["Arn"], "hop", DurationSeconds=3601)
    assert error_of(raised) == (
        "ValidationError",
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
        400,
    )


def test_assume_role_with_session_token_credentials_is_not_role_chaining(
    sts: Any, iam: Any, client_with: Callable[..., Any], unique_name: Callable[[str], str]
) -> None:
    role = iam.create_role(
        RoleName=unique_name("r"), AssumeRolePolicyDocument=trust(ROOT), MaxSessionDuration=7200
    )["Role"]
    user = iam.create_user(UserName=unique_name("u"))["User"]
    key = iam.create_access_key(UserName=user["UserName"])["AccessKey"]
    token = client_with("sts", key["AccessKeyId"], key["SecretAccessKey"]).get_session_token()["Credentials"]
    session = client_with("sts", token["AccessKeyId"], token["SecretAccessKey"], token["SessionToken"])
    assert assume(session, role["Arn"], DurationSeconds=7200)["Credentials"]


def test_assume_role_chained_session_keeps_transitive_tags(
    sts: Any, iam: Any, client_with: Callable[..., Any], unique_name: Callable[[str], str]
) -> None:
    role = iam.create_role(RoleName=unique_name("r"), AssumeRolePolicyDocument=trust(ROOT))["Role"]
    first = assume(sts, role["Arn"], Tags=[{"Key": "team", "Value": "a"}], TransitiveTagKeys=["team"])
    keys = first["Credentials"]
    chained = client_with("sts", keys["AccessKeyId"], keys["SecretAccessKey"], keys["SessionToken"])
    second = assume(chained, role["Arn"], "hop", Tags=[{"Key": "project", "Value": "x"}])["Credentials"]
    hop = client_with("sts", second["AccessKeyId"], second["SecretAccessKey"], second["SessionToken"])
    with pytest.raises(ClientError) as raised:
        assume(hop, role["Arn"], "again", Tags=[{"Key": "Team", "Value": "b"}])
    assert error_of(raised)[::2] == ("InvalidParameterValue", 400)
    with pytest.raises(ClientError) as raised:
        assume(sts, role["Arn"], Tags=[{"Key": "a", "Value": "1"}], TransitiveTagKeys=["b"])
    assert error_of(raised) == (
        "ValidationError",
        "The specified transitive tag key must be included in the requested tags.",
        400,
    )


def test_assume_role_invalid_session_name_fails_validation(
    sts: Any, iam: Any, unique_name: Callable[[str], str]
) -> None:
    role = iam.create_role(RoleName=unique_name("r"), AssumeRolePolicyDocument=trust(ROOT))["Role"]
    with pytest.raises(ClientError) as raised:
        assume(sts, role["Arn"], "bad name")
    assert error_of(raised) == (
        "ValidationError",
        "1 validation error detected: Value 'bad name' at 'roleSessionName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w+=,.@-]*",
        400,
    )


def test_assume_role_external_id_required_by_trust_policy(
    sts: Any, iam: Any, unique_name: Callable[[str], str]
) -> None:
    document = trust(ROOT, Condition={"StringEquals": {"sts:ExternalId": "secret-id"}})
    role = iam.create_role(RoleName=unique_name("r"), AssumeRolePolicyDocument=document)["Role"]
    with pytest.raises(ClientError) as raised:
        assume(sts, role["Arn"], ExternalId="wrong-id")
    assert error_of(raised)[::2] == ("AccessDenied", 403)
    assert assume(sts, role["Arn"], ExternalId="secret-id")["Credentials"]


def test_assume_role_session_policy_and_tags_report_packed_size(
    sts: Any, iam: Any, unique_name: Callable[[str], str]
) -> None:
    role = iam.create_role(RoleName=unique_name("r"), AssumeRolePolicyDocument=trust(ROOT))["Role"]
    policy = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    )
    response = assume(
        sts,
        role["Arn"],
        Policy=policy,
        Tags=[{"Key": "team", "Value": "a"}],
        TransitiveTagKeys=["team"],
        SourceIdentity="alice",
    )
    assert 0 < response["PackedPolicySize"] <= 100
    assert response["SourceIdentity"] == "alice"
    with pytest.raises(ClientError) as raised:
        assume(sts, role["Arn"], Policy="{not json")
    assert error_of(raised) == ("MalformedPolicyDocument", "Syntax errors in policy.", 400)


def test_assume_role_with_web_identity_unsigned_returns_token_claims(
    iam: Any, endpoint: str, client_with: Callable[..., Any], unique_name: Callable[[str], str]
) -> None:
    host = f"{unique_name('idp')}.example.com"
    provider = iam.create_open_id_connect_provider(Url=f"https://{host}", ClientIDList=["my-client"])
    federated = {"Federated": provider["OpenIDConnectProviderArn"]}
    role = iam.create_role(
        RoleName=unique_name("r"), AssumeRolePolicyDocument=trust(federated, "sts:AssumeRoleWithWebIdentity")
    )["Role"]
    anonymous = boto3.client(
        "sts", endpoint_url=endpoint, region_name="us-east-1", config=Config(signature_version=UNSIGNED)
    )
    token = jwt({"sub": "user-42", "aud": "my-client", "iss": f"https://{host}"})
    response = anonymous.assume_role_with_web_identity(
        RoleArn=role["Arn"], RoleSessionName="web", WebIdentityToken=token
    )
    assert response["SubjectFromWebIdentityToken"] == "user-42"
    assert (response["Provider"], response["Audience"]) == (host, "my-client")
    assert (
        response["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::000000000000:assumed-role/{role['RoleName']}/web"
    )
    credentials = response["Credentials"]
    identity = client_with(
        "sts", credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"]
    ).get_caller_identity()
    assert identity["Arn"] == response["AssumedRoleUser"]["Arn"]
    failures = [
        (
            "not-a-jwt",
            "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)",
        ),
        (jwt({"sub": "s", "aud": "other", "iss": f"https://{host}"}), "Incorrect token audience"),
        (
            jwt({"sub": "s", "aud": "a", "iss": "https://unknown.example.com"}),
            "No OpenIDConnect provider found in your account for https://unknown.example.com",
        ),
    ]
    for bad_token, message in failures:
        with pytest.raises(ClientError) as raised:
            anonymous.assume_role_with_web_identity(
                RoleArn=role["Arn"], RoleSessionName="web", WebIdentityToken=bad_token
            )
        assert error_of(raised) == ("InvalidIdentityToken", message, 400)


def test_assume_role_with_saml_reads_assertion(sts: Any, iam: Any, unique_name: Callable[[str], str]) -> None:
    metadata = (
        '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x">' + " " * 1000
    )
    provider = iam.create_saml_provider(
        Name=unique_name("corp"), SAMLMetadataDocument=metadata + "</md:EntityDescriptor>"
    )["SAMLProviderArn"]
    role = iam.create_role(
        RoleName=unique_name("r"),
        AssumeRolePolicyDocument=trust({"Federated": provider}, "sts:AssumeRoleWithSAML"),
    )["Role"]
    response = sts.assume_role_with_saml(
        RoleArn=role["Arn"],
        PrincipalArn=provider,
        SAMLAssertion=saml_assertion("https://idp.example.com", "jdoe", "jdoe@example.com"),
    )
    assert response["AssumedRoleUser"]["Arn"].endswith(f"/{role['RoleName']}/jdoe@example.com")
    assert (response["Subject"], response["SubjectType"], response["Issuer"]) == (
        "jdoe",
        "persistent",
        "https://idp.example.com",
    )
    assert response["NameQualifier"]


def test_get_session_token_keeps_caller_identity(
    iam: Any, client_with: Callable[..., Any], unique_name: Callable[[str], str], fogbank: Any
) -> None:
    user = iam.create_user(UserName=unique_name("u"))["User"]
    key = iam.create_access_key(UserName=user["UserName"])["AccessKey"]
    as_user = client_with("sts", key["AccessKeyId"], key["SecretAccessKey"])
    credentials = as_user.get_session_token()["Credentials"]
    assert abs(credentials["Expiration"].timestamp() - (fogbank_now(fogbank) + 43200)) < 10
    session = client_with(
        "sts", credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"]
    )
    assert session.get_caller_identity()["Arn"] == user["Arn"]
    with pytest.raises(ClientError) as raised:
        session.get_session_token()
    assert error_of(raised) == ("AccessDenied", "Cannot call GetSessionToken with session credentials", 403)


def test_get_federation_token_acts_as_federated_user(sts: Any, client_with: Callable[..., Any]) -> None:
    response = sts.get_federation_token(Name="contractor", DurationSeconds=900)
    assert response["FederatedUser"] == {
        "FederatedUserId": "000000000000:contractor",
        "Arn": "arn:aws:sts::000000000000:federated-user/contractor",
    }
    credentials = response["Credentials"]
    identity = client_with(
        "sts", credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"]
    ).get_caller_identity()
    assert identity["Arn"] == "arn:aws:sts::000000000000:federated-user/contractor"


def test_assume_role_cli_then_get_caller_identity(
    aws_cli: Callable[..., Any], iam: Any, unique_name: Callable[[str], str]
) -> None:
    role = iam.create_role(RoleName=unique_name("r"), AssumeRolePolicyDocument=trust(ROOT))["Role"]
    response = aws_cli("sts", "assume-role", "--role-arn", role["Arn"], "--role-session-name", "cli")
    assert response["AssumedRoleUser"]["Arn"].endswith(f"assumed-role/{role['RoleName']}/cli")
    expiration = datetime.fromisoformat(response["Credentials"]["Expiration"].replace("Z", "+00:00"))
    assert expiration > datetime.now(UTC)
    assert aws_cli("sts", "get-caller-identity")["Arn"] == "arn:aws:iam::000000000000:root"
