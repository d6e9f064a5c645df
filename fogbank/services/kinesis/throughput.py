"""Shard throughput limits, emulated only when asked (`FOGBANK_KINESIS_THROUGHPUT_LIMITS=1`): each
shard accepts 1 MiB and 1,000 records of writes, and 5 GetRecords calls, per second of fogbank's
clock (https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html). Over the
limit, PutRecord and GetRecords fail with ProvisionedThroughputExceededException and PutRecords
fails the records concerned (ErrorCode / ErrorMessage) while storing the others.

Off by default: tests rarely want throttling, and AWS's own limits depend on account quotas.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from fogbank import clock
from fogbank.errors import AwsError

WRITE_BYTES_PER_SECOND = 1024 * 1024
WRITE_RECORDS_PER_SECOND = 1000
READ_CALLS_PER_SECOND = 5


class ProvisionedThroughputExceededException(AwsError):
    pass


def enabled() -> bool:
    return os.environ.get("FOGBANK_KINESIS_THROUGHPUT_LIMITS", "").strip().lower() in (
        "1",
        "true",
        "yes",
        "on",
    )


@dataclass(slots=True)
class Window:
    second: int = -1
    bytes: int = 0
    records: int = 0
    reads: int = 0


_windows: dict[tuple[str, str], Window] = {}


def _window(stream_arn: str, shard_id: str) -> Window:
    second = math.floor(clock.now())
    found = _windows.get((stream_arn, shard_id))
    if found is None or found.second != second:
        found = _windows[(stream_arn, shard_id)] = Window(second)
    return found


def rate_exceeded(stream: str, account: str, shard_id: str) -> str:
    return f"Rate exceeded for shard {shard_id} in stream {stream} under account {account}."


def admit_write(stream_arn: str, shard_id: str, size: int) -> bool:
    """Count one record against its shard's write limits; False when it must be refused."""
    if not enabled():
        return True
    window = _window(stream_arn, shard_id)
    if window.records + 1 > WRITE_RECORDS_PER_SECOND or window.bytes + size > WRITE_BYTES_PER_SECOND:
        return False
    window.records += 1
    window.bytes += size
    return True


def admit_read(stream_arn: str, shard_id: str, stream: str, account: str) -> None:
    if not enabled():
        return
    window = _window(stream_arn, shard_id)
    if window.reads + 1 > READ_CALLS_PER_SECOND:
        raise ProvisionedThroughputExceededException(rate_exceeded(stream, account, shard_id))
    window.reads += 1
