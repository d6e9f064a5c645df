"""Function management: create (zip and S3), states, updates, versions, aliases, policies,
concurrency, account settings, event invoke configs and code signing configs."""

from __future__ import annotations

import base64
import json
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from lambda_support import build_zip, payload_of

HELLO = "def handler(event, context):\n    return 'v1'\n"
HELLO2 = "def handler(event, context):\n    return 'v2'\n"


def error_of(caught: pytest.ExceptionInfo[ClientError]) -> tuple[int, str, str]:
    response = caught.value.response
    return (
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Code"],
        response["Error"]["Message"],
    )


def test_create_function_answers_pending_then_active(create_function: Any, lambda_client: Any) -> None:
    answer = create_function({"app.py": HELLO}, Description="hi", Tags={"team": "a"})
    name = answer["FunctionName"]
    assert answer["State"] == "Pending"
    assert answer["StateReason"] == "The function is being created."
    assert answer["StateReasonCode"] == "Creating"
    assert answer["FunctionArn"] == f"arn:aws:lambda:us-east-1:000000000000:function:{name}"
    assert answer["Version"] == "$LATEST" and answer["Timeout"] == 3 and answer["MemorySize"] == 128
    assert answer["PackageType"] == "Zip" and answer["Architectures"] == ["x86_64"]
    assert answer["EphemeralStorage"] == {"Size": 512}
    assert answer["TracingConfig"] == {"Mode": "PassThrough"}
    assert answer["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"}
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    got = lambda_client.get_function(FunctionName=name)
    assert got["Configuration"]["State"] == "Active"
    assert got["Configuration"]["LastUpdateStatus"] == "Successful"
    assert "StateReason" not in got["Configuration"]
    assert got["Configuration"]["CodeSha256"] == answer["CodeSha256"]
    assert got["Code"]["RepositoryType"] == "S3"
    with urllib.request.urlopen(got["Code"]["Location"]) as download:
        assert download.read() == build_zip({"app.py": HELLO})
    assert got["Tags"] == {"team": "a"}


def test_create_function_missing_role_is_refused(create_function: Any) -> None:
    with pytest.raises(ClientError) as caught:
        create_function({"app.py": HELLO}, Role="arn:aws:iam::000000000000:role/does-not-exist")
    assert error_of(caught) == (
        400,
        "InvalidParameterValueException",
        "The role defined for the function cannot be assumed by Lambda.",
    )


def test_create_function_role_not_trusting_lambda_is_refused(
    create_function: Any, client_factory: Callable[..., Any], unique_name: Callable[[str], str]
) -> None:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role = client_factory("iam").create_role(
        RoleName=unique_name("r"), AssumeRolePolicyDocument=json.dumps(trust)
    )
    with pytest.raises(ClientError) as caught:
        create_function({"app.py": HELLO}, Role=role["Role"]["Arn"])
    assert error_of(caught)[1:] == (
        "InvalidParameterValueException",
        "The role defined for the function cannot be assumed by Lambda.",
    )


def test_create_function_twice_conflicts(create_function: Any) -> None:
    name = create_function({"app.py": HELLO})["FunctionName"]
    with pytest.raises(ClientError) as caught:
        create_function({"app.py": HELLO}, FunctionName=name)
    assert error_of(caught) == (409, "ResourceConflictException", f"Function already exist: {name}")


def test_create_function_reserved_variable_is_refused(create_function: Any) -> None:
    with pytest.raises(ClientError) as caught:
        create_function({"app.py": HELLO}, Environment={"Variables": {"AWS_REGION": "x"}})
    assert error_of(caught) == (
        400,
        "InvalidParameterValueException",
        "Lambda was unable to configure your environment variables because the environment variables you have "
        "provided contains reserved keys that are currently not supported for modification. "
        "Reserved keys used in this request: AWS_REGION",
    )


