"""CreateSecret, DescribeSecret, GetSecretValue, UpdateSecret, tags, ListSecrets."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from aws_errors import assert_error
from sm_assertions import NOT_FOUND

ARN = re.compile(r"arn:aws:secretsmanager:us-east-1:000000000000:secret:(?P<name>.+)-[A-Za-z0-9]{6}")


def test_create_secret_then_get_secret_value_returns_current_version(sm: Any, unique_name: Any) -> None:
    name = unique_name("s")
    created = sm.create_secret(Name=name, SecretString='{"user":"admin"}', Description="db creds")

    value = sm.get_secret_value(SecretId=name)

    match = ARN.fullmatch(created["ARN"])
    assert match and match["name"] == name
    assert created["Name"] == name
    assert isinstance(value.pop("CreatedDate"), datetime)
    value.pop("ResponseMetadata")
    assert value == {
        "ARN": created["ARN"],
        "Name": name,
        "VersionId": created["VersionId"],
        "SecretString": '{"user":"admin"}',
        "VersionStages": ["AWSCURRENT"],
    }


def test_get_secret_value_by_full_and_partial_arn(sm: Any, unique_name: Any) -> None:
    name = unique_name("s")
    arn = sm.create_secret(Name=name, SecretString="v")["ARN"]

    assert sm.get_secret_value(SecretId=arn)["SecretString"] == "v"
    assert sm.get_secret_value(SecretId=arn[:-7])["SecretString"] == "v"
    assert_error(
        lambda: sm.get_secret_value(SecretId=arn[:-6] + "zzzzzz"), "ResourceNotFoundException", NOT_FOUND
    )


def test_create_secret_binary_round_trips(sm: Any, unique_name: Any) -> None:
    name = unique_name("s")
    sm.create_secret(Name=name, SecretBinary=b"\x00\x01binary")

    value = sm.get_secret_value(SecretId=name)

    assert value["SecretBinary"] == b"\x00\x01binary"
    assert "SecretString" not in value


def test_create_secret_without_value_has_no_version(sm: Any, unique_name: Any) -> None:
    name = unique_name("s")
    created = sm.create_secret(Name=name)

    assert "VersionId" not in created
    assert sm.describe_secret(SecretId=name)["VersionIdsToStages"] == {}
    assert_error(
        lambda: sm.get_secret_value(SecretId=name),
        "ResourceNotFoundException",
        "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
    )


def test_create_secret_existing_name_fails_resource_exists(sm: Any, unique_name: Any) -> None:
    name = unique_name("s")
    sm.create_secret(Name=name, SecretString="v")

    assert_error(
        lambda: sm.create_secret(Name=name, SecretString="w"),
        "ResourceExistsException",
        f"The operation failed because the secret {name} already exists.",
    )


def test_create_secret_retried_with_same_token_is_idempotent(sm: Any, unique_name: Any) -> None:
    name, token = unique_name("s"), "a" * 32
    first = sm.create_secret(Name=name, SecretString="v", ClientRequestToken=token)
    again = sm.create_secret(Name=name, SecretString="v", ClientRequestToken=token)

    assert (first["ARN"], first["VersionId"]) == (again["ARN"], again["VersionId"]) == (first["ARN"], token)
    assert_error(
        lambda: sm.create_secret(Name=name, SecretString="other", ClientRequestToken=token),
        "ResourceExistsException",
    )


def test_create_secret_invalid_name_fails_invalid_parameter(sm: Any) -> None:
    assert_error(
        lambda: sm.create_secret(Name="bad name!", SecretString="v"),
        "InvalidParameterException",
        "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!",
    )


def test_create_secret_both_values_fails_invalid_parameter(sm: Any, unique_name: Any) -> None:
    assert_error(
        lambda: sm.create_secret(Name=unique_name("s"), SecretString="v", SecretBinary=b"b"),
        "InvalidParameterException",
        "You can't specify both a binary secret value and a string secret value in the same secret.",
    )


def test_create_secret_replica_regions_fail_not_supported(sm: Any, unique_name: Any) -> None:
    name = unique_name("s")
    error = assert_error(
        lambda: sm.create_secret(Name=name, SecretString="v", AddReplicaRegions=[{"Region": "eu-west-1"}]),
        "InvalidRequestException",
    )
    assert "not supported" in error.response["Error"]["Message"]
    assert_error(lambda: sm.describe_secret(SecretId=name), "ResourceNotFoundException", NOT_FOUND)


def test_get_secret_value_missing_fails_not_found(sm: Any, unique_name: Any) -> None:
    assert_error(
        lambda: sm.get_secret_value(SecretId=unique_name("none")), "ResourceNotFoundException", NOT_FOUND
    )


def test_describe_secret_returns_metadata_tags_and_access_date(sm: Any, unique_name: Any) -> None:
    name = unique_name("s")
    created = sm.create_secret(
        Name=name,
        SecretString="v",
        Description="d",
        KmsKeyId="alias/custom",
        Tags=[{"Key": "env", "Value": "dev"}],
    )
    sm.get_secret_value(SecretId=name)

    described = sm.describe_secret(SecretId=created["ARN"])

    for field in ("CreatedDate", "LastChangedDate", "LastAccessedDate"):
        assert isinstance(described.pop(field), datetime)
    described.pop("ResponseMetadata")
    assert described == {
        "ARN": created["ARN"],
        "Name": name,
        "Description": "d",
        "KmsKeyId": "alias/custom",
        "Tags": [{"Key": "env", "Value": "dev"}],
        "VersionIdsToStages": {created["VersionId"]: ["AWSCURRENT"]},
    }


def test_update_secret_with_value_creates_current_version(sm: Any, unique_name: Any) -> None:
    name = unique_name("s")
    first = sm.create_secret(Name=name, SecretString="one")["VersionId"]

    updated = sm.update_secret(SecretId=name, SecretString="two", Description="new")

    assert sm.get_secret_value(SecretId=name)["SecretString"] == "two"
    assert sm.describe_secret(SecretId=name)["VersionIdsToStages"] == {
        first: ["AWSPREVIOUS"],
        updated["VersionId"]: ["AWSCURRENT"],
    }
    assert sm.describe_secret(SecretId=name)["Description"] == "new"


def test_update_secret_metadata_only_has_no_version_id(sm: Any, unique_name: Any) -> None:
    name = unique_name("s")
    sm.create_secret(Name=name, SecretString="one")

    updated = sm.update_secret(SecretId=name, Description="only metadata")

    assert "VersionId" not in updated
    assert sm.get_secret_value(SecretId=name)["SecretString"] == "one"


def test_tag_resource_merges_and_untag_removes(sm: Any, unique_name: Any) -> None:
    name = unique_name("s")
    sm.create_secret(Name=name, SecretString="v", Tags=[{"Key": "a", "Value": "1"}])

    sm.tag_resource(SecretId=name, Tags=[{"Key": "a", "Value": "2"}, {"Key": "b", "Value": "3"}])
    tagged = sm.describe_secret(SecretId=name)["Tags"]
    sm.untag_resource(SecretId=name, TagKeys=["a"])

    assert tagged == [{"Key": "a", "Value": "2"}, {"Key": "b", "Value": "3"}]
    assert sm.describe_secret(SecretId=name)["Tags"] == [{"Key": "b", "Value": "3"}]


def test_list_secrets_filters_by_name_tag_and_description(sm: Any, unique_name: Any) -> None:
    prefix = unique_name("list")
    sm.create_secret(Name=f"{prefix}/alpha", SecretString="v", Tags=[{"Key": "team", "Value": "red"}])
    sm.create_secret(Name=f"{prefix}/beta", SecretString="v", Description="Payment KEY")

    def names(filters: list[dict[str, Any]]) -> list[str]:
        pages = sm.get_paginator("list_secrets").paginate(Filters=filters)
        return sorted(s["Name"] for page in pages for s in page["SecretList"])

    assert names([{"Key": "name", "Values": [prefix]}]) == [f"{prefix}/alpha", f"{prefix}/beta"]
    assert names([{"Key": "name", "Values": [prefix]}, {"Key": "tag-value", "Values": ["red"]}]) == [
        f"{prefix}/alpha"
    ]
    assert names([{"Key": "name", "Values": [prefix]}, {"Key": "description", "Values": ["payment"]}]) == [
        f"{prefix}/beta"
    ]
    assert names([{"Key": "name", "Values": [prefix]}, {"Key": "tag-key", "Values": ["!team"]}]) == [
        f"{prefix}/beta"
    ]


def test_list_secrets_paginates_and_sorts(sm: Any, unique_name: Any) -> None:
    prefix = unique_name("page")
    for index in range(5):
        sm.create_secret(Name=f"{prefix}-{index}", SecretString="v")
    filters = [{"Key": "name", "Values": [prefix]}]

    first = sm.list_secrets(Filters=filters, MaxResults=2, SortBy="name", SortOrder="desc")
    rest = sm.list_secrets(
        Filters=filters, MaxResults=10, SortBy="name", SortOrder="desc", NextToken=first["NextToken"]
    )

    names = [s["Name"] for s in first["SecretList"] + rest["SecretList"]]
    assert names == [f"{prefix}-{index}" for index in (4, 3, 2, 1, 0)]
    assert "NextToken" not in rest
    assert first["SecretList"][0]["SecretVersionsToStages"]


def test_secrets_are_isolated_by_account_and_region(client_factory: Any, sm: Any, unique_name: Any) -> None:
    name = unique_name("s")
    sm.create_secret(Name=name, SecretString="home")
    other_account = client_factory("secretsmanager", access_key="222222222222")
    other_region = client_factory("secretsmanager", region="eu-west-1")

    assert_error(lambda: other_account.get_secret_value(SecretId=name), "ResourceNotFoundException")
    arn = other_region.create_secret(Name=name, SecretString="away")["ARN"]
    assert arn.startswith("arn:aws:secretsmanager:eu-west-1:000000000000:secret:")
    assert sm.get_secret_value(SecretId=name)["SecretString"] == "home"


def test_secretsmanager_cli_create_and_get(aws_cli: Any, unique_name: Any) -> None:
    name = unique_name("cli")
    created = aws_cli("secretsmanager", "create-secret", "--name", name, "--secret-string", "s3cr3t")

    value = aws_cli("secretsmanager", "get-secret-value", "--secret-id", name)
    missing = aws_cli("secretsmanager", "get-secret-value", "--secret-id", name + "-none", check=False)

    assert (value["SecretString"], value["ARN"], value["VersionStages"]) == (
        "s3cr3t",
        created["ARN"],
        ["AWSCURRENT"],
    )
    assert missing.returncode != 0 and "ResourceNotFoundException" in missing.stderr


def test_list_secrets_all_filter_matches_words_case_insensitively(sm: Any, unique_name: Any) -> None:
    prefix = unique_name("all")
    sm.create_secret(
        Name=f"{prefix}/orders-db", SecretString="v", Tags=[{"Key": "Owner", "Value": "Payments"}]
    )
    sm.create_secret(Name=f"{prefix}/search", SecretString="v")
    scoped = {"Key": "name", "Values": [prefix]}

    by_tag = sm.list_secrets(Filters=[scoped, {"Key": "all", "Values": ["payments"]}])["SecretList"]
    by_word = sm.list_secrets(Filters=[scoped, {"Key": "all", "Values": ["DB"]}])["SecretList"]

    assert [s["Name"] for s in by_tag] == [f"{prefix}/orders-db"]
    assert [s["Name"] for s in by_word] == [f"{prefix}/orders-db"]
