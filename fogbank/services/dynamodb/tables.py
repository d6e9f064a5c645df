"""DynamoDB tables: the stored table record, CreateTable's validation, DescribeTable's shape, and
the runtime `Table` (key schema, indexes and item store) that item operations use.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fogbank import clock
from fogbank.services.dynamodb.errors import ValidationException, invalid
from fogbank.services.dynamodb.storage import IndexSpec, ItemStore, KeySpec

MAX_GSIS = 20
MAX_LSIS = 5
MAX_NON_KEY = 100
_NAME = re.compile(r"^[a-zA-Z0-9_.-]+$")

Record = dict[str, Any]


@dataclass(slots=True)
class Table:
    """A table as item operations see it: the stored record plus its key spec and items."""

    record: Record
    key: KeySpec
    store: ItemStore
    indexes: dict[str, IndexSpec]

    @property
    def name(self) -> str:
        return str(self.record["TableName"])

    @property
    def arn(self) -> str:
        return str(self.record["TableArn"])

    def index(self, name: str) -> IndexSpec | None:
        return self.indexes.get(name)


def key_spec(schema: list[dict[str, str]], definitions: dict[str, str]) -> KeySpec:
    hash_name = next(e["AttributeName"] for e in schema if e["KeyType"] == "HASH")
    range_name = next((e["AttributeName"] for e in schema if e["KeyType"] == "RANGE"), None)
    return KeySpec(
        hash_name, definitions[hash_name], range_name, definitions[range_name] if range_name else None
    )


def index_specs(record: Record) -> dict[str, IndexSpec]:
    definitions = {d["AttributeName"]: d["AttributeType"] for d in record["AttributeDefinitions"]}
    specs = {}
    for kind in ("LocalSecondaryIndexes", "GlobalSecondaryIndexes"):
        for index in record.get(kind) or []:
            projection = index["Projection"]
            specs[index["IndexName"]] = IndexSpec(
                index["IndexName"],
                key_spec(index["KeySchema"], definitions),
                projection.get("ProjectionType", "ALL"),
                frozenset(projection.get("NonKeyAttributes") or ()),
                kind == "GlobalSecondaryIndexes",
            )
    return specs


# -- names and ARNs ---------------------------------------------------------------------------


def check_table_name(name: str, member: str = "tableName") -> None:
    """Table names: 3-255 characters of [a-zA-Z0-9_.-] (the model allows ARNs up to 1024)."""
    problems = []
    if not _NAME.match(name):
        problems.append(
            f"Value '{name}' at '{member}' failed to satisfy constraint: Member must satisfy regular "
            "expression pattern: [a-zA-Z0-9_.-]+"
        )
    if len(name) < 3:
        problems.append(
            f"Value '{name}' at '{member}' failed to satisfy constraint: Member must have length greater than or equal to 3"
        )
    elif len(name) > 255:
        problems.append(
            f"Value '{name}' at '{member}' failed to satisfy constraint: Member must have length less than or equal to 255"
        )
    if problems:
        noun = "error" if len(problems) == 1 else "errors"
        raise ValidationException(f"{len(problems)} validation {noun} detected: " + "; ".join(problems))


def name_from(table: str) -> str:
    """Operations accept a table name or its ARN (arn:aws:dynamodb:region:account:table/name)."""
    if table.startswith("arn:"):
        return table.split(":table/", 1)[-1].split("/", 1)[0]
    return table


# -- CreateTable validation -------------------------------------------------------------------


def check_create(request: dict[str, Any]) -> None:
    """CreateTable's checks, in the order AWS reports them."""
    check_table_name(request["TableName"])
    definitions = _definitions(request["AttributeDefinitions"])
    schema = request["KeySchema"]
    _check_key_schema(schema, definitions, "")
    billing = request.get("BillingMode") or "PROVISIONED"
    _check_throughput(billing, request.get("ProvisionedThroughput"), None)
    used = {element["AttributeName"] for element in schema}
    names: set[str] = set()
    lsis = request.get("LocalSecondaryIndexes") or []
    gsis = request.get("GlobalSecondaryIndexes") or []
    if lsis:
        _check_lsis(lsis, schema, definitions, names, used)
    for index in gsis:
        check_gsi(index, definitions, billing, names)
        used.update(element["AttributeName"] for element in index["KeySchema"])
    if len(gsis) > MAX_GSIS:
        raise ValidationException(
            f"One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table limit of {MAX_GSIS}"
        )
    _check_non_key_total(lsis + gsis)
    if set(definitions) != used:
        raise invalid(
            "Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions"
        )
    stream = request.get("StreamSpecification")
    if stream:
        check_stream(stream)


