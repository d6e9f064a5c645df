"""The boto3 resource API with `boto3.dynamodb.conditions` builders (Python types in and out)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError


@pytest.fixture
def table(resource: Any, make_table: Callable[..., str]) -> Any:
    found = resource.Table(make_table("N"))
    with found.batch_writer() as batch:
        for number in range(1, 11):
            batch.put_item(
                Item={
                    "pk": "user",
                    "sk": number,
                    "score": Decimal(number) / 2,
                    "tags": {"even"} if number % 2 == 0 else {"odd"},
                    "profile": {"city": "Paris" if number < 5 else "Oslo", "visits": [number, number * 2]},
                }
            )
    return found


def test_query_with_key_and_attr_builders(table: Any) -> None:
    result = table.query(
        KeyConditionExpression=Key("pk").eq("user") & Key("sk").between(3, 8),
        FilterExpression=Attr("profile.city").eq("Oslo") & Attr("tags").contains("even"),
    )
    assert [item["sk"] for item in result["Items"]] == [Decimal(6), Decimal(8)]
    assert result["Items"][0]["profile"] == {"city": "Oslo", "visits": [Decimal(6), Decimal(12)]}
    assert result["Items"][0]["score"] == Decimal("3")


def test_scan_with_combined_conditions(table: Any) -> None:
    result = table.scan(
        FilterExpression=(Attr("score").gt(Decimal("3.5")) | Attr("sk").is_in([1, 2]))
        & ~Attr("tags").contains("odd")
        & Attr("profile.visits[1]").exists()
        & Attr("profile.city").begins_with("O")
        & Attr("tags").size().eq(1)
    )
    assert sorted(item["sk"] for item in result["Items"]) == [Decimal(8), Decimal(10)]
    typed = table.scan(FilterExpression=Attr("score").attribute_type("N") & Attr("nothing").not_exists())
    assert typed["Count"] == 10


def test_update_item_and_conditional_put_through_the_resource(table: Any) -> None:
    updated = table.update_item(
        Key={"pk": "user", "sk": 1},
        UpdateExpression="SET profile.visits = list_append(profile.visits, :more) ADD tags :t REMOVE score",
        ExpressionAttributeValues={":more": [99], ":t": {"vip"}},
        ReturnValues="ALL_NEW",
    )["Attributes"]
    assert updated["profile"]["visits"] == [Decimal(1), Decimal(2), Decimal(99)]
    assert updated["tags"] == {"odd", "vip"} and "score" not in updated
    with pytest.raises(ClientError) as excinfo:
        table.put_item(Item={"pk": "user", "sk": 1}, ConditionExpression=Attr("sk").not_exists())
    assert excinfo.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    table.delete_item(Key={"pk": "user", "sk": 1}, ConditionExpression=Attr("tags").contains("vip"))
    assert "Item" not in table.get_item(Key={"pk": "user", "sk": 1})


def test_binary_and_bytes_round_trip_through_the_resource(
    resource: Any, make_table: Callable[..., str]
) -> None:
    found = resource.Table(make_table(None))
    found.put_item(Item={"pk": "b", "data": b"\x00\xffbytes", "many": {b"a", b"b"}, "flag": None, "ok": True})
    item = found.get_item(Key={"pk": "b"})["Item"]
    assert item["data"].value == b"\x00\xffbytes"
    assert {value.value for value in item["many"]} == {b"a", b"b"}
    assert item["flag"] is None and item["ok"] is True
