"""Issue 3's DynamoDB workloads: PutItem and GetItem at concurrency 16, GetItem latency at
concurrency 1, Query of 10 items at concurrency 16, and Query latency at concurrency 1 on a
1,000-item and a 1,000,000-item table; each checked afterwards (items exist, a Query returns its
10 items)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from targets import Target
from wire import COUNTER, client, signed
from workloads import Result, Settings, measure

PARTITIONS = 16


def wait_active(target: Target, table: str) -> None:
    dynamodb = client(target, "dynamodb")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if dynamodb.describe_table(TableName=table)["Table"]["TableStatus"] == "ACTIVE":
            return
        time.sleep(0.05)
    raise RuntimeError(f"table {table} not ACTIVE after 30 s")


def create_table(target: Target, *, sort_key: bool) -> str:
    name = f"bench-{uuid.uuid4().hex[:8]}"
    keys = [("pk", "HASH"), ("sk", "RANGE")] if sort_key else [("pk", "HASH")]
    client(target, "dynamodb").create_table(
        TableName=name,
        KeySchema=[{"AttributeName": key, "KeyType": kind} for key, kind in keys],
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"} for key, _ in keys],
        BillingMode="PAY_PER_REQUEST",
    )
    wait_active(target, name)
    return name


def put_item(target: Target, settings: Settings, table: str) -> Result:
    """PutItem of a ~120-byte item under unique keys; then a sample of 50 keys must be readable."""
    item = {"pk": {"S": f"item-{COUNTER}"}, "v": {"S": "x" * 100}, "n": {"N": "42"}}
    result = measure(
        target,
        [signed(target, "dynamodb", "put_item", TableName=table, Item=item)],
        settings,
        counter_token=COUNTER,
        repeat=settings.repeat,
    )
    dynamodb = client(target, "dynamodb")
    step = max(result.requests // 50, 1)
    for n in [*range(0, result.requests, step), result.requests - 1]:
        if "Item" not in dynamodb.get_item(TableName=table, Key={"pk": {"S": f"item-{n:010d}"}}):
            raise RuntimeError(f"item-{n:010d} was answered 200 but is missing")
    return result


def get_item(target: Target, settings: Settings, table: str, concurrency: int) -> Result:
    """GetItem over 16 items written by `put_item`; every answer must carry its Item."""
    requests = [
        signed(target, "dynamodb", "get_item", TableName=table, Key={"pk": {"S": f"item-{n:010d}"}})
        for n in range(PARTITIONS)
    ]
    if concurrency == 1:
        return measure(
            target,
            requests,
            settings,
            concurrency=1,
            limit=3000,
            seconds=min(settings.seconds, 3.0),
            expect_text='"Item"',
            repeat=settings.repeat,
        )
    return measure(target, requests, settings, expect_text='"Item"', repeat=settings.repeat)


def query(target: Target, settings: Settings) -> Result:
    """Query of one partition of 10 items (16 partitions); Count must be 10."""
    table = create_table(target, sort_key=True)
    dynamodb = client(target, "dynamodb")
    for p in range(PARTITIONS):
        for s in range(10):
            item = {"pk": {"S": f"p{p}"}, "sk": {"S": f"s{s:02d}"}, "v": {"S": "x" * 100}}
            dynamodb.put_item(TableName=table, Item=item)
    check = dynamodb.query(
        TableName=table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p3"}}
    )
    if check["Count"] != 10:
        raise RuntimeError(f"Query returned {check['Count']} items, expected 10")
    requests = [
        signed(
            target,
            "dynamodb",
            "query",
            TableName=table,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": f"p{p}"}},
        )
        for p in range(PARTITIONS)
    ]
    return measure(target, requests, settings, expect_text='"s09"', repeat=settings.repeat)


# -- Query latency against table size ----------------------------------------------------------

FILL_BATCH = 20  # items per BatchWriteItem of a fill: two partitions of 10 items


@dataclass
class Filled:
    table: str
    items: int
    result: Result  # the fill itself: BatchWriteItem requests at concurrency 16


def _partition(n: int, half: str) -> str:
    return f"p{n:010d}{half}"


def fill_table(target: Target, settings: Settings, items: int) -> Filled:
    """A new table (pk, sk) of `items` items in partitions of 10 (sk s00..s09, a 50-byte value),
    written by BatchWriteItem of 20 items (two partitions per request, keyed by the request
    number) at concurrency 16; then 50 partitions spread over the table must hold 10 items each."""
    table = create_table(target, sort_key=True)
    requests = items // FILL_BATCH
    entries = [
        {
            "PutRequest": {
                "Item": {"pk": {"S": f"p{COUNTER}{half}"}, "sk": {"S": f"s{s:02d}"}, "v": {"S": "x" * 50}}
            }
        }
        for half in "ab"
        for s in range(10)
    ]
    batch = signed(target, "dynamodb", "batch_write_item", RequestItems={table: entries})
    result = measure(
        target, [batch], settings, warm=False, limit=requests, seconds=900, counter_token=COUNTER
    )
    if result.done != requests:
        raise RuntimeError(f"fill answered {result.done} of {requests} BatchWriteItem requests")
    dynamodb = client(target, "dynamodb")
    for n in [*range(0, requests, max(requests // 50, 1)), requests - 1]:
        count = dynamodb.query(
            TableName=table,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": _partition(n, "b")}},
            Select="COUNT",
        )["Count"]
        if count != 10:
            raise RuntimeError(f"partition {_partition(n, 'b')} holds {count} items after the fill, not 10")
    return Filled(table, requests * FILL_BATCH, result)


def query_latency(target: Target, settings: Settings, filled: Filled) -> Result:
    """Query of one 10-item partition at concurrency 1, over 16 partitions spread evenly over the
    table; every answer must carry the partition's last item."""
    requests = filled.items // FILL_BATCH
    chosen = [_partition(i * requests // PARTITIONS, "ab"[i % 2]) for i in range(PARTITIONS)]
    templates = [
        signed(
            target,
            "dynamodb",
            "query",
            TableName=filled.table,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": pk}},
        )
        for pk in chosen
    ]
    return measure(
        target,
        templates,
        settings,
        concurrency=1,
        limit=3000,
        seconds=min(settings.seconds, 3.0),
        expect_text='"s09"',
        repeat=settings.repeat,
    )
