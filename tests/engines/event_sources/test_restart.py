"""Mappings survive a restart: pollers start with fogbank and resume from their checkpoints."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from event_source_support import REPORTING_HANDLER, Witness
from lambda_support import TRUST_LAMBDA, build_zip


def clients(url: str) -> dict[str, Any]:
    session = boto3.session.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )
    return {name: session.client(name, endpoint_url=url) for name in ("iam", "lambda", "sqs", "kinesis")}


def test_create_event_source_mapping_survives_restart_and_resumes_from_checkpoint(
    fogbank_factory: Callable[..., Any], tmp_path: Path
) -> None:
    server = fogbank_factory(data_dir=tmp_path)
    api = clients(server.url)
    role = api["iam"].create_role(RoleName="esm", AssumeRolePolicyDocument=json.dumps(TRUST_LAMBDA))["Role"][
        "Arn"
    ]
    witness_url = api["sqs"].create_queue(QueueName="witness")["QueueUrl"]
    api["lambda"].create_function(
        FunctionName="worker",
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Code={
            "ZipFile": build_zip({"app.py": REPORTING_HANDLER + "\ndef decide(event):\n    return None\n"})
        },
        Environment={"Variables": {"WITNESS": witness_url}},
    )
    jobs_url = api["sqs"].create_queue(QueueName="jobs")["QueueUrl"]
    jobs_arn = api["sqs"].get_queue_attributes(QueueUrl=jobs_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    api["lambda"].create_event_source_mapping(EventSourceArn=jobs_arn, FunctionName="worker", BatchSize=1)
    api["kinesis"].create_stream(StreamName="events", ShardCount=1)
    stream_arn = api["kinesis"].describe_stream_summary(StreamName="events")["StreamDescriptionSummary"][
        "StreamARN"
    ]
    api["lambda"].create_event_source_mapping(
        EventSourceArn=stream_arn, FunctionName="worker", StartingPosition="TRIM_HORIZON"
    )
    api["kinesis"].put_record(StreamName="events", Data=b"before", PartitionKey="k")
    witness = Witness(api["sqs"], witness_url)
    assert [base64.b64decode(r["kinesis"]["data"]) for r in witness.next_event()["Records"]] == [b"before"]
    server.stop()

    restarted = fogbank_factory(data_dir=tmp_path, port=server.port)
    api = clients(restarted.url)
    witness = Witness(api["sqs"], witness_url)
    api["sqs"].send_message(QueueUrl=jobs_url, MessageBody="after restart")
    assert [r["body"] for r in witness.next_event()["Records"]] == ["after restart"]
    api["kinesis"].put_record(StreamName="events", Data=b"after", PartitionKey="k")
    # The stream resumes after its checkpoint: "before" is not delivered again.
    assert [base64.b64decode(r["kinesis"]["data"]) for r in witness.next_event()["Records"]] == [b"after"]
    assert witness.is_quiet()
