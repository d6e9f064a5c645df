"""Labels (Label/UnlabelParameterVersion), the 100-version limit and tags on parameters."""

from __future__ import annotations

from typing import Any

from aws_errors import assert_error


def test_label_parameter_version_then_get_by_label(ssm: Any, path: str) -> None:
    name = f"{path}/l"
    ssm.put_parameter(Name=name, Value="one", Type="String")
    ssm.put_parameter(Name=name, Value="two", Overwrite=True)

    response = ssm.label_parameter_version(Name=name, ParameterVersion=1, Labels=["prod", "Release_1.0"])

    assert (response["InvalidLabels"], response["ParameterVersion"]) == ([], 1)
    parameter = ssm.get_parameter(Name=f"{name}:prod")["Parameter"]
    assert (parameter["Value"], parameter["Version"], parameter["Selector"]) == ("one", 1, ":prod")


def test_label_parameter_version_without_version_labels_latest(ssm: Any, path: str) -> None:
    name = f"{path}/l"
    ssm.put_parameter(Name=name, Value="one", Type="String")
    ssm.put_parameter(Name=name, Value="two", Overwrite=True)

    assert ssm.label_parameter_version(Name=name, Labels=["now"])["ParameterVersion"] == 2


def test_label_parameter_version_moves_label_between_versions(ssm: Any, path: str) -> None:
    name = f"{path}/l"
    ssm.put_parameter(Name=name, Value="one", Type="String")
    ssm.put_parameter(Name=name, Value="two", Overwrite=True)
    ssm.label_parameter_version(Name=name, ParameterVersion=1, Labels=["live"])

    ssm.label_parameter_version(Name=name, ParameterVersion=2, Labels=["live"])

    history = ssm.get_parameter_history(Name=name)["Parameters"]
    assert [h["Labels"] for h in history] == [[], ["live"]]
    assert ssm.get_parameter(Name=f"{name}:live")["Parameter"]["Value"] == "two"


def test_label_parameter_version_invalid_labels_are_reported_not_applied(ssm: Any, path: str) -> None:
    name = f"{path}/l"
    ssm.put_parameter(Name=name, Value="one", Type="String")

    response = ssm.label_parameter_version(
        Name=name, ParameterVersion=1, Labels=["ok", "1starts-with-digit", "awsReserved", "SSMx", "has space"]
    )

    assert response["InvalidLabels"] == ["1starts-with-digit", "awsReserved", "SSMx", "has space"]
    assert ssm.get_parameter_history(Name=name)["Parameters"][0]["Labels"] == ["ok"]


def test_label_parameter_version_eleventh_label_fails_limit(ssm: Any, path: str) -> None:
    name = f"{path}/l"
    ssm.put_parameter(Name=name, Value="one", Type="String")
    ssm.label_parameter_version(Name=name, ParameterVersion=1, Labels=[f"l{index}" for index in range(10)])

    assert_error(
        lambda: ssm.label_parameter_version(Name=name, ParameterVersion=1, Labels=["eleven"]),
        "ParameterVersionLabelLimitExceeded",
        "A parameter version can have maximum 10 labels.Move one or more labels to another version and try again.",
    )
    assert len(ssm.get_parameter_history(Name=name)["Parameters"][0]["Labels"]) == 10


def test_label_parameter_version_missing_version_or_parameter_fails(ssm: Any, path: str) -> None:
    name = f"{path}/l"
    ssm.put_parameter(Name=name, Value="one", Type="String")

    assert_error(
        lambda: ssm.label_parameter_version(Name=name, ParameterVersion=4, Labels=["x"]),
        "ParameterVersionNotFound",
        f"Systems Manager could not find version 4 of {name}. Verify the version and try again.",
    )
    assert_error(
        lambda: ssm.label_parameter_version(Name=f"{path}/none", Labels=["x"]),
        "ParameterNotFound",
        f"Parameter {path}/none not found.",
    )


def test_unlabel_parameter_version_removes_and_reports_invalid(ssm: Any, path: str) -> None:
    name = f"{path}/l"
    ssm.put_parameter(Name=name, Value="one", Type="String")
    ssm.label_parameter_version(Name=name, ParameterVersion=1, Labels=["a", "b"])

    response = ssm.unlabel_parameter_version(Name=name, ParameterVersion=1, Labels=["a", "zzz"])

    assert (response["RemovedLabels"], response["InvalidLabels"]) == (["a"], ["zzz"])
    assert ssm.get_parameter_history(Name=name)["Parameters"][0]["Labels"] == ["b"]
    assert_error(lambda: ssm.get_parameter(Name=f"{name}:a"), "ParameterVersionNotFound")


