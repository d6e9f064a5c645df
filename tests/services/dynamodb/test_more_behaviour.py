"""Smaller behaviours: index write capacity, streams settings on UpdateTable, index scans with
pagination, condition failures on UpdateItem, and transactional reads of one item twice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from dynamodb_support import error_of, validation

GSI = [
    {
        "IndexName": "by-g",
        "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "KEYS_ONLY"},
    }
]


def test_put_item_indexes_capacity_counts_each_touched_index(
    ddb: Any, make_table: Callable[..., str]
) -> None:
    name = make_table(
        None, definitions=[{"AttributeName": "g", "AttributeType": "S"}], GlobalSecondaryIndexes=GSI
    )
    spent = ddb.put_item(
        TableName=name, Item={"pk": {"S": "a"}, "g": {"S": "x"}}, ReturnConsumedCapacity="INDEXES"
    )["ConsumedCapacity"]
    assert spent == {
        "TableName": name,
        "CapacityUnits": 2.0,
        "WriteCapacityUnits": 2.0,
        "Table": {"CapacityUnits": 1.0, "WriteCapacityUnits": 1.0},
        "GlobalSecondaryIndexes": {"by-g": {"CapacityUnits": 1.0, "WriteCapacityUnits": 1.0}},
    }
    sparse = ddb.put_item(TableName=name, Item={"pk": {"S": "b"}}, ReturnConsumedCapacity="INDEXES")[
        "ConsumedCapacity"
    ]
    assert "GlobalSecondaryIndexes" not in sparse and sparse["CapacityUnits"] == 1.0


def test_update_table_stream_settings(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table(None)
    ddb.update_table(
        TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    )
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    with pytest.raises(ClientError) as excinfo:
        ddb.update_table(
            TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
        )
    assert error_of(excinfo) == validation(f"Table already has an enabled stream: TableName: {name}")
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    after = ddb.describe_table(TableName=name)["Table"]
    assert "StreamSpecification" not in after and after["LatestStreamArn"] == table["LatestStreamArn"]


def test_scan_index_pages_with_last_evaluated_key(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table(
        None, definitions=[{"AttributeName": "g", "AttributeType": "S"}], GlobalSecondaryIndexes=GSI
    )
    for number in range(9):
        ddb.put_item(TableName=name, Item={"pk": {"S": f"k{number}"}, "g": {"S": f"g{number % 3}"}})
    seen = []
    start = None
    while True:
        page = ddb.scan(
            TableName=name, IndexName="by-g", Limit=4, **({"ExclusiveStartKey": start} if start else {})
        )
        seen += [item["pk"]["S"] for item in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if not start:
            break
        assert set(start) == {"pk", "g"}
    assert sorted(seen) == [f"k{n}" for n in range(9)]


def test_update_item_condition_failure_returns_old_item(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table(None)
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    with pytest.raises(ClientError) as excinfo:
        ddb.update_item(
            TableName=name,
            Key={"pk": {"S": "a"}},
            UpdateExpression="SET v = :n",
            ConditionExpression="v = :o",
            ExpressionAttributeValues={":n": {"N": "3"}, ":o": {"N": "2"}},
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    assert excinfo.value.response["Item"] == {"pk": {"S": "a"}, "v": {"N": "1"}}
    assert ddb.get_item(TableName=name, Key={"pk": {"S": "a"}})["Item"]["v"] == {"N": "1"}


def test_transact_get_items_same_item_twice_fails(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table(None)
    get = {"Get": {"TableName": name, "Key": {"pk": {"S": "a"}}}}
    with pytest.raises(ClientError) as excinfo:
        ddb.transact_get_items(TransactItems=[get, get])
    assert error_of(excinfo) == validation(
        "Transaction request cannot include multiple operations on one item"
    )


def test_batch_write_item_collection_metrics_for_local_index_tables(
    ddb: Any, make_table: Callable[..., str]
) -> None:
    name = make_table(
        "S",
        definitions=[{"AttributeName": "l", "AttributeType": "S"}],
        LocalSecondaryIndexes=[
            {
                "IndexName": "by-l",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "l", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    result = ddb.batch_write_item(
        RequestItems={
            name: [{"PutRequest": {"Item": {"pk": {"S": "p"}, "sk": {"S": str(n)}}}} for n in range(2)]
        },
        ReturnItemCollectionMetrics="SIZE",
    )
    assert (
        result["ItemCollectionMetrics"][name]
        == [{"ItemCollectionKey": {"pk": {"S": "p"}}, "SizeEstimateRangeGB": [0.0, 1.0]}] * 2
    )
