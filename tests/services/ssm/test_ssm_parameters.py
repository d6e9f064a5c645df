"""PutParameter / GetParameter(s) / DeleteParameter(s): types, overwrite, tiers, names, encryption."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from aws_errors import assert_error


def test_put_parameter_string_then_get_parameter_returns_whole_parameter(ssm: Any, path: str) -> None:
    name = f"{path}/db/host"
    assert ssm.put_parameter(Name=name, Value="db.local", Type="String")["Version"] == 1

    parameter = ssm.get_parameter(Name=name)["Parameter"]

    assert isinstance(parameter.pop("LastModifiedDate"), datetime)
    assert parameter == {
        "Name": name,
        "Type": "String",
        "Value": "db.local",
        "Version": 1,
        "ARN": f"arn:aws:ssm:us-east-1:000000000000:parameter{name}",
        "DataType": "text",
    }


def test_put_parameter_without_leading_slash_has_arn_without_double_slash(ssm: Any, unique_name: Any) -> None:
    name = unique_name("plain")
    response = ssm.put_parameter(Name=name, Value="v", Type="String")

    assert response["Tier"] == "Standard"
    assert (
        ssm.get_parameter(Name=name)["Parameter"]["ARN"]
        == f"arn:aws:ssm:us-east-1:000000000000:parameter/{name}"
    )


def test_get_parameter_by_arn_returns_parameter(ssm: Any, path: str) -> None:
    name = f"{path}/by-arn"
    ssm.put_parameter(Name=name, Value="v", Type="String")

    arn = f"arn:aws:ssm:us-east-1:000000000000:parameter{name}"
    assert ssm.get_parameter(Name=arn)["Parameter"]["Name"] == name


def test_put_parameter_existing_without_overwrite_fails_parameter_already_exists(ssm: Any, path: str) -> None:
    name = f"{path}/x"
    ssm.put_parameter(Name=name, Value="1", Type="String")

    assert_error(
        lambda: ssm.put_parameter(Name=name, Value="2", Type="String"),
        "ParameterAlreadyExists",
        "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.",
    )
    assert ssm.get_parameter(Name=name)["Parameter"]["Value"] == "1"


def test_put_parameter_overwrite_creates_new_version_keeping_description(ssm: Any, path: str) -> None:
    name = f"{path}/x"
    ssm.put_parameter(Name=name, Value="1", Type="String", Description="the x")

    second = ssm.put_parameter(Name=name, Value="2", Overwrite=True)
    third = ssm.put_parameter(Name=name, Value="3", Overwrite=True)

    assert (second["Version"], second["Tier"], third["Version"]) == (2, "Standard", 3)
    parameter = ssm.get_parameter(Name=name)["Parameter"]
    assert (parameter["Value"], parameter["Version"], parameter["Type"]) == ("3", 3, "String")
    described = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [name]}])["Parameters"]
    assert described[0]["Description"] == "the x"


def test_put_parameter_tags_with_overwrite_fails_validation(ssm: Any, path: str) -> None:
    assert_error(
        lambda: ssm.put_parameter(
            Name=f"{path}/t", Value="1", Type="String", Overwrite=True, Tags=[{"Key": "a", "Value": "b"}]
        ),
        "ValidationException",
        "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please "
        "remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or "
        "RemoveTagsFromResource.",
    )


def test_put_parameter_string_list_keeps_commas(ssm: Any, path: str) -> None:
    name = f"{path}/list"
    ssm.put_parameter(Name=name, Value="a,b,c", Type="StringList")

    parameter = ssm.get_parameter(Name=name)["Parameter"]
    assert (parameter["Type"], parameter["Value"]) == ("StringList", "a,b,c")


def test_get_parameter_secure_string_without_decryption_returns_ciphertext(ssm: Any, path: str) -> None:
    name = f"{path}/secret"
    ssm.put_parameter(Name=name, Value="hunter2", Type="SecureString")

    hidden = ssm.get_parameter(Name=name)["Parameter"]["Value"]
    shown = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]

    assert hidden != "hunter2" and "hunter2" not in hidden
    assert shown == "hunter2"
    described = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [name]}])["Parameters"][0]
    assert described["KeyId"] == "alias/aws/ssm"


def test_put_parameter_secure_string_custom_key_id_is_described(ssm: Any, path: str) -> None:
    name = f"{path}/secret"
    ssm.put_parameter(Name=name, Value="s", Type="SecureString", KeyId="alias/my-key")

    described = ssm.describe_parameters(ParameterFilters=[{"Key": "KeyId", "Values": ["alias/my-key"]}])
    assert [p["Name"] for p in described["Parameters"] if p["Name"] == name] == [name]
    assert ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"] == "s"


def test_put_parameter_key_id_on_string_fails_validation(ssm: Any, path: str) -> None:
    assert_error(
        lambda: ssm.put_parameter(Name=f"{path}/k", Value="s", Type="String", KeyId="alias/x"),
        "ValidationException",
        "KeyId is required for SecureString type parameter only.",
    )


def test_put_parameter_without_type_on_create_fails_validation(ssm: Any, path: str) -> None:
    assert_error(
        lambda: ssm.put_parameter(Name=f"{path}/k", Value="s"),
        "ValidationException",
        "A parameter type is required when you create a parameter.",
    )


def test_put_parameter_standard_value_over_4kb_fails_validation(ssm: Any, path: str) -> None:
    error = assert_error(
        lambda: ssm.put_parameter(Name=f"{path}/big", Value="x" * 4097, Type="String"), "ValidationException"
    )
    assert error.response["Error"]["Message"].startswith(
        "Standard tier parameters support a maximum parameter value of 4096 characters."
    )


def test_put_parameter_advanced_tier_accepts_8kb_and_rejects_more(ssm: Any, path: str) -> None:
    name = f"{path}/big"
    assert (
        ssm.put_parameter(Name=name, Value="x" * 8192, Type="String", Tier="Advanced")["Tier"] == "Advanced"
    )
    assert_error(
        lambda: ssm.put_parameter(Name=f"{path}/bigger", Value="x" * 8193, Type="String", Tier="Advanced"),
        "ValidationException",
    )
    assert len(ssm.get_parameter(Name=name)["Parameter"]["Value"]) == 8192


def test_put_parameter_intelligent_tiering_picks_tier_by_size(ssm: Any, path: str) -> None:
    small = ssm.put_parameter(Name=f"{path}/s", Value="x", Type="String", Tier="Intelligent-Tiering")
    large = ssm.put_parameter(Name=f"{path}/l", Value="x" * 5000, Type="String", Tier="Intelligent-Tiering")

    assert (small["Tier"], large["Tier"]) == ("Standard", "Advanced")


def test_put_parameter_advanced_to_standard_fails_validation(ssm: Any, path: str) -> None:
    name = f"{path}/adv"
    ssm.put_parameter(Name=name, Value="x", Type="String", Tier="Advanced")

    error = assert_error(
        lambda: ssm.put_parameter(Name=name, Value="y", Tier="Standard", Overwrite=True),
        "ValidationException",
    )
    assert (
        "can't downgrade a parameter from the advanced-parameter tier" in error.response["Error"]["Message"]
    )
    assert ssm.put_parameter(Name=name, Value="z", Overwrite=True)["Tier"] == "Advanced"


def test_put_parameter_value_not_matching_allowed_pattern_fails(ssm: Any, path: str) -> None:
    name = f"{path}/port"
    ssm.put_parameter(Name=name, Value="8080", Type="String", AllowedPattern=r"^\d+$")

    assert_error(
        lambda: ssm.put_parameter(Name=name, Value="http", Overwrite=True),
        "ParameterPatternMismatchException",
        r"Parameter value, cannot be validated against allowedPattern: ^\d+$",
    )
    assert ssm.put_parameter(Name=name, Value="9090", Overwrite=True)["Version"] == 2


def test_put_parameter_ec2_image_data_type_validates_ami_id(ssm: Any, path: str) -> None:
    name = f"{path}/ami"
    ssm.put_parameter(Name=name, Value="ami-0123456789abcdef0", Type="String", DataType="aws:ec2:image")

    assert ssm.get_parameter(Name=name)["Parameter"]["DataType"] == "aws:ec2:image"
    assert_error(
        lambda: ssm.put_parameter(Name=f"{path}/bad", Value="nope", Type="String", DataType="aws:ec2:image"),
        "ValidationException",
    )
    assert_error(
        lambda: ssm.put_parameter(Name=f"{path}/bad", Value="x", Type="String", DataType="Text"),
        "ValidationException",
        "The following data type is not supported: Text (Data type names are all lowercase.)",
    )


def test_put_parameter_reserved_prefix_fails_validation(ssm: Any) -> None:
    assert_error(
        lambda: ssm.put_parameter(Name="ssm-thing", Value="x", Type="String"),
        "ValidationException",
        'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).',
    )
    error = assert_error(
        lambda: ssm.put_parameter(Name="/AWS-x/y", Value="x", Type="String"), "ValidationException"
    )
    assert "If formed as a path" in error.response["Error"]["Message"]


def test_put_parameter_invalid_names_fail_validation(ssm: Any, path: str) -> None:
    for bad in (f"{path}/has space", f"{path}//double", f"{path}/trailing/", f"{path}/*"):
        assert_error(
            lambda bad=bad: ssm.put_parameter(Name=bad, Value="x", Type="String"), "ValidationException"
        )
    assert_error(
        lambda: ssm.put_parameter(Name="a/b", Value="x", Type="String"),
        "ValidationException",
        "Parameter name must be a fully qualified name.",
    )


def test_put_parameter_sixteen_levels_fails_hierarchy_limit(ssm: Any, path: str) -> None:
    fifteen = path + "".join(f"/l{i}" for i in range(14))
    assert ssm.put_parameter(Name=fifteen, Value="x", Type="String")["Version"] == 1

    assert_error(
        lambda: ssm.put_parameter(Name=fifteen + "/l15", Value="x", Type="String"),
        "HierarchyLevelLimitExceededException",
    )


def test_put_parameter_notification_policy_fails_not_supported(ssm: Any, path: str) -> None:
    policy = '[{"Type":"NoChangeNotification","Version":"1.0","Attributes":{"After":"20","Unit":"Days"}}]'
    error = assert_error(
        lambda: ssm.put_parameter(
            Name=f"{path}/p", Value="x", Type="String", Tier="Advanced", Policies=policy
        ),
        "ValidationException",
    )
    assert "not supported by fogbank yet" in error.response["Error"]["Message"]
    assert_error(lambda: ssm.get_parameter(Name=f"{path}/p"), "ParameterNotFound")


def test_put_parameter_expiration_policy_deletes_parameter_when_due(
    ssm: Any, fogbank: Any, path: str
) -> None:
    name = f"{path}/expiring"
    server_now = datetime.fromtimestamp(fogbank.get("/_fogbank/clock")["epoch"], UTC)
    when = (server_now + timedelta(hours=36)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    policy = json.dumps([{"Type": "Expiration", "Version": "1.0", "Attributes": {"Timestamp": when}}])

    put = ssm.put_parameter(Name=name, Value="x", Type="String", Tier="Intelligent-Tiering", Policies=policy)
    ssm.put_parameter(Name=name, Value="y", Overwrite=True)
    described = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [name]}])["Parameters"][0]

    assert put["Tier"] == "Advanced"
    assert [(p["PolicyType"], p["PolicyStatus"]) for p in described["Policies"]] == [
        ("Expiration", "Pending")
    ]
    assert json.loads(described["Policies"][0]["PolicyText"])["Attributes"]["Timestamp"] == when
    fogbank.advance_clock("P2D")
    assert_error(lambda: ssm.get_parameter(Name=name), "ParameterNotFound")


def test_put_parameter_policies_on_standard_tier_fail(ssm: Any, path: str) -> None:
    policy = '[{"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"2999-01-01T00:00:00.000Z"}}]'
    assert_error(
        lambda: ssm.put_parameter(Name=f"{path}/p", Value="x", Type="String", Policies=policy),
        "ValidationException",
        "Parameter policies are supported only for parameters in the advanced-parameter tier. Specify the "
        "Advanced or Intelligent-Tiering tier.",
    )
    assert_error(
        lambda: ssm.put_parameter(Name=f"{path}/p", Value="x", Type="String", Tier="Advanced", Policies="{}"),
        "InvalidPolicyTypeException",
    )


def test_get_parameter_missing_fails_parameter_not_found(ssm: Any, path: str) -> None:
    assert_error(lambda: ssm.get_parameter(Name=f"{path}/missing"), "ParameterNotFound", "")


def test_get_parameter_public_aws_parameter_is_not_found(ssm: Any) -> None:
    name = "/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2"
    assert_error(lambda: ssm.get_parameter(Name=name), "ParameterNotFound")


def test_get_parameter_version_selector_returns_that_version(ssm: Any, path: str) -> None:
    name = f"{path}/v"
    ssm.put_parameter(Name=name, Value="one", Type="String")
    ssm.put_parameter(Name=name, Value="two", Overwrite=True)

    parameter = ssm.get_parameter(Name=f"{name}:1")["Parameter"]

    assert (parameter["Name"], parameter["Value"], parameter["Version"], parameter["Selector"]) == (
        name,
        "one",
        1,
        ":1",
    )
    assert_error(
        lambda: ssm.get_parameter(Name=f"{name}:5"),
        "ParameterVersionNotFound",
        f"Systems Manager could not find version 5 of {name}. Verify the version and try again.",
    )


def test_get_parameters_reports_invalid_names(ssm: Any, path: str) -> None:
    ssm.put_parameter(Name=f"{path}/a", Value="A", Type="String")
    ssm.put_parameter(Name=f"{path}/b", Value="B", Type="SecureString")

    response = ssm.get_parameters(
        Names=[f"{path}/a", f"{path}/b", f"{path}/nope", f"{path}/a:9"], WithDecryption=True
    )

    assert [(p["Name"], p["Value"]) for p in response["Parameters"]] == [
        (f"{path}/a", "A"),
        (f"{path}/b", "B"),
    ]
    assert response["InvalidParameters"] == [f"{path}/nope", f"{path}/a:9"]


def test_delete_parameter_then_get_fails_not_found(ssm: Any, path: str) -> None:
    name = f"{path}/gone"
    ssm.put_parameter(Name=name, Value="x", Type="String")

    ssm.delete_parameter(Name=name)

    assert_error(lambda: ssm.get_parameter(Name=name), "ParameterNotFound")
    assert_error(lambda: ssm.delete_parameter(Name=name), "ParameterNotFound", f"Parameter {name} not found.")


def test_delete_parameters_reports_deleted_and_invalid(ssm: Any, path: str) -> None:
    ssm.put_parameter(Name=f"{path}/a", Value="x", Type="String")

    response = ssm.delete_parameters(Names=[f"{path}/a", f"{path}/b"])

    assert (response["DeletedParameters"], response["InvalidParameters"]) == ([f"{path}/a"], [f"{path}/b"])


def test_put_parameter_other_account_and_region_are_isolated(
    client_factory: Any, ssm: Any, path: str
) -> None:
    name = f"{path}/iso"
    ssm.put_parameter(Name=name, Value="home", Type="String")
    other_account = client_factory("ssm", access_key="111111111111")
    other_region = client_factory("ssm", region="eu-west-1")

    assert_error(lambda: other_account.get_parameter(Name=name), "ParameterNotFound")
    other_region.put_parameter(Name=name, Value="away", Type="String")
    assert other_region.get_parameter(Name=name)["Parameter"]["ARN"].startswith("arn:aws:ssm:eu-west-1:")
    assert ssm.get_parameter(Name=name)["Parameter"]["Value"] == "home"
