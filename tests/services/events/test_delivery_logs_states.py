"""Delivery to CloudWatch Logs (one log stream per event, the event as the message) and to Step
Functions (StartExecution with the event as input)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

ACCOUNT = "000000000000"


def test_logs_target_writes_event_to_log_group(
    events: Any,
    client_factory: Callable[..., Any],
    rule_to_queue: Callable[..., Any],
    unique_name: Callable[[str], str],
) -> None:
    logs = client_factory("logs")
    group = "/aws/events/" + unique_name("g")
    logs.create_log_group(logGroupName=group)
    name, _, source = rule_to_queue()
    events.put_targets(
        Rule=name, Targets=[{"Id": "logs", "Arn": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{group}"}]
    )
    event_id = events.put_events(Entries=[{"Source": source, "DetailType": "t", "Detail": '{"k": 1}'}])[
        "Entries"
    ][0]["EventId"]
    found: list[dict[str, Any]] = []
    for _ in range(50):
        found = logs.filter_log_events(logGroupName=group).get("events", [])
        if found:
            break
    assert [(item["logStreamName"], json.loads(item["message"])["id"]) for item in found] == [
        (event_id, event_id)
    ]


def test_step_functions_target_starts_execution_with_event(
    events: Any,
    client_factory: Callable[..., Any],
    rule_to_queue: Callable[..., Any],
    unique_name: Callable[[str], str],
) -> None:
    sfn, iam = client_factory("stepfunctions"), client_factory("iam")
    role = iam.create_role(
        RoleName=unique_name("role"),
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "states.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )["Role"]["Arn"]
    definition = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}
    machine = sfn.create_state_machine(
        name=unique_name("sm"), definition=json.dumps(definition), roleArn=role
    )
    name, _, source = rule_to_queue()
    events.put_targets(
        Rule=name, Targets=[{"Id": "sm", "Arn": machine["stateMachineArn"], "InputPath": "$.detail"}]
    )
    events.put_events(Entries=[{"Source": source, "DetailType": "t", "Detail": '{"order": 3}'}])
    executions: list[dict[str, Any]] = []
    for _ in range(50):
        executions = sfn.list_executions(stateMachineArn=machine["stateMachineArn"])["executions"]
        if executions:
            break
    (execution,) = executions
    described = sfn.describe_execution(executionArn=execution["executionArn"])
    assert json.loads(described["input"]) == {"order": 3}
