"""A Lambda function's logs land in CloudWatch Logs: `/aws/lambda/<name>`, a stream named as Lambda
names them, START / output / END / REPORT events readable with GetLogEvents and FilterLogEvents."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from typing import Any

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}
HANDLER = "def handler(event, context):\n    print('hello from', event['who'])\n    return {'ok': True}\n"


def package(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


def test_invoke_writes_function_logs_to_log_group(
    client_factory: Callable[..., Any], unique_name: Callable[[str], str]
) -> None:
    iam, lambda_client, logs = client_factory("iam"), client_factory("lambda"), client_factory("logs")
    role_arn = iam.create_role(RoleName=unique_name("role"), AssumeRolePolicyDocument=json.dumps(TRUST))[
        "Role"
    ]["Arn"]
    name = unique_name("fn")
    lambda_client.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role_arn,
        Handler="app.handler",
        Code={"ZipFile": package(HANDLER)},
    )
    try:
        lambda_client.invoke(FunctionName=name, Payload=json.dumps({"who": "fogbank"}).encode())
        group = f"/aws/lambda/{name}"
        streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
        assert len(streams) == 1
        assert re.fullmatch(r"\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}", streams[0]["logStreamName"])
        events = logs.get_log_events(
            logGroupName=group, logStreamName=streams[0]["logStreamName"], startFromHead=True
        )
        lines = [event["message"] for event in events["events"]]
        assert lines[0].startswith("START RequestId: ") and lines[0].endswith("Version: $LATEST")
        assert any("hello from fogbank" in line for line in lines)
        assert any(line.startswith("END RequestId: ") for line in lines)
        assert lines[-1].startswith("REPORT RequestId: ")
        reports = logs.filter_log_events(logGroupName=group, filterPattern='"REPORT RequestId"')["events"]
        assert len(reports) == 1 and "Billed Duration" in reports[0]["message"]
    finally:
        lambda_client.delete_function(FunctionName=name)
