"""PutSecretValue, staging labels, UpdateSecretVersionStage, ListSecretVersionIds."""

from __future__ import annotations

from typing import Any

from aws_errors import assert_error


def test_put_secret_value_moves_current_to_previous(sm: Any, unique_name: Any) -> None:
    name = unique_name("s")
    v1 = sm.create_secret(Name=name, SecretString="one")["VersionId"]
    v2 = sm.put_secret_value(SecretId=name, SecretString="two")["VersionId"]

    put = sm.put_secret_value(SecretId=name, SecretString="three")

    assert put["VersionStages"] == ["AWSCURRENT"]
    assert sm.describe_secret(SecretId=name)["VersionIdsToStages"] == {
        v2: ["AWSPREVIOUS"],
        put["VersionId"]: ["AWSCURRENT"],
    }
    assert sm.get_secret_value(SecretId=name, VersionStage="AWSPREVIOUS")["SecretString"] == "two"
    assert sm.get_secret_value(SecretId=name, VersionId=v1)["SecretString"] == "one"
    assert sm.get_secret_value(SecretId=name, VersionId=v1)["VersionStages"] == []


def test_put_secret_value_same_token_same_value_is_idempotent(sm: Any, unique_name: Any) -> None:
    name, token = unique_name("s"), "b" * 36
    sm.create_secret(Name=name, SecretString="one")

    first = sm.put_secret_value(SecretId=name, SecretString="two", ClientRequestToken=token)
    again = sm.put_secret_value(SecretId=name, SecretString="two", ClientRequestToken=token)

    assert first["VersionId"] == again["VersionId"] == token
    assert len(sm.list_secret_version_ids(SecretId=name)["Versions"]) == 2
    assert_error(
        lambda: sm.put_secret_value(SecretId=name, SecretString="changed", ClientRequestToken=token),
        "ResourceExistsException",
        "You can't modify an existing version, you can only create a new version.",
    )


def test_put_secret_value_custom_stage_leaves_current(sm: Any, unique_name: Any) -> None:
    name = unique_name("s")
    current = sm.create_secret(Name=name, SecretString="one")["VersionId"]

    pending = sm.put_secret_value(SecretId=name, SecretString="next", VersionStages=["AWSPENDING"])

    assert sm.get_secret_value(SecretId=name)["VersionId"] == current
    assert sm.get_secret_value(SecretId=name, VersionStage="AWSPENDING")["SecretString"] == "next"
    assert pending["VersionStages"] == ["AWSPENDING"]


def test_get_secret_value_unknown_version_or_stage_fails(sm: Any, unique_name: Any) -> None:
    name = unique_name("s")
    sm.create_secret(Name=name, SecretString="one")
    missing = "c" * 32

    assert_error(
        lambda: sm.get_secret_value(SecretId=name, VersionId=missing),
        "ResourceNotFoundException",
        f"Secrets Manager can't find the specified secret value for VersionId: {missing}",
    )
    assert_error(
        lambda: sm.get_secret_value(SecretId=name, VersionStage="NOPE"),
        "ResourceNotFoundException",
        "Secrets Manager can't find the specified secret value for staging label: NOPE",
    )


def test_update_secret_version_stage_moves_current_back(sm: Any, unique_name: Any) -> None:
    name = unique_name("s")
    v1 = sm.create_secret(Name=name, SecretString="one")["VersionId"]
    v2 = sm.put_secret_value(SecretId=name, SecretString="two")["VersionId"]

    sm.update_secret_version_stage(
        SecretId=name, VersionStage="AWSCURRENT", RemoveFromVersionId=v2, MoveToVersionId=v1
    )

    assert sm.get_secret_value(SecretId=name)["SecretString"] == "one"
    assert sm.describe_secret(SecretId=name)["VersionIdsToStages"] == {
        v1: ["AWSCURRENT"],
        v2: ["AWSPREVIOUS"],
    }


def test_update_secret_version_stage_without_remove_from_fails(sm: Any, unique_name: Any) -> None:
    name = unique_name("s")
    v1 = sm.create_secret(Name=name, SecretString="one")["VersionId"]
    v2 = sm.put_secret_value(SecretId=name, SecretString="two")["VersionId"]

    assert_error(
        lambda: sm.update_secret_version_stage(SecretId=name, VersionStage="AWSCURRENT", MoveToVersionId=v1),
        "InvalidParameterException",
        f"The parameter RemoveFromVersionId can't be empty. Staging label AWSCURRENT is currently attached to "
        f"version {v2}, so you must explicitly reference that version in RemoveFromVersionId.",
    )


