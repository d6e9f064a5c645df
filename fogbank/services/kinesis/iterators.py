"""Shard iterators: opaque tokens naming a stream, a shard and a position, valid for 5 minutes on
fogbank's clock (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetShardIterator.html:
"A shard iterator expires 5 minutes after it is returned to the requester")."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime

from fogbank import clock
from fogbank.services.kinesis.errors import ExpiredIteratorException, InvalidArgumentException

LIFETIME_MS = 300_000


@dataclass(slots=True, frozen=True)
class Position:
    account: str
    region: str
    stream: str
    stream_id: str
    shard_id: str
    tick: int
    issued_ms: int


def encode(position: Position) -> str:
    text = "|".join(
        (
            position.account,
            position.region,
            position.stream,
            position.stream_id,
            position.shard_id,
            str(position.tick),
            str(position.issued_ms),
        )
    )
    return base64.b64encode(b"\x00\x01" + text.encode()).decode()


def issue(account: str, region: str, stream: str, stream_id: str, shard_id: str, tick: int) -> str:
    issued = int(clock.now() * 1000)
    return encode(Position(account, region, stream, stream_id, shard_id, tick, issued))


def decode(token: str) -> Position:
    """The position of an iterator; InvalidArgumentException when it is not one, Expired after 5 min."""
    try:
        raw = base64.b64decode(token, validate=True)
        if not raw.startswith(b"\x00\x01"):
            raise ValueError
        account, region, stream, stream_id, shard_id, tick, issued = raw[2:].decode().split("|")
        position = Position(account, region, stream, stream_id, shard_id, int(tick), int(issued))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidArgumentException("Invalid ShardIterator.") from None
    now = int(clock.now() * 1000)
    if now - position.issued_ms > LIFETIME_MS:
        raise ExpiredIteratorException(
            f"Iterator expired. The iterator was created at time {_java_date(position.issued_ms)} while "
            f"right now it is {_java_date(now)} which is further in the future than the tolerated delay "
            f"of {LIFETIME_MS} milliseconds."
        )
    return position


def _java_date(epoch_ms: int) -> str:
    """`Date.toString()` as the Kinesis service (Java) prints it: `Tue Nov 26 18:24:46 UTC 2026`."""
    return datetime.fromtimestamp(epoch_ms / 1000, UTC).strftime("%a %b %d %H:%M:%S UTC %Y")
