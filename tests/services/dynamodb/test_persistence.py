"""Tables, items and indexes survive a restart and `kill -9` of fogbank."""

from __future__ import annotations

from pathlib import Path

from fogbank.testing.server import FogbankServer


def test_restart_after_kill_keeps_tables_items_and_indexes(tmp_path: Path) -> None:
    server = FogbankServer(data_dir=tmp_path).start()
    try:
        ddb = server.client("dynamodb")
        ddb.create_table(
            TableName="durable",
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
                {"AttributeName": "g", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
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