def test_create_function_bad_zip_is_refused(create_function: Any) -> None:
    with pytest.raises(ClientError) as caught:
        create_function(Code={"ZipFile": b"not a zip"})
    assert error_of(caught) == (
        400,
        "InvalidParameterValueException",
        "Could not unzip uploaded file. Please check your file, then try to upload again.",
    )


def test_create_function_from_s3_object(
    create_function: Any,
    lambda_client: Any,
    client_factory: Callable[..., Any],
    unique_name: Callable[[str], str],
) -> None:
    s3 = client_factory("s3")
    bucket = unique_name("b")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="code.zip", Body=build_zip({"app.py": HELLO}))
    name = create_function(Code={"S3Bucket": bucket, "S3Key": "code.zip"})["FunctionName"]
    assert payload_of(lambda_client.invoke(FunctionName=name)) == "v1"
    with pytest.raises(ClientError) as caught:
        create_function(Code={"S3Bucket": bucket, "S3Key": "missing.zip"})
    status, code, message = error_of(caught)
    assert (status, code) == (400, "InvalidParameterValueException")
    assert message.startswith("Error occurred while GetObject. S3 Error Code: NoSuchKey.")


def test_update_function_code_and_configuration_take_effect(create_function: Any, lambda_client: Any) -> None:
    code = "import os\ndef handler(event, context):\n    return [os.environ.get('MODE'), 'v1']\n"
    answer = create_function({"app.py": code})
    name = answer["FunctionName"]
    assert payload_of(lambda_client.invoke(FunctionName=name)) == [None, "v1"]
    updated = lambda_client.update_function_configuration(
        FunctionName=name, Environment={"Variables": {"MODE": "blue"}}, Timeout=10, MemorySize=256
    )
    assert updated["LastUpdateStatus"] == "InProgress"
    assert updated["LastUpdateStatusReasonCode"] == "Creating"
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    assert payload_of(lambda_client.invoke(FunctionName=name)) == ["blue", "v1"]
    new_code = code.replace("'v1'", "'v2'")
    changed = lambda_client.update_function_code(FunctionName=name, ZipFile=build_zip({"app.py": new_code}))
    assert changed["CodeSha256"] != answer["CodeSha256"]
    assert changed["Timeout"] == 10 and changed["MemorySize"] == 256
    assert payload_of(lambda_client.invoke(FunctionName=name)) == ["blue", "v2"]


def test_update_function_code_stale_revision_is_refused(create_function: Any, lambda_client: Any) -> None:
    name = create_function({"app.py": HELLO})["FunctionName"]
    with pytest.raises(ClientError) as caught:
        lambda_client.update_function_code(
            FunctionName=name, ZipFile=build_zip({"app.py": HELLO2}), RevisionId="stale"
        )
    assert error_of(caught)[:2] == (412, "PreconditionFailedException")


def test_delete_function_then_get_is_not_found(create_function: Any, lambda_client: Any) -> None:
    name = create_function({"app.py": HELLO})["FunctionName"]
    assert name in [item["FunctionName"] for item in lambda_client.list_functions(MaxItems=1000)["Functions"]]
    lambda_client.delete_function(FunctionName=name)
    with pytest.raises(ClientError) as caught:
        lambda_client.get_function(FunctionName=name)
    assert error_of(caught) == (
        404,
        "ResourceNotFoundException",
        f"Function not found: arn:aws:lambda:us-east-1:000000000000:function:{name}",
    )


