"""State machines and executions through the API: control plane, execution lifecycle, history
(compared event by event with AWS's documented sequences), clock-driven waits and retries."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from sfn_support import ROLE, eventually, history_types, machine, wait_closed

PASS3 = machine(("A", {"Type": "Pass"}), ("B", {"Type": "Pass"}), ("C", {"Type": "Pass"}))


def error_of(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    error = raised.value.response["Error"]
    return error["Code"], error["Message"], raised.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_create_state_machine_then_describe_returns_everything_stored(
    sfn: Any, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("sm")
    logging = {
        "level": "ALL",
        "includeExecutionData": True,
        "destinations": [
            {"cloudWatchLogsLogGroup": {"logGroupArn": "arn:aws:logs:us-east-1:000000000000:log-group:g:*"}}
        ],
    }
    created = sfn.create_state_machine(
        name=name,
        definition=json.dumps(PASS3),
        roleArn=ROLE,
        type="STANDARD",
        loggingConfiguration=logging,
        tracingConfiguration={"enabled": True},
        tags=[{"key": "team", "value": "core"}],
    )
    assert created["stateMachineArn"] == f"arn:aws:states:us-east-1:000000000000:stateMachine:{name}"
    described = sfn.describe_state_machine(stateMachineArn=created["stateMachineArn"])
    assert {
        key: described[key]
        for key in (
            "name",
            "status",
            "definition",
            "roleArn",
            "type",
            "loggingConfiguration",
            "tracingConfiguration",
        )
    } == {
        "name": name,
        "status": "ACTIVE",
        "definition": json.dumps(PASS3),
        "roleArn": ROLE,
        "type": "STANDARD",
        "loggingConfiguration": logging,
        "tracingConfiguration": {"enabled": True},
    }
    assert sfn.list_tags_for_resource(resourceArn=created["stateMachineArn"])["tags"] == [
        {"key": "team", "value": "core"}
    ]
    listed = [item["name"] for item in sfn.list_state_machines(maxResults=1000)["stateMachines"]]
    assert name in listed


def test_create_state_machine_invalid_definition_raises_invalid_definition(
    sfn: Any, unique_name: Callable[[str], str]
) -> None:
    with pytest.raises(ClientError) as raised:
        sfn.create_state_machine(
            name=unique_name("sm"),
            roleArn=ROLE,
            definition=json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "X"}}}),
        )
    assert error_of(raised) == (
        "InvalidDefinition",
        "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: X at /States/A/Next'",
        400,
    )


def test_create_state_machine_same_name_other_definition_raises_already_exists(
    sfn: Any, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("sm")
    arn = sfn.create_state_machine(name=name, definition=json.dumps(PASS3), roleArn=ROLE)["stateMachineArn"]
    assert (
        sfn.create_state_machine(name=name, definition=json.dumps(PASS3), roleArn=ROLE)["stateMachineArn"]
        == arn
    )
    with pytest.raises(ClientError) as raised:
        sfn.create_state_machine(
            name=name, definition=json.dumps(machine(("Z", {"Type": "Succeed"}))), roleArn=ROLE
        )
    assert error_of(raised) == ("StateMachineAlreadyExists", f"State Machine Already Exists: '{arn}'", 400)


def test_update_state_machine_publish_versions_and_alias_routing(
    sfn: Any, make_machine: Callable[..., str]
) -> None:
    arn = make_machine(machine(("V", {"Type": "Pass", "Result": "v1"})))
    v1 = sfn.publish_state_machine_version(stateMachineArn=arn)["stateMachineVersionArn"]
    updated = sfn.update_state_machine(
        stateMachineArn=arn,
        definition=json.dumps(machine(("V", {"Type": "Pass", "Result": "v2"}))),
        publish=True,
    )
    v2 = updated["stateMachineVersionArn"]
    assert (v1, v2) == (f"{arn}:1", f"{arn}:2")
    assert [
        item["stateMachineVersionArn"]
        for item in sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]
    ] == [v2, v1]
    alias = sfn.create_state_machine_alias(
        name="prod", routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 100}]
    )["stateMachineAliasArn"]
    assert alias == f"{arn}:prod"
    started = sfn.start_execution(stateMachineArn=alias)
    described = wait_closed(sfn, started["executionArn"])
    assert (described["output"], described["stateMachineVersionArn"], described["stateMachineAliasArn"]) == (
        '"v1"',
        v1,
        alias,
    )
    history = sfn.get_execution_history(executionArn=started["executionArn"])["events"]
    started_details = history[0]["executionStartedEventDetails"]
    assert (started_details["stateMachineVersionArn"], started_details["stateMachineAliasArn"]) == (v1, alias)
    latest = wait_closed(sfn, sfn.start_execution(stateMachineArn=arn)["executionArn"])
    assert latest["output"] == '"v2"'
    with pytest.raises(ClientError) as raised:
        sfn.delete_state_machine_version(stateMachineVersionArn=v1)
    assert error_of(raised)[0] == "ConflictException"


def test_delete_state_machine_then_describe_raises_does_not_exist(
    sfn: Any, make_machine: Callable[..., str]
) -> None:
    arn = make_machine(PASS3)
    sfn.delete_state_machine(stateMachineArn=arn)
    with pytest.raises(ClientError) as raised:
        sfn.describe_state_machine(stateMachineArn=arn)
    assert error_of(raised) == ("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'", 400)


def test_validate_state_machine_definition_reports_diagnostics(sfn: Any) -> None:
    assert sfn.validate_state_machine_definition(definition=json.dumps(PASS3))["result"] == "OK"
    response = sfn.validate_state_machine_definition(
        definition=json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Nope"}}})
    )
    assert (response["result"], response["truncated"]) == ("FAIL", False)
    assert response["diagnostics"] == [
        {
            "severity": "ERROR",
            "code": "MISSING_TRANSITION_TARGET",
            "message": "Missing 'Next' target: Nope",
            "location": "/States/A/Next",
        }
    ]


def test_start_execution_same_name_same_input_is_idempotent_while_running(
    sfn: Any, make_machine: Callable[..., str], unique_name: Callable[[str], str]
) -> None:
    arn = make_machine(machine(("W", {"Type": "Wait", "Seconds": 3600})))
    name = unique_name("ex")
    first = sfn.start_execution(stateMachineArn=arn, name=name, input='{"a":1}')
    again = sfn.start_execution(stateMachineArn=arn, name=name, input='{"a":1}')
    assert again["executionArn"] == first["executionArn"]
    with pytest.raises(ClientError) as raised:
        sfn.start_execution(stateMachineArn=arn, name=name, input='{"a":2}')
    assert error_of(raised) == (
        "ExecutionAlreadyExists",
        f"Execution Already Exists: '{first['executionArn']}'",
        400,
    )
    sfn.stop_execution(executionArn=first["executionArn"], error="Stopped", cause="by test")
    stopped = wait_closed(sfn, first["executionArn"])
    assert (stopped["status"], stopped["error"], stopped["cause"]) == ("ABORTED", "Stopped", "by test")
    assert history_types(sfn, first["executionArn"])[-1] == "ExecutionAborted"


def test_start_execution_invalid_input_raises_invalid_execution_input(
    sfn: Any, make_machine: Callable[..., str]
) -> None:
    with pytest.raises(ClientError) as raised:
        sfn.start_execution(stateMachineArn=make_machine(PASS3), input="{nope")
    code, message, status = error_of(raised)
    assert (code, status) == ("InvalidExecutionInput", 400)
    assert message.startswith("Invalid State Machine Execution Input: ")


def test_describe_execution_unknown_raises_execution_does_not_exist(sfn: Any) -> None:
    arn = "arn:aws:states:us-east-1:000000000000:execution:nope:nope"
    with pytest.raises(ClientError) as raised:
        sfn.describe_execution(executionArn=arn)
    assert error_of(raised) == ("ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'", 400)


def test_list_executions_status_filter_and_pagination(sfn: Any, make_machine: Callable[..., str]) -> None:
    arn = make_machine(
        machine(
            (
                "Decide",
                {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$.fail", "BooleanEquals": True, "Next": "F"}],
                    "Default": "S",
                },
            ),
            ("F", {"Type": "Fail", "Error": "E"}),
            ("S", {"Type": "Succeed"}),
        )
    )
    arns = [
        sfn.start_execution(stateMachineArn=arn, input=json.dumps({"fail": index == 1}))["executionArn"]
        for index in range(3)
    ]
    for execution in arns:
        wait_closed(sfn, execution)
    first = sfn.list_executions(stateMachineArn=arn, maxResults=2)
    second = sfn.list_executions(stateMachineArn=arn, maxResults=2, nextToken=first["nextToken"])
    assert [item["executionArn"] for item in first["executions"] + second["executions"]] == list(
        reversed(arns)
    )
    assert "nextToken" not in second
    failed = sfn.list_executions(stateMachineArn=arn, statusFilter="FAILED")["executions"]
    assert [(item["executionArn"], item["status"]) for item in failed] == [(arns[1], "FAILED")]


def test_start_sync_execution_standard_machine_raises_type_not_supported(
    sfn: Any, make_machine: Callable[..., str]
) -> None:
    with pytest.raises(ClientError) as raised:
        sfn.start_sync_execution(stateMachineArn=make_machine(PASS3))
    assert error_of(raised)[0] == "StateMachineTypeNotSupported"


def test_start_sync_execution_express_answers_whole_execution(
    sfn: Any, make_machine: Callable[..., str]
) -> None:
    arn = make_machine(PASS3, "EXPRESS")
    response = sfn.start_sync_execution(stateMachineArn=arn, name="n1", input='{"k":1}')
    assert response["executionArn"].startswith(arn.replace(":stateMachine:", ":express:") + ":n1:")
    assert (response["status"], response["output"], response["input"], response["name"]) == (
        "SUCCEEDED",
        '{"k":1}',
        '{"k":1}',
        "n1",
    )
    assert response["billingDetails"]["billedDurationInMilliseconds"] >= 100


def test_get_execution_history_pass_machine_events_ids_and_details(
    sfn: Any, make_machine: Callable[..., str]
) -> None:
    arn = make_machine(machine(("A", {"Type": "Pass", "Result": 1})))
    execution = sfn.start_execution(stateMachineArn=arn, input='{"x":0}')["executionArn"]
    wait_closed(sfn, execution)
    events = sfn.get_execution_history(executionArn=execution)["events"]
    assert [(event["id"], event["previousEventId"], event["type"]) for event in events] == [
        (1, 0, "ExecutionStarted"),
        (2, 1, "PassStateEntered"),
        (3, 2, "PassStateExited"),
        (4, 3, "ExecutionSucceeded"),
    ]
    assert events[0]["executionStartedEventDetails"] == {
        "input": '{"x":0}',
        "inputDetails": {"truncated": False},
        "roleArn": ROLE,
    }
    assert events[1]["stateEnteredEventDetails"] == {
        "name": "A",
        "input": '{"x":0}',
        "inputDetails": {"truncated": False},
    }
    assert events[2]["stateExitedEventDetails"] == {
        "name": "A",
        "output": "1",
        "outputDetails": {"truncated": False},
    }
    assert events[3]["executionSucceededEventDetails"] == {
        "output": "1",
        "outputDetails": {"truncated": False},
    }
    reverse = sfn.get_execution_history(executionArn=execution, reverseOrder=True, maxResults=3)
    assert [event["id"] for event in reverse["events"]] == [4, 3, 2]
    rest = sfn.get_execution_history(
        executionArn=execution, reverseOrder=True, maxResults=3, nextToken=reverse["nextToken"]
    )
    assert [event["id"] for event in rest["events"]] == [1]
    bare = sfn.get_execution_history(executionArn=execution, includeExecutionData=False)["events"]
    assert bare[1]["stateEnteredEventDetails"] == {"name": "A"}
    assert bare[0]["executionStartedEventDetails"] == {"roleArn": ROLE}


def test_get_execution_history_parallel_matches_aws_sequence(
    sfn: Any, make_machine: Callable[..., str]
) -> None:
    arn = make_machine(
        machine(
            (
                "P",
                {
                    "Type": "Parallel",
                    "Branches": [machine(("A", {"Type": "Pass"})), machine(("B", {"Type": "Pass"}))],
                },
            )
        )
    )
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    wait_closed(sfn, execution)
    events = sfn.get_execution_history(executionArn=execution)["events"]
    assert [(event["id"], event["previousEventId"], event["type"]) for event in events] == [
        (1, 0, "ExecutionStarted"),
        (2, 1, "ParallelStateEntered"),
        (3, 2, "ParallelStateStarted"),
        (4, 3, "PassStateEntered"),
        (5, 4, "PassStateExited"),
        (6, 3, "PassStateEntered"),
        (7, 6, "PassStateExited"),
        (8, 3, "ParallelStateSucceeded"),
        (9, 8, "ParallelStateExited"),
        (10, 9, "ExecutionSucceeded"),
    ]


def test_get_execution_history_map_matches_aws_sequence(sfn: Any, make_machine: Callable[..., str]) -> None:
    arn = make_machine(machine(("M", {"Type": "Map", "ItemProcessor": machine(("Item", {"Type": "Pass"}))})))
    execution = sfn.start_execution(stateMachineArn=arn, input="[1, 2]")["executionArn"]
    wait_closed(sfn, execution)
    events = sfn.get_execution_history(executionArn=execution)["events"]
    assert [event["type"] for event in events] == [
        "ExecutionStarted",
        "MapStateEntered",
        "MapStateStarted",
        "MapIterationStarted",
        "PassStateEntered",
        "PassStateExited",
        "MapIterationSucceeded",
        "MapIterationStarted",
        "PassStateEntered",
        "PassStateExited",
        "MapIterationSucceeded",
        "MapStateSucceeded",
        "MapStateExited",
        "ExecutionSucceeded",
    ]
    assert events[2]["mapStateStartedEventDetails"] == {"length": 2}
    assert [
        event["mapIterationStartedEventDetails"] for event in events if event["type"] == "MapIterationStarted"
    ] == [
        {"name": "M", "index": 0},
        {"name": "M", "index": 1},
    ]
    assert events[3]["previousEventId"] == events[2]["id"]


def test_describe_state_machine_for_execution_returns_definition_used(
    sfn: Any, make_machine: Callable[..., str]
) -> None:
    arn = make_machine(PASS3)
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(machine(("Z", {"Type": "Succeed"}))))
    described = sfn.describe_state_machine_for_execution(executionArn=execution)
    assert (described["stateMachineArn"], described["definition"], described["roleArn"]) == (
        arn,
        json.dumps(PASS3),
        ROLE,
    )


def test_start_execution_one_day_wait_finishes_when_clock_advances(
    sfn: Any, make_machine: Callable[..., str], fogbank: Any
) -> None:
    arn = make_machine(
        machine(("Nap", {"Type": "Wait", "Seconds": 86400}), ("After", {"Type": "Pass", "Result": "done"}))
    )
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    fogbank.advance_clock("P1D")
    described = wait_closed(sfn, execution)
    assert (described["status"], described["output"]) == ("SUCCEEDED", '"done"')
    assert history_types(sfn, execution) == [
        "ExecutionStarted",
        "WaitStateEntered",
        "WaitStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]


def test_start_execution_wait_timestamp_path_and_seconds_path(
    sfn: Any, make_machine: Callable[..., str], fogbank: Any
) -> None:
    arn = make_machine(
        machine(
            ("Until", {"Type": "Wait", "TimestampPath": "$.at"}),
            ("For", {"Type": "Wait", "SecondsPath": "$.s"}),
        )
    )
    execution = sfn.start_execution(
        stateMachineArn=arn, input=json.dumps({"at": "2099-01-01T00:00:00Z", "s": 60})
    )["executionArn"]
    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    bad = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"at": "yesterday", "s": 1}))[
        "executionArn"
    ]
    assert (wait_closed(sfn, bad)["status"], wait_closed(sfn, bad)["error"]) == ("FAILED", "States.Runtime")
    sfn.stop_execution(executionArn=execution)


def test_start_execution_retry_waits_backoff_on_clock_then_catch(
    sfn: Any, make_machine: Callable[..., str], fogbank: Any
) -> None:
    task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::aws-sdk:sqs:getQueueUrl",
        "Parameters": {"QueueName": "no-such-queue-sfn"},
        "Retry": [
            {
                "ErrorEquals": ["Sqs.QueueDoesNotExistException"],
                "IntervalSeconds": 100,
                "BackoffRate": 2,
                "MaxAttempts": 2,
            }
        ],
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Caught"}],
    }
    arn = make_machine(machine(("Lookup", task), ("Caught", {"Type": "Pass", "End": True})))
    execution = sfn.start_execution(stateMachineArn=arn, input='{"k":1}')["executionArn"]
    assert history_types(sfn, execution).count("TaskFailed") == 1
    fogbank.advance_clock(99)
    assert history_types(sfn, execution).count("TaskFailed") == 1
    fogbank.advance_clock(1)
    assert eventually(lambda: history_types(sfn, execution).count("TaskFailed") == 2)
    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    fogbank.advance_clock(200)
    described = wait_closed(sfn, execution)
    assert described["status"] == "SUCCEEDED"
    result = json.loads(described["output"])
    assert result["error"]["Error"] == "Sqs.QueueDoesNotExistException"
    assert history_types(sfn, execution) == [
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskFailed",
        "TaskScheduled",
        "TaskStarted",
        "TaskFailed",
        "TaskScheduled",
        "TaskStarted",
        "TaskFailed",
        "TaskStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]


def test_start_execution_machine_timeout_times_out(
    sfn: Any, make_machine: Callable[..., str], fogbank: Any
) -> None:
    arn = make_machine(machine(("Nap", {"Type": "Wait", "Seconds": 1000}), TimeoutSeconds=10))
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    fogbank.advance_clock(10)
    described = wait_closed(sfn, execution)
    assert (described["status"], described["error"]) == ("TIMED_OUT", "States.Timeout")
    assert history_types(sfn, execution)[-1] == "ExecutionTimedOut"


def test_redrive_execution_restarts_failed_state(
    sfn: Any,
    make_machine: Callable[..., str],
    client_factory: Callable[..., Any],
    unique_name: Callable[[str], str],
) -> None:
    queue_name = unique_name("q")
    definition = machine(
        ("Prepare", {"Type": "Pass", "Result": 1, "ResultPath": "$.prepared"}),
        (
            "Lookup",
            {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sqs:getQueueUrl",
                "Parameters": {"QueueName": queue_name},
                "ResultSelector": {"url.$": "$.QueueUrl"},
            },
        ),
    )
    execution = sfn.start_execution(stateMachineArn=make_machine(definition))["executionArn"]
    failed = wait_closed(sfn, execution)
    assert (failed["status"], failed["error"], failed["redriveStatus"]) == (
        "FAILED",
        "Sqs.QueueDoesNotExistException",
        "REDRIVABLE",
    )
    url = client_factory("sqs").create_queue(QueueName=queue_name)["QueueUrl"]
    assert "redriveDate" in sfn.redrive_execution(executionArn=execution)
    described = wait_closed(sfn, execution)
    assert (described["status"], json.loads(described["output"]), described["redriveCount"]) == (
        "SUCCEEDED",
        {"url": url},
        1,
    )
    types = history_types(sfn, execution)
    assert types[types.index("ExecutionFailed") :] == [
        "ExecutionFailed",
        "ExecutionRedriven",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    with pytest.raises(ClientError) as raised:
        sfn.redrive_execution(executionArn=execution)
    assert error_of(raised)[0] == "ExecutionNotRedrivable"


def _map_redrive_definition(queue_url: str, prefix: str) -> dict[str, Any]:
    """Each item sends an SQS message (to count its runs), item 2 waits a minute, then each reads
    the SSM parameter `<prefix>/<n>` (item 2's does not exist at first)."""
    processor = machine(
        (
            "Count",
            {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sqs:sendMessage",
                "Parameters": {"QueueUrl": queue_url, "MessageBody.$": "States.Format('{}', $.n)"},
                "ResultPath": None,
            },
        ),
        (
            "Slow?",
            {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericEquals": 2, "Next": "Later"}],
                "Default": "Read",
            },
        ),
        ("Later", {"Type": "Wait", "Seconds": 60, "Next": "Read"}),
        (
            "Read",
            {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:ssm:getParameter",
                "Parameters": {"Name.$": f"States.Format('{prefix}/{{}}', $.n)"},
                "ResultSelector": {"value.$": "$.Parameter.Value"},
                "End": True,
            },
        ),
    )
    return machine(("Fan", {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": processor}))


def _drain(sqs: Any, queue_url: str) -> list[str]:
    """The bodies of every message in the queue (one per run of the counting task)."""
    bodies: list[str] = []
    while batch := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages"):
        bodies += [message["Body"] for message in batch]
        sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)],
        )
    return bodies


def test_redrive_execution_inline_map_reruns_only_failed_iterations(
    sfn: Any,
    fogbank: Any,
    make_machine: Callable[..., str],
    client_factory: Callable[..., Any],
    unique_name: Callable[[str], str],
) -> None:
    sqs, ssm = client_factory("sqs"), client_factory("ssm")
    queue_url = sqs.create_queue(QueueName=unique_name("q"))["QueueUrl"]
    prefix = "/" + unique_name("redrive")
    for n in (1, 3, 4):
        ssm.put_parameter(Name=f"{prefix}/{n}", Value=f"v{n}", Type="String")
    arn = make_machine(_map_redrive_definition(queue_url, prefix))
    items = json.dumps({"items": [{"n": n} for n in (1, 2, 3, 4)]})
    execution = sfn.start_execution(stateMachineArn=arn, input=items)["executionArn"]
    fogbank.advance_clock("PT2M")
    failed = wait_closed(sfn, execution)
    assert (failed["status"], failed["error"], failed["redriveStatus"]) == (
        "FAILED",
        "Ssm.ParameterNotFoundException",
        "REDRIVABLE",
    )
    ssm.put_parameter(Name=f"{prefix}/2", Value="v2", Type="String")
    redriven = sfn.redrive_execution(executionArn=execution)
    fogbank.advance_clock("PT2M")
    described = wait_closed(sfn, execution)
    assert (described["status"], json.loads(described["output"])) == (
        "SUCCEEDED",
        [{"value": "v1"}, {"value": "v2"}, {"value": "v3"}, {"value": "v4"}],
    )
    assert (described["redriveCount"], described["redriveDate"]) == (1, redriven["redriveDate"])
    assert described["redriveStatus"] == "NOT_REDRIVABLE"
    assert sorted(_drain(sqs, queue_url)) == ["1", "2", "2", "3", "4"]  # items 1, 3 and 4 ran once
    events = sfn.get_execution_history(executionArn=execution, maxResults=1000)["events"]
    types = [event["type"] for event in events]
    after = events[types.index("ExecutionRedriven") :]
    assert after[0]["executionRedrivenEventDetails"] == {"redriveCount": 1}
    assert [e["type"] for e in after if e["type"].startswith("Map")] == [
        "MapStateEntered",
        "MapStateStarted",
        "MapIterationStarted",
        "MapIterationSucceeded",
        "MapStateSucceeded",
        "MapStateExited",
    ]
    iteration = next(e for e in after if e["type"] == "MapIterationStarted")
    assert iteration["mapIterationStartedEventDetails"] == {"name": "Fan", "index": 1}
    assert types[-1] == "ExecutionSucceeded"


def test_redrive_execution_parallel_reruns_only_failed_branches(
    sfn: Any,
    fogbank: Any,
    make_machine: Callable[..., str],
    client_factory: Callable[..., Any],
    unique_name: Callable[[str], str],
) -> None:
    sqs, ssm = client_factory("sqs"), client_factory("ssm")
    queue_url = sqs.create_queue(QueueName=unique_name("q"))["QueueUrl"]
    prefix = "/" + unique_name("redrive")
    processor = _map_redrive_definition(queue_url, prefix)["States"]["Fan"]["ItemProcessor"]
    branches = [
        {"StartAt": "Item", "States": {"Item": {"Type": "Pass", "Result": {"n": n}, "Next": "Count"}}}
        for n in (1, 2)
    ]
    for branch in branches:
        branch["States"].update(processor["States"])
    ssm.put_parameter(Name=f"{prefix}/1", Value="v1", Type="String")
    arn = make_machine(machine(("Both", {"Type": "Parallel", "Branches": branches})))
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    fogbank.advance_clock("PT2M")
    assert wait_closed(sfn, execution)["error"] == "Ssm.ParameterNotFoundException"
    ssm.put_parameter(Name=f"{prefix}/2", Value="v2", Type="String")
    sfn.redrive_execution(executionArn=execution)
    fogbank.advance_clock("PT2M")
    described = wait_closed(sfn, execution)
    assert (described["status"], json.loads(described["output"]), described["redriveCount"]) == (
        "SUCCEEDED",
        [{"value": "v1"}, {"value": "v2"}],
        1,
    )
    assert sorted(_drain(sqs, queue_url)) == ["1", "2", "2"]  # branch 1 ran once
    types = history_types(sfn, execution)
    assert types[types.index("ExecutionRedriven") :][:3] == [
        "ExecutionRedriven",
        "ParallelStateEntered",
        "ParallelStateStarted",
    ]


def test_get_execution_history_state_exited_lists_assigned_variables(
    sfn: Any, make_machine: Callable[..., str]
) -> None:
    arn = make_machine(machine(("Set", {"Type": "Pass", "Assign": {"total": 3, "name.$": "$.who"}})))
    execution = sfn.start_execution(stateMachineArn=arn, input='{"who":"ann"}')["executionArn"]
    wait_closed(sfn, execution)
    exited = sfn.get_execution_history(executionArn=execution)["events"][2]["stateExitedEventDetails"]
    assert exited == {
        "name": "Set",
        "output": '{"who":"ann"}',
        "outputDetails": {"truncated": False},
        "assignedVariables": {"total": "3", "name": '"ann"'},
        "assignedVariablesDetails": {"truncated": False},
    }


def test_start_sync_execution_logs_history_to_cloudwatch_logs(
    sfn: Any, client_factory: Callable[..., Any], unique_name: Callable[[str], str]
) -> None:
    logs = client_factory("logs")
    group = unique_name("/aws/vendedlogs/states/g")
    logs.create_log_group(logGroupName=group)
    destination = [
        {
            "cloudWatchLogsLogGroup": {
                "logGroupArn": f"arn:aws:logs:us-east-1:000000000000:log-group:{group}:*"
            }
        }
    ]
    definition = json.dumps(machine(("P", {"Type": "Pass", "Result": 1})))
    arn = sfn.create_state_machine(
        name=unique_name("sm"),
        definition=definition,
        roleArn=ROLE,
        type="EXPRESS",
        loggingConfiguration={"level": "ALL", "includeExecutionData": True, "destinations": destination},
    )["stateMachineArn"]
    execution = sfn.start_sync_execution(stateMachineArn=arn, input='{"k":1}')["executionArn"]
    messages = [
        json.loads(event["message"]) for event in logs.filter_log_events(logGroupName=group)["events"]
    ]
    assert [(message["id"], message["type"], message["previous_event_id"]) for message in messages] == [
        ("1", "ExecutionStarted", "0"),
        ("2", "PassStateEntered", "1"),
        ("3", "PassStateExited", "2"),
        ("4", "ExecutionSucceeded", "3"),
    ]
    assert messages[0]["execution_arn"] == execution
    assert messages[0]["details"]["input"] == '{"k":1}'
    streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
    assert streams[0]["logStreamName"].startswith(f"states/{arn.rsplit(':', 1)[1]}/")


def test_create_state_machine_logging_without_destination_raises_invalid_logging_configuration(
    sfn: Any, unique_name: Callable[[str], str]
) -> None:
    with pytest.raises(ClientError) as raised:
        sfn.create_state_machine(
            name=unique_name("sm"),
            definition=json.dumps(PASS3),
            roleArn=ROLE,
            loggingConfiguration={"level": "ERROR"},
        )
    assert error_of(raised) == (
        "InvalidLoggingConfiguration",
        "Invalid Logging Configuration: Must specify exactly one Log Destination.",
        400,
    )


def test_get_execution_history_long_history_pages_in_order(
    sfn: Any, make_machine: Callable[..., str]
) -> None:
    arn = make_machine(
        machine(
            ("M", {"Type": "Map", "MaxConcurrency": 1, "ItemProcessor": machine(("Item", {"Type": "Pass"}))})
        )
    )
    execution = sfn.start_execution(stateMachineArn=arn, input=json.dumps(list(range(200))))["executionArn"]
    assert wait_closed(sfn, execution)["status"] == "SUCCEEDED"
    events: list[dict[str, Any]] = []
    token: dict[str, str] = {}
    while True:
        page = sfn.get_execution_history(executionArn=execution, maxResults=300, **token)
        events += page["events"]
        if "nextToken" not in page:
            break
        token = {"nextToken": page["nextToken"]}
    assert [event["id"] for event in events] == list(range(1, 807))
    assert events[-1]["type"] == "ExecutionSucceeded"
    indexes = [
        event["mapIterationStartedEventDetails"]["index"]
        for event in events
        if event["type"] == "MapIterationStarted"
    ]
    assert indexes == list(range(200))


def test_stop_execution_inside_map_aborts_iterations(sfn: Any, make_machine: Callable[..., str]) -> None:
    arn = make_machine(
        machine(("M", {"Type": "Map", "ItemProcessor": machine(("Nap", {"Type": "Wait", "Seconds": 3600}))}))
    )
    execution = sfn.start_execution(stateMachineArn=arn, input="[1, 2]")["executionArn"]
    sfn.stop_execution(executionArn=execution, cause="enough")
    described = wait_closed(sfn, execution)
    assert (described["status"], described["cause"]) == ("ABORTED", "enough")
    assert history_types(sfn, execution) == [
        "ExecutionStarted",
        "MapStateEntered",
        "MapStateStarted",
        "MapIterationStarted",
        "WaitStateEntered",
        "MapIterationStarted",
        "WaitStateEntered",
        "MapIterationAborted",
        "MapIterationAborted",
        "MapStateAborted",
        "ExecutionAborted",
    ]


def test_validate_state_machine_definition_express_refuses_callbacks(sfn: Any) -> None:
    task = {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "End": True}
    text = json.dumps({"StartAt": "T", "States": {"T": task}})
    assert sfn.validate_state_machine_definition(definition=text, type="STANDARD")["result"] == "OK"
    response = sfn.validate_state_machine_definition(definition=text, type="EXPRESS")
    assert response["diagnostics"] == [
        {
            "severity": "ERROR",
            "code": "SCHEMA_VALIDATION_FAILED",
            "message": "Express state machine does not support '.waitForTaskToken' service integration",
            "location": "/States/T/Resource",
        }
    ]


def test_distributed_map_runs_children_and_describes_map_run(
    sfn: Any, make_machine: Callable[..., str]
) -> None:
    processor = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        **machine(
            (
                "Check",
                {
                    "Type": "Choice",
                    "Choices": [{"Variable": "$", "NumericEquals": 0, "Next": "Bad"}],
                    "Default": "Good",
                },
            ),
            ("Bad", {"Type": "Fail", "Error": "Zero"}),
            ("Good", {"Type": "Pass"}),
        ),
    }
    arn = make_machine(
        machine(
            (
                "Spread",
                {
                    "Type": "Map",
                    "Label": "spread",
                    "MaxConcurrency": 2,
                    "ToleratedFailureCount": 1,
                    "ItemProcessor": processor,
                },
            )
        )
    )
    execution = sfn.start_execution(stateMachineArn=arn, input="[1, 0, 2]")["executionArn"]
    described = wait_closed(sfn, execution)
    assert (described["status"], json.loads(described["output"])) == (
        "SUCCEEDED",
        [1, {"Error": "Zero", "Cause": ""}, 2],
    )
    assert history_types(sfn, execution) == [
        "ExecutionStarted",
        "MapStateEntered",
        "MapStateStarted",
        "MapRunStarted",
        "MapRunSucceeded",
        "MapStateSucceeded",
        "MapStateExited",
        "ExecutionSucceeded",
    ]
    (map_run,) = sfn.list_map_runs(executionArn=execution)["mapRuns"]
    assert map_run["mapRunArn"].startswith(
        f"arn:aws:states:us-east-1:000000000000:mapRun:{arn.rsplit(':', 1)[1]}/spread:"
    )
    assert map_run["stateMachineArn"] == f"{arn}/spread"
    run = sfn.describe_map_run(mapRunArn=map_run["mapRunArn"])
    assert (run["status"], run["maxConcurrency"], run["toleratedFailureCount"], run["executionArn"]) == (
        "SUCCEEDED",
        2,
        1,
        execution,
    )
    assert {
        key: run["itemCounts"][key] for key in ("total", "succeeded", "failed", "running", "pending")
    } == {
        "total": 3,
        "succeeded": 2,
        "failed": 1,
        "running": 0,
        "pending": 0,
    }
    children = sfn.list_executions(mapRunArn=map_run["mapRunArn"])["executions"]
    assert sorted(child["status"] for child in children) == ["FAILED", "SUCCEEDED", "SUCCEEDED"]
    assert all(child["stateMachineArn"] == f"{arn}/spread" for child in children)


def test_distributed_map_child_failure_without_tolerance_fails_map_run(
    sfn: Any, make_machine: Callable[..., str]
) -> None:
    processor = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
        **machine(("Bad", {"Type": "Fail", "Error": "Nope"})),
    }
    arn = make_machine(machine(("Spread", {"Type": "Map", "ItemProcessor": processor})))
    execution = sfn.start_execution(stateMachineArn=arn, input="[1]")["executionArn"]
    described = wait_closed(sfn, execution)
    assert (described["status"], described["error"]) == ("FAILED", "States.ExceedToleratedFailureThreshold")
    assert history_types(sfn, execution)[-4:] == [
        "MapRunStarted",
        "MapRunFailed",
        "MapStateFailed",
        "ExecutionFailed",
    ]
