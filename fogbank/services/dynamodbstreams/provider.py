"""Amazon DynamoDB Streams operations over DynamoDB's change log (`services/dynamodb/streams.py`).

Streams are part of DynamoDB (same tables, same endpoint family, same error namespace); this
provider only reads the log DynamoDB writes. Each stream has one shard, open while the stream is
enabled and closed (EndingSequenceNumber) once it is disabled or its table deleted; records are kept
24 hours; shard iterators expire after 15 minutes, as in AWS.
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB_Streams.html
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import orjson

from fogbank import clock
from fogbank.context import RequestContext
from fogbank.errors import AwsError
from fogbank.services.dynamodb import streams
from fogbank.services.dynamodb.streams import SEQUENCE_DIGITS, StreamLog
from fogbank.services.provider import Provider

ITERATOR_LIFETIME = 15 * 60.0
MAX_RECORDS = 1000


class ResourceNotFoundException(AwsError):
    pass


class ValidationException(AwsError):
    pass


class ExpiredIteratorException(AwsError):
    pass


class TrimmedDataAccessException(AwsError):
    pass


class DynamoDbStreamsProvider(Provider):
    service = "dynamodbstreams"

    def _log(self, ctx: RequestContext, arn: str) -> StreamLog:
        parts = arn.split(":")
        account, region = (parts[4], parts[3]) if len(parts) > 5 else (ctx.account, ctx.region)
        log = streams.log_for(account, region, arn)
        if log is None:
            raise ResourceNotFoundException(f"Requested resource not found: Stream: {arn} not found")
        return log

    def list_streams(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        horizon = clock.now() - streams.RETENTION
        found = [
            meta
            for meta in streams.streams(ctx.account, ctx.region).values()
            if meta.get("Closed", clock.now()) >= horizon
            and (not request.get("TableName") or meta["TableName"] == request["TableName"])
        ]
        found.sort(key=lambda meta: meta["StreamArn"])
        start = request.get("ExclusiveStartStreamArn")
        if start:
            found = [meta for meta in found if meta["StreamArn"] > start]
        limit = request.get("Limit") or 100
        page = found[:limit]
        result: dict[str, Any] = {
            "Streams": [
                {"StreamArn": m["StreamArn"], "TableName": m["TableName"], "StreamLabel": m["StreamLabel"]}
                for m in page
            ]
        }
        if len(found) > limit:
            result["LastEvaluatedStreamArn"] = page[-1]["StreamArn"]
        return result

    def describe_stream(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        log = self._log(ctx, request["StreamArn"])
        log.rotate()
        meta = log.meta
        shards = [_describe_shard(log, shard) for shard in log.live_shards()]
        start = request.get("ExclusiveStartShardId")
        if start:
            ids = [shard["ShardId"] for shard in shards]
            shards = shards[ids.index(start) + 1 :] if start in ids else shards
        limit = request.get("Limit") or 100
        description: dict[str, Any] = {
            "StreamArn": meta["StreamArn"],
            "StreamLabel": meta["StreamLabel"],
            "StreamStatus": meta["Status"],
            "StreamViewType": meta["StreamViewType"],
            "CreationRequestDateTime": meta["Created"],
            "TableName": meta["TableName"],
            "KeySchema": meta["KeySchema"],
            "Shards": shards[:limit],
        }
        if len(shards) > limit:
            description["LastEvaluatedShardId"] = shards[limit - 1]["ShardId"]
        return {"StreamDescription": description}

    def get_shard_iterator(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        arn = request["StreamArn"]
        log = self._log(ctx, arn)
        shard = log.shard(request["ShardId"])
        if shard is None:
            raise ResourceNotFoundException("Requested resource not found: Shard does not exist")
        kind = request["ShardIteratorType"]
        sequence_text = request.get("SequenceNumber")
        if kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
            if not sequence_text or not sequence_text.isdigit():
                raise ValidationException(
                    f"SequenceNumber is required for ShardIteratorType {kind}"
                    if not sequence_text
                    else "Invalid SequenceNumber"
                )
            position = int(sequence_text) + (1 if kind == "AFTER_SEQUENCE_NUMBER" else 0)
            if position < log.oldest():
                raise TrimmedDataAccessException(
                    "The operation attempted to read past the oldest stream record in a shard."
                )
        elif sequence_text:
            raise ValidationException(
                f"Sequence number is not allowed with ShardIteratorType {kind}"
            )  # AWS refuses it
        elif kind == "TRIM_HORIZON":
            position = max(shard["Start"], log.oldest())
        else:
            position = log.next_sequence if shard["End"] is None else shard["End"] + 1
        return {"ShardIterator": _iterator(arn, shard["ShardId"], position)}

    def get_records(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        arn, shard_id, position, created = _read_iterator(request["ShardIterator"])
        if clock.now() - created > ITERATOR_LIFETIME:
            raise ExpiredIteratorException(
                f"Iterator expired. The iterator was created at time {_stamp(created)} while right now it is "
                f"{_stamp(clock.now())} which is further in the future than the tolerated delay of 900000 milliseconds."
            )
        log = self._log(ctx, arn)
        shard = log.shard(shard_id)
        if shard is None:
            raise ResourceNotFoundException("Requested resource not found: Shard does not exist")
        if position < log.oldest() and log.sequences:
            raise TrimmedDataAccessException(
                "The operation attempted to read past the oldest stream record in a shard."
            )
        limit = request.get("Limit") or MAX_RECORDS
        records = log.read(position, limit)
        end = shard["End"]
        if end is not None:
            records = [r for r in records if int(r["dynamodb"]["SequenceNumber"]) <= end]
        following = (
            int(records[-1]["dynamodb"]["SequenceNumber"]) + 1 if records else max(position, log.oldest())
        )
        result: dict[str, Any] = {"Records": records}
        if end is None or following <= end:
            result["NextShardIterator"] = _iterator(arn, shard_id, following)
        return result


def _describe_shard(log: StreamLog, shard: dict[str, Any]) -> dict[str, Any]:
    numbers = {
        "StartingSequenceNumber": _format(
            max(shard["Start"], log.oldest()) if shard["End"] is None else shard["Start"]
        )
    }
    if shard["End"] is not None:
        numbers["EndingSequenceNumber"] = _format(shard["End"])
    described: dict[str, Any] = {"ShardId": shard["ShardId"], "SequenceNumberRange": numbers}
    if shard["Parent"]:
        described["ParentShardId"] = shard["Parent"]
    return described


def _format(sequence: int) -> str:
    return f"{sequence:0{SEQUENCE_DIGITS}d}"


def _stamp(when: float) -> str:
    return datetime.fromtimestamp(when, UTC).strftime("%a %b %d %H:%M:%S UTC %Y")


def _iterator(arn: str, shard_id: str, position: int) -> str:
    raw = orjson.dumps([arn, shard_id, position, clock.now()])
    return base64.urlsafe_b64encode(raw).decode()


def _read_iterator(text: str) -> tuple[str, str, int, float]:
    try:
        arn, shard_id, position, created = orjson.loads(base64.urlsafe_b64decode(text.encode()))
        return str(arn), str(shard_id), int(position), float(created)
    except (ValueError, TypeError):
        raise ValidationException("Invalid ShardIterator") from None