def _definitions(items: list[dict[str, str]]) -> dict[str, str]:
    definitions: dict[str, str] = {}
    for definition in items:
        name = definition["AttributeName"]
        if name in definitions:
            raise ValidationException("Cannot have two attributes with the same name")
        definitions[name] = definition["AttributeType"]
    return definitions


def _check_key_schema(schema: list[dict[str, str]], definitions: dict[str, str], index: str) -> None:
    where = f" for index: {index}" if index else ""
    if schema[0]["KeyType"] != "HASH":
        raise ValidationException(
            f"Invalid KeySchema: The first KeySchemaElement is not a HASH key type{where}"
        )
    if len(schema) == 2:
        if schema[1]["KeyType"] != "RANGE":
            raise ValidationException(
                f"Invalid KeySchema: The second KeySchemaElement is not a RANGE key type{where}"
            )
        if schema[0]["AttributeName"] == schema[1]["AttributeName"]:
            raise ValidationException(
                "Both the Hash Key and the Range Key element in the KeySchema have the same name"
            )
    missing = [e["AttributeName"] for e in schema if e["AttributeName"] not in definitions]
    if missing:
        keys = ", ".join(e["AttributeName"] for e in schema)
        raise invalid(
            f"Some index key attributes are not defined in AttributeDefinitions. Keys: [{keys}], "
            f"AttributeDefinitions: [{', '.join(definitions)}]"
        )


def _check_throughput(billing: str, throughput: dict[str, Any] | None, index: str | None) -> None:
    if billing == "PAY_PER_REQUEST":
        if throughput:
            if index:
                raise invalid(
                    f"ProvisionedThroughput should not be specified for index: {index} when BillingMode is PAY_PER_REQUEST"
                )
            raise invalid(
                "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"
            )
        return
    if not throughput:
        if index:
            raise invalid(f"ProvisionedThroughput must be specified for index: {index}")
        raise ValidationException("No provisioned throughput specified for the table")


def _check_projection(index: dict[str, Any]) -> None:
    projection = index["Projection"]
    kind = projection.get("ProjectionType")
    non_key = projection.get("NonKeyAttributes")
    if kind is None:
        raise invalid("Unknown ProjectionType: null")
    if kind != "INCLUDE" and non_key is not None:
        raise invalid(f"ProjectionType is {kind}, but NonKeyAttributes is specified")
    if kind == "INCLUDE" and not non_key:
        raise invalid("ProjectionType is INCLUDE, but NonKeyAttributes is not specified")


def _check_index_name(name: str, names: set[str]) -> None:
    check_table_name(name, "indexName")
    if name in names:
        raise invalid(f"Duplicate index name: {name}")
    names.add(name)


def _check_lsis(
    lsis: list[dict[str, Any]],
    schema: list[dict[str, str]],
    definitions: dict[str, str],
    names: set[str],
    used: set[str],
) -> None:
    if len(schema) < 2:
        raise invalid(
            "Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex"
        )
    if len(lsis) > MAX_LSIS:
        raise invalid(f"LocalSecondaryIndex count exceeds the per-table limit of {MAX_LSIS}")
    for index in lsis:
        _check_index_name(index["IndexName"], names)
        _check_key_schema(index["KeySchema"], definitions, index["IndexName"])
        keys = index["KeySchema"]
        if keys[0]["AttributeName"] != schema[0]["AttributeName"]:
            raise invalid(
                f"Index KeySchema does not have the same leading hash key as table KeySchema for index: "
                f"{index['IndexName']}. index hash key: {keys[0]['AttributeName']}, table hash key: {schema[0]['AttributeName']}"
            )
        if len(keys) < 2:
            raise invalid(
                f"Index KeySchema for LocalSecondaryIndex {index['IndexName']} must have a range key"
            )
        _check_projection(index)
        used.update(element["AttributeName"] for element in keys)


