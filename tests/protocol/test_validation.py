"""Input validation from the model, in AWS's (Coral) message style: required members, enums,
lengths and ranges, at any depth (lists as `name.N.member`)."""

from __future__ import annotations

from typing import Any

import pytest

from fogbank.protocol.models import service_model
from fogbank.protocol.validation import format_problems, validate


def _message(service: str, operation: str, params: dict[str, Any]) -> str:
    problems = validate(service_model(service).operation_model(operation).input_shape, params)
    return format_problems(problems) if problems else ""


def test_validate_create_queue_missing_name_reports_null() -> None:
    assert _message("sqs", "CreateQueue", {}) == (
        "1 validation error detected: Value null at 'queueName' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_validate_valid_input_reports_nothing() -> None:
    assert _message("sqs", "SendMessage", {"QueueUrl": "http://q", "MessageBody": "x"}) == ""


def test_validate_operation_without_input_reports_nothing() -> None:
    assert validate(None, {}) == []


def test_validate_several_violations_counts_and_joins_them() -> None:
    message = _message(
        "dynamodb",
        "CreateTable",
        {
            "TableName": "t",
            "BillingMode": "CHEAP",
            "KeySchema": [],
            "AttributeDefinitions": [{"AttributeName": "a", "AttributeType": "Q"}],
            "ProvisionedThroughput": {"ReadCapacityUnits": 0, "WriteCapacityUnits": 1},
        },
    )
    assert message == (
        "4 validation errors detected: "
        "Value 'Q' at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: "
        "Member must satisfy enum value set: [S, N, B]; "
        "Value '[]' at 'keySchema' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1; "
        "Value 'CHEAP' at 'billingMode' failed to satisfy constraint: "
        "Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]; "
        "Value '0' at 'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1"
    )


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        (
            {"RoleArn": "arn:aws:iam::000000000000:role/r", "RoleSessionName": "s"},
            "Value 's' at 'roleSessionName' failed to satisfy constraint: "
            "Member must have length greater than or equal to 2",
        ),
        (
            {"RoleArn": "arn:aws:iam::000000000000:role/r", "RoleSessionName": "s" * 65},
            f"Value '{'s' * 65}' at 'roleSessionName' failed to satisfy constraint: "
            "Member must have length less than or equal to 64",
        ),
        (
            {"RoleArn": "arn:aws:iam::000000000000:role/r", "RoleSessionName": "ok", "DurationSeconds": 899},
            "Value '899' at 'durationSeconds' failed to satisfy constraint: "
            "Member must have value greater than or equal to 900",
        ),
        (
            {
                "RoleArn": "arn:aws:iam::000000000000:role/r",
                "RoleSessionName": "ok",
                "DurationSeconds": 43201,
            },
            "Value '43201' at 'durationSeconds' failed to satisfy constraint: "
            "Member must have value less than or equal to 43200",
        ),
        (
            {"RoleSessionName": "ok"},
            "Value null at 'roleArn' failed to satisfy constraint: Member must not be null",
        ),
    ],
    ids=["length-min", "length-max", "range-min", "range-max", "required"],
)
def test_validate_assume_role_out_of_bounds_reports_constraint(params: dict[str, Any], problem: str) -> None:
    assert _message("sts", "AssumeRole", params) == f"1 validation error detected: {problem}"


def test_validate_nested_structure_missing_member_reports_dotted_path() -> None:
    message = _message(
        "sqs",
        "SendMessageBatch",
        {"QueueUrl": "http://q", "Entries": [{"Id": "a", "MessageBody": "x"}, {"Id": "b"}]},
    )
    assert message == (
        "1 validation error detected: Value null at 'entries.2.member.messageBody' failed to satisfy "
        "constraint: Member must not be null"
    )


def test_validate_map_value_checks_each_entry() -> None:
    message = _message(
        "sqs",
        "SendMessage",
        {
            "QueueUrl": "http://q",
            "MessageBody": "x",
            "MessageAttributes": {"color": {"StringValue": "red"}},
        },
    )
    assert message == (
        "1 validation error detected: Value null at 'messageAttributes.color.member.dataType' failed to "
        "satisfy constraint: Member must not be null"
    )


def test_validate_empty_list_without_minimum_reports_nothing() -> None:
    assert _message("sqs", "ReceiveMessage", {"QueueUrl": "http://q", "MessageAttributeNames": []}) == ""


def test_validate_values_failing_quick_tests_report_as_before() -> None:
    message = _message(
        "dynamodb",
        "PutItem",
        {"TableName": "", "Item": {}, "ReturnValues": "SOME", "Expected": {}},
    )
    assert message == (
        "2 validation errors detected: "
        "Value '' at 'tableName' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1; "
        "Value 'SOME' at 'returnValues' failed to satisfy constraint: "
        "Member must satisfy enum value set: [NONE, ALL_OLD, UPDATED_OLD, ALL_NEW, UPDATED_NEW]"
    )