def test_publish_version_freezes_code_and_qualified_arns(create_function: Any, lambda_client: Any) -> None:
    function = create_function({"app.py": HELLO})
    name, arn = function["FunctionName"], function["FunctionArn"]
    first = lambda_client.publish_version(FunctionName=name, Description="first")
    assert first["Version"] == "1" and first["FunctionArn"] == f"{arn}:1" and first["Description"] == "first"
    assert lambda_client.publish_version(FunctionName=name)["Version"] == "1"  # nothing changed
    lambda_client.update_function_code(FunctionName=name, ZipFile=build_zip({"app.py": HELLO2}))
    assert lambda_client.publish_version(FunctionName=name)["Version"] == "2"
    one = lambda_client.invoke(FunctionName=name, Qualifier="1")
    assert (payload_of(one), one["ExecutedVersion"]) == ("v1", "1")
    assert payload_of(lambda_client.invoke(FunctionName=f"{arn}:2")) == "v2"
    assert payload_of(lambda_client.invoke(FunctionName=name)) == "v2"
    listed = lambda_client.list_versions_by_function(FunctionName=name)["Versions"]
    assert [(item["Version"], item["FunctionArn"]) for item in listed] == [
        ("$LATEST", f"{arn}:$LATEST"),
        ("1", f"{arn}:1"),
        ("2", f"{arn}:2"),
    ]
    with pytest.raises(ClientError) as caught:
        lambda_client.invoke(FunctionName=name, Qualifier="9")
    assert error_of(caught) == (404, "ResourceNotFoundException", f"Function not found: {arn}:9")


def test_create_alias_routes_invocations_by_weight(create_function: Any, lambda_client: Any) -> None:
    function = create_function({"app.py": HELLO})
    name, arn = function["FunctionName"], function["FunctionArn"]
    lambda_client.publish_version(FunctionName=name)
    lambda_client.update_function_code(FunctionName=name, ZipFile=build_zip({"app.py": HELLO2}))
    lambda_client.publish_version(FunctionName=name)
    alias = lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion="1", Description="d")
    assert alias["AliasArn"] == f"{arn}:live" and alias["FunctionVersion"] == "1" and alias["RevisionId"]
    response = lambda_client.invoke(FunctionName=name, Qualifier="live")
    assert (payload_of(response), response["ExecutedVersion"]) == ("v1", "1")
    lambda_client.update_alias(
        FunctionName=name, Name="live", RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}}
    )
    got = lambda_client.get_alias(FunctionName=name, Name="live")
    assert got["RoutingConfig"] == {"AdditionalVersionWeights": {"2": 0.5}}
    seen = {lambda_client.invoke(FunctionName=f"{arn}:live")["ExecutedVersion"] for _ in range(40)}
    assert seen == {"1", "2"}
    assert [item["Name"] for item in lambda_client.list_aliases(FunctionName=name)["Aliases"]] == ["live"]
    with pytest.raises(ClientError) as caught:
        lambda_client.delete_function(FunctionName=name, Qualifier="1")
    assert error_of(caught) == (
        409,
        "ResourceConflictException",
        "Unable to delete version because the following aliases reference it: [live]",
    )
    lambda_client.delete_alias(FunctionName=name, Name="live")
    with pytest.raises(ClientError) as caught:
        lambda_client.get_alias(FunctionName=name, Name="live")
    assert error_of(caught) == (404, "ResourceNotFoundException", f"Alias not found: {arn}:live")


def test_add_permission_builds_policy_and_remove_permission_empties_it(
    create_function: Any, lambda_client: Any
) -> None:
    function = create_function({"app.py": HELLO})
    name, arn = function["FunctionName"], function["FunctionArn"]
    added = lambda_client.add_permission(
        FunctionName=name,
        StatementId="s3-invoke",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn="arn:aws:s3:::my-bucket",
        SourceAccount="000000000000",
    )
    statement = {
        "Sid": "s3-invoke",
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "lambda:InvokeFunction",
        "Resource": arn,
        "Condition": {
            "StringEquals": {"AWS:SourceAccount": "000000000000"},
            "ArnLike": {"AWS:SourceArn": "arn:aws:s3:::my-bucket"},
        },
    }
    assert json.loads(added["Statement"]) == statement
    policy = lambda_client.get_policy(FunctionName=name)
    assert json.loads(policy["Policy"]) == {
        "Version": "2012-10-17",
        "Id": "default",
        "Statement": [statement],
    }
    with pytest.raises(ClientError) as caught:
        lambda_client.add_permission(
            FunctionName=name, StatementId="s3-invoke", Action="lambda:InvokeFunction", Principal="*"
        )
    assert error_of(caught)[:2] == (409, "ResourceConflictException")
    lambda_client.remove_permission(FunctionName=name, StatementId="s3-invoke")
    with pytest.raises(ClientError) as caught:
        lambda_client.get_policy(FunctionName=name)
    assert error_of(caught) == (
        404,
        "ResourceNotFoundException",
        "The resource you requested does not exist.",
    )