def test_update_secret_version_stage_custom_label_add_and_remove(sm: Any, unique_name: Any) -> None:
    name = unique_name("s")
    v1 = sm.create_secret(Name=name, SecretString="one")["VersionId"]

    sm.update_secret_version_stage(SecretId=name, VersionStage="blue", MoveToVersionId=v1)
    labelled = sm.describe_secret(SecretId=name)["VersionIdsToStages"][v1]
    sm.update_secret_version_stage(SecretId=name, VersionStage="blue", RemoveFromVersionId=v1)

    assert labelled == ["AWSCURRENT", "blue"]
    assert sm.describe_secret(SecretId=name)["VersionIdsToStages"][v1] == ["AWSCURRENT"]
    assert_error(
        lambda: sm.update_secret_version_stage(
            SecretId=name, VersionStage="AWSCURRENT", RemoveFromVersionId=v1
        ),
        "InvalidParameterException",
    )


def test_list_secret_version_ids_hides_deprecated_unless_asked(sm: Any, unique_name: Any) -> None:
    name = unique_name("s")
    v1 = sm.create_secret(Name=name, SecretString="one")["VersionId"]
    v2 = sm.put_secret_value(SecretId=name, SecretString="two")["VersionId"]
    v3 = sm.put_secret_value(SecretId=name, SecretString="three")["VersionId"]

    listed = sm.list_secret_version_ids(SecretId=name)
    everything = sm.list_secret_version_ids(SecretId=name, IncludeDeprecated=True)

    assert {v["VersionId"]: v["VersionStages"] for v in listed["Versions"]} == {
        v2: ["AWSPREVIOUS"],
        v3: ["AWSCURRENT"],
    }
    assert {v["VersionId"] for v in everything["Versions"]} == {v1, v2, v3}
    assert listed["Versions"][0]["KmsKeyIds"] == ["DefaultEncryptionKey"]
    assert listed["Name"] == name


def test_batch_get_secret_value_by_ids_reports_errors(sm: Any, unique_name: Any) -> None:
    a, b = unique_name("a"), unique_name("b")
    sm.create_secret(Name=a, SecretString="A")
    sm.create_secret(Name=b, SecretString="B")
    missing = unique_name("missing")

    response = sm.batch_get_secret_value(SecretIdList=[a, b, missing])

    assert [(v["Name"], v["SecretString"]) for v in response["SecretValues"]] == [(a, "A"), (b, "B")]
    assert response["Errors"] == [
        {
            "SecretId": missing,
            "ErrorCode": "ResourceNotFoundException",
            "Message": "Secrets Manager can't find the specified secret.",
        },
    ]


def test_batch_get_secret_value_by_filters_paginates(sm: Any, unique_name: Any) -> None:
    prefix = unique_name("batch")
    for index in range(3):
        sm.create_secret(Name=f"{prefix}-{index}", SecretString=str(index))
    filters = [{"Key": "name", "Values": [prefix]}]

    first = sm.batch_get_secret_value(Filters=filters, MaxResults=2)
    rest = sm.batch_get_secret_value(Filters=filters, MaxResults=2, NextToken=first["NextToken"])

    assert sorted(v["SecretString"] for v in first["SecretValues"] + rest["SecretValues"]) == ["0", "1", "2"]
    assert_error(
        lambda: sm.batch_get_secret_value(SecretIdList=[prefix], Filters=filters), "InvalidParameterException"
    )


def test_secretsmanager_cli_versions_and_pagination(aws_cli: Any, unique_name: Any) -> None:
    prefix = unique_name("cli")
    for index in range(3):
        aws_cli(
            "secretsmanager", "create-secret", "--name", f"{prefix}-{index}", "--secret-string", str(index)
        )
    aws_cli("secretsmanager", "put-secret-value", "--secret-id", f"{prefix}-0", "--secret-string", "new")

    listed = aws_cli(
        "secretsmanager", "list-secrets", "--filters", f"Key=name,Values={prefix}", "--page-size", "1"
    )
    previous = aws_cli(
        "secretsmanager", "get-secret-value", "--secret-id", f"{prefix}-0", "--version-stage", "AWSPREVIOUS"
    )

    assert sorted(s["Name"] for s in listed["SecretList"]) == [f"{prefix}-{index}" for index in range(3)]
    assert previous["SecretString"] == "0"