def test_put_parameter_past_100_versions_drops_oldest(ssm: Any, path: str) -> None:
    name = f"{path}/many"
    ssm.put_parameter(Name=name, Value="0", Type="String")
    for index in range(1, 101):
        ssm.put_parameter(Name=name, Value=str(index), Overwrite=True)

    history = ssm.get_paginator("get_parameter_history").paginate(Name=name).build_full_result()["Parameters"]

    assert [h["Version"] for h in history] == list(range(2, 102))
    assert_error(lambda: ssm.get_parameter(Name=f"{name}:1"), "ParameterVersionNotFound")


def test_put_parameter_oldest_version_labelled_fails_max_version_limit(ssm: Any, path: str) -> None:
    name = f"{path}/many"
    ssm.put_parameter(Name=name, Value="0", Type="String")
    ssm.label_parameter_version(Name=name, ParameterVersion=1, Labels=["keep"])
    for index in range(1, 100):
        ssm.put_parameter(Name=name, Value=str(index), Overwrite=True)

    assert_error(
        lambda: ssm.put_parameter(Name=name, Value="x", Overwrite=True),
        "ParameterMaxVersionLimitExceeded",
        f"You attempted to create a new version of {name} by calling the PutParameter API with the overwrite "
        "flag. Version 1, the oldest version, can't be deleted because it has a label associated with it. Move "
        "the label to another version of the parameter, and try again.",
    )
    assert ssm.get_parameter(Name=name)["Parameter"]["Version"] == 100


def test_add_tags_to_resource_then_list_and_remove(ssm: Any, path: str) -> None:
    name = f"{path}/tagged"
    ssm.put_parameter(Name=name, Value="x", Type="String", Tags=[{"Key": "team", "Value": "core"}])

    ssm.add_tags_to_resource(
        ResourceType="Parameter",
        ResourceId=name,
        Tags=[{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "edge"}],
    )
    listed = ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=name)["TagList"]
    ssm.remove_tags_from_resource(ResourceType="Parameter", ResourceId=name, TagKeys=["env"])

    assert listed == [{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "edge"}]
    assert ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=name)["TagList"] == [
        {"Key": "team", "Value": "edge"}
    ]


def test_list_tags_for_resource_missing_parameter_fails_invalid_resource_id(ssm: Any, path: str) -> None:
    assert_error(
        lambda: ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=f"{path}/none"),
        "InvalidResourceId",
    )


def test_ssm_cli_put_get_and_path(aws_cli: Any, path: str) -> None:
    aws_cli("ssm", "put-parameter", "--name", f"{path}/cli", "--value", "from-cli", "--type", "SecureString")

    got = aws_cli("ssm", "get-parameter", "--name", f"{path}/cli", "--with-decryption")
    listed = aws_cli("ssm", "get-parameters-by-path", "--path", path)
    failed = aws_cli("ssm", "get-parameter", "--name", f"{path}/none", check=False)

    assert (got["Parameter"]["Value"], got["Parameter"]["Version"]) == ("from-cli", 1)
    assert [p["Name"] for p in listed["Parameters"]] == [f"{path}/cli"]
    assert failed.returncode != 0 and "ParameterNotFound" in failed.stderr


def test_ssm_cli_history_and_describe_paginate(aws_cli: Any, path: str) -> None:
    name = f"{path}/cli-history"
    aws_cli("ssm", "put-parameter", "--name", name, "--value", "1", "--type", "String")
    for value in ("2", "3"):
        aws_cli("ssm", "put-parameter", "--name", name, "--value", value, "--overwrite")
    aws_cli("ssm", "label-parameter-version", "--name", name, "--parameter-version", "2", "--labels", "beta")

    history = aws_cli("ssm", "get-parameter-history", "--name", name, "--page-size", "1")
    described = aws_cli(
        "ssm", "describe-parameters", "--parameter-filters", f"Key=Path,Option=Recursive,Values={path}",
        "--page-size", "1",
    )  # fmt: skip

    assert [(h["Value"], h["Labels"]) for h in history["Parameters"]] == [
        ("1", []),
        ("2", ["beta"]),
        ("3", []),
    ]
    assert [p["Name"] for p in described["Parameters"]] == [name]
