"""Task integrations: Lambda (optimized and function ARNs), SQS, SNS, DynamoDB, the AWS SDK
integration, nested executions, `.waitForTaskToken` callbacks, activities and task timeouts."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError
from sfn_support import build_zip, history_types, machine, wait_closed

HANDLERS = {
    "app.py": (
        "def add(event, context):\n    return {'sum': event['a'] + event['b']}\n"
        "def double(event, context):\n    return event['sum'] * 2\n"
        "class Oops(Exception):\n    pass\n"
        "def boom(event, context):\n    raise Oops('bad input')\n"
    )
}


@pytest.fixture
def make_function(
    client_factory: Callable[..., Any], unique_name: Callable[[str], str]
) -> Callable[[str], str]:
    lambdas, iam = client_factory("lambda"), client_factory("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    try:
        role = iam.get_role(RoleName="sfn-tests-lambda-role")["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        role = iam.create_role(RoleName="sfn-tests-lambda-role", AssumeRolePolicyDocument=json.dumps(trust))[
            "Role"
        ]["Arn"]

    def make(handler: str) -> str:
        created = lambdas.create_function(
            FunctionName=unique_name("fn"),
            Runtime="python3.12",
            Role=role,
            Handler=f"app.{handler}",
            Code={"ZipFile": build_zip(HANDLERS)},
        )
        return str(created["FunctionArn"])

    return make


def test_task_lambda_invoke_optimized_output_shape(
    sfn: Any, make_machine: Callable[..., str], make_function: Callable[[str], str]
) -> None:
    function = make_function("add")
    task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": function, "Payload.$": "$"},
    }
    execution = sfn.start_execution(
        stateMachineArn=make_machine(machine(("Add", task))), input='{"a":1,"b":2}'
    )["executionArn"]
    described = wait_closed(sfn, execution)
    result = json.loads(described["output"])
    assert (result["Payload"], result["StatusCode"], result["ExecutedVersion"]) == (
        {"sum": 3},
        200,
        "$LATEST",
    )
    assert result["SdkHttpMetadata"]["HttpStatusCode"] == 200
    assert set(result) == {
        "ExecutedVersion",
        "Payload",
        "SdkHttpMetadata",
        "SdkResponseMetadata",
        "StatusCode",
    }
    assert history_types(sfn, execution) == [
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    scheduled = sfn.get_execution_history(executionArn=execution)["events"][2]["taskScheduledEventDetails"]
    assert (scheduled["resourceType"], scheduled["resource"], scheduled["region"]) == (
        "lambda",
        "invoke",
        "us-east-1",
    )
    assert json.loads(scheduled["parameters"]) == {"FunctionName": function, "Payload": {"a": 1, "b": 2}}


def test_task_lambda_function_error_is_named_by_error_type(
    sfn: Any, make_machine: Callable[..., str], make_function: Callable[[str], str]
) -> None:
    function = make_function("boom")
    definition = machine(
        (
            "Call",
            {"Type": "Task", "Resource": function, "Catch": [{"ErrorEquals": ["Oops"], "Next": "Handled"}]},
        ),
        ("Handled", {"Type": "Pass", "End": True}),
    )
    execution = sfn.start_execution(stateMachineArn=make_machine(definition))["executionArn"]
    described = wait_closed(sfn, execution)
    caught = json.loads(described["output"])
    assert caught["Error"] == "Oops"
    assert json.loads(caught["Cause"])["errorMessage"] == "bad input"
    assert history_types(sfn, execution)[:5] == [
        "ExecutionStarted",
        "TaskStateEntered",
        "LambdaFunctionScheduled",
        "LambdaFunctionStarted",
        "LambdaFunctionFailed",
    ]


def test_task_sqs_send_message_and_sns_publish(
    sfn: Any,
    make_machine: Callable[..., str],
    client_factory: Callable[..., Any],
    unique_name: Callable[[str], str],
) -> None:
    sqs, sns = client_factory("sqs"), client_factory("sns")
    queue = sqs.create_queue(QueueName=unique_name("q"))["QueueUrl"]
    topic = sns.create_topic(Name=unique_name("t"))["TopicArn"]
    definition = machine(
        (
            "Send",
            {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage",
                "Parameters": {"QueueUrl": queue, "MessageBody.$": "$"},
                "ResultPath": "$.sent",
            },
        ),
        (
            "Publish",
            {
                "Type": "Task",
                "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {"TopicArn": topic, "Message": {"hello": "world"}},
                "ResultPath": "$.published",
            },
        ),
    )
    described = wait_closed(
        sfn,
        sfn.start_execution(stateMachineArn=make_machine(definition), input='{"order":7}')["executionArn"],
    )
    result = json.loads(described["output"])
    message = sqs.receive_message(QueueUrl=queue)["Messages"][0]
    assert json.loads(message["Body"]) == {"order": 7}
    assert result["sent"]["MessageId"] == message["MessageId"]
    assert result["sent"]["MD5OfMessageBody"] == message["MD5OfBody"]
    assert "MessageId" in result["published"] and "SdkHttpMetadata" in result["published"]


def test_task_dynamodb_put_and_get_item(
    sfn: Any,
    make_machine: Callable[..., str],
    client_factory: Callable[..., Any],
    unique_name: Callable[[str], str],
) -> None:
    table = unique_name("tbl")
    client_factory("dynamodb").create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    definition = machine(
        (
            "Put",
            {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:putItem",
                "ResultPath": None,
                "Parameters": {"TableName": table, "Item": {"pk": {"S.$": "$.id"}, "n": {"N": "5"}}},
            },
        ),
        (
            "Get",
            {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:getItem",
                "ResultSelector": {"item.$": "$.Item"},
                "Parameters": {"TableName": table, "Key": {"pk": {"S.$": "$.id"}}},
            },
        ),
    )
    described = wait_closed(
        sfn,
        sfn.start_execution(stateMachineArn=make_machine(definition), input='{"id":"k1"}')["executionArn"],
    )
    assert json.loads(described["output"]) == {"item": {"pk": {"S": "k1"}, "n": {"N": "5"}}}


def test_task_aws_sdk_integration_pascal_case_in_and_out(
    sfn: Any, make_machine: Callable[..., str], unique_name: Callable[[str], str]
) -> None:
    name = unique_name("sub")
    definition = machine(
        (
            "Create",
            {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sfn:createActivity",
                "Parameters": {"Name": name},
            },
        ),
        (
            "Describe",
            {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sfn:describeActivity",
                "Parameters": {"ActivityArn.$": "$.ActivityArn"},
            },
        ),
        (
            "Missing",
            {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sfn:describeActivity",
                "Parameters": {"ActivityArn.$": "States.Format('{}-gone', $.ActivityArn)"},
                "Catch": [
                    {
                        "ErrorEquals": ["Sfn.ActivityDoesNotExistException"],
                        "ResultPath": "$.error",
                        "Next": "Done",
                    }
                ],
            },
        ),
        ("Done", {"Type": "Pass", "End": True}),
    )
    described = wait_closed(
        sfn, sfn.start_execution(stateMachineArn=make_machine(definition))["executionArn"]
    )
    result = json.loads(described["output"])
    assert result["Name"] == name
    assert result["ActivityArn"].endswith(f":activity:{name}")
    assert result["error"]["Error"] == "Sfn.ActivityDoesNotExistException"


def test_task_states_start_execution_sync_2_runs_nested(sfn: Any, make_machine: Callable[..., str]) -> None:
    child = make_machine(machine(("Child", {"Type": "Pass", "Parameters": {"got.$": "$.x"}})))
    failing = make_machine(machine(("Bad", {"Type": "Fail", "Error": "ChildError", "Cause": "nope"})))
    definition = machine(
        (
            "Run",
            {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "Parameters": {"StateMachineArn": child, "Input": {"x.$": "$.x"}},
                "ResultSelector": {"out.$": "$.Output", "status.$": "$.Status"},
                "ResultPath": "$.child",
            },
        ),
        (
            "RunBad",
            {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution.sync",
                "Parameters": {"StateMachineArn": failing},
                "Catch": [{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.failure", "Next": "End"}],
            },
        ),
        ("End", {"Type": "Pass", "End": True}),
    )
    described = wait_closed(
        sfn, sfn.start_execution(stateMachineArn=make_machine(definition), input='{"x":5}')["executionArn"]
    )
    result = json.loads(described["output"])
    assert result["child"] == {"out": {"got": 5}, "status": "SUCCEEDED"}
    assert result["failure"]["Error"] == "States.TaskFailed"
    assert json.loads(result["failure"]["Cause"])["Error"] == "ChildError"


def _callback_machine(sfn: Any, make_machine: Callable[..., str], queue: str, **task: Any) -> str:
    return make_machine(
        machine(
            (
                "Ask",
                {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                    "Parameters": {"QueueUrl": queue, "MessageBody": {"token.$": "$$.Task.Token"}},
                    **task,
                },
            )
        )
    )


def test_send_task_success_completes_wait_for_task_token(
    sfn: Any,
    make_machine: Callable[..., str],
    client_factory: Callable[..., Any],
    unique_name: Callable[[str], str],
) -> None:
    sqs = client_factory("sqs")
    queue = sqs.create_queue(QueueName=unique_name("q"))["QueueUrl"]
    execution = sfn.start_execution(stateMachineArn=_callback_machine(sfn, make_machine, queue))[
        "executionArn"
    ]
    token = json.loads(sqs.receive_message(QueueUrl=queue)["Messages"][0]["Body"])["token"]
    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    sfn.send_task_success(taskToken=token, output='{"approved":true}')
    described = wait_closed(sfn, execution)
    assert (described["status"], described["output"]) == ("SUCCEEDED", '{"approved":true}')
    assert history_types(sfn, execution)[2:6] == [
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskSucceeded",
    ]
    with pytest.raises(ClientError) as raised:
        sfn.send_task_success(taskToken=token, output="{}")
    assert raised.value.response["Error"]["Code"] == "TaskTimedOut"
    with pytest.raises(ClientError) as raised:
        sfn.send_task_success(taskToken="garbage", output="{}")
    assert raised.value.response["Error"]["Code"] == "InvalidToken"


def test_send_task_failure_fails_task_with_error_and_cause(
    sfn: Any,
    make_machine: Callable[..., str],
    client_factory: Callable[..., Any],
    unique_name: Callable[[str], str],
) -> None:
    sqs = client_factory("sqs")
    queue = sqs.create_queue(QueueName=unique_name("q"))["QueueUrl"]
    execution = sfn.start_execution(stateMachineArn=_callback_machine(sfn, make_machine, queue))[
        "executionArn"
    ]
    token = json.loads(sqs.receive_message(QueueUrl=queue)["Messages"][0]["Body"])["token"]
    sfn.send_task_failure(taskToken=token, error="Rejected", cause="no budget")
    described = wait_closed(sfn, execution)
    assert (described["status"], described["error"], described["cause"]) == (
        "FAILED",
        "Rejected",
        "no budget",
    )


def test_send_task_heartbeat_extends_heartbeat_deadline(
    sfn: Any,
    make_machine: Callable[..., str],
    client_factory: Callable[..., Any],
    unique_name: Callable[[str], str],
    fogbank: Any,
) -> None:
    sqs = client_factory("sqs")
    queue = sqs.create_queue(QueueName=unique_name("q"))["QueueUrl"]
    execution = sfn.start_execution(
        stateMachineArn=_callback_machine(sfn, make_machine, queue, HeartbeatSeconds=100)
    )["executionArn"]
    token = json.loads(sqs.receive_message(QueueUrl=queue)["Messages"][0]["Body"])["token"]
    fogbank.advance_clock(60)
    sfn.send_task_heartbeat(taskToken=token)
    fogbank.advance_clock(60)
    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    fogbank.advance_clock(40)
    described = wait_closed(sfn, execution)
    assert (described["status"], described["error"]) == ("FAILED", "States.HeartbeatTimeout")
    assert history_types(sfn, execution)[-2:] == ["TaskTimedOut", "ExecutionFailed"]


def test_get_activity_task_long_poll_receives_scheduled_task(
    sfn: Any, make_machine: Callable[..., str], unique_name: Callable[[str], str]
) -> None:
    activity = sfn.create_activity(name=unique_name("act"))["activityArn"]
    assert sfn.describe_activity(activityArn=activity)["activityArn"] == activity
    assert activity in [item["activityArn"] for item in sfn.list_activities(maxResults=1000)["activities"]]
    arn = make_machine(
        machine(
            ("Work", {"Type": "Task", "Resource": activity, "TimeoutSeconds": 300, "HeartbeatSeconds": 60})
        )
    )
    with ThreadPoolExecutor(1) as pool:
        poll = pool.submit(sfn.get_activity_task, activityArn=activity, workerName="worker-1")
        execution = sfn.start_execution(stateMachineArn=arn, input='{"job":1}')["executionArn"]
        task = poll.result(timeout=30)
    assert json.loads(task["input"]) == {"job": 1}
    sfn.send_task_heartbeat(taskToken=task["taskToken"])
    sfn.send_task_success(taskToken=task["taskToken"], output='{"done":1}')
    described = wait_closed(sfn, execution)
    assert (described["status"], described["output"]) == ("SUCCEEDED", '{"done":1}')
    events = sfn.get_execution_history(executionArn=execution)["events"]
    assert [event["type"] for event in events] == [
        "ExecutionStarted",
        "TaskStateEntered",
        "ActivityScheduled",
        "ActivityStarted",
        "ActivitySucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    assert events[2]["activityScheduledEventDetails"] == {
        "resource": activity,
        "input": '{"job":1}',
        "inputDetails": {"truncated": False},
        "timeoutInSeconds": 300,
        "heartbeatInSeconds": 60,
    }
    assert events[3]["activityStartedEventDetails"] == {"workerName": "worker-1"}


def test_task_timeout_seconds_fails_with_states_timeout(
    sfn: Any, make_machine: Callable[..., str], unique_name: Callable[[str], str], fogbank: Any
) -> None:
    activity = sfn.create_activity(name=unique_name("act"))["activityArn"]
    arn = make_machine(
        machine(("Work", {"Type": "Task", "Resource": activity, "TimeoutSecondsPath": "$.limit"}))
    )
    execution = sfn.start_execution(stateMachineArn=arn, input='{"limit":30}')["executionArn"]
    fogbank.advance_clock(30)
    described = wait_closed(sfn, execution)
    assert (described["status"], described["error"]) == ("FAILED", "States.Timeout")
    assert history_types(sfn, execution)[-2:] == ["ActivityTimedOut", "ExecutionFailed"]


def test_get_activity_task_unknown_activity_raises_does_not_exist(sfn: Any) -> None:
    arn = "arn:aws:states:us-east-1:000000000000:activity:nope"
    with pytest.raises(ClientError) as raised:
        sfn.get_activity_task(activityArn=arn)
    assert (raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]) == (
        "ActivityDoesNotExist",
        f"Activity Does Not Exist: '{arn}'",
    )


def test_map_item_reader_reads_csv_json_and_listing_from_s3(
    sfn: Any,
    make_machine: Callable[..., str],
    client_factory: Callable[..., Any],
    unique_name: Callable[[str], str],
) -> None:
    s3 = client_factory("s3")
    bucket = unique_name("bkt")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="in/rows.csv", Body=b"id,name\n1,ann\n2,bob\n")
    s3.put_object(Bucket=bucket, Key="in/items.json", Body=b'[{"n":1},{"n":2},{"n":3}]')
    item = machine(("Item", {"Type": "Pass"}))
    definition = machine(
        (
            "Csv",
            {
                "Type": "Map",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    **item,
                },
                "ItemReader": {
                    "Resource": "arn:aws:states:::s3:getObject",
                    "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                    "Parameters": {"Bucket.$": "$.bucket", "Key": "in/rows.csv"},
                },
                "ResultPath": "$.csv",
            },
        ),
        (
            "Json",
            {
                "Type": "Map",
                "ItemProcessor": item,
                "ItemReader": {
                    "Resource": "arn:aws:states:::s3:getObject",
                    "ReaderConfig": {"InputType": "JSON", "MaxItems": 2},
                    "Parameters": {"Bucket.$": "$.bucket", "Key": "in/items.json"},
                },
                "ResultPath": "$.json",
            },
        ),
        (
            "List",
            {
                "Type": "Map",
                "ItemProcessor": item,
                "ItemSelector": {"key.$": "$$.Map.Item.Value.Key"},
                "ItemReader": {
                    "Resource": "arn:aws:states:::s3:listObjectsV2",
                    "Parameters": {"Bucket.$": "$.bucket", "Prefix": "in/"},
                },
                "ResultPath": "$.keys",
            },
        ),
    )
    described = wait_closed(
        sfn,
        sfn.start_execution(stateMachineArn=make_machine(definition), input=json.dumps({"bucket": bucket}))[
            "executionArn"
        ],
    )
    result = json.loads(described["output"])
    assert result["csv"] == [{"id": "1", "name": "ann"}, {"id": "2", "name": "bob"}]
    assert result["json"] == [{"n": 1}, {"n": 2}]
    assert result["keys"] == [{"key": "in/items.json"}, {"key": "in/rows.csv"}]


def _queue_for_events(
    client_factory: Callable[..., Any], unique_name: Callable[[str], str], pattern: dict[str, Any]
) -> tuple[Any, str]:
    sqs, events = client_factory("sqs"), client_factory("events")
    url = sqs.create_queue(QueueName=unique_name("q"))["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    rule = unique_name("rule")
    events.put_rule(Name=rule, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": queue_arn}])
    return sqs, url


def _receive(sqs: Any, url: str, count: int) -> list[dict[str, Any]]:
    bodies: list[dict[str, Any]] = []
    for _ in range(10):
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=2).get(
            "Messages", []
        ):
            bodies.append(json.loads(message["Body"]))
        if len(bodies) >= count:
            break
    return bodies


def test_task_events_put_events_reaches_rule_target(
    sfn: Any,
    make_machine: Callable[..., str],
    client_factory: Callable[..., Any],
    unique_name: Callable[[str], str],
) -> None:
    source = unique_name("app")
    sqs, url = _queue_for_events(client_factory, unique_name, {"source": [source]})
    definition = machine(
        (
            "Emit",
            {
                "Type": "Task",
                "Resource": "arn:aws:states:::events:putEvents",
                "Parameters": {
                    "Entries": [{"Source": source, "DetailType": "Order", "Detail": {"id.$": "$.id"}}]
                },
            },
        )
    )
    described = wait_closed(
        sfn, sfn.start_execution(stateMachineArn=make_machine(definition), input='{"id":9}')["executionArn"]
    )
    assert json.loads(described["output"])["FailedEntryCount"] == 0
    (event,) = _receive(sqs, url, 1)
    assert (event["source"], event["detail-type"], event["detail"]) == (source, "Order", {"id": 9})


def test_start_execution_status_change_events_reach_eventbridge(
    sfn: Any,
    make_machine: Callable[..., str],
    client_factory: Callable[..., Any],
    unique_name: Callable[[str], str],
) -> None:
    arn = make_machine(machine(("P", {"Type": "Pass", "Result": "ok"})))
    sqs, url = _queue_for_events(
        client_factory,
        unique_name,
        {
            "source": ["aws.states"],
            "detail-type": ["Step Functions Execution Status Change"],
            "detail": {"stateMachineArn": [arn]},
        },
    )
    execution = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    wait_closed(sfn, execution)
    events = sorted(_receive(sqs, url, 2), key=lambda event: event["detail"]["status"] != "RUNNING")
    assert [
        (event["detail"]["status"], event["detail"]["executionArn"], event["resources"]) for event in events
    ] == [
        ("RUNNING", execution, [execution]),
        ("SUCCEEDED", execution, [execution]),
    ]
    assert (events[1]["detail"]["output"], events[0]["detail"]["stopDate"]) == ('"ok"', None)


def test_task_jsonata_arguments_output_and_catch(
    sfn: Any, make_machine: Callable[..., str], unique_name: Callable[[str], str]
) -> None:
    name = unique_name("act")
    definition = machine(
        (
            "Create",
            {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sfn:createActivity",
                "Arguments": {"Name": "{% $states.input.name %}"},
                "Assign": {"arn": "{% $states.result.ActivityArn %}"},
                "Output": {"created": "{% $states.result.ActivityArn %}"},
            },
        ),
        (
            "Fail",
            {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sfn:describeActivity",
                "Arguments": {"ActivityArn": "{% $arn & '-missing' %}"},
                "Catch": [
                    {
                        "ErrorEquals": ["States.ALL"],
                        "Output": {"error": "{% $states.errorOutput.Error %}", "arn": "{% $arn %}"},
                        "Next": "Done",
                    }
                ],
            },
        ),
        ("Done", {"Type": "Pass"}),
        QueryLanguage="JSONata",
    )
    described = wait_closed(
        sfn,
        sfn.start_execution(stateMachineArn=make_machine(definition), input=json.dumps({"name": name}))[
            "executionArn"
        ],
    )
    result = json.loads(described["output"])
    assert result["error"] == "Sfn.ActivityDoesNotExistException"
    assert result["arn"].endswith(f":activity:{name}")


def test_distributed_map_result_writer_writes_results_to_s3(
    sfn: Any,
    make_machine: Callable[..., str],
    client_factory: Callable[..., Any],
    unique_name: Callable[[str], str],
) -> None:
    s3 = client_factory("s3")
    bucket = unique_name("out")
    s3.create_bucket(Bucket=bucket)
    processor = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        **machine(("Double", {"Type": "Pass", "Parameters": {"v.$": "States.MathAdd($, $)"}})),
    }
    definition = machine(
        (
            "Spread",
            {
                "Type": "Map",
                "ItemProcessor": processor,
                "ResultWriter": {
                    "Resource": "arn:aws:states:::s3:putObject",
                    "Parameters": {"Bucket": bucket, "Prefix": "runs"},
                },
            },
        )
    )
    execution = sfn.start_execution(stateMachineArn=make_machine(definition), input="[1, 2]")["executionArn"]
    described = wait_closed(sfn, execution)
    result = json.loads(described["output"])
    map_run = sfn.list_map_runs(executionArn=execution)["mapRuns"][0]["mapRunArn"]
    run_id = map_run.rsplit(":", 1)[1]
    assert result == {
        "MapRunArn": map_run,
        "ResultWriterDetails": {"Bucket": bucket, "Key": f"runs/{run_id}/manifest.json"},
    }
    manifest = json.loads(s3.get_object(Bucket=bucket, Key=f"runs/{run_id}/manifest.json")["Body"].read())
    assert (manifest["DestinationBucket"], manifest["MapRunArn"], manifest["ResultFiles"]["FAILED"]) == (
        bucket,
        map_run,
        [],
    )
    succeeded = json.loads(
        s3.get_object(Bucket=bucket, Key=manifest["ResultFiles"]["SUCCEEDED"][0]["Key"])["Body"].read()
    )
    assert sorted(json.loads(entry["Output"])["v"] for entry in succeeded) == [2, 4]
    assert {entry["Status"] for entry in succeeded} == {"SUCCEEDED"}
