"""TestState: one state in isolation, with mocks, inspection data and error-handling statuses."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError
from sfn_support import ROLE

TASK = {
    "Type": "Task",
    "Resource": "arn:aws:states:::lambda:invoke",
    "Parameters": {"FunctionName": "f", "Payload.$": "$.body"},
    "InputPath": "$.req",
    "ResultSelector": {"value.$": "$.Payload.n"},
    "ResultPath": "$.res",
    "Next": "After",
}


def test_test_state_pass_debug_reports_every_step(sfn: Any) -> None:
    state = {
        "Type": "Pass",
        "InputPath": "$.a",
        "Parameters": {"x.$": "$.b"},
        "ResultPath": "$.r",
        "Assign": {"seen.$": "$.x"},
        "Next": "N",
    }
    response = sfn.test_state(
        definition=json.dumps(state), roleArn=ROLE, input='{"a":{"b":1}}', inspectionLevel="DEBUG"
    )
    assert (response["status"], response["output"], response["nextState"]) == (
        "SUCCEEDED",
        '{"a":{"b":1},"r":{"x":1}}',
        "N",
    )
    assert response["inspectionData"] == {
        "input": '{"a":{"b":1}}',
        "afterInputPath": '{"b":1}',
        "afterParameters": '{"x":1}',
        "result": '{"x":1}',
        "afterResultPath": '{"a":{"b":1},"r":{"x":1}}',
        "variables": '{"seen":1}',
    }


def test_test_state_task_with_mock_result(sfn: Any) -> None:
    response = sfn.test_state(
        definition=json.dumps(TASK),
        roleArn=ROLE,
        input='{"req":{"body":{"k":1}}}',
        inspectionLevel="DEBUG",
        mock={"result": '{"Payload":{"n":5}}'},
    )
    assert (response["status"], response["output"], response["nextState"]) == (
        "SUCCEEDED",
        '{"req":{"body":{"k":1}},"res":{"value":5}}',
        "After",
    )
    assert response["inspectionData"]["afterParameters"] == '{"FunctionName":"f","Payload":{"k":1}}'
    assert response["inspectionData"]["afterResultSelector"] == '{"value":5}'


def test_test_state_mock_error_caught_reports_caught_error(sfn: Any) -> None:
    state = {
        **TASK,
        "Catch": [
            {"ErrorEquals": ["Other"], "Next": "X"},
            {"ErrorEquals": ["Boom"], "ResultPath": "$.err", "Next": "Recover"},
        ],
    }
    response = sfn.test_state(
        definition=json.dumps(state),
        roleArn=ROLE,
        input='{"req":{"body":1}}',
        mock={"errorOutput": {"error": "Boom", "cause": "bad"}},
    )
    assert (response["status"], response["nextState"], response["error"], response["cause"]) == (
        "CAUGHT_ERROR",
        "Recover",
        "Boom",
        "bad",
    )
    assert json.loads(response["output"]) == {"req": {"body": 1}, "err": {"Error": "Boom", "Cause": "bad"}}
    assert response["inspectionData"]["errorDetails"] == {"catchIndex": 1}


def test_test_state_mock_error_with_retrier_reports_retriable(sfn: Any) -> None:
    state = {
        **TASK,
        "Retry": [{"ErrorEquals": ["Boom"], "IntervalSeconds": 3, "BackoffRate": 2, "MaxAttempts": 3}],
    }
    response = sfn.test_state(
        definition=json.dumps(state),
        roleArn=ROLE,
        input='{"req":{"body":1}}',
        mock={"errorOutput": {"error": "Boom", "cause": "bad"}},
        stateConfiguration={"retrierRetryCount": 1},
    )
    assert (response["status"], response["error"]) == ("RETRIABLE", "Boom")
    assert response["inspectionData"]["errorDetails"] == {"retryIndex": 0, "retryBackoffIntervalSeconds": 6}
    exhausted = sfn.test_state(
        definition=json.dumps(state),
        roleArn=ROLE,
        input='{"req":{"body":1}}',
        mock={"errorOutput": {"error": "Boom", "cause": "bad"}},
        stateConfiguration={"retrierRetryCount": 3},
    )
    assert exhausted["status"] == "FAILED"


def test_test_state_choice_in_machine_picks_next_state(sfn: Any) -> None:
    machine_definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Pass", "Next": "Pick"},
            "Pick": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericGreaterThan": 1, "Next": "Big"}],
                "Default": "Small",
            },
            "Big": {"Type": "Succeed"},
            "Small": {"Type": "Succeed"},
        },
    }
    response = sfn.test_state(
        definition=json.dumps(machine_definition), stateName="Pick", roleArn=ROLE, input='{"n":2}'
    )
    assert (response["status"], response["nextState"]) == ("SUCCEEDED", "Big")


def test_test_state_jsonata_uses_variables_and_context(sfn: Any) -> None:
    state = {
        "Type": "Pass",
        "QueryLanguage": "JSONata",
        "Output": "{% $rate * $states.input.n & ' ' & $states.context.Execution.Name %}",
        "End": True,
    }
    response = sfn.test_state(
        definition=json.dumps(state),
        roleArn=ROLE,
        input='{"n":2}',
        variables='{"rate":3}',
        context='{"Execution":{"Name":"given"}}',
    )
    assert (response["status"], response["output"]) == ("SUCCEEDED", '"6 given"')
    assert "nextState" not in response


def test_test_state_invalid_state_raises_invalid_definition(sfn: Any) -> None:
    with pytest.raises(ClientError) as raised:
        sfn.test_state(definition=json.dumps({"Type": "Pass"}), roleArn=ROLE)
    assert raised.value.response["Error"]["Code"] == "InvalidDefinition"