def test_put_function_concurrency_is_reported_and_limits_account(
    create_function: Any, lambda_client: Any
) -> None:
    name = create_function({"app.py": HELLO})["FunctionName"]
    before = lambda_client.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"]
    put = lambda_client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=5)
    assert put["ReservedConcurrentExecutions"] == 5
    assert lambda_client.get_function_concurrency(FunctionName=name)["ReservedConcurrentExecutions"] == 5
    assert lambda_client.get_function(FunctionName=name)["Concurrency"] == {"ReservedConcurrentExecutions": 5}
    settings = lambda_client.get_account_settings()
    assert settings["AccountLimit"]["ConcurrentExecutions"] == 1000
    assert settings["AccountLimit"]["UnreservedConcurrentExecutions"] == before - 5
    with pytest.raises(ClientError) as caught:
        lambda_client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=950)
    assert error_of(caught) == (
        400,
        "InvalidParameterValueException",
        "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution "
        "below its minimum value of [100].",
    )
    lambda_client.delete_function_concurrency(FunctionName=name)
    assert "ReservedConcurrentExecutions" not in lambda_client.get_function_concurrency(FunctionName=name)


def test_put_provisioned_concurrency_config_warms_environments(
    create_function: Any, lambda_client: Any
) -> None:
    code = (
        "import os\ndef handler(event, context):\n    return os.environ['AWS_LAMBDA_INITIALIZATION_TYPE']\n"
    )
    name = create_function({"app.py": code})["FunctionName"]
    lambda_client.publish_version(FunctionName=name)
    answer = lambda_client.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier="1", ProvisionedConcurrentExecutions=2
    )
    assert answer["RequestedProvisionedConcurrentExecutions"] == 2
    assert answer["Status"] in ("IN_PROGRESS", "READY")
    for _ in range(500):  # the environments initialize in the background
        got = lambda_client.get_provisioned_concurrency_config(FunctionName=name, Qualifier="1")
        if got["Status"] == "READY":
            break
    assert (got["Status"], got["AvailableProvisionedConcurrentExecutions"]) == ("READY", 2)
    response = lambda_client.invoke(FunctionName=name, Qualifier="1", LogType="Tail")
    assert payload_of(response) == "provisioned-concurrency"
    assert "Init Duration" not in base64.b64decode(response["LogResult"]).decode()
    assert payload_of(lambda_client.invoke(FunctionName=name)) == "on-demand"
    with pytest.raises(ClientError) as caught:
        lambda_client.put_provisioned_concurrency_config(
            FunctionName=name, Qualifier="$LATEST", ProvisionedConcurrentExecutions=1
        )
    assert error_of(caught)[:2] == (400, "InvalidParameterValueException")
    lambda_client.delete_provisioned_concurrency_config(FunctionName=name, Qualifier="1")
    with pytest.raises(ClientError) as caught:
        lambda_client.get_provisioned_concurrency_config(FunctionName=name, Qualifier="1")
    assert error_of(caught)[:2] == (404, "ProvisionedConcurrencyConfigNotFoundException")


