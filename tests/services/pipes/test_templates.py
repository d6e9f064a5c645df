"""Input templates as AWS documents them: JSON with paths in and out of strings, free text, a
single path, array indexes and wildcards, reserved variables, missing paths; FIFO targets with
dynamic parameters."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from pipes_support import receive_one


def _deliver(
    pipes_client: Any,
    sqs: Any,
    queue: Callable[[str], tuple[str, str]],
    name: str,
    role_arn: str,
    template: str,
    body: str,
) -> tuple[str, str, str]:
    source_url, source_arn = queue("source")
    target_url, target_arn = queue("target")
    pipes_client.create_pipe(
        Name=name,
        RoleArn=role_arn,
        Source=source_arn,
        Target=target_arn,
        TargetParameters={"InputTemplate": template},
    )
    sent = sqs.send_message(QueueUrl=source_url, MessageBody=body)
    return receive_one(sqs, target_url)["Body"], source_arn, sent["MessageId"]


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ('{"a": <$.body.items[1]>, "all": <$.body.items[*].n>}', {"a": {"n": 2}, "all": [1, 2]}),
        ('{"text": "n=<$.body.items[0].n> of <$.body.label>"}', {"text": 'n=1 of say "hi"'}),
        ('{"missing": <$.body.nothing>, "quoted": "[<$.body.nothing>]"}', {"missing": None, "quoted": "[]"}),
        ('{"obj": "<$.body.items[0]>"}', {"obj": '{"n":1}'}),
    ],
)
def test_create_pipe_json_template_renders_paths(
    pipes_client: Any,
    sqs: Any,
    queue: Callable[[str], tuple[str, str]],
    pipe_names: Callable[[], str],
    role_arn: str,
    template: str,
    expected: Any,
) -> None:
    body = json.dumps({"items": [{"n": 1}, {"n": 2}], "label": 'say "hi"'})
    rendered, _, _ = _deliver(pipes_client, sqs, queue, pipe_names(), role_arn, template, body)
    assert json.loads(rendered) == expected


def test_create_pipe_free_text_template_and_reserved_variables(
    pipes_client: Any,
    sqs: Any,
    queue: Callable[[str], tuple[str, str]],
    pipe_names: Callable[[], str],
    role_arn: str,
) -> None:
    name = pipe_names()
    template = "Hello <$.body.who> from <aws.pipes.pipe-name> (<aws.pipes.source-arn>) at <aws.pipes.event.ingestion-time>"
    rendered, source_arn, _ = _deliver(pipes_client, sqs, queue, name, role_arn, template, '{"who": "ana"}')
    prefix = f"Hello ana from {name} ({source_arn}) at "
    assert rendered.startswith(prefix)
    stamp = rendered[len(prefix) :]
    assert len(stamp) == 24 and stamp[10] == "T" and stamp.endswith("Z")


def test_create_pipe_event_variables_escaped_and_json(
    pipes_client: Any,
    sqs: Any,
    queue: Callable[[str], tuple[str, str]],
    pipe_names: Callable[[], str],
    role_arn: str,
) -> None:
    template = '{"raw": "<aws.pipes.event>", "parsed": <aws.pipes.event.json>, "single": 1}'
    rendered, _, message_id = _deliver(
        pipes_client, sqs, queue, pipe_names(), role_arn, template, '{"k": [1, 2]}'
    )
    document = json.loads(rendered)
    raw = json.loads(document["raw"])
    assert (raw["messageId"], raw["body"]) == (message_id, '{"k": [1, 2]}')
    assert (document["parsed"]["messageId"], document["parsed"]["body"]) == (message_id, {"k": [1, 2]})


def test_create_pipe_single_path_template_sends_the_value(
    pipes_client: Any,
    sqs: Any,
    queue: Callable[[str], tuple[str, str]],
    pipe_names: Callable[[], str],
    role_arn: str,
) -> None:
    rendered, _, _ = _deliver(
        pipes_client, sqs, queue, pipe_names(), role_arn, "<$.body.order>", '{"order": {"id": 3}}'
    )
    assert json.loads(rendered) == {"id": 3}


def test_create_pipe_fifo_target_dynamic_group_and_deduplication(
    pipes_client: Any,
    sqs: Any,
    queue: Callable[[str], tuple[str, str]],
    pipe_names: Callable[[], str],
    unique_name: Callable[[str], str],
    role_arn: str,
) -> None:
    source_url, source_arn = queue("source")
    target_url = sqs.create_queue(
        QueueName=unique_name("target") + ".fifo", Attributes={"FifoQueue": "true"}
    )["QueueUrl"]
    target_arn = sqs.get_queue_attributes(QueueUrl=target_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    try:
        pipes_client.create_pipe(
            Name=pipe_names(),
            RoleArn=role_arn,
            Source=source_arn,
            Target=target_arn,
            TargetParameters={
                "InputTemplate": "<$.body.text>",
                "SqsQueueParameters": {
                    "MessageGroupId": "$.body.customer",
                    "MessageDeduplicationId": "$.messageId",
                },
            },
        )
        sent = sqs.send_message(QueueUrl=source_url, MessageBody='{"customer": "c-9", "text": "hi"}')
        message = receive_one(sqs, target_url)
        assert message["Body"] == "hi"
        assert message["Attributes"]["MessageGroupId"] == "c-9"
        assert message["Attributes"]["MessageDeduplicationId"] == sent["MessageId"]
    finally:
        sqs.delete_queue(QueueUrl=target_url)
