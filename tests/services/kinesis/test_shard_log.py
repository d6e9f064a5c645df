"""The shard record log's reader API used by event source mappings: positions, batches and
notification of new records (no polling)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from fogbank.services.kinesis.shards import ShardLog, parse_sequence_number, tick_at
from fogbank.state import Database


@pytest.fixture
def log() -> Iterator[ShardLog]:
    database = Database(None)  # its own in-memory database: the process-wide one is left alone
    yield ShardLog(
        database, "000000000000/us-east-1", "stream-id", "shardId-000000000000", 0, tick_at(1000.0)
    )
    database.close()


def test_shard_log_read_positions_and_trim(log: ShardLog) -> None:
    first = log.append(b"a", "k", 1000.0)
    second = log.append(b"b", "k", 1000.0)
    third = log.append(b"c", "k", 1005.0)
    assert second.tick == first.tick + 1
    assert parse_sequence_number(third.sequence_number) == (0, third.tick)
    assert [r.data for r in log.read(log.first_tick(), 2)] == [b"a", b"b"]
    assert [r.data for r in log.read(second.tick + 1, 10)] == [b"c"]
    assert log.tick_at_time(1001.0) == third.tick
    assert log.read(log.end_tick, 10) == []
    log.trim(1001.0)
    assert [r.data for r in log.read(0, 10)] == [b"c"]
    log.load()  # what SQLite holds matches memory
    assert [r.data for r in log.records] == [b"c"]


def test_shard_log_wakes_waiters_and_callbacks_on_append(log: ShardLog) -> None:
    calls: list[int] = []
    unsubscribe = log.on_append(lambda: calls.append(log.last_tick))

    async def scenario() -> bool:
        waiting = asyncio.ensure_future(log.wait_for(log.end_tick, timeout=5))
        await asyncio.sleep(0)
        assert not waiting.done()
        log.append(b"x", "k", 2000.0)
        return await waiting

    assert asyncio.run(scenario()) is True
    assert len(calls) == 1
    unsubscribe()
    log.append(b"y", "k", 2000.0)
    assert len(calls) == 1
    assert asyncio.run(log.wait_for(log.end_tick, timeout=0.01)) is False