def test_put_function_event_invoke_config_round_trip(create_function: Any, lambda_client: Any) -> None:
    function = create_function({"app.py": HELLO})
    name, arn = function["FunctionName"], function["FunctionArn"]
    destination = "arn:aws:sqs:us-east-1:000000000000:failures"
    put = lambda_client.put_function_event_invoke_config(
        FunctionName=name,
        MaximumRetryAttempts=1,
        DestinationConfig={"OnFailure": {"Destination": destination}},
    )
    assert put["FunctionArn"] == f"{arn}:$LATEST" and put["MaximumRetryAttempts"] == 1
    assert put["DestinationConfig"] == {"OnSuccess": {}, "OnFailure": {"Destination": destination}}
    updated = lambda_client.update_function_event_invoke_config(
        FunctionName=name, MaximumEventAgeInSeconds=120
    )
    assert (updated["MaximumRetryAttempts"], updated["MaximumEventAgeInSeconds"]) == (1, 120)
    assert updated["DestinationConfig"]["OnFailure"] == {"Destination": destination}
    listed = lambda_client.list_function_event_invoke_configs(FunctionName=name)["FunctionEventInvokeConfigs"]
    assert [item["FunctionArn"] for item in listed] == [f"{arn}:$LATEST"]
    lambda_client.delete_function_event_invoke_config(FunctionName=name)
    with pytest.raises(ClientError) as caught:
        lambda_client.get_function_event_invoke_config(FunctionName=name)
    assert error_of(caught) == (
        404,
        "ResourceNotFoundException",
        f"The function {arn}:$LATEST doesn't have an EventInvokeConfig",
    )


def test_create_code_signing_config_and_attach(create_function: Any, lambda_client: Any) -> None:
    publishers = {
        "SigningProfileVersionArns": ["arn:aws:signer:us-east-1:000000000000:/signing-profiles/p/abc"]
    }
    config = lambda_client.create_code_signing_config(AllowedPublishers=publishers)["CodeSigningConfig"]
    assert config["CodeSigningConfigId"].startswith("csc-")
    assert config["CodeSigningPolicies"] == {"UntrustedArtifactOnDeployment": "Warn"}
    name = create_function({"app.py": HELLO})["FunctionName"]
    lambda_client.put_function_code_signing_config(
        FunctionName=name, CodeSigningConfigArn=config["CodeSigningConfigArn"]
    )
    got = lambda_client.get_function_code_signing_config(FunctionName=name)
    assert got["CodeSigningConfigArn"] == config["CodeSigningConfigArn"]
    with pytest.raises(ClientError) as caught:
        lambda_client.create_code_signing_config(
            AllowedPublishers=publishers, CodeSigningPolicies={"UntrustedArtifactOnDeployment": "Enforce"}
        )
    assert error_of(caught)[:2] == (400, "InvalidParameterValueException")


def test_cli_invoke_writes_payload_file(
    create_function: Any, aws_cli: Callable[..., Any], tmp_path: Any
) -> None:
    name = create_function(
        {"app.py": "def handler(event, context):\n    return {'sum': event['a'] + event['b']}\n"}
    )["FunctionName"]
    aws_cli("lambda", "wait", "function-active-v2", "--function-name", name)
    out = tmp_path / "out.json"
    answer = aws_cli(
        "lambda",
        "invoke",
        "--function-name",
        name,
        "--payload",
        '{"a": 2, "b": 3}',
        str(out),
    )
    assert answer == {"StatusCode": 200, "ExecutedVersion": "$LATEST"}
    assert json.loads(out.read_text()) == {"sum": 5}


def test_cli_create_function_from_zip_file(
    aws_cli: Callable[..., Any],
    role_arn: str,
    unique_name: Callable[[str], str],
    tmp_path: Any,
    lambda_client: Any,
) -> None:
    package = tmp_path / "code.zip"
    package.write_bytes(build_zip({"app.py": HELLO}))
    name = unique_name("cli")
    created = aws_cli(
        "lambda",
        "create-function",
        "--function-name",
        name,
        "--runtime",
        "python3.12",
        "--role",
        role_arn,
        "--handler",
        "app.handler",
        "--zip-file",
        f"fileb://{package}",
        "--timeout",
        "5",
    )
    try:
        assert (created["FunctionName"], created["State"], created["Timeout"]) == (name, "Pending", 5)
        aws_cli("lambda", "wait", "function-active-v2", "--function-name", name)
        assert aws_cli("lambda", "get-function-configuration", "--function-name", name)["State"] == "Active"
    finally:
        lambda_client.delete_function(FunctionName=name)
