"""The AWS CLI (v1) against DynamoDB: tables, items, queries with pagination, errors."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from typing import Any

import pytest


def test_cli_create_put_get_and_describe(
    aws_cli: Callable[..., Any], unique_name: Callable[[str], str]
) -> None:
    name = unique_name("cli")
    created = aws_cli(
        "dynamodb", "create-table", "--table-name", name,
        "--attribute-definitions", "AttributeName=pk,AttributeType=S", "AttributeName=sk,AttributeType=N",
        "--key-schema", "AttributeName=pk,KeyType=HASH", "AttributeName=sk,KeyType=RANGE",
        "--billing-mode", "PAY_PER_REQUEST",
    )  # fmt: skip
    assert created["TableDescription"]["TableName"] == name
    aws_cli("dynamodb", "wait", "table-exists", "--table-name", name)
    aws_cli(
        "dynamodb",
        "put-item",
        "--table-name",
        name,
        "--item",
        json.dumps({"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"S": "x"}}),
    )
    got = aws_cli(
        "dynamodb",
        "get-item",
        "--table-name",
        name,
        "--key",
        json.dumps({"pk": {"S": "a"}, "sk": {"N": "1"}}),
    )
    assert got == {"Item": {"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"S": "x"}}}
    assert aws_cli("dynamodb", "describe-table", "--table-name", name)["Table"]["ItemCount"] == 1
    assert name in aws_cli("dynamodb", "list-tables")["TableNames"]


def test_cli_query_paginates_all_items(
    aws_cli: Callable[..., Any], ddb: Any, make_table: Callable[..., str]
) -> None:
    name = make_table("N")
    ddb.batch_write_item(
        RequestItems={
            name: [{"PutRequest": {"Item": {"pk": {"S": "p"}, "sk": {"N": str(n)}}}} for n in range(12)]
        }
    )
    result = aws_cli(
        "dynamodb", "query", "--table-name", name,
        "--key-condition-expression", "pk = :p", "--expression-attribute-values", json.dumps({":p": {"S": "p"}}),
        "--page-size", "5",
    )  # fmt: skip
    assert [int(item["sk"]["N"]) for item in result["Items"]] == list(range(12))
    assert result["Count"] == 12


def test_cli_condition_failure_reports_the_error(
    aws_cli: Callable[..., Any], make_table: Callable[..., str]
) -> None:
    name = make_table(None)
    item = json.dumps({"pk": {"S": "a"}})
    aws_cli("dynamodb", "put-item", "--table-name", name, "--item", item)
    with pytest.raises(subprocess.CalledProcessError) as excinfo:
        aws_cli(
            "dynamodb",
            "put-item",
            "--table-name",
            name,
            "--item",
            item,
            "--condition-expression",
            "attribute_not_exists(pk)",
        )
    assert "ConditionalCheckFailedException" in excinfo.value.stderr
    assert "The conditional request failed" in excinfo.value.stderr
