"""The AWS CLI drives Pipes: create, describe, list, stop, delete."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any


def test_create_pipe_with_aws_cli_round_trip(
    aws_cli: Callable[..., Any],
    queue: Callable[[str], tuple[str, str]],
    pipe_names: Callable[[], str],
    role_arn: str,
) -> None:
    _, source_arn = queue("source")
    _, target_arn = queue("target")
    name = pipe_names()
    created = aws_cli(
        "pipes",
        "create-pipe",
        "--name",
        name,
        "--role-arn",
        role_arn,
        "--source",
        source_arn,
        "--target",
        target_arn,
        "--source-parameters",
        json.dumps({"SqsQueueParameters": {"BatchSize": 2}}),
    )
    assert (created["Name"], created["CurrentState"], created["DesiredState"]) == (
        name,
        "CREATING",
        "RUNNING",
    )
    described = aws_cli("pipes", "describe-pipe", "--name", name)
    assert described["SourceParameters"] == {"SqsQueueParameters": {"BatchSize": 2}}
    assert described["CurrentState"] == "RUNNING"
    listed = aws_cli("pipes", "list-pipes", "--name-prefix", name)
    assert [item["Name"] for item in listed["Pipes"]] == [name]
    stopped = aws_cli("pipes", "stop-pipe", "--name", name)
    assert (stopped["CurrentState"], stopped["DesiredState"]) == ("STOPPING", "STOPPED")
    deleted = aws_cli("pipes", "delete-pipe", "--name", name)
    assert (deleted["CurrentState"], deleted["DesiredState"]) == ("DELETING", "DELETED")
    assert aws_cli("pipes", "list-pipes", "--name-prefix", name)["Pipes"] == []
