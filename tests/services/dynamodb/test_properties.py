"""Property tests: Query and Scan with random key conditions, filters, directions and page sizes
give the same items as a straightforward reference evaluation over the same random items."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PARTITIONS = ["p0", "p1", "p2"]
COMPARATORS = {
    "=": lambda a, b: a == b,
    "<>": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


@pytest.fixture(scope="module")
def dataset(client_factory: Callable[..., Any]) -> tuple[Any, str, list[dict[str, Any]]]:
    """A table of 90 random items: pk in PARTITIONS, sk 0..29, `a` a number or absent, `b` text."""
    ddb = client_factory("dynamodb")
    name = f"props-{uuid.uuid4().hex[:12]}"
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    rng = random.Random(7)
    rows = []
    for pk in PARTITIONS:
        for sk in range(30):
            row: dict[str, Any] = {"pk": pk, "sk": sk, "b": rng.choice(["x", "xy", "y", "ab", ""])}
            if rng.random() < 0.8:
                row["a"] = Decimal(rng.randint(-5, 5)) / 2
            rows.append(row)
    for start in range(0, len(rows), 25):
        ddb.batch_write_item(
            RequestItems={name: [{"PutRequest": {"Item": wire(row)}} for row in rows[start : start + 25]]}
        )
    return ddb, name, rows


def wire(row: dict[str, Any]) -> dict[str, Any]:
    item = {"pk": {"S": row["pk"]}, "sk": {"N": str(row["sk"])}, "b": {"S": row["b"]}}
    if "a" in row:
        item["a"] = {"N": str(row["a"])}
    return item


def read_all(ddb: Any, operation: str, request: dict[str, Any]) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    while True:
        page = getattr(ddb, operation)(**request)
        found += [(item["pk"]["S"], int(item["sk"]["N"])) for item in page["Items"]]
        if "LastEvaluatedKey" not in page:
            return found
        request = {**request, "ExclusiveStartKey": page["LastEvaluatedKey"]}


filters = st.one_of(
    st.none(),
    st.tuples(
        st.just("a"), st.sampled_from(list(COMPARATORS)), st.integers(-6, 6).map(lambda n: Decimal(n) / 2)
    ),
    st.tuples(st.just("b"), st.sampled_from(list(COMPARATORS)), st.sampled_from(["", "x", "xy", "z"])),
    st.tuples(st.just("begins_with"), st.just("b"), st.sampled_from(["x", "a", ""])),
)


def holds(row: dict[str, Any], condition: Any) -> bool:
    """The reference evaluation: a comparison with a missing attribute is false except `<>`."""
    if condition is None:
        return True
    if condition[0] == "begins_with":
        return bool(row["b"].startswith(condition[2]))
    name, op, value = condition
    if name not in row:
        return op == "<>"
    return bool(COMPARATORS[op](row[name], value))


def filter_request(condition: Any) -> dict[str, Any]:
    if condition is None:
        return {}
    if condition[0] == "begins_with":
        return {
            "FilterExpression": "begins_with(b, :f)",
            "ExpressionAttributeValues": {":f": {"S": condition[2]}},
        }
    name, op, value = condition
    typed = {"N": str(value)} if name == "a" else {"S": value}
    return {"FilterExpression": f"{name} {op} :f", "ExpressionAttributeValues": {":f": typed}}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    partition=st.sampled_from(PARTITIONS),
    sort=st.one_of(
        st.none(),
        st.tuples(st.sampled_from(["=", "<", "<=", ">", ">="]), st.integers(-1, 31)),
        st.tuples(st.just("BETWEEN"), st.integers(0, 29), st.integers(0, 29)),
    ),
    condition=filters,
    forward=st.booleans(),
    limit=st.one_of(st.none(), st.integers(1, 12)),
)
def test_query_matches_reference_evaluation(
    dataset: tuple[Any, str, list[dict[str, Any]]],
    partition: str,
    sort: Any,
    condition: Any,
    forward: bool,
    limit: int | None,
) -> None:
    ddb, name, rows = dataset
    request: dict[str, Any] = {"TableName": name, "ScanIndexForward": forward, **filter_request(condition)}
    values = dict(request.pop("ExpressionAttributeValues", {}))
    values[":p"] = {"S": partition}
    key_condition = "pk = :p"
    if sort is not None and sort[0] == "BETWEEN":
        key_condition += " AND sk BETWEEN :lo AND :hi"
        low, high = sorted(sort[1:])
        values.update({":lo": {"N": str(low)}, ":hi": {"N": str(high)}})
    elif sort is not None:
        key_condition += f" AND sk {sort[0]} :s"
        values[":s"] = {"N": str(sort[1])}
    request.update(KeyConditionExpression=key_condition, ExpressionAttributeValues=values)
    if limit:
        request["Limit"] = limit

    def in_range(sk: int) -> bool:
        if sort is None:
            return True
        if sort[0] == "BETWEEN":
            return min(sort[1:]) <= sk <= max(sort[1:])
        return bool(COMPARATORS[sort[0]](sk, sort[1]))

    expected = [
        (r["pk"], r["sk"]) for r in rows if r["pk"] == partition and in_range(r["sk"]) and holds(r, condition)
    ]
    assert read_all(ddb, "query", request) == (expected if forward else expected[::-1])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(condition=filters, limit=st.one_of(st.none(), st.integers(1, 40)), segments=st.integers(1, 4))
def test_scan_matches_reference_evaluation(
    dataset: tuple[Any, str, list[dict[str, Any]]], condition: Any, limit: int | None, segments: int
) -> None:
    ddb, name, rows = dataset
    found: list[tuple[str, int]] = []
    for segment in range(segments):
        request: dict[str, Any] = {
            "TableName": name,
            "Segment": segment,
            "TotalSegments": segments,
            **filter_request(condition),
        }
        if limit:
            request["Limit"] = limit
        found += read_all(ddb, "scan", request)
    expected = sorted((r["pk"], r["sk"]) for r in rows if holds(r, condition))
    assert sorted(found) == expected and len(found) == len(expected)
