"""Streams, resharded shards and records survive a restart (even `kill -9`); sequence numbers keep
increasing afterwards."""

from __future__ import annotations

from pathlib import Path

from fogbank.testing.server import FogbankServer


def test_restart_keeps_streams_shards_and_records(tmp_path: Path) -> None:
    server = FogbankServer(data_dir=tmp_path).start()
    try:
        kinesis = server.client("kinesis")
        kinesis.create_stream(StreamName="durable", ShardCount=1)
        kinesis.put_records(
            StreamName="durable", Records=[{"Data": f"r{i}".encode(), "PartitionKey": "pk"} for i in range(3)]
        )
        kinesis.split_shard(
            StreamName="durable", ShardToSplit="shardId-000000000000", NewStartingHashKey=str(2**127)
        )
        last = kinesis.put_record(StreamName="durable", Data=b"child", PartitionKey="pk")
    finally:
        server.kill()
    server = FogbankServer(data_dir=tmp_path).start()
    try:
        kinesis = server.client("kinesis")
        shards = kinesis.list_shards(StreamName="durable")["Shards"]
        assert [s["ShardId"] for s in shards] == [f"shardId-00000000000{i}" for i in range(3)]
        assert "EndingSequenceNumber" in shards[0]["SequenceNumberRange"]
        parent = kinesis.get_shard_iterator(
            StreamName="durable", ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        page = kinesis.get_records(ShardIterator=parent)
        assert [r["Data"] for r in page["Records"]] == [b"r0", b"r1", b"r2"]
        assert "NextShardIterator" not in page
        child = kinesis.get_shard_iterator(
            StreamName="durable", ShardId=last["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        assert [r["Data"] for r in kinesis.get_records(ShardIterator=child)["Records"]] == [b"child"]
        again = kinesis.put_record(StreamName="durable", Data=b"more", PartitionKey="pk")
        assert again["ShardId"] == last["ShardId"]
        assert int(again["SequenceNumber"]) > int(last["SequenceNumber"])
    finally:
        server.stop()
