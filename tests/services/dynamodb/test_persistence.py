"""Tables, items and indexes survive a restart and `kill -9` of fogbank."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from fogbank.testing.server import FogbankServer


def _create_pk_sk_table(ddb: Any, name: str, *attributes: dict[str, str], **options: Any) -> None:
    """An on-demand table keyed by `pk` (S) and `sk` (N), with more attributes and options."""
    ddb.create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
            *attributes,
        ],
        BillingMode="PAY_PER_REQUEST",
        **options,
    )


def test_restart_after_kill_keeps_tables_items_and_indexes(tmp_path: Path) -> None:
    server = FogbankServer(data_dir=tmp_path).start()
    try:
        ddb = server.client("dynamodb")
        _create_pk_sk_table(
            ddb,
            "durable",
            {"AttributeName": "g", "AttributeType": "S"},
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "by-g",
                    "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
        )
        for number in range(5):
            ddb.put_item(
                TableName="durable",
                Item={"pk": {"S": "p"}, "sk": {"N": str(number)}, "g": {"S": f"g{number % 2}"}},
            )
        ddb.update_item(
            TableName="durable",
            Key={"pk": {"S": "p"}, "sk": {"N": "0"}},
            UpdateExpression="SET v = :v",
            ExpressionAttributeValues={":v": {"N": "7"}},
        )
        ddb.delete_item(TableName="durable", Key={"pk": {"S": "p"}, "sk": {"N": "4"}})
        ddb.update_time_to_live(
            TableName="durable", TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"}
        )
    finally:
        server.kill()
    server = FogbankServer(data_dir=tmp_path).start()
    try:
        ddb = server.client("dynamodb")
        table = ddb.describe_table(TableName="durable")["Table"]
        assert table["ItemCount"] == 4
        items = ddb.query(
            TableName="durable",
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "p"}},
        )["Items"]
        assert [int(item["sk"]["N"]) for item in items] == [0, 1, 2, 3]
        assert items[0]["v"] == {"N": "7"}
        by_g = ddb.query(
            TableName="durable",
            IndexName="by-g",
            KeyConditionExpression="g = :g",
            ExpressionAttributeValues={":g": {"S": "g1"}},
        )
        assert sorted(int(item["sk"]["N"]) for item in by_g["Items"]) == [1, 3]
        assert (
            ddb.describe_time_to_live(TableName="durable")["TimeToLiveDescription"]["TimeToLiveStatus"]
            == "ENABLED"
        )
        streams = server.client("dynamodbstreams")
        arn = table["LatestStreamArn"]
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
        records = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
        assert [r["eventName"] for r in records] == ["INSERT"] * 5 + ["MODIFY", "REMOVE"]
    finally:
        server.stop()


def _rekey_rows_by_item_key(database: Path) -> int:
    """Rewrite the item rows as an earlier fogbank keyed them: by the JSON list of the key values."""
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT kind, key, value FROM records WHERE service='dynamodb' AND kind LIKE 'items/%'"
        ).fetchall()
        for kind, key, value in rows:
            item = json.loads(value)
            legacy = json.dumps([item["pk"]["S"], item["sk"]["N"]], separators=(",", ":"))
            connection.execute(
                "UPDATE records SET key=? WHERE service='dynamodb' AND kind=? AND key=?", (legacy, kind, key)
            )
    return len(rows)


def test_restart_with_rows_of_either_key_form_keeps_reading_and_writing_items(tmp_path: Path) -> None:
    def key(sk: int) -> dict[str, Any]:
        return {"pk": {"S": "p"}, "sk": {"N": str(sk)}}

    def stored(ddb: Any) -> list[tuple[int, str]]:
        found = ddb.query(
            TableName="rekeyed",
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "p"}},
        )["Items"]
        return [(int(item["sk"]["N"]), item["v"]["S"]) for item in found]

    server = FogbankServer(data_dir=tmp_path).start()
    try:
        ddb = server.client("dynamodb")
        _create_pk_sk_table(ddb, "rekeyed")
        for sk in range(4):
            ddb.put_item(TableName="rekeyed", Item={**key(sk), "v": {"S": "first"}})
    finally:
        server.stop()
    assert _rekey_rows_by_item_key(tmp_path / "state.sqlite") == 4
    server = FogbankServer(data_dir=tmp_path).start()
    try:
        ddb = server.client("dynamodb")
        assert stored(ddb) == [(0, "first"), (1, "first"), (2, "first"), (3, "first")]
        ddb.put_item(TableName="rekeyed", Item={**key(0), "v": {"S": "replaced"}})
        ddb.delete_item(TableName="rekeyed", Key=key(1))
        for sk in (4, 5):
            ddb.put_item(TableName="rekeyed", Item={**key(sk), "v": {"S": "new"}})
        ddb.delete_item(TableName="rekeyed", Key=key(5))
    finally:
        server.kill()
    server = FogbankServer(data_dir=tmp_path).start()
    try:
        ddb = server.client("dynamodb")
        ddb.put_item(TableName="rekeyed", Item={**key(6), "v": {"S": "after"}})
        assert ddb.describe_table(TableName="rekeyed")["Table"]["ItemCount"] == 5
    finally:
        server.kill()
    server = FogbankServer(data_dir=tmp_path).start()
    try:
        assert stored(server.client("dynamodb")) == [
            (0, "replaced"),
            (2, "first"),
            (3, "first"),
            (4, "new"),
            (6, "after"),
        ]
    finally:
        server.stop()