def check_gsi(index: dict[str, Any], definitions: dict[str, str], billing: str, names: set[str]) -> None:
    _check_index_name(index["IndexName"], names)
    _check_key_schema(index["KeySchema"], definitions, index["IndexName"])
    _check_projection(index)
    _check_throughput(billing, index.get("ProvisionedThroughput"), index["IndexName"])


def _check_non_key_total(indexes: list[dict[str, Any]]) -> None:
    total = sum(len(index["Projection"].get("NonKeyAttributes") or ()) for index in indexes)
    if total > MAX_NON_KEY:
        raise invalid(f"Number of projected attributes in all indexes exceeds limit of {MAX_NON_KEY}")


def check_stream(stream: dict[str, Any]) -> None:
    if stream.get("StreamEnabled") and not stream.get("StreamViewType"):
        raise invalid("You must specify a StreamViewType when enabling a stream")
    if not stream.get("StreamEnabled") and stream.get("StreamViewType"):
        raise invalid(
            "StreamViewType is not allowed when streams are disabled"
        )  # AWS refuses a view type then


# -- records ----------------------------------------------------------------------------------


def new_record(request: dict[str, Any], arn: str, region: str, account: str) -> Record:
    now = clock.now()
    billing = request.get("BillingMode") or "PROVISIONED"
    record: Record = {
        "TableName": request["TableName"],
        "TableId": str(uuid.uuid4()),
        "TableArn": arn,
        "AttributeDefinitions": request["AttributeDefinitions"],
        "KeySchema": request["KeySchema"],
        "BillingMode": billing,
        "Throughput": _throughput(request.get("ProvisionedThroughput"), billing),
        "CreationDateTime": now,
        "TableStatus": "ACTIVE",
        "DeletionProtectionEnabled": bool(request.get("DeletionProtectionEnabled")),
        "TableClass": request.get("TableClass") or "STANDARD",
        "LocalSecondaryIndexes": [
            _index_record(i, billing, False) for i in request.get("LocalSecondaryIndexes") or []
        ],
        "GlobalSecondaryIndexes": [
            _index_record(i, billing, True) for i in request.get("GlobalSecondaryIndexes") or []
        ],
        "Stream": None,
        "SSE": sse_record(request.get("SSESpecification"), region, account),
        "Tags": {tag["Key"]: tag["Value"] for tag in request.get("Tags") or []},
        "TimeToLive": {"TimeToLiveStatus": "DISABLED"},
        "PointInTimeRecovery": False,
        "RecoveryPeriodInDays": 35,
    }
    if billing == "PAY_PER_REQUEST":
        record["PayPerRequestSince"] = now
    for member in ("OnDemandThroughput", "WarmThroughput"):
        if request.get(member):
            record[member] = request[member]
    stream = request.get("StreamSpecification")
    if stream and stream.get("StreamEnabled"):
        enable_stream(record, stream["StreamViewType"])
    return record


