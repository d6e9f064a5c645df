"""GetParametersByPath, DescribeParameters and GetParameterHistory: hierarchy, filters, pagination."""

from __future__ import annotations

from typing import Any

from aws_errors import assert_error


def _tree(ssm: Any, path: str) -> None:
    ssm.put_parameter(Name=f"{path}/app/url", Value="u", Type="String")
    ssm.put_parameter(Name=f"{path}/app/password", Value="pw", Type="SecureString")
    ssm.put_parameter(Name=f"{path}/app/db/host", Value="h", Type="String")
    ssm.put_parameter(Name=f"{path}/apple", Value="fruit", Type="String")


def test_get_parameters_by_path_one_level_excludes_deeper_and_siblings(ssm: Any, path: str) -> None:
    _tree(ssm, path)

    response = ssm.get_parameters_by_path(Path=f"{path}/app")

    assert [p["Name"] for p in response["Parameters"]] == [f"{path}/app/password", f"{path}/app/url"]
    assert "NextToken" not in response


def test_get_parameters_by_path_recursive_with_decryption(ssm: Any, path: str) -> None:
    _tree(ssm, path)

    response = ssm.get_parameters_by_path(Path=f"{path}/app/", Recursive=True, WithDecryption=True)

    assert [(p["Name"], p["Value"]) for p in response["Parameters"]] == [
        (f"{path}/app/db/host", "h"),
        (f"{path}/app/password", "pw"),
        (f"{path}/app/url", "u"),
    ]


def test_get_parameters_by_path_secure_string_without_decryption_hides_value(ssm: Any, path: str) -> None:
    _tree(ssm, path)

    response = ssm.get_parameters_by_path(
        Path=f"{path}/app", ParameterFilters=[{"Key": "Type", "Values": ["SecureString"]}]
    )

    assert [p["Name"] for p in response["Parameters"]] == [f"{path}/app/password"]
    assert response["Parameters"][0]["Value"] != "pw"


def test_get_parameters_by_path_paginates_with_next_token(ssm: Any, path: str) -> None:
    for index in range(7):
        ssm.put_parameter(Name=f"{path}/n{index}", Value=str(index), Type="String")

    first = ssm.get_parameters_by_path(Path=path, MaxResults=3)
    second = ssm.get_parameters_by_path(Path=path, MaxResults=3, NextToken=first["NextToken"])
    third = ssm.get_parameters_by_path(Path=path, MaxResults=3, NextToken=second["NextToken"])

    names = [p["Name"] for page in (first, second, third) for p in page["Parameters"]]
    assert names == [f"{path}/n{index}" for index in range(7)]
    assert "NextToken" not in third
    paginator = ssm.get_paginator("get_parameters_by_path")
    pages = list(paginator.paginate(Path=path, PaginationConfig={"PageSize": 2}))
    assert len(pages) == 4


def test_get_parameters_by_path_label_filter_returns_labelled_version(ssm: Any, path: str) -> None:
    ssm.put_parameter(Name=f"{path}/x", Value="old", Type="String")
    ssm.put_parameter(Name=f"{path}/x", Value="new", Overwrite=True)
    ssm.put_parameter(Name=f"{path}/y", Value="other", Type="String")
    ssm.label_parameter_version(Name=f"{path}/x", ParameterVersion=1, Labels=["stable"])

    response = ssm.get_parameters_by_path(
        Path=path, ParameterFilters=[{"Key": "Label", "Values": ["stable"]}]
    )

    assert [(p["Name"], p["Value"], p["Version"]) for p in response["Parameters"]] == [
        (f"{path}/x", "old", 1)
    ]


def test_get_parameters_by_path_invalid_filter_key_and_path_fail(ssm: Any, path: str) -> None:
    assert_error(
        lambda: ssm.get_parameters_by_path(Path=path, ParameterFilters=[{"Key": "Name", "Values": ["x"]}]),
        "InvalidFilterKey",
        "The following filter key is not valid: Name. Valid filter keys include: [Type, KeyId, Label].",
    )
    assert_error(lambda: ssm.get_parameters_by_path(Path="no-slash"), "ValidationException")


def test_describe_parameters_filters_by_path_type_and_name(ssm: Any, path: str) -> None:
    _tree(ssm, path)

    def names(**kwargs: Any) -> list[str]:
        return [
            p["Name"]
            for p in ssm.get_paginator("describe_parameters")
            .paginate(**kwargs)
            .build_full_result()["Parameters"]
        ]

    recursive = {"Key": "Path", "Option": "Recursive", "Values": [path]}
    assert names(ParameterFilters=[recursive, {"Key": "Type", "Values": ["SecureString"]}]) == [
        f"{path}/app/password"
    ]
    assert names(ParameterFilters=[{"Key": "Path", "Values": [f"{path}/app"]}]) == [
        f"{path}/app/password",
        f"{path}/app/url",
    ]
    assert names(ParameterFilters=[{"Key": "Name", "Option": "BeginsWith", "Values": [f"{path}/app"]}]) == [
        f"{path}/app/db/host",
        f"{path}/app/password",
        f"{path}/app/url",
        f"{path}/apple",
    ]
    assert names(ParameterFilters=[recursive, {"Key": "Name", "Option": "Contains", "Values": ["pass"]}]) == [
        f"{path}/app/password"
    ]
    assert names(Filters=[{"Key": "Name", "Values": [f"{path}/apple"]}]) == [f"{path}/apple"]


