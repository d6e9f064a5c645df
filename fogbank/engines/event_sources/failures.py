"""What happens to records a function could not process: partial batch responses
(`ReportBatchItemFailures`), bisection, retry counting and back-off, and the record AWS sends to
a stream mapping's `DestinationConfig.OnFailure` (SQS, SNS or S3) — metadata about the batch,
never the record data
(https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html).
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypedDict

import orjson

from fogbank import clock
from fogbank.errors import AwsError
from fogbank.services import calls
from fogbank.services.queue_calls import queue_url

log = logging.getLogger("fogbank.event_sources")

MAX_BACKOFF = 60.0


def iso_millis(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def backoff(attempt: int) -> float:
    """Seconds before retrying a failed batch: 1, 2, 4, … up to a minute (on fogbank's clock)."""
    return min(2.0 ** max(attempt - 1, 0), MAX_BACKOFF)


def item_failures(payload: bytes, identifiers: list[str]) -> list[str] | None:
    """The failed item identifiers of a partial batch response: [] for complete success, None
    when the response makes the whole batch a failure. AWS's rules
    (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html): an empty or
    null response or list is success; unparsable JSON, an item without a valid `itemIdentifier`,
    or an identifier not in the batch fails the whole batch."""
    if not payload.strip():
        return []
    try:
        document = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(document, dict):
        return [] if document is None else None
    failures = document.get("batchItemFailures")
    if not failures:
        return []
    if not isinstance(failures, list):
        return None
    known = set(identifiers)
    found: list[str] = []
    for item in failures:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not isinstance(identifier, str) or not identifier or identifier not in known:
            return None
        found.append(identifier)
    return found


@dataclass(slots=True)
class Attempt:
    """A run of records being delivered, with its invocations so far (splitting a batch does not
    count towards the retry quota, as AWS documents)."""

    records: list[Any]
    invokes: int = 0
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_error: str | None = None
    status_code: int = 200
    executed_version: str = "$LATEST"


class BatchInfo(TypedDict):
    shardId: str
    startSequenceNumber: str
    endSequenceNumber: str
    approximateArrivalOfFirstRecord: str
    approximateArrivalOfLastRecord: str
    batchSize: int
    streamArn: str


def batch_info(
    shard_id: str, stream_arn: str, first: tuple[str, float], last: tuple[str, float], size: int
) -> BatchInfo:
    return {
        "shardId": shard_id,
        "startSequenceNumber": first[0],
        "endSequenceNumber": last[0],
        "approximateArrivalOfFirstRecord": iso_millis(first[1]),
        "approximateArrivalOfLastRecord": iso_millis(last[1]),
        "batchSize": size,
        "streamArn": stream_arn,
    }


def failure_record(
    attempt: Attempt, function_arn: str, condition: str, info_key: str, info: BatchInfo
) -> dict[str, Any]:
    """The invocation record of discarded stream records, key for key as AWS's."""
    response: dict[str, Any] = {
        "statusCode": attempt.status_code,
        "executedVersion": attempt.executed_version,
    }
    if attempt.function_error:
        response["functionError"] = attempt.function_error
    return {
        "requestContext": {
            "requestId": attempt.request_id,
            "functionArn": function_arn,
            "condition": condition,
            "approximateInvokeCount": attempt.invokes,
        },
        "responseContext": response,
        "version": "1.0",
        "timestamp": iso_millis(clock.now()),
        info_key: info,
    }


async def send_failure(
    destination: str,
    document: dict[str, Any],
    *,
    owner: tuple[str, str],
    mapping_id: str,
    shard_id: str,
    payload: bytes,
) -> None:
    """Deliver a failure record through the destination service's public operation; `owner` is
    the mapping's (account, region), which S3 ARNs do not name."""
    parts = destination.split(":")
    service, region, account = parts[2], parts[3] or owner[1], parts[4] or owner[0]
    body = json.dumps(document)
    try:
        if service == "sqs":
            url = queue_url(region, account, parts[5])
            await calls.call_async(
                "sqs", "SendMessage", {"QueueUrl": url, "MessageBody": body}, account=account, region=region
            )
        elif service == "sns":
            await calls.call_async(
                "sns", "Publish", {"TopicArn": destination, "Message": body}, account=account, region=region
            )
        elif service == "s3":
            key = _s3_key(mapping_id, shard_id)
            # S3 destinations also get the invocation itself (AWS: "the entire invocation record").
            content = json.dumps({**document, "payload": orjson.loads(payload)}).encode()
            params = {"Bucket": parts[5], "Key": key, "Body": content}
            await calls.call_async("s3", "PutObject", params, account=account, region=region)
        else:
            log.warning("on-failure destination %s is not SQS, SNS or S3", destination)
    except AwsError as error:
        log.warning(
            "could not send the failure record of mapping %s to %s: %s", mapping_id, destination, error
        )


def _s3_key(mapping_id: str, shard_id: str) -> str:
    """S3 destinations get the record plus the invocation payload, under
    `aws/lambda/<mapping UUID>/<shard ID>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<random UUID>`."""
    moment = datetime.fromtimestamp(clock.now(), UTC)
    return f"aws/lambda/{mapping_id}/{shard_id}/{moment:%Y/%m/%d}/{moment:%Y-%m-%dT%H.%M.%S}-{uuid.uuid4()}"
