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


def test_invoke_event_waiting_when_fogbank_stops_runs_after_restart(
    fogbank_factory: Callable[..., Any], tmp_path: Path
) -> None:
    server = fogbank_factory(data_dir=tmp_path)
    iam, client = clients(server.url)
    session = boto3.session.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )
    sqs = session.client("sqs", endpoint_url=server.url)
    queue = sqs.create_queue(QueueName="results")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    role = iam.create_role(RoleName="later", AssumeRolePolicyDocument=json.dumps(TRUST_LAMBDA))["Role"]["Arn"]
    code = "def handler(event, context):\n    return {'done': event['n']}\n"
    client.create_function(
        FunctionName="later",
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": build_zip({"app.py": code})},
    )
    client.put_function_event_invoke_config(
        FunctionName="later", DestinationConfig={"OnSuccess": {"Destination": queue_arn}}
    )
    client.put_function_concurrency(FunctionName="later", ReservedConcurrentExecutions=0)  # the event waits
    answer = client.invoke(FunctionName="later", InvocationType="Event", Payload=b'{"n": 4}')
    assert answer["StatusCode"] == 202
    server.kill()
    restarted = fogbank_factory(data_dir=tmp_path, port=server.port)
    _, client = clients(restarted.url)
    client.delete_function_concurrency(FunctionName="later")
    sqs = session.client("sqs", endpoint_url=restarted.url)
    messages = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=10)["Messages"]
    record = json.loads(messages[0]["Body"])
    assert record["requestContext"]["requestId"] == answer["ResponseMetadata"]["RequestId"]
    assert record["responsePayload"] == {"done": 4}
