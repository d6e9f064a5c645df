"""Items: PutItem, GetItem, UpdateItem, DeleteItem; return values, consumed capacity, item
collection metrics; legacy parameters; numbers, sets, binary, sizes and key rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from dynamodb_support import error_of, validation


@pytest.fixture
def table(make_table: Callable[..., str]) -> str:
    return make_table("N")


def key(pk: str = "a", sk: str = "1") -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"N": sk}}


def test_put_item_returns_all_old_and_get_item_reads_it(ddb: Any, table: str) -> None:
    assert "Attributes" not in ddb.put_item(
        TableName=table, Item={**key(), "v": {"S": "one"}}, ReturnValues="ALL_OLD"
    )
    old = ddb.put_item(TableName=table, Item={**key(), "v": {"S": "two"}}, ReturnValues="ALL_OLD")[
        "Attributes"
    ]
    assert old == {**key(), "v": {"S": "one"}}
    assert ddb.get_item(TableName=table, Key=key(), ConsistentRead=True)["Item"] == {
        **key(),
        "v": {"S": "two"},
    }
    assert "Item" not in ddb.get_item(TableName=table, Key=key("b"))


def test_put_item_invalid_return_values_fails(ddb: Any, table: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        ddb.put_item(TableName=table, Item=key(), ReturnValues="ALL_NEW")
    assert error_of(excinfo) == validation("Return values set to invalid value")


def test_put_item_condition_failure_returns_old_item_when_asked(ddb: Any, table: str) -> None:
    ddb.put_item(TableName=table, Item={**key(), "v": {"N": "1"}})
    with pytest.raises(ClientError) as excinfo:
        ddb.put_item(
            TableName=table,
            Item=key(),
            ConditionExpression="attribute_not_exists(pk)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    assert error_of(excinfo) == ("ConditionalCheckFailedException", "The conditional request failed", 400)
    assert excinfo.value.response["Item"] == {**key(), "v": {"N": "1"}}
    assert excinfo.value.response["Error"]["Code"] == "ConditionalCheckFailedException"


def test_update_item_creates_missing_item_and_every_return_value(ddb: Any, table: str) -> None:
    created = ddb.update_item(
        TableName=table,
        Key=key(),
        UpdateExpression="SET a = :a",
        ExpressionAttributeValues={":a": {"N": "1"}},
        ReturnValues="ALL_NEW",
    )
    assert created["Attributes"] == {**key(), "a": {"N": "1"}}
    expected = {
        "NONE": None,
        "ALL_OLD": {**key(), "a": {"N": "1"}},
        "UPDATED_OLD": {"a": {"N": "1"}},
        "ALL_NEW": {**key(), "a": {"N": "2"}},
        "UPDATED_NEW": {"a": {"N": "2"}},
    }
    for wanted, attributes in expected.items():
        ddb.put_item(TableName=table, Item={**key(), "a": {"N": "1"}})
        result = ddb.update_item(
            TableName=table,
            Key=key(),
            UpdateExpression="ADD a :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
            ReturnValues=wanted,
        )
        assert result.get("Attributes") == attributes, wanted


def test_delete_item_with_condition_and_all_old(ddb: Any, table: str) -> None:
    ddb.put_item(TableName=table, Item={**key(), "state": {"S": "done"}})
    with pytest.raises(ClientError) as excinfo:
        ddb.delete_item(
            TableName=table,
            Key=key(),
            ConditionExpression="#s = :s",
            ExpressionAttributeNames={"#s": "state"},
            ExpressionAttributeValues={":s": {"S": "open"}},
        )
    assert error_of(excinfo)[0] == "ConditionalCheckFailedException"
    deleted = ddb.delete_item(TableName=table, Key=key(), ReturnValues="ALL_OLD")
    assert deleted["Attributes"] == {**key(), "state": {"S": "done"}}
    assert "Attributes" not in ddb.delete_item(TableName=table, Key=key(), ReturnValues="ALL_OLD")


def test_write_and_read_consumed_capacity_follow_item_size(ddb: Any, table: str) -> None:
    big = "x" * 3000
    put = ddb.put_item(TableName=table, Item={**key(), "v": {"S": big}}, ReturnConsumedCapacity="TOTAL")
    assert put["ConsumedCapacity"]["CapacityUnits"] == 3.0
    assert put["ConsumedCapacity"]["TableName"] == table
    eventual = ddb.get_item(TableName=table, Key=key(), ReturnConsumedCapacity="TOTAL")["ConsumedCapacity"]
    strong = ddb.get_item(TableName=table, Key=key(), ConsistentRead=True, ReturnConsumedCapacity="INDEXES")[
        "ConsumedCapacity"
    ]
    assert eventual["CapacityUnits"] == 0.5
    assert strong["CapacityUnits"] == 1.0 and strong["Table"]["CapacityUnits"] == 1.0


def test_put_item_collection_metrics_for_tables_with_local_indexes(
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
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    result = ddb.put_item(
        TableName=name,
        Item={"pk": {"S": "p"}, "sk": {"S": "s"}, "l": {"S": "x"}},
        ReturnItemCollectionMetrics="SIZE",
    )
    assert result["ItemCollectionMetrics"] == {
        "ItemCollectionKey": {"pk": {"S": "p"}},
        "SizeEstimateRangeGB": [0.0, 1.0],
    }


def test_numbers_are_normalised_and_limited_to_38_digits(ddb: Any, table: str) -> None:
    values = {
        "a": "01.500",
        "b": "-0",
        "c": "1E+3",
        "d": "0.000100",
        "e": "12345678901234567890123456789012345678",
    }
    ddb.put_item(TableName=table, Item={**key(), **{name: {"N": v} for name, v in values.items()}})
    item = ddb.get_item(TableName=table, Key=key())["Item"]
    assert [item[name]["N"] for name in values] == [
        "1.5",
        "0",
        "1000",
        "0.0001",
        "12345678901234567890123456789012345678",
    ]
    problems = {
        "123456789012345678901234567890123456789": "Attempting to store more than 38 significant digits in a Number",
        "1E+126": "Number overflow. Attempting to store a number with magnitude larger than supported range",
        "1E-131": "Number underflow. Attempting to store a number with magnitude smaller than supported range",
        "abc": "A value provided cannot be converted into a number",
    }
    for text, message in problems.items():
        with pytest.raises(ClientError) as excinfo:
            ddb.put_item(TableName=table, Item={**key(), "n": {"N": text}})
        assert error_of(excinfo) == validation(message)


def test_update_item_arithmetic_overflow_fails(ddb: Any, table: str) -> None:
    ddb.put_item(TableName=table, Item={**key(), "n": {"N": "9.9999999999999999999999999999999999999E+125"}})
    with pytest.raises(ClientError) as excinfo:
        ddb.update_item(TableName=table, Key=key(), UpdateExpression="SET n = n + n")
    assert error_of(excinfo) == validation(
        "Number overflow. Attempting to store a number with magnitude larger than supported range"
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"SS": []}, "One or more parameter values were invalid: An string set  may not be empty"),
        ({"NS": []}, "One or more parameter values were invalid: An number set  may not be empty"),
        ({"BS": []}, "One or more parameter values were invalid: Binary sets should not be empty"),
        (
            {"SS": ["a", "a"]},
            "One or more parameter values were invalid: Input collection [a, a] contains duplicates.",
        ),
        (
            {"NS": ["1", "1.0"]},
            "One or more parameter values were invalid: Input collection [1, 1] contains duplicates.",
        ),
        ({}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
        (
            {"S": "a", "N": "1"},
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
        ),
        (
            {"NULL": False},
            "One or more parameter values were invalid: Null attribute value types must have the value of true",
        ),
    ],
)
def test_put_item_invalid_attribute_value_fails(
    ddb: Any, table: str, value: dict[str, Any], message: str
) -> None:
    with pytest.raises(ClientError) as excinfo:
        ddb.put_item(TableName=table, Item={**key(), "v": value})
    assert error_of(excinfo) == validation(message)


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"pk": {"S": "a"}}, "One or more parameter values were invalid: Missing the key sk in the item"),
        (
            {"pk": {"S": "a"}, "sk": {"S": "1"}},
            "One or more parameter values were invalid: Type mismatch for key sk expected: N actual: S",
        ),
        (
            {"pk": {"S": ""}, "sk": {"N": "1"}},
            "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk",
        ),
        (
            {"pk": {"S": "x" * 2049}, "sk": {"N": "1"}},
            "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes",
        ),
        (
            {"pk": {"S": "a"}, "sk": {"N": "1"}, "big": {"S": "x" * (400 * 1024)}},
            "Item size has exceeded the maximum allowed size",
        ),
    ],
)
def test_put_item_key_and_size_rules(ddb: Any, table: str, item: dict[str, Any], message: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        ddb.put_item(TableName=table, Item=item)
    assert error_of(excinfo) == validation(message)


def test_item_of_exactly_400_kb_is_accepted(ddb: Any, table: str) -> None:
    # pk: 2 + 1, sk: 2 + 1 ("1" → 1 digit: 1 + 1 byte), "big": 3 + value
    filler = 400 * 1024 - (3 + 4 + 3)
    ddb.put_item(TableName=table, Item={**key(), "big": {"S": "x" * filler}})
    assert ddb.describe_table(TableName=table)["Table"]["TableSizeBytes"] == 400 * 1024


def test_get_item_key_not_matching_schema_fails(ddb: Any, table: str) -> None:
    for bad in ({"pk": {"S": "a"}}, {"pk": {"S": "a"}, "sk": {"S": "1"}}, {**key(), "extra": {"S": "x"}}):
        with pytest.raises(ClientError) as excinfo:
            ddb.get_item(TableName=table, Key=bad)
        assert error_of(excinfo) == validation("The provided key element does not match the schema")


def test_binary_values_round_trip_and_compare_as_bytes(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table("B")
    for raw in (b"\x00", b"\x7f", b"\xff\x00"):
        ddb.put_item(TableName=name, Item={"pk": {"S": "b"}, "sk": {"B": raw}, "data": {"BS": [raw, b"z"]}})
    items = ddb.query(
        TableName=name,
        KeyConditionExpression="pk = :p AND sk > :s",
        ExpressionAttributeValues={":p": {"S": "b"}, ":s": {"B": b"\x7f"}},
    )["Items"]
    assert [item["sk"]["B"] for item in items] == [b"\xff\x00"]


def test_gsi_key_type_enforced_on_write(ddb: Any, make_table: Callable[..., str]) -> None:
    name = make_table(
        None,
        definitions=[{"AttributeName": "g", "AttributeType": "N"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    with pytest.raises(ClientError) as excinfo:
        ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "g": {"S": "x"}})
    assert error_of(excinfo) == validation(
        "One or more parameter values were invalid: Type mismatch for Index Key g Expected: N Actual: S IndexName: by-g"
    )


def test_legacy_expected_attribute_updates_and_attributes_to_get(ddb: Any, table: str) -> None:
    ddb.put_item(
        TableName=table,
        Item={**key(), "n": {"N": "1"}, "s": {"SS": ["a"]}},
        Expected={"pk": {"Exists": False}},
    )
    with pytest.raises(ClientError) as excinfo:
        ddb.put_item(TableName=table, Item=key(), Expected={"pk": {"Exists": False}})
    assert error_of(excinfo)[0] == "ConditionalCheckFailedException"
    result = ddb.update_item(
        TableName=table,
        Key=key(),
        AttributeUpdates={
            "n": {"Action": "ADD", "Value": {"N": "2"}},
            "s": {"Action": "DELETE", "Value": {"SS": ["a"]}},
            "t": {"Action": "PUT", "Value": {"S": "x"}},
        },
        Expected={
            "n": {"ComparisonOperator": "GE", "AttributeValueList": [{"N": "1"}]},
            "q": {"ComparisonOperator": "NULL"},
        },
        ConditionalOperator="AND",
        ReturnValues="UPDATED_NEW",
    )
    assert result["Attributes"] == {"n": {"N": "3"}, "t": {"S": "x"}}
    item = ddb.get_item(TableName=table, Key=key(), AttributesToGet=["t", "n"])["Item"]
    assert item == {"t": {"S": "x"}, "n": {"N": "3"}}


def test_get_item_unknown_table_fails(ddb: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        ddb.get_item(TableName="missing-table", Key={"pk": {"S": "a"}})
    assert error_of(excinfo) == ("ResourceNotFoundException", "Requested resource not found", 400)


def test_errors_carry_dynamodb_namespace(ddb: Any, table: str, endpoint: str) -> None:
    import requests

    response = requests.post(
        endpoint,
        data=b'{"TableName": "' + table.encode() + b'", "Key": {"pk": {"S": "a"}}}',
        headers={
            "X-Amz-Target": "DynamoDB_20120810.GetItem",
            "Content-Type": "application/x-amz-json-1.0",
            "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x",
        },
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json() == {
        "__type": "com.amazonaws.dynamodb.v20120810#ValidationException",
        "message": "The provided key element does not match the schema",
    }
