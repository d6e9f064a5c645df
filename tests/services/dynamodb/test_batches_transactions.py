"""BatchGetItem, BatchWriteItem, TransactWriteItems and TransactGetItems."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from dynamodb_support import error_of, validation


def k(pk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}}


def test_batch_write_and_get_across_tables(ddb: Any, make_table: Callable[..., str]) -> None:
    first, second = make_table(None), make_table(None)
    result = ddb.batch_write_item(
        RequestItems={
            first: [{"PutRequest": {"Item": {**k(str(n)), "v": {"N": str(n)}}}} for n in range(3)],
            second: [{"PutRequest": {"Item": k("x")}}],
        },
        ReturnConsumedCapacity="TOTAL",
    )
    assert result["UnprocessedItems"] == {}
    assert sorted((c["TableName"], c["CapacityUnits"]) for c in result["ConsumedCapacity"]) == sorted(
        [(first, 3.0), (second, 1.0)]
    )
    ddb.batch_write_item(RequestItems={first: [{"DeleteRequest": {"Key": k("0")}}]})
    got = ddb.batch_get_item(
        RequestItems={
            first: {"Keys": [k("0"), k("1"), k("2")], "ProjectionExpression": "v"},
            second: {"Keys": [k("x")]},
        }
    )
    assert sorted(got["Responses"][first], key=lambda i: i["v"]["N"]) == [
        {"v": {"N": "1"}},
        {"v": {"N": "2"}},
    ]
    assert got["Responses"][second] == [k("x")]
    assert got["UnprocessedKeys"] == {}


def test_batch_limits_and_duplicates_fail(ddb: Any, make_table: Callable[..., str]) -> None:
    table, other = make_table(None), make_table(None)
    keys = [k(str(n)) for n in range(60)]
    cases = [
        (
            lambda: ddb.batch_get_item(RequestItems={table: {"Keys": keys}, other: {"Keys": keys}}),
            "Too many items requested for the BatchGetItem call",
        ),
        (
            lambda: ddb.batch_get_item(RequestItems={table: {"Keys": [k("a"), k("a")]}}),
            "Provided list of item keys contains duplicates",
        ),
        (
            lambda: ddb.batch_write_item(
                RequestItems={table: [{"PutRequest": {"Item": k("a")}}, {"DeleteRequest": {"Key": k("a")}}]}
            ),
            "Provided list of item keys contains duplicates",
        ),
    ]
    for call, message in cases:
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_of(excinfo) == validation(message)
    with pytest.raises(ClientError) as excinfo:
        ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": k(str(n))}} for n in range(26)]})
    assert error_of(excinfo)[0] == "ValidationException"


def test_batch_write_invalid_item_writes_nothing(ddb: Any, make_table: Callable[..., str]) -> None:
    table = make_table(None)
    with pytest.raises(ClientError) as excinfo:
        ddb.batch_write_item(
            RequestItems={
                table: [{"PutRequest": {"Item": k("ok")}}, {"PutRequest": {"Item": {"pk": {"N": "1"}}}}]
            }
        )
    assert error_of(excinfo) == validation(
        "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"
    )
    assert ddb.scan(TableName=table)["Count"] == 0


def test_transact_write_items_applies_all_operations(ddb: Any, make_table: Callable[..., str]) -> None:
    table = make_table(None)
    ddb.put_item(TableName=table, Item={**k("acct"), "balance": {"N": "100"}})
    ddb.put_item(TableName=table, Item={**k("old"), "v": {"S": "x"}})
    result = ddb.transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": table,
                    "Key": k("acct"),
                    "UpdateExpression": "SET balance = balance - :a",
                    "ConditionExpression": "balance >= :a",
                    "ExpressionAttributeValues": {":a": {"N": "30"}},
                }
            },
            {
                "Put": {
                    "TableName": table,
                    "Item": {**k("log"), "amount": {"N": "30"}},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {"Delete": {"TableName": table, "Key": k("old")}},
            {
                "ConditionCheck": {
                    "TableName": table,
                    "Key": k("nobody"),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        ],
        ReturnConsumedCapacity="TOTAL",
    )
    assert result["ConsumedCapacity"] == [
        {"TableName": table, "CapacityUnits": 8.0, "WriteCapacityUnits": 8.0}
    ]
    items = {item["pk"]["S"]: item for item in ddb.scan(TableName=table)["Items"]}
    assert items["acct"]["balance"] == {"N": "70"} and "log" in items and "old" not in items


def test_transact_write_items_cancellation_rolls_back_with_reasons(
    ddb: Any, make_table: Callable[..., str]
) -> None:
    table = make_table(None)
    ddb.put_item(TableName=table, Item={**k("acct"), "balance": {"N": "10"}})
    with pytest.raises(ClientError) as excinfo:
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": k("new")}},
                {
                    "Update": {
                        "TableName": table,
                        "Key": k("acct"),
                        "UpdateExpression": "SET balance = balance - :a",
                        "ConditionExpression": "balance >= :a",
                        "ExpressionAttributeValues": {":a": {"N": "30"}},
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                },
            ]
        )
    code, message, status = error_of(excinfo)
    assert (code, status) == ("TransactionCanceledException", 400)
    assert (
        message
        == "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]"
    )
    assert excinfo.value.response["CancellationReasons"] == [
        {"Code": "None"},
        {
            "Code": "ConditionalCheckFailed",
            "Message": "The conditional request failed",
            "Item": {**k("acct"), "balance": {"N": "10"}},
        },
    ]
    assert ddb.scan(TableName=table)["Count"] == 1


def test_transact_write_items_one_item_twice_fails(ddb: Any, make_table: Callable[..., str]) -> None:
    table = make_table(None)
    with pytest.raises(ClientError) as excinfo:
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": k("a")}},
                {"Delete": {"TableName": table, "Key": k("a")}},
            ]
        )
    assert error_of(excinfo) == validation(
        "Transaction request cannot include multiple operations on one item"
    )


def test_transact_write_items_client_token_is_idempotent_for_ten_minutes(
    ddb: Any, make_table: Callable[..., str], fogbank: Any
) -> None:
    table = make_table(None)
    request = {
        "TransactItems": [
            {
                "Update": {
                    "TableName": table,
                    "Key": k("n"),
                    "UpdateExpression": "ADD c :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            }
        ],
        "ClientRequestToken": table[-30:],
    }
    ddb.transact_write_items(**request)
    ddb.transact_write_items(**request)
    assert ddb.get_item(TableName=table, Key=k("n"))["Item"]["c"] == {"N": "1"}
    changed = {**request, "TransactItems": [{"Put": {"TableName": table, "Item": k("m")}}]}
    with pytest.raises(ClientError) as excinfo:
        ddb.transact_write_items(**changed)
    assert error_of(excinfo)[0] == "IdempotentParameterMismatchException"
    fogbank.advance_clock("PT11M")
    ddb.transact_write_items(**request)
    assert ddb.get_item(TableName=table, Key=k("n"))["Item"]["c"] == {"N": "2"}


def test_transact_get_items_reads_consistently(ddb: Any, make_table: Callable[..., str]) -> None:
    table = make_table(None)
    ddb.put_item(TableName=table, Item={**k("a"), "v": {"S": "1"}, "w": {"S": "2"}})
    result = ddb.transact_get_items(
        TransactItems=[
            {"Get": {"TableName": table, "Key": k("a"), "ProjectionExpression": "v"}},
            {"Get": {"TableName": table, "Key": k("b")}},
        ]
    )
    assert result["Responses"] == [{"Item": {"v": {"S": "1"}}}, {}]
