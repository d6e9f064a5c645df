"""Query and Scan: key conditions, indexes, filters, projections, Select, pagination across Limit
and the 1 MB page, parallel scans, legacy KeyConditions/QueryFilter/ScanFilter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from dynamodb_support import error_of, validation


@pytest.fixture
def orders(ddb: Any, make_table: Callable[..., str]) -> str:
    """Customer `c1` has orders 1..20 (sk N), odd ones with status "open" (GSI, sparse LSI on `due`)."""
    name = make_table(
        "N",
        definitions=[
            {"AttributeName": "status", "AttributeType": "S"},
            {"AttributeName": "due", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-status",
                "KeySchema": [
                    {"AttributeName": "status", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total"]},
            }
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "by-due",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "due", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    for number in range(1, 21):
        item = {
            "pk": {"S": "c1"},
            "sk": {"N": str(number)},
            "total": {"N": str(number * 10)},
            "note": {"S": f"n{number}"},
        }
        if number % 2:
            item["status"] = {"S": "open"}
        if number % 5 == 0:
            item["due"] = {"S": f"2026-0{number // 5}"}
        ddb.put_item(TableName=name, Item=item)
    ddb.put_item(TableName=name, Item={"pk": {"S": "c2"}, "sk": {"N": "1"}, "status": {"S": "open"}})
    return name


def sks(items: list[dict[str, Any]]) -> list[int]:
    return [int(item["sk"]["N"]) for item in items]


def query(ddb: Any, table: str, condition: str, values: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return dict(
        ddb.query(
            TableName=table, KeyConditionExpression=condition, ExpressionAttributeValues=values, **extra
        )
    )


C1 = {":p": {"S": "c1"}}


@pytest.mark.parametrize(
    ("condition", "values", "expected"),
    [
        ("pk = :p", {}, list(range(1, 21))),
        ("pk = :p AND sk = :a", {":a": {"N": "7"}}, [7]),
        ("pk = :p AND sk < :a", {":a": {"N": "3"}}, [1, 2]),
        ("pk = :p AND sk <= :a", {":a": {"N": "3"}}, [1, 2, 3]),
        ("pk = :p AND sk > :a", {":a": {"N": "18"}}, [19, 20]),
        ("pk = :p AND sk >= :a", {":a": {"N": "18"}}, [18, 19, 20]),
        ("pk = :p AND sk BETWEEN :a AND :b", {":a": {"N": "4"}, ":b": {"N": "6"}}, [4, 5, 6]),
        (":a > sk AND pk = :p", {":a": {"N": "3"}}, [1, 2]),
    ],
)
def test_query_key_conditions_select_sort_key_ranges(
    ddb: Any, orders: str, condition: str, values: dict[str, Any], expected: list[int]
) -> None:
    result = query(ddb, orders, condition, {**C1, **values})
    assert sks(result["Items"]) == expected
    assert result["Count"] == result["ScannedCount"] == len(expected)


def test_query_begins_with_on_string_sort_key(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table("S")
    for sk in ("a#1", "a#2", "ab", "b#1"):
        ddb.put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {"S": sk}})
    result = query(ddb, name, "pk = :p AND begins_with(sk, :s)", {":p": {"S": "p"}, ":s": {"S": "a#"}})
    assert [item["sk"]["S"] for item in result["Items"]] == ["a#1", "a#2"]


def test_query_backwards_with_limit_pages_through_last_evaluated_key(ddb: Any, orders: str) -> None:
    seen: list[int] = []
    start: dict[str, Any] | None = None
    pages = 0
    while True:
        extra = {"ExclusiveStartKey": start} if start else {}
        page = query(ddb, orders, "pk = :p", C1, ScanIndexForward=False, Limit=6, **extra)
        seen += sks(page["Items"])
        pages += 1
        start = page.get("LastEvaluatedKey")
        if not start:
            break
        assert set(start) == {"pk", "sk"}
    assert seen == list(range(20, 0, -1))
    assert pages == 4


def test_query_filter_projection_and_count(ddb: Any, orders: str) -> None:
    result = query(
        ddb,
        orders,
        "pk = :p AND sk <= :a",
        {**C1, ":a": {"N": "10"}, ":t": {"N": "50"}},
        FilterExpression="#t > :t",
        ProjectionExpression="sk, note",
        ExpressionAttributeNames={"#t": "total"},
    )
    assert result["Items"] == [{"sk": {"N": str(n)}, "note": {"S": f"n{n}"}} for n in range(6, 11)]
    assert (result["Count"], result["ScannedCount"]) == (5, 10)
    counted = query(ddb, orders, "pk = :p", C1, Select="COUNT")
    assert "Items" not in counted and counted["Count"] == 20


def test_query_gsi_returns_projected_attributes_only_and_is_sparse(ddb: Any, orders: str) -> None:
    result = query(
        ddb,
        orders,
        "#s = :s AND sk < :n",
        {":s": {"S": "open"}, ":n": {"N": "6"}},
        IndexName="by-status",
        ExpressionAttributeNames={"#s": "status"},
    )
    assert result["Items"] == [
        {"pk": {"S": "c1"}, "sk": {"N": "1"}, "status": {"S": "open"}, "total": {"N": "10"}},
        {"pk": {"S": "c2"}, "sk": {"N": "1"}, "status": {"S": "open"}},
        {"pk": {"S": "c1"}, "sk": {"N": "3"}, "status": {"S": "open"}, "total": {"N": "30"}},
        {"pk": {"S": "c1"}, "sk": {"N": "5"}, "status": {"S": "open"}, "total": {"N": "50"}},
    ]
    page = query(
        ddb,
        orders,
        "#s = :s",
        {":s": {"S": "open"}},
        IndexName="by-status",
        ExpressionAttributeNames={"#s": "status"},
        Limit=2,
    )
    assert set(page["LastEvaluatedKey"]) == {"pk", "sk", "status"}


def test_query_lsi_is_sparse_and_all_attributes_fetch_from_table(ddb: Any, orders: str) -> None:
    result = query(ddb, orders, "pk = :p AND due >= :d", {**C1, ":d": {"S": "2026-02"}}, IndexName="by-due")
    assert result["Items"] == [
        {"pk": {"S": "c1"}, "sk": {"N": "10"}, "due": {"S": "2026-02"}},
        {"pk": {"S": "c1"}, "sk": {"N": "15"}, "due": {"S": "2026-03"}},
        {"pk": {"S": "c1"}, "sk": {"N": "20"}, "due": {"S": "2026-04"}},
    ]
    full = query(ddb, orders, "pk = :p", C1, IndexName="by-due", Select="ALL_ATTRIBUTES", Limit=1)
    assert full["Items"][0]["note"] == {"S": "n5"}


def test_query_gsi_errors(ddb: Any, orders: str) -> None:
    cases = [
        (
            {"IndexName": "by-status", "ConsistentRead": True},
            "Consistent reads are not supported on global secondary indexes",
        ),
        (
            {"IndexName": "by-status", "Select": "ALL_ATTRIBUTES"},
            "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global "
            "secondary index by-status because its projection type is not ALL",
        ),
        ({"IndexName": "nope"}, "The table does not have the specified index: nope"),
    ]
    for extra, message in cases:
        with pytest.raises(ClientError) as excinfo:
            query(
                ddb,
                orders,
                "#s = :s",
                {":s": {"S": "open"}},
                ExpressionAttributeNames={"#s": "status"},
                **extra,
            )
        assert error_of(excinfo) == validation(message)


@pytest.mark.parametrize(
    ("condition", "values", "message"),
    [
        ("sk = :a", {":a": {"N": "1"}}, "Query condition missed key schema element: pk"),
        (
            "pk = :p OR sk = :a",
            {":p": {"S": "c1"}, ":a": {"N": "1"}},
            "Invalid operator used in KeyConditionExpression: OR",
        ),
        ("pk < :p", {":p": {"S": "c1"}}, "Query key condition not supported"),
        (
            "pk = :p AND sk = :a AND sk = :a",
            {":p": {"S": "c1"}, ":a": {"N": "1"}},
            "Invalid KeyConditionExpression: Conditions can be of length 1 or 2 only",
        ),
        (
            "pk = :p AND note = :a",
            {":p": {"S": "c1"}, ":a": {"S": "x"}},
            "Query condition missed key schema element: sk",
        ),
        (
            "pk = :p",
            {":p": {"N": "1"}},
            "One or more parameter values were invalid: Condition parameter type does not match schema type",
        ),
        (
            "pk = :p AND begins_with(sk, :a)",
            {":p": {"S": "c1"}, ":a": {"N": "1"}},
            "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N",
        ),
    ],
)
def test_query_invalid_key_condition_fails(
    ddb: Any, orders: str, condition: str, values: dict[str, Any], message: str
) -> None:
    with pytest.raises(ClientError) as excinfo:
        query(ddb, orders, condition, values)
    assert error_of(excinfo) == validation(message)


def test_query_filter_on_key_attribute_fails(ddb: Any, orders: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        query(ddb, orders, "pk = :p", {**C1, ":a": {"N": "1"}}, FilterExpression="sk > :a")
    assert error_of(excinfo) == validation(
        "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk"
    )


def test_query_pages_at_one_megabyte(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table("N")
    blob = "x" * (100 * 1024)
    with ddb_batch(ddb, name) as put:
        for number in range(25):
            put({"pk": {"S": "big"}, "sk": {"N": str(number)}, "v": {"S": blob}})
    first = query(ddb, name, "pk = :p", {":p": {"S": "big"}})
    assert first["Count"] == 11  # 11 items of ~100 KB cross 1 MB
    assert first["LastEvaluatedKey"] == {"pk": {"S": "big"}, "sk": {"N": "10"}}
    second = query(ddb, name, "pk = :p", {":p": {"S": "big"}}, ExclusiveStartKey=first["LastEvaluatedKey"])
    assert sks(second["Items"])[0] == 11


class ddb_batch:  # noqa: N801 (a tiny context manager for batch writes)
    def __init__(self, ddb: Any, table: str) -> None:
        self.ddb, self.table, self.pending = ddb, table, []  # type: ignore[var-annotated]

    def __enter__(self) -> Callable[[dict[str, Any]], None]:
        return self.add

    def add(self, item: dict[str, Any]) -> None:
        self.pending.append({"PutRequest": {"Item": item}})
        if len(self.pending) == 25:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.ddb.batch_write_item(RequestItems={self.table: self.pending})
            self.pending = []

    def __exit__(self, *args: Any) -> None:
        self.flush()


def test_scan_paginates_every_item_once_and_filters(ddb: Any, orders: str) -> None:
    seen: list[tuple[str, int]] = []
    start = None
    while True:
        page = ddb.scan(TableName=orders, Limit=7, **({"ExclusiveStartKey": start} if start else {}))
        seen += [(item["pk"]["S"], int(item["sk"]["N"])) for item in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    assert sorted(seen) == sorted([("c1", n) for n in range(1, 21)] + [("c2", 1)])
    filtered = ddb.scan(
        TableName=orders, FilterExpression="attribute_exists(#d)", ExpressionAttributeNames={"#d": "due"}
    )
    assert sorted(sks(filtered["Items"])) == [5, 10, 15, 20] and filtered["ScannedCount"] == 21


def test_scan_parallel_segments_partition_the_table(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table(None)
    with ddb_batch(ddb, name) as put:
        for number in range(60):
            put({"pk": {"S": f"item-{number}"}})
    found = []
    for segment in range(4):
        found += [
            item["pk"]["S"] for item in ddb.scan(TableName=name, Segment=segment, TotalSegments=4)["Items"]
        ]
    assert sorted(found) == sorted(f"item-{n}" for n in range(60))
    with pytest.raises(ClientError) as excinfo:
        ddb.scan(TableName=name, Segment=4, TotalSegments=4)
    assert error_of(excinfo) == validation(
        "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 4 is not less than TotalSegments: 4"
    )


def test_scan_index_reads_only_indexed_items(ddb: Any, orders: str) -> None:
    result = ddb.scan(TableName=orders, IndexName="by-due")
    assert sorted(sks(result["Items"])) == [5, 10, 15, 20]


def test_legacy_key_conditions_query_filter_and_scan_filter(ddb: Any, orders: str) -> None:
    result = ddb.query(
        TableName=orders,
        KeyConditions={
            "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "c1"}]},
            "sk": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}, {"N": "10"}]},
        },
        QueryFilter={
            "status": {"ComparisonOperator": "NOT_NULL"},
            "note": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "n1"}]},
        },
        ConditionalOperator="OR",
        AttributesToGet=["sk"],
    )
    assert result["Items"] == [{"sk": {"N": str(n)}} for n in (1, 3, 5, 7, 9, 10)]
    scanned = ddb.scan(
        TableName=orders,
        ScanFilter={"total": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "20"}, {"N": "30"}]}},
    )
    assert sorted(sks(scanned["Items"])) == [2, 3]


def test_query_select_specific_attributes_requires_projection(ddb: Any, orders: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        query(ddb, orders, "pk = :p", C1, Select="SPECIFIC_ATTRIBUTES")
    assert error_of(excinfo)[0] == "ValidationException"
    picked = query(
        ddb, orders, "pk = :p", C1, Select="SPECIFIC_ATTRIBUTES", ProjectionExpression="note", Limit=1
    )
    assert picked["Items"] == [{"note": {"S": "n1"}}]
