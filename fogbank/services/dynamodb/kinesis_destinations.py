"""Kinesis Data Streams as a table's streaming destination: Enable/Disable/Describe/Update
KinesisStreamingDestination, and the write hook that sends every item change to the stream as the
JSON record DynamoDB writes there, through Kinesis's public PutRecord operation.

Behaviour as AWS shows it (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/kds.html):
- Enable answers ENABLING and checks the stream afterwards: a stream that does not exist (or is not
  ACTIVE) does not fail the call but leaves the destination ENABLE_FAILED with the description
  "User does not have a permission to use kinesis stream". fogbank has nothing to provision, so the
  next Describe shows the settled status (ACTIVE or ENABLE_FAILED), as for tables.
- A table has at most one destination in ENABLING/ACTIVE/UPDATING/DISABLING; DISABLED and
  ENABLE_FAILED entries stay listed, newest first, and re-enabling one flips it.
- Disable answers DISABLING (then DISABLED); Update answers UPDATING (then ACTIVE) and changes the
  precision of the records' ApproximateCreationDateTime. No precision set means MILLISECOND and the
  entry and records carry no precision field; Disable forgets the precision.
- The destination is independent of DynamoDB Streams, and a deleted Kinesis stream leaves it ACTIVE
  (records are then dropped, the table write still succeeds).
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import orjson

from fogbank import clock
from fogbank.context import RequestContext
from fogbank.errors import AwsError
from fogbank.services import calls
from fogbank.services.dynamodb import items
from fogbank.services.dynamodb import values as av
from fogbank.services.dynamodb.catalog import Catalog
from fogbank.services.dynamodb.errors import ValidationException
from fogbank.services.dynamodb.tables import Table, name_from
from fogbank.services.dynamodb.values import Item

FIELD = "KinesisDataStreamDestinations"
LIVE = ("ENABLING", "ACTIVE", "UPDATING", "DISABLING")
_STATE = "Table is not in a valid state to enable Kinesis Streaming Destination: "
_NO_PERMISSION = "User does not have a permission to use kinesis stream"
_NOT_ACTIVE = (
    "The kinesis Arn used to enable kinesis replication belongs to a stream which is not in Active state"
)
_OTHER_REGION = "The kinesis Arn used to enable kinesis replication belongs to a stream which is not in the current region"


def _table(catalog: Catalog, ctx: RequestContext, name: str) -> Table:
    return catalog.get(
        ctx.account, ctx.region, name, f"Requested resource not found: Table: {name_from(name)} not found"
    )


def _entry(table: Table, arn: str) -> dict[str, Any] | None:
    return next((e for e in table.record.get(FIELD) or [] if e["StreamArn"] == arn), None)


def _output(table: Table, arn: str, status: str, member: str, config: dict[str, Any]) -> dict[str, Any]:
    return {"TableName": table.name, "StreamArn": arn, "DestinationStatus": status, member: config}


def enable(catalog: Catalog, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    table = _table(catalog, ctx, request["TableName"])
    arn = request["StreamArn"]
    entries: list[dict[str, Any]] = table.record.setdefault(FIELD, [])
    if any(e["DestinationStatus"] in LIVE for e in entries):
        raise ValidationException(
            _STATE
            + "EnableKinesisStreamingDestination must be DISABLED or ENABLE_FAILED to perform ENABLE operation."
        )
    config = dict(request.get("EnableKinesisStreamingConfiguration") or {})
    entry = _entry(table, arn)
    if entry is None:
        entry = {"StreamArn": arn}
        entries.insert(0, entry)
    entry.pop("DestinationStatusDescription", None)
    entry.pop("ApproximateCreationDateTimePrecision", None)
    if config.get("ApproximateCreationDateTimePrecision"):
        entry["ApproximateCreationDateTimePrecision"] = config["ApproximateCreationDateTimePrecision"]
    problem = _stream_problem(table, arn)
    entry["DestinationStatus"] = "ENABLE_FAILED" if problem else "ACTIVE"
    if problem:
        entry["DestinationStatusDescription"] = problem
    catalog.save(ctx.account, ctx.region, table)
    return _output(table, arn, "ENABLING", "EnableKinesisStreamingConfiguration", config)


def _stream_problem(table: Table, arn: str) -> str | None:
    """Why replication to the stream cannot start (AWS's DestinationStatusDescription), or None."""
    parts = arn.split(":", 5)
    table_parts = table.arn.split(":")
    account, region = table_parts[4], table_parts[3]
    if len(parts) != 6 or parts[2] != "kinesis" or not parts[5].startswith("stream/"):
        return _NO_PERMISSION
    if parts[4] != account:
        return _NOT_ACTIVE  # AWS: another account's stream never becomes ACTIVE
    if parts[3] != region:
        return _OTHER_REGION
    try:
        summary = calls.call(
            "kinesis", "DescribeStreamSummary", {"StreamARN": arn}, account=account, region=region
        )
    except AwsError:
        return _NO_PERMISSION
    if summary["StreamDescriptionSummary"]["StreamStatus"] not in ("ACTIVE", "UPDATING"):
        return _NO_PERMISSION
    return None


def disable(catalog: Catalog, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    table = _table(catalog, ctx, request["TableName"])
    arn = request["StreamArn"]
    if request.get("EnableKinesisStreamingConfiguration"):
        raise ValidationException(
            "Stream cannot be disabled using EnableKinesisStreamingConfiguration parameters"
        )
    entry = _entry(table, arn)
    if entry is None or entry["DestinationStatus"] != "ACTIVE":
        raise ValidationException(
            _STATE + "KinesisStreamingDestination must be ACTIVE to perform DISABLE operation."
        )
    entry["DestinationStatus"] = "DISABLED"
    config = {}
    if "ApproximateCreationDateTimePrecision" in entry:
        config["ApproximateCreationDateTimePrecision"] = entry.pop("ApproximateCreationDateTimePrecision")
    catalog.save(ctx.account, ctx.region, table)
    return _output(table, arn, "DISABLING", "EnableKinesisStreamingConfiguration", config)


def update(catalog: Catalog, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    table = _table(catalog, ctx, request["TableName"])
    arn = request["StreamArn"]
    config = request.get("UpdateKinesisStreamingConfiguration") or {}
    precision = config.get("ApproximateCreationDateTimePrecision")
    if not precision:
        raise ValidationException(
            "Streaming destination cannot be updated with given parameters: "
            "UpdateKinesisStreamingConfiguration cannot be null or contain only null values"
        )
    entry = _entry(table, arn)
    if entry is None:
        raise ValidationException(_STATE + f"No streaming destination with streamArn: {arn}")
    if entry["DestinationStatus"] != "ACTIVE":
        raise ValidationException(
            _STATE + "Kinesis streaming is not in ACTIVE state. Updates are only allowed in ACTIVE state. "
            f"TableName: {table.name}"
        )
    if entry.get("ApproximateCreationDateTimePrecision", "MILLISECOND") == precision:
        raise ValidationException(
            f"Invalid Request: Precision is already set to the desired value of {precision} for tableId: "
            f"{table.record['TableId']}, kdsArn: {arn}"
        )
    entry["ApproximateCreationDateTimePrecision"] = precision
    catalog.save(ctx.account, ctx.region, table)
    return _output(table, arn, "UPDATING", "UpdateKinesisStreamingConfiguration", {**config})


def describe(catalog: Catalog, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    table = _table(catalog, ctx, request["TableName"])
    return {"TableName": table.name, FIELD: [dict(e) for e in table.record.get(FIELD) or []]}


# -- the records ------------------------------------------------------------------------------


def _on_write(table: Table, old: Item | None, new: Item | None, origin: str | None) -> None:
    entries = table.record.get(FIELD)
    if not entries or old == new:
        return
    for entry in entries:
        if entry["DestinationStatus"] == "ACTIVE":
            _send(table, entry, old, new, origin)


def _send(
    table: Table, entry: dict[str, Any], old: Item | None, new: Item | None, origin: str | None
) -> None:
    record, keys = kinesis_record(table, entry.get("ApproximateCreationDateTimePrecision"), old, new, origin)
    arn = entry["StreamArn"]
    parts = arn.split(":")
    params = {"StreamARN": arn, "Data": orjson.dumps(record), "PartitionKey": partition_key(keys)}
    try:
        calls.call("kinesis", "PutRecord", params, account=parts[4], region=parts[3])
    except AwsError:
        # AWS keeps a destination whose stream was deleted ACTIVE; the table write must not fail.
        return


def partition_key(keys: Item) -> str:
    """AWS's records carry a 32-hex-digit (MD5) partition key derived from the item's key, so that
    every change of one item lands on the same shard, in order."""
    return hashlib.md5(orjson.dumps(keys, option=orjson.OPT_SORT_KEYS)).hexdigest().upper()  # noqa: S324


def kinesis_record(
    table: Table, precision: str | None, old: Item | None, new: Item | None, origin: str | None
) -> tuple[dict[str, Any], Item]:
    """The JSON DynamoDB writes to the stream for one item change (always both images)."""
    source = new if new is not None else old
    assert source is not None
    keys = {name: source[name] for name in table.key.names}
    now = clock.now()
    body: dict[str, Any] = {
        "ApproximateCreationDateTime": int(now * 1_000_000)
        if precision == "MICROSECOND"
        else int(now * 1000),
        "Keys": keys,
    }
    if new is not None:
        body["NewImage"] = new
    if old is not None:
        body["OldImage"] = old
    body["SizeBytes"] = av.item_size(keys) + sum(av.item_size(image) for image in (new, old) if image)
    if precision:
        body["ApproximateCreationDateTimePrecision"] = precision
    identity = {"type": "Service", "principalId": "dynamodb.amazonaws.com"} if origin == "ttl" else None
    record = {
        "awsRegion": table.arn.split(":")[3],
        "eventID": str(uuid.uuid4()),
        "eventName": "INSERT" if old is None else ("REMOVE" if new is None else "MODIFY"),
        "userIdentity": identity,
        "recordFormat": "application/json",
        "tableName": table.name,
        "dynamodb": body,
        "eventSource": "aws:dynamodb",
    }
    return record, keys


def start() -> None:
    items.listen(_on_write)


def stop() -> None:
    items.unlisten(_on_write)
