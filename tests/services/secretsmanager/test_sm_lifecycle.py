"""DeleteSecret (recovery window on fogbank's clock), RestoreSecret, resource policies, rotation,
GetRandomPassword."""

from __future__ import annotations

import json
import string
from datetime import timedelta
from typing import Any

import pytest
from aws_errors import assert_error
from sm_assertions import MARKED, NOT_FOUND

POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
         "Action": "secretsmanager:GetSecretValue", "Resource": "*"}
    ],
}  # fmt: skip


def test_delete_secret_default_window_then_gone_after_31_days(
    sm: Any, fogbank: Any, unique_name: Any
) -> None:
    name = unique_name("s")
    sm.create_secret(Name=name, SecretString="v")

    deleted = sm.delete_secret(SecretId=name)
    described = sm.describe_secret(SecretId=name)

    assert deleted["DeletionDate"] - described["DeletedDate"] == timedelta(days=30)
    assert_error(lambda: sm.get_secret_value(SecretId=name), "InvalidRequestException", MARKED)
    assert_error(
        lambda: sm.create_secret(Name=name, SecretString="again"),
        "InvalidRequestException",
        "You can't create this secret because a secret with this name is already scheduled for deletion.",
    )
    fogbank.advance_clock("P31D")
    assert_error(lambda: sm.describe_secret(SecretId=name), "ResourceNotFoundException", NOT_FOUND)
    assert sm.create_secret(Name=name, SecretString="again")["Name"] == name


def test_delete_secret_within_window_can_be_restored(sm: Any, fogbank: Any, unique_name: Any) -> None:
    name = unique_name("s")
    sm.create_secret(Name=name, SecretString="v")
    sm.delete_secret(SecretId=name, RecoveryWindowInDays=7)
    fogbank.advance_clock("P6D")

    restored = sm.restore_secret(SecretId=name)
    fogbank.advance_clock("P2D")

    assert restored["Name"] == name
    assert sm.get_secret_value(SecretId=name)["SecretString"] == "v"
    assert "DeletedDate" not in sm.describe_secret(SecretId=name)


def test_list_secrets_hides_planned_deletion_unless_asked(sm: Any, unique_name: Any) -> None:
    name = unique_name("s")
    sm.create_secret(Name=name, SecretString="v")
    sm.delete_secret(SecretId=name, RecoveryWindowInDays=10)
    filters = [{"Key": "name", "Values": [name]}]

    hidden = sm.list_secrets(Filters=filters)["SecretList"]
    shown = sm.list_secrets(Filters=filters, IncludePlannedDeletion=True)["SecretList"]

    assert hidden == []
    assert [entry["Name"] for entry in shown] == [name] and "DeletedDate" in shown[0]


def test_delete_secret_force_deletes_immediately(sm: Any, unique_name: Any) -> None:
    name = unique_name("s")
    sm.create_secret(Name=name, SecretString="v")

    sm.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)

    assert_error(lambda: sm.describe_secret(SecretId=name), "ResourceNotFoundException", NOT_FOUND)


def test_delete_secret_invalid_windows_fail(sm: Any, unique_name: Any) -> None:
    name = unique_name("s")
    sm.create_secret(Name=name, SecretString="v")

    for days in (6, 31):
        assert_error(
            lambda days=days: sm.delete_secret(SecretId=name, RecoveryWindowInDays=days),
            "InvalidParameterException",
            "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).",
        )
    assert_error(
        lambda: sm.delete_secret(SecretId=name, RecoveryWindowInDays=7, ForceDeleteWithoutRecovery=True),
        "InvalidParameterException",
        "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
    )
    sm.delete_secret(SecretId=name)
    assert_error(lambda: sm.delete_secret(SecretId=name), "InvalidRequestException", MARKED)


def test_put_resource_policy_then_get_and_delete(sm: Any, unique_name: Any) -> None:
    name = unique_name("s")
    arn = sm.create_secret(Name=name, SecretString="v")["ARN"]

    put = sm.put_resource_policy(SecretId=name, ResourcePolicy=json.dumps(POLICY))
    got = sm.get_resource_policy(SecretId=name)
    sm.delete_resource_policy(SecretId=name)

    assert (put["ARN"], put["Name"]) == (arn, name)
    assert json.loads(got["ResourcePolicy"]) == POLICY
    assert "ResourcePolicy" not in sm.get_resource_policy(SecretId=name)


def test_put_resource_policy_malformed_or_public_fails(sm: Any, unique_name: Any) -> None:
    name = unique_name("s")
    sm.create_secret(Name=name, SecretString="v")
    public = {
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:*", "Resource": "*"}]
    }

    assert_error(
        lambda: sm.put_resource_policy(SecretId=name, ResourcePolicy="{not json"),
        "MalformedPolicyDocumentException",
    )
    assert_error(
        lambda: sm.put_resource_policy(
            SecretId=name, ResourcePolicy=json.dumps(public), BlockPublicPolicy=True
        ),
        "PublicPolicyException",
        "The BlockPublicPolicy parameter is set to true and the resource policy did not prevent broad access to "
        "the secret.",
    )
    assert "ResourcePolicy" not in sm.get_resource_policy(SecretId=name)


