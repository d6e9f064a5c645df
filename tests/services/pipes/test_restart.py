"""Pipes survive a restart: running pipes resume with fogbank, stream pipes from their
checkpoints, stopped pipes stay stopped."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from pipes_support import receive_one

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "pipes.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def clients(url: str) -> dict[str, Any]:
    session = boto3.session.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1"
    )
    return {name: session.client(name, endpoint_url=url) for name in ("iam", "pipes", "sqs", "kinesis")}


def _queue(sqs: Any, name: str) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def test_create_pipe_survives_restart_and_resumes_from_checkpoint(
    fogbank_factory: Callable[..., Any], tmp_path: Path
) -> None:
    server = fogbank_factory(data_dir=tmp_path)
    api = clients(server.url)
    role = api["iam"].create_role(RoleName="pipes", AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    jobs_url, jobs_arn = _queue(api["sqs"], "jobs")
    parked_url, parked_arn = _queue(api["sqs"], "parked")
    out_url, out_arn = _queue(api["sqs"], "out")
    api["kinesis"].create_stream(StreamName="events", ShardCount=1)
    stream_arn = api["kinesis"].describe_stream_summary(StreamName="events")["StreamDescriptionSummary"][
        "StreamARN"
    ]
    template = {"InputTemplate": '{"from": "<aws.pipes.pipe-name>", "event": <aws.pipes.event.json>}'}
    api["pipes"].create_pipe(
        Name="jobs", RoleArn=role, Source=jobs_arn, Target=out_arn, TargetParameters=template
    )
    api["pipes"].create_pipe(
        Name="parked", RoleArn=role, Source=parked_arn, Target=out_arn, DesiredState="STOPPED"
    )
    api["pipes"].create_pipe(
        Name="stream",
        RoleArn=role,
        Source=stream_arn,
        Target=out_arn,
        SourceParameters={"KinesisStreamParameters": {"StartingPosition": "TRIM_HORIZON"}},
        TargetParameters=template,
    )
    api["kinesis"].put_record(StreamName="events", Data=b'{"n": "before"}', PartitionKey="k")
    first = json.loads(receive_one(api["sqs"], out_url)["Body"])
    assert (first["from"], first["event"]["data"]) == ("stream", {"n": "before"})
    server.stop()

    restarted = fogbank_factory(data_dir=tmp_path, port=server.port)
    api = clients(restarted.url)
    assert api["pipes"].describe_pipe(Name="parked")["CurrentState"] == "STOPPED"
    api["sqs"].send_message(QueueUrl=parked_url, MessageBody="waits")
    api["sqs"].send_message(QueueUrl=jobs_url, MessageBody='{"job": 1}')
    event = json.loads(receive_one(api["sqs"], out_url)["Body"])
    assert (event["from"], event["event"]["body"]) == ("jobs", {"job": 1})
    api["kinesis"].put_record(StreamName="events", Data=b'{"n": "after"}', PartitionKey="k")
    # The stream resumes after its checkpoint: "before" is not delivered again.
    event = json.loads(receive_one(api["sqs"], out_url)["Body"])
    assert (event["from"], event["event"]["data"]) == ("stream", {"n": "after"})
    assert not api["sqs"].receive_message(QueueUrl=out_url, WaitTimeSeconds=1).get("Messages")
    attributes = api["sqs"].get_queue_attributes(
        QueueUrl=parked_url, AttributeNames=["ApproximateNumberOfMessages"]
    )
    assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "1"
