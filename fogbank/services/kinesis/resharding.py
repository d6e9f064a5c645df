"""Resharding: SplitShard, MergeShards and UpdateShardCount, with AWS's parent/child lineage.

A closed shard keeps its records until they expire and gets an `EndingSequenceNumber`; its children
name it as `ParentShardId` (and a merge's second parent as `AdjacentParentShardId`), see
https://docs.aws.amazon.com/streams/latest/dev/kinesis-using-sdk-java-after-resharding.html.
UpdateShardCount (UNIFORM_SCALING) closes every open shard and opens `TargetShardCount` shards of
equal ranges; a new shard overlapping more than two old ones descends from intermediate merged
shards (closed at once, without records), as AWS performs such scaling through intermediate shards.
"""

from __future__ import annotations

from fogbank import clock
from fogbank.services.kinesis.errors import (
    InvalidArgumentException,
    LimitExceededException,
    ResourceNotFoundException,
)
from fogbank.services.kinesis.shards import sequence_number, tick_at
from fogbank.services.kinesis.streams import HASH_SPACE, Shard, Stream, even_ranges, new_shard

SHARD_LIMIT = 500  # the default per-account, per-region shard quota in us-east-1


def _range(shard: Shard) -> tuple[int, int]:
    return int(shard["HashKeyRange"]["StartingHashKey"]), int(shard["HashKeyRange"]["EndingHashKey"])


def _open_shard(stream: Stream, wanted: str) -> Shard:
    found: list[Shard] = [shard for shard in stream.record["Shards"] if shard["ShardId"] == wanted]
    if not found:
        raise ResourceNotFoundException(
            f"Could not find shard {wanted} in stream {stream.name} under account {stream.account}."
        )
    if found[0].get("Closed") is not None:
        raise InvalidArgumentException(
            f"Shard {wanted} in stream {stream.name} under account {stream.account} has already been "
            "merged or split, and thus is not eligible for merging or splitting."
        )
    return found[0]


def close(stream: Stream, shard: Shard) -> None:
    """Close a shard: no more writes, its last sequence number fixed."""
    log = stream.logs.get(shard["ShardId"])
    last = max(log.last_tick if log else 0, tick_at(clock.now()))
    shard["SequenceNumberRange"]["EndingSequenceNumber"] = sequence_number(shard["Index"], last)
    shard["Closed"] = clock.now()
    if log is not None:
        log.wake()


def _open(stream: Stream, low: int, high: int, parents: tuple[str | None, str | None]) -> Shard:
    shard = new_shard(stream.record, low, high, parents)
    stream.attach_shard(shard)
    return shard


def split(stream: Stream, wanted: str, new_starting_hash_key: str) -> None:
    shard = _open_shard(stream, wanted)
    low, high = _range(shard)
    try:
        key = int(new_starting_hash_key)
    except ValueError:
        key = -1
    if not low + 1 < key < high:  # both children keep more than one hash key
        raise InvalidArgumentException(
            f"NewStartingHashKey {new_starting_hash_key} used in SplitShard() on shard {wanted} in stream "
            f"{stream.name} under account {stream.account} is not both greater than one plus the shard's "
            f"StartingHashKey {low} and less than the shard's EndingHashKey {high}."
        )
    _check_limit(stream, 1)
    close(stream, shard)
    _open(stream, low, key - 1, (wanted, None))
    _open(stream, key, high, (wanted, None))
    stream.refresh_routes()


def merge(stream: Stream, first_id: str, second_id: str) -> None:
    first = _open_shard(stream, first_id)
    second = _open_shard(stream, second_id)
    (a_low, a_high), (b_low, b_high) = _range(first), _range(second)
    if a_high + 1 != b_low:  # ShardToMerge must be the lower of the two
        raise InvalidArgumentException(
            f"Shards {first_id} and {second_id} in stream {stream.name} under account {stream.account} "
            "are not an adjacent pair of shards eligible for merging"
        )
    close(stream, first)
    close(stream, second)
    _open(stream, a_low, b_high, (first_id, second_id))
    stream.refresh_routes()


def update_shard_count(stream: Stream, target: int) -> int:
    """Scale uniformly to `target` open shards; answers the shard count before."""
    current = sorted(stream.open_shards(), key=lambda s: int(s["HashKeyRange"]["StartingHashKey"]))
    count = len(current)
    if target > 2 * count or target * 2 < count:
        raise InvalidArgumentException(
            f"UpdateShardCount cannot scale up over double your current open shard count ({count}) or "
            f"scale down below half your current open shard count. Your requested target shard count "
            f"was {target}."
        )
    _check_limit(stream, target - count)
    for shard in current:
        close(stream, shard)
    for low, high in even_ranges(target, 0, HASH_SPACE - 1):
        parents = [s for s in current if _range(s)[0] <= high and _range(s)[1] >= low]
        head = parents[0]["ShardId"]
        for middle in parents[1:-1]:  # more than two parents: merge through closed intermediates
            span = (_range(parents[0])[0], _range(middle)[1])
            intermediate = _open(stream, *span, (head, middle["ShardId"]))
            close(stream, intermediate)
            head = intermediate["ShardId"]
        adjacent = parents[-1]["ShardId"] if len(parents) > 1 else None
        _open(stream, low, high, (head, adjacent))
    stream.refresh_routes()
    return count


def _check_limit(stream: Stream, added: int) -> None:
    if len(stream.open_shards()) + added > SHARD_LIMIT:
        raise LimitExceededException(
            f"This request would exceed the shard limit for the account {stream.account} in "
            f"{stream.region}. Current shard count for the account: {len(stream.open_shards())}. "
            f"Limit: {SHARD_LIMIT}. Number of additional shards that would have resulted from this "
            f"request: {added}. Refer to the AWS Service Limits page "
            "(http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits "
            "and how to request higher limits."
        )
