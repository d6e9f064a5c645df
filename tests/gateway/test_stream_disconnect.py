"""Open-ended response streams end when their client goes away, so they hold no work (or a
graceful shutdown) hostage: a Kinesis SubscribeToShard stream would otherwise run its 5 minutes."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from fogbank.testing.server import FogbankServer


def test_subscribe_to_shard_client_disconnect_ends_stream_and_shutdown_is_prompt(
    fogbank_factory: Callable[..., FogbankServer],
) -> None:
    server = fogbank_factory()
    kinesis: Any = server.client("kinesis")
    kinesis.create_stream(StreamName="s", ShardCount=1)
    arn = kinesis.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["StreamARN"]
    consumer = kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="c")["Consumer"]["ConsumerARN"]
    kinesis.put_record(StreamName="s", Data=b"one", PartitionKey="pk")
    answer = kinesis.subscribe_to_shard(
        ConsumerARN=consumer, ShardId="shardId-000000000000", StartingPosition={"Type": "TRIM_HORIZON"}
    )
    stream = answer["EventStream"]
    assert [r["Data"] for r in next(iter(stream))["SubscribeToShardEvent"]["Records"]] == [b"one"]
    stream.close()  # the client goes away mid-stream

    # GIVEN the client left WHEN the server is asked to stop THEN it exits at once (no stream holds it).
    time.sleep(0.2)  # let the server notice the closed connection (real socket time, not the clock)
    started = time.monotonic()
    server.stop()
    assert server.process is not None and server.process.returncode is not None
    assert time.monotonic() - started < 5
