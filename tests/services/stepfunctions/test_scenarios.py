"""Scenarios: `TestAddAndDouble` (SCENARIOS.md #4) with intrinsic Pass states and with real Lambda
tasks, and a STANDARD execution that survives a restart of fogbank in the middle of a Wait."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from sfn_support import ROLE, build_zip, history_types, machine, wait_closed

ADD_AND_DOUBLE = "def add(event, context):\n    return event['a'] + event['b']\n\ndef double(event, context):\n    return event * 2\n"


def test_add_and_double_with_intrinsic_pass_states(sfn: Any, make_machine: Callable[..., str]) -> None:
    # GIVEN a workflow that adds two numbers, then doubles the result
    definition = machine(
        (
            "Add",
            {"Type": "Pass", "Parameters": {"value.$": "States.MathAdd($.a, $.b)"}, "OutputPath": "$.value"},
        ),
        (
            "Double",
            {"Type": "Pass", "Parameters": {"value.$": "States.MathAdd($, $)"}, "OutputPath": "$.value"},
        ),
    )
    # WHEN it runs on {3, 6}
    execution = sfn.start_execution(stateMachineArn=make_machine(definition), input='{"a":3,"b":6}')[
        "executionArn"
    ]
    # THEN it succeeds with 18
    described = wait_closed(sfn, execution)
    assert (described["status"], described["output"]) == ("SUCCEEDED", "18")


def test_add_and_double_with_lambda_tasks(
    sfn: Any,
    make_machine: Callable[..., str],
    client_factory: Callable[..., Any],
    unique_name: Callable[[str], str],
) -> None:
    # GIVEN two Lambda functions, add and double, and a workflow calling them in turn
    lambdas, iam = client_factory("lambda"), client_factory("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role = iam.create_role(RoleName=unique_name("role"), AssumeRolePolicyDocument=json.dumps(trust))["Role"][
        "Arn"
    ]
    code = {"ZipFile": build_zip({"app.py": ADD_AND_DOUBLE})}
    add = lambdas.create_function(
        FunctionName=unique_name("add"), Runtime="python3.12", Role=role, Handler="app.add", Code=code
    )["FunctionArn"]
    double = lambdas.create_function(
        FunctionName=unique_name("double"), Runtime="python3.12", Role=role, Handler="app.double", Code=code
    )["FunctionArn"]
    definition = machine(
        (
            "Add",
            {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": add, "Payload.$": "$"},
                "OutputPath": "$.Payload",
            },
        ),
        ("Double", {"Type": "Task", "Resource": double}),
    )
    # WHEN the workflow runs on {3, 6}
    execution = sfn.start_execution(stateMachineArn=make_machine(definition), input='{"a":3,"b":6}')[
        "executionArn"
    ]
    # THEN it succeeds with 18, through both functions
    described = wait_closed(sfn, execution)
    assert (described["status"], described["output"]) == ("SUCCEEDED", "18")
    assert history_types(sfn, execution) == [
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
        "TaskStateEntered",
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]


def _client(url: str) -> Any:
    return boto3.client(
        "stepfunctions",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )


def test_start_execution_wait_survives_restart(fogbank_factory: Callable[..., Any], tmp_path: Path) -> None:
    # GIVEN a STANDARD execution waiting a day, with a variable assigned before the wait
    server = fogbank_factory(data_dir=tmp_path)
    sfn = _client(server.url)
    definition = machine(
        (
            "Before",
            {"Type": "Pass", "Result": {"step": 1}, "ResultPath": "$.before", "Assign": {"who": "kept"}},
        ),
        ("Nap", {"Type": "Wait", "Seconds": 86400}),
        ("After", {"Type": "Pass", "Parameters": {"before.$": "$.before", "who.$": "$who"}}),
    )
    arn = sfn.create_state_machine(name="survivor", definition=json.dumps(definition), roleArn=ROLE)[
        "stateMachineArn"
    ]
    execution = sfn.start_execution(stateMachineArn=arn, name="run-1", input='{"k":1}')["executionArn"]
    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    # WHEN fogbank restarts in the middle of the Wait and the clock then passes the day
    server.stop()
    restarted = fogbank_factory(data_dir=tmp_path, port=server.port)
    restarted.advance_clock("P1D")  # before any Step Functions call: the execution resumed at start-up
    sfn = _client(restarted.url)
    # THEN the execution continues where it was and its history is whole
    described = wait_closed(sfn, execution)
    assert (described["status"], json.loads(described["output"])) == (
        "SUCCEEDED",
        {"before": {"step": 1}, "who": "kept"},
    )
    events = sfn.get_execution_history(executionArn=execution)["events"]
    assert [(event["id"], event["previousEventId"], event["type"]) for event in events] == [
        (1, 0, "ExecutionStarted"),
        (2, 1, "PassStateEntered"),
        (3, 2, "PassStateExited"),
        (4, 3, "WaitStateEntered"),
        (5, 4, "WaitStateExited"),
        (6, 5, "PassStateEntered"),
        (7, 6, "PassStateExited"),
        (8, 7, "ExecutionSucceeded"),
    ]


def test_send_task_success_after_restart_completes_waiting_task(
    fogbank_factory: Callable[..., Any], tmp_path: Path
) -> None:
    # GIVEN a STANDARD execution waiting for a task token sent through SQS
    server = fogbank_factory(data_dir=tmp_path)
    sfn = _client(server.url)
    sqs = boto3.client(
        "sqs",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    queue = sqs.create_queue(QueueName="tokens")["QueueUrl"]
    definition = machine(
        (
            "Ask",
            {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "ResultPath": "$.answer",
                "Parameters": {"QueueUrl": queue, "MessageBody": {"token.$": "$$.Task.Token"}},
            },
        ),
        ("After", {"Type": "Pass"}),
    )
    arn = sfn.create_state_machine(name="approval", definition=json.dumps(definition), roleArn=ROLE)[
        "stateMachineArn"
    ]
    execution = sfn.start_execution(stateMachineArn=arn, input='{"k":1}')["executionArn"]
    token = json.loads(sqs.receive_message(QueueUrl=queue)["Messages"][0]["Body"])["token"]
    # WHEN fogbank restarts and the token then comes back
    server.stop()
    restarted = fogbank_factory(data_dir=tmp_path, port=server.port)
    sfn = _client(restarted.url)
    sfn.send_task_success(taskToken=token, output='{"ok":true}')
    # THEN the same task completes, without sending its message again
    described = wait_closed(sfn, execution)
    assert (described["status"], json.loads(described["output"])) == (
        "SUCCEEDED",
        {"k": 1, "answer": {"ok": True}},
    )
    assert history_types(sfn, execution) == [
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskSucceeded",
        "TaskStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]


def test_get_activity_task_after_restart_receives_scheduled_task(
    fogbank_factory: Callable[..., Any], tmp_path: Path
) -> None:
    # GIVEN an activity task scheduled before fogbank restarts
    server = fogbank_factory(data_dir=tmp_path)
    sfn = _client(server.url)
    activity = sfn.create_activity(name="work")["activityArn"]
    arn = sfn.create_state_machine(
        name="worker",
        definition=json.dumps(machine(("Work", {"Type": "Task", "Resource": activity}))),
        roleArn=ROLE,
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, input='{"job":7}')["executionArn"]
    server.stop()
    # WHEN a worker polls the restarted fogbank
    restarted = fogbank_factory(data_dir=tmp_path, port=server.port)
    sfn = _client(restarted.url)
    task = sfn.get_activity_task(activityArn=activity, workerName="w")
    # THEN it gets the task scheduled before the restart, and its answer completes the execution
    assert json.loads(task["input"]) == {"job": 7}
    sfn.send_task_success(taskToken=task["taskToken"], output='"done"')
    described = wait_closed(sfn, execution)
    assert (described["status"], described["output"]) == ("SUCCEEDED", '"done"')
    assert history_types(sfn, execution) == [
        "ExecutionStarted",
        "TaskStateEntered",
        "ActivityScheduled",
        "ActivityStarted",
        "ActivitySucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