def _throughput(throughput: dict[str, Any] | None, billing: str) -> dict[str, int]:
    if billing == "PAY_PER_REQUEST" or not throughput:
        return {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
    return {
        "ReadCapacityUnits": throughput["ReadCapacityUnits"],
        "WriteCapacityUnits": throughput["WriteCapacityUnits"],
    }


def _index_record(index: dict[str, Any], billing: str, is_global: bool) -> Record:
    record: Record = {
        "IndexName": index["IndexName"],
        "KeySchema": index["KeySchema"],
        "Projection": index["Projection"],
    }
    if is_global:
        record["Throughput"] = _throughput(index.get("ProvisionedThroughput"), billing)
        for member in ("OnDemandThroughput", "WarmThroughput"):
            if index.get(member):
                record[member] = index[member]
    return record


def new_gsi_record(index: dict[str, Any], billing: str) -> Record:
    return _index_record(index, billing, True)


def sse_record(spec: dict[str, Any] | None, region: str, account: str) -> Record | None:
    """SSE with a KMS key (AWS managed `alias/aws/dynamodb` unless a key is named); None when
    the table uses the AWS owned key (DescribeTable then shows no SSEDescription)."""
    if not spec or not spec.get("Enabled"):
        return None
    key = spec.get("KMSMasterKeyId")
    if not key:
        key = f"arn:aws:kms:{region}:{account}:key/{uuid.uuid5(uuid.NAMESPACE_URL, f'{account}/{region}/aws/dynamodb')}"
    elif not key.startswith("arn:"):
        key = f"arn:aws:kms:{region}:{account}:key/{key.removeprefix('alias/')}"
    return {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": key}


def enable_stream(record: Record, view_type: str) -> None:
    label = datetime.fromtimestamp(clock.now(), UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    record["Stream"] = {
        "StreamViewType": view_type,
        "StreamLabel": label,
        "StreamArn": f"{record['TableArn']}/stream/{label}",
    }


# -- DescribeTable ----------------------------------------------------------------------------


def describe(record: Record, store: ItemStore | None, status: str | None = None) -> dict[str, Any]:
    """The TableDescription of a table (counts and sizes are exact, not six-hourly)."""
    description: dict[str, Any] = {
        "AttributeDefinitions": record["AttributeDefinitions"],
        "TableName": record["TableName"],
        "KeySchema": record["KeySchema"],
        "TableStatus": status or record["TableStatus"],
        "CreationDateTime": record["CreationDateTime"],
        "ProvisionedThroughput": {"NumberOfDecreasesToday": 0, **record["Throughput"]},
        "TableSizeBytes": store.size if store else 0,
        "ItemCount": store.count if store else 0,
        "TableArn": record["TableArn"],
        "TableId": record["TableId"],
        "DeletionProtectionEnabled": record["DeletionProtectionEnabled"],
        "TableClassSummary": {"TableClass": record["TableClass"]},
    }
    if record["BillingMode"] == "PAY_PER_REQUEST" or "PayPerRequestSince" in record:
        summary: dict[str, Any] = {"BillingMode": record["BillingMode"]}
        if "PayPerRequestSince" in record:
            summary["LastUpdateToPayPerRequestDateTime"] = record["PayPerRequestSince"]
        description["BillingModeSummary"] = summary
    if record.get("OnDemandThroughput"):
        description["OnDemandThroughput"] = record["OnDemandThroughput"]
    if record.get("WarmThroughput"):
        description["WarmThroughput"] = {**record["WarmThroughput"], "Status": "ACTIVE"}
    _describe_indexes(record, store, description, status)
    stream = record.get("Stream")
    if stream:
        description["StreamSpecification"] = {
            "StreamEnabled": stream.get("Enabled", True),
            "StreamViewType": stream["StreamViewType"],
        }
        description["LatestStreamLabel"] = stream["StreamLabel"]
        description["LatestStreamArn"] = stream["StreamArn"]
        if stream.get("Enabled") is False:
            del description["StreamSpecification"]
    if record.get("SSE"):
        description["SSEDescription"] = record["SSE"]
    return description


def _describe_indexes(
    record: Record, store: ItemStore | None, description: dict[str, Any], status: str | None
) -> None:
    arn = record["TableArn"]
    lsis = []
    for index in record.get("LocalSecondaryIndexes") or []:
        live = store.indexes.get(index["IndexName"]) if store else None
        lsis.append(
            {
                "IndexName": index["IndexName"],
                "KeySchema": index["KeySchema"],
                "Projection": index["Projection"],
                "IndexSizeBytes": live.size if live else 0,
                "ItemCount": live.count if live else 0,
                "IndexArn": f"{arn}/index/{index['IndexName']}",
            }
        )
    if lsis:
        description["LocalSecondaryIndexes"] = lsis
    gsis = []
    for index in record.get("GlobalSecondaryIndexes") or []:
        live = store.indexes.get(index["IndexName"]) if store else None
        entry = {
            "IndexName": index["IndexName"],
            "KeySchema": index["KeySchema"],
            "Projection": index["Projection"],
            "IndexStatus": index.get("IndexStatus", "ACTIVE") if status != "CREATING" else "CREATING",
            "ProvisionedThroughput": {"NumberOfDecreasesToday": 0, **index["Throughput"]},
            "IndexSizeBytes": live.size if live else 0,
            "ItemCount": live.count if live else 0,
            "IndexArn": f"{arn}/index/{index['IndexName']}",
        }
        if index.get("OnDemandThroughput"):
            entry["OnDemandThroughput"] = index["OnDemandThroughput"]
        if index.get("WarmThroughput"):
            entry["WarmThroughput"] = {**index["WarmThroughput"], "Status": "ACTIVE"}
        if entry["IndexStatus"] == "CREATING":
            entry["Backfilling"] = False
        gsis.append(entry)
    if gsis:
        description["GlobalSecondaryIndexes"] = gsis