def test_describe_parameters_tag_filter_matches_tag_values(ssm: Any, path: str) -> None:
    ssm.put_parameter(Name=f"{path}/a", Value="x", Type="String", Tags=[{"Key": "env", "Value": "prod"}])
    ssm.put_parameter(Name=f"{path}/b", Value="x", Type="String", Tags=[{"Key": "env", "Value": "dev"}])
    recursive = {"Key": "Path", "Option": "Recursive", "Values": [path]}

    prod = ssm.describe_parameters(ParameterFilters=[recursive, {"Key": "tag:env", "Values": ["prod"]}])
    tagged = ssm.describe_parameters(ParameterFilters=[recursive, {"Key": "tag:env"}])

    assert [p["Name"] for p in prod["Parameters"]] == [f"{path}/a"]
    assert [p["Name"] for p in tagged["Parameters"]] == [f"{path}/a", f"{path}/b"]


def test_describe_parameters_returns_metadata(ssm: Any, path: str) -> None:
    name = f"{path}/meta"
    ssm.put_parameter(
        Name=name, Value="1", Type="String", Description="d", AllowedPattern=r"\d", Tier="Advanced"
    )

    parameter = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [name]}])["Parameters"][0]

    parameter.pop("LastModifiedDate")
    assert parameter == {
        "Name": name,
        "ARN": f"arn:aws:ssm:us-east-1:000000000000:parameter{name}",
        "Type": "String",
        "LastModifiedUser": "arn:aws:iam::000000000000:root",
        "Description": "d",
        "AllowedPattern": r"\d",
        "Version": 1,
        "Tier": "Advanced",
        "Policies": [],
        "DataType": "text",
    }


def test_describe_parameters_invalid_filters_fail(ssm: Any) -> None:
    assert_error(
        lambda: ssm.describe_parameters(ParameterFilters=[{"Key": "Label", "Values": ["x"]}]),
        "InvalidFilterKey",
        "The following filter key is not valid: Label. Valid filter keys include: "
        "[Path, Name, Type, KeyId, Tier, DataType].",
    )
    assert_error(
        lambda: ssm.describe_parameters(
            ParameterFilters=[{"Key": "Type", "Option": "Contains", "Values": ["x"]}]
        ),
        "InvalidFilterOption",
        "The following filter option is not valid: Contains. Valid options include: [BeginsWith, Equals].",
    )
    assert_error(
        lambda: ssm.describe_parameters(ParameterFilters=[{"Key": "Type", "Values": ["Number"]}]),
        "InvalidFilterValue",
    )
    assert_error(
        lambda: ssm.describe_parameters(
            Filters=[{"Key": "Name", "Values": ["x"]}], ParameterFilters=[{"Key": "Name", "Values": ["x"]}]
        ),
        "ValidationException",
        "You can use either Filters or ParameterFilters in a single request.",
    )
    assert_error(lambda: ssm.describe_parameters(NextToken="garbage"), "InvalidNextToken")


def test_get_parameter_history_lists_versions_with_labels_and_paginates(ssm: Any, path: str) -> None:
    name = f"{path}/h"
    ssm.put_parameter(Name=name, Value="v1", Type="SecureString", Description="first")
    for index in range(2, 6):
        ssm.put_parameter(Name=name, Value=f"v{index}", Overwrite=True)
    ssm.label_parameter_version(Name=name, ParameterVersion=2, Labels=["blue"])

    first = ssm.get_parameter_history(Name=name, WithDecryption=True, MaxResults=3)
    rest = ssm.get_parameter_history(Name=name, WithDecryption=True, NextToken=first["NextToken"])

    history = first["Parameters"] + rest["Parameters"]
    assert [(h["Version"], h["Value"], h["Labels"]) for h in history] == [
        (1, "v1", []),
        (2, "v2", ["blue"]),
        (3, "v3", []),
        (4, "v4", []),
        (5, "v5", []),
    ]
    assert {h["Description"] for h in history} == {"first"}
    assert {h["KeyId"] for h in history} == {"alias/aws/ssm"}
    assert "NextToken" not in rest


def test_get_parameter_history_missing_fails_not_found(ssm: Any, path: str) -> None:
    assert_error(
        lambda: ssm.get_parameter_history(Name=f"{path}/none"),
        "ParameterNotFound",
        f"Parameter {path}/none not found.",
    )
