"""Functions, versions, aliases and their code survive a restart of fogbank."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from lambda_support import TRUST_LAMBDA, build_zip, payload_of


def clients(url: str) -> tuple[Any, Any]:
    session = boto3.session.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )
    return session.client("iam", endpoint_url=url), session.client("lambda", endpoint_url=url)


def test_create_function_survives_restart(fogbank_factory: Callable[..., Any], tmp_path: Path) -> None:
    server = fogbank_factory(data_dir=tmp_path)
    iam, client = clients(server.url)
    role = iam.create_role(RoleName="keep", AssumeRolePolicyDocument=json.dumps(TRUST_LAMBDA))["Role"]["Arn"]
    code = "def handler(event, context):\n    return 'kept'\n"
    client.create_function(
        FunctionName="keep",
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": build_zip({"app.py": code})},
    )
    client.publish_version(FunctionName="keep")
    client.create_alias(FunctionName="keep", Name="live", FunctionVersion="1")
    server.stop()
    restarted = fogbank_factory(data_dir=tmp_path, port=server.port)
    _, client = clients(restarted.url)
    assert payload_of(client.invoke(FunctionName="keep", Qualifier="live")) == "kept"
    assert client.get_alias(FunctionName="keep", Name="live")["FunctionVersion"] == "1"