def test_validate_resource_policy_reports_grammar_errors(sm: Any) -> None:
    good = sm.validate_resource_policy(ResourcePolicy=json.dumps(POLICY))
    bad = sm.validate_resource_policy(ResourcePolicy=json.dumps({"Statement": [{"Effect": "Maybe"}]}))

    assert (good["PolicyValidationPassed"], good["ValidationErrors"]) == (True, [])
    assert bad["PolicyValidationPassed"] is False
    assert {error["CheckName"] for error in bad["ValidationErrors"]} == {"POLICY_GRAMMAR"}
    assert len(bad["ValidationErrors"]) == 3


def test_rotate_secret_with_lambda_fails_clearly_and_changes_nothing(sm: Any, unique_name: Any) -> None:
    name = unique_name("s")
    sm.create_secret(Name=name, SecretString="v")
    function = "arn:aws:lambda:us-east-1:000000000000:function:rotator"

    error = assert_error(
        lambda: sm.rotate_secret(
            SecretId=name, RotationLambdaARN=function, RotationRules={"AutomaticallyAfterDays": 30}
        ),
        "InvalidRequestException",
    )

    assert "Rotation functions are not supported by fogbank yet" in error.response["Error"]["Message"]
    assert "RotationEnabled" not in sm.describe_secret(SecretId=name)


def test_rotate_secret_without_function_fails(sm: Any, unique_name: Any) -> None:
    name = unique_name("s")
    sm.create_secret(Name=name, SecretString="v")

    assert_error(
        lambda: sm.rotate_secret(SecretId=name),
        "InvalidRequestException",
        "No Lambda rotation function ARN is associated with this secret.",
    )
    assert_error(
        lambda: sm.rotate_secret(
            SecretId=name, RotationRules={"AutomaticallyAfterDays": 2, "ScheduleExpression": "rate(2 days)"}
        ),
        "InvalidParameterException",
    )


def test_cancel_rotate_secret_returns_pending_version(sm: Any, unique_name: Any) -> None:
    name = unique_name("s")
    sm.create_secret(Name=name, SecretString="v")
    pending = sm.put_secret_value(SecretId=name, SecretString="n", VersionStages=["AWSPENDING"])["VersionId"]

    cancelled = sm.cancel_rotate_secret(SecretId=name)

    assert (cancelled["Name"], cancelled["VersionId"]) == (name, pending)
    assert sm.describe_secret(SecretId=name)["RotationEnabled"] is False


def test_get_random_password_default_has_every_type(sm: Any) -> None:
    password = sm.get_random_password()["RandomPassword"]

    assert len(password) == 32
    for chars in (string.ascii_lowercase, string.ascii_uppercase, string.digits, string.punctuation):
        assert any(ch in chars for ch in password)
    assert " " not in password


def test_get_random_password_options_are_honoured(sm: Any) -> None:
    password = sm.get_random_password(
        PasswordLength=64,
        ExcludePunctuation=True,
        ExcludeUppercase=True,
        ExcludeCharacters="abc012",
        IncludeSpace=True,
    )["RandomPassword"]

    assert len(password) == 64
    assert set(password) <= set(string.ascii_lowercase + string.digits + " ") - set("abc012")
    assert " " in password


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"PasswordLength": 4097}, "ValidationException"),
        ({"PasswordLength": 0}, "ValidationException"),
        ({"PasswordLength": 3}, "InvalidParameterException"),
        ({"ExcludeLowercase": True, "ExcludeUppercase": True, "ExcludeNumbers": True, "ExcludePunctuation": True},
         "InvalidParameterException"),
    ],
)  # fmt: skip
def test_get_random_password_impossible_requests_fail(
    client_factory: Any, options: dict[str, Any], code: str
) -> None:
    unchecked = client_factory("secretsmanager", parameter_validation=False)
    assert_error(lambda: unchecked.get_random_password(**options), code)


def test_get_random_password_too_long_fails_validation_message(sm: Any) -> None:
    assert_error(
        lambda: sm.get_random_password(PasswordLength=4097),
        "ValidationException",
        "1 validation error detected: Value '4097' at 'passwordLength' failed to satisfy constraint: "
        "Member must have value less than or equal to 4096",
    )


def test_get_random_password_short_without_requirement_succeeds(sm: Any) -> None:
    assert len(sm.get_random_password(PasswordLength=1, RequireEachIncludedType=False)["RandomPassword"]) == 1


def test_get_random_password_shorter_than_required_types_fails(sm: Any) -> None:
    assert_error(
        lambda: sm.get_random_password(PasswordLength=3),
        "InvalidParameterException",
        "Password length is too short based on the required types.",
    )
