"""The Step Functions Local mock configuration: `<machine ARN>#<test case>` runs a workflow with
mocked Task answers (by call number, retries included), without the services it calls."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from sfn_support import ROLE, eventually, history_types, machine, wait_closed

MOCK_CONFIG = {
    "StateMachines": {
        "Orders": {
            "TestCases": {
                "HappyPath": {"Charge": "ChargeOk"},
                "RetryPath": {"Charge": "ChargeFlaky"},
            }
        },
    },
    "MockedResponses": {
        "ChargeOk": {"0": {"Return": {"Payload": {"charged": 42}, "StatusCode": 200}}},
        "ChargeFlaky": {
            "0-1": {"Throw": {"Error": "Lambda.TooManyRequestsException", "Cause": "slow down"}},
            "2": {"Return": {"Payload": {"charged": 7}}},
        },
    },
}


@pytest.fixture
def mocked_sfn(fogbank_factory: Callable[..., Any], tmp_path: Path) -> Any:
    config = tmp_path / "mock.json"
    config.write_text(json.dumps(MOCK_CONFIG))
    server = fogbank_factory(env={"SFN_MOCK_CONFIG": str(config)})
    client = boto3.client(
        "stepfunctions",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )
    definition = machine(
        (
            "Charge",
            {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "not-deployed", "Payload.$": "$"},
                "OutputPath": "$.Payload",
                "Retry": [
                    {
                        "ErrorEquals": ["Lambda.TooManyRequestsException"],
                        "IntervalSeconds": 1,
                        "MaxAttempts": 3,
                    }
                ],
            },
        ),
        ("Done", {"Type": "Pass"}),
    )
    client.create_state_machine(name="Orders", definition=json.dumps(definition), roleArn=ROLE)
    client.server = server  # for advancing its clock
    return client


def test_start_execution_test_case_answers_mocked_response(mocked_sfn: Any) -> None:
    arn = "arn:aws:states:us-east-1:000000000000:stateMachine:Orders"
    execution = mocked_sfn.start_execution(stateMachineArn=f"{arn}#HappyPath", input='{"order":1}')[
        "executionArn"
    ]
    described = wait_closed(mocked_sfn, execution)
    assert (described["status"], described["output"], described["stateMachineArn"]) == (
        "SUCCEEDED",
        '{"charged":42}',
        arn,
    )
    assert history_types(mocked_sfn, execution)[2:5] == ["TaskScheduled", "TaskStarted", "TaskSucceeded"]


def test_start_execution_test_case_mocked_errors_by_call_number(mocked_sfn: Any) -> None:
    arn = "arn:aws:states:us-east-1:000000000000:stateMachine:Orders#RetryPath"
    execution = mocked_sfn.start_execution(stateMachineArn=arn)["executionArn"]
    mocked_sfn.server.advance_clock(1)
    eventually(lambda: history_types(mocked_sfn, execution).count("TaskFailed") == 2)
    mocked_sfn.server.advance_clock(2)
    described = wait_closed(mocked_sfn, execution)
    assert (described["status"], described["output"]) == ("SUCCEEDED", '{"charged":7}')
    assert history_types(mocked_sfn, execution).count("TaskFailed") == 2


def test_start_execution_unknown_test_case_raises_validation_error(mocked_sfn: Any) -> None:
    with pytest.raises(ClientError) as raised:
        mocked_sfn.start_execution(
            stateMachineArn="arn:aws:states:us-east-1:000000000000:stateMachine:Orders#Nope"
        )
    assert raised.value.response["Error"]["Code"] == "ValidationException"
