"""The AWS CLI drives Step Functions: create a machine, run it, read its history."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sfn_support import ROLE, machine


def test_cli_create_start_describe_and_history(
    aws_cli: Callable[..., Any], unique_name: Callable[[str], str]
) -> None:
    definition = json.dumps(
        machine(
            ("Hello", {"Type": "Pass", "Parameters": {"greeting.$": "States.Format('Hello, {}', $.name)"}})
        )
    )
    created = aws_cli(
        "stepfunctions",
        "create-state-machine",
        "--name",
        unique_name("cli"),
        "--definition",
        definition,
        "--role-arn",
        ROLE,
    )
    started = aws_cli(
        "stepfunctions",
        "start-execution",
        "--state-machine-arn",
        created["stateMachineArn"],
        "--input",
        '{"name":"cli"}',
    )
    described = aws_cli("stepfunctions", "describe-execution", "--execution-arn", started["executionArn"])
    assert (described["status"], json.loads(described["output"])) == ("SUCCEEDED", {"greeting": "Hello, cli"})
    history = aws_cli(
        "stepfunctions",
        "get-execution-history",
        "--execution-arn",
        started["executionArn"],
        "--reverse-order",
    )
    assert [event["type"] for event in history["events"]] == [
        "ExecutionSucceeded",
        "PassStateExited",
        "PassStateEntered",
        "ExecutionStarted",
    ]
