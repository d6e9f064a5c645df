"""PartiQL: ExecuteStatement (SELECT/INSERT/UPDATE/DELETE with parameters and pagination),
BatchExecuteStatement and ExecuteTransaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from dynamodb_support import error_of


@pytest.fixture
def table(ddb: Any, make_table: Callable[..., str]) -> str:
    name = make_table("N")
    for number in range(1, 8):
        ddb.put_item(
            TableName=name, Item={"pk": {"S": "a"}, "sk": {"N": str(number)}, "v": {"S": f"v{number}"}}
        )
    ddb.put_item(TableName=name, Item={"pk": {"S": "b"}, "sk": {"N": "1"}, "v": {"S": "other"}})
    return name


def test_execute_statement_select_with_parameters_and_pagination(ddb: Any, table: str) -> None:
    statement = f'SELECT sk, v FROM "{table}" WHERE pk = ? AND sk >= ?'
    parameters = [{"S": "a"}, {"N": "3"}]
    first = ddb.execute_statement(Statement=statement, Parameters=parameters, Limit=3)
    assert first["Items"] == [{"sk": {"N": str(n)}, "v": {"S": f"v{n}"}} for n in (3, 4, 5)]
    second = ddb.execute_statement(
        Statement=statement, Parameters=parameters, Limit=3, NextToken=first["NextToken"]
    )
    assert [item["sk"]["N"] for item in second["Items"]] == ["6", "7"]
    scanned = ddb.execute_statement(Statement=f"SELECT * FROM \"{table}\" WHERE v = 'other'")
    assert scanned["Items"] == [{"pk": {"S": "b"}, "sk": {"N": "1"}, "v": {"S": "other"}}]


def test_execute_statement_insert_update_delete(ddb: Any, table: str) -> None:
    ddb.execute_statement(
        Statement=f"INSERT INTO \"{table}\" VALUE {{'pk': 'c', 'sk': 1, 'tags': <<'x', 'y'>>, 'n': 5}}"
    )
    with pytest.raises(ClientError) as excinfo:
        ddb.execute_statement(Statement=f"INSERT INTO \"{table}\" VALUE {{'pk': 'c', 'sk': 1}}")
    assert error_of(excinfo) == ("DuplicateItemException", "Duplicate primary key exists in table", 400)
    ddb.execute_statement(
        Statement=f"UPDATE \"{table}\" SET n = n + 1 SET note = ? REMOVE tags WHERE pk = 'c' AND sk = 1",
        Parameters=[{"S": "hi"}],
    )
    item = ddb.get_item(TableName=table, Key={"pk": {"S": "c"}, "sk": {"N": "1"}})["Item"]
    assert item == {"pk": {"S": "c"}, "sk": {"N": "1"}, "n": {"N": "6"}, "note": {"S": "hi"}}
    with pytest.raises(ClientError) as excinfo:
        ddb.execute_statement(Statement=f"UPDATE \"{table}\" SET n = 1 WHERE pk = 'zz' AND sk = 1")
    assert error_of(excinfo)[0] == "ConditionalCheckFailedException"
    with pytest.raises(ClientError) as excinfo:
        ddb.execute_statement(Statement=f"DELETE FROM \"{table}\" WHERE pk = 'c' AND sk = 1 AND n = 99")
    assert error_of(excinfo)[0] == "ConditionalCheckFailedException"
    ddb.execute_statement(Statement=f"DELETE FROM \"{table}\" WHERE pk = 'c' AND sk = 1 AND n = 6")
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "c"}, "sk": {"N": "1"}})
    with pytest.raises(ClientError) as excinfo:
        ddb.execute_statement(Statement=f"DELETE FROM \"{table}\" WHERE pk = 'c'")
    assert error_of(excinfo) == (
        "ValidationException",
        "Where clause does not contain a mandatory equality on all key attributes",
        400,
    )


def test_batch_execute_statement_reports_per_statement_errors(ddb: Any, table: str) -> None:
    result = ddb.batch_execute_statement(
        Statements=[
            {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'd', 'sk': 1}}"},
            {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'sk': 1}}"},
        ]
    )
    assert result["Responses"][0] == {"TableName": table}
    assert result["Responses"][1]["Error"] == {
        "Code": "DuplicateItem",
        "Message": "Duplicate primary key exists in table",
    }
    reads = ddb.batch_execute_statement(
        Statements=[
            {
                "Statement": f'SELECT v FROM "{table}" WHERE pk = ? AND sk = ?',
                "Parameters": [{"S": "a"}, {"N": "2"}],
            }
        ]
    )
    assert reads["Responses"] == [{"TableName": table, "Item": {"v": {"S": "v2"}}}]


def test_execute_transaction_is_all_or_nothing(ddb: Any, table: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        ddb.execute_transaction(
            TransactStatements=[
                {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'e', 'sk': 1}}"},
                {"Statement": f"UPDATE \"{table}\" SET v = 'x' WHERE pk = 'a' AND sk = 1 AND v = 'nope'"},
            ]
        )
    assert error_of(excinfo)[0] == "TransactionCanceledException"
    assert [r["Code"] for r in excinfo.value.response["CancellationReasons"]] == [
        "None",
        "ConditionalCheckFailed",
    ]
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "e"}, "sk": {"N": "1"}})
    ddb.execute_transaction(
        TransactStatements=[
            {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'e', 'sk': 1}}"},
            {"Statement": f"UPDATE \"{table}\" SET v = 'x' WHERE pk = 'a' AND sk = 1"},
        ]
    )
    got = ddb.execute_transaction(
        TransactStatements=[{"Statement": f"SELECT v FROM \"{table}\" WHERE pk = 'a' AND sk = 1"}]
    )
    assert got["Responses"] == [{"Item": {"v": {"S": "x"}}}]


def test_execute_statement_reports_consumed_capacity(ddb: Any, table: str) -> None:
    read = ddb.execute_statement(
        Statement=f"SELECT * FROM \"{table}\" WHERE pk = 'a'", ReturnConsumedCapacity="TOTAL"
    )
    assert read["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 0.5, "ReadCapacityUnits": 0.5}
    write = ddb.execute_statement(
        Statement=f"INSERT INTO \"{table}\" VALUE {{'pk': 'cap', 'sk': 1}}", ReturnConsumedCapacity="TOTAL"
    )
    assert write["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 1.0, "WriteCapacityUnits": 1.0}


def test_batch_and_transaction_statements_report_consumed_capacity(ddb: Any, table: str) -> None:
    batch = ddb.batch_execute_statement(
        Statements=[{"Statement": f"SELECT * FROM \"{table}\" WHERE pk = 'a' AND sk = 1"}],
        ReturnConsumedCapacity="TOTAL",
    )
    assert batch["ConsumedCapacity"] == [{"TableName": table, "CapacityUnits": 0.5, "ReadCapacityUnits": 0.5}]
    transaction = ddb.execute_transaction(
        TransactStatements=[{"Statement": f"UPDATE \"{table}\" SET w = 1 WHERE pk = 'a' AND sk = 1"}],
        ReturnConsumedCapacity="TOTAL",
    )
    assert transaction["ConsumedCapacity"] == [
        {"TableName": table, "CapacityUnits": 2.0, "WriteCapacityUnits": 2.0}
    ]
