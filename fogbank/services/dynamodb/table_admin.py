"""Table administration: create, describe, update, delete and list tables; tags; continuous
backup (point-in-time recovery) settings.

Tables become ACTIVE at once (fogbank has nothing to provision): CreateTable answers CREATING,
DeleteTable DELETING and UpdateTable UPDATING, as AWS does, and the next DescribeTable shows the
settled state. https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB.html
"""

from __future__ import annotations

from typing import Any

from fogbank import clock, state
from fogbank.context import RequestContext
from fogbank.services.dynamodb import streams, tables
from fogbank.services.dynamodb.catalog import Catalog
from fogbank.services.dynamodb.errors import (
    LimitExceededException,
    ResourceInUseException,
    ResourceNotFoundException,
    TableNotFoundException,
    ValidationException,
    invalid,
)
from fogbank.services.dynamodb.storage import IndexSpec
from fogbank.services.dynamodb.tables import Table

MAX_TAGS = 50


def _not_found(name: str) -> str:
    return f"Requested resource not found: Table: {tables.name_from(name)} not found"


def create(catalog: Catalog, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    tables.check_create(request)
    _check_tags(request.get("Tags") or [])
    if request.get("ResourcePolicy"):
        raise ValidationException("fogbank does not support resource-based policies for DynamoDB yet")
    name = request["TableName"]
    records = catalog.records(ctx.account, ctx.region)
    if name in records:
        raise ResourceInUseException(f"Table already exists: {name}")
    record = tables.new_record(request, ctx.arn("dynamodb", f"table/{name}"), ctx.region, ctx.account)
    records.put(name, record)
    table = catalog.attach(ctx.account, ctx.region, record)
    if record.get("Stream"):
        streams.open_stream(ctx.account, ctx.region, table)
    return tables.describe(table.record, table.store, "CREATING")


def describe(catalog: Catalog, ctx: RequestContext, name: str) -> dict[str, Any]:
    table = catalog.get(ctx.account, ctx.region, name, _not_found(name))
    return tables.describe(table.record, table.store)


def delete(catalog: Catalog, ctx: RequestContext, name: str) -> dict[str, Any]:
    table = catalog.get(ctx.account, ctx.region, name, _not_found(name))
    if table.record["DeletionProtectionEnabled"]:
        raise ValidationException(
            "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first."
        )
    description = tables.describe(table.record, table.store, "DELETING")
    if table.record.get("Stream"):
        streams.close_stream(ctx.account, ctx.region, table.record["Stream"]["StreamArn"])
    catalog.records(ctx.account, ctx.region).delete(table.name)
    catalog.forget(ctx.account, ctx.region, table.name)
    table.store.drop()
    return description


def list_tables(catalog: Catalog, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    names = catalog.names(ctx.account, ctx.region)
    start = request.get("ExclusiveStartTableName")
    if start:
        names = [name for name in names if name > start]
    limit = request.get("Limit") or 100
    page = names[:limit]
    result: dict[str, Any] = {"TableNames": page}
    if len(names) > limit:
        result["LastEvaluatedTableName"] = page[-1]
    return result


# -- UpdateTable ------------------------------------------------------------------------------

_UPDATABLE = (
    "ProvisionedThroughput",
    "BillingMode",
    "StreamSpecification",
    "GlobalSecondaryIndexUpdates",
    "SSESpecification",
    "ReplicaUpdates",
    "TableClass",
    "DeletionProtectionEnabled",
    "OnDemandThroughput",
    "WarmThroughput",
    "MultiRegionConsistency",
    "GlobalTableWitnessUpdates",
)


def update(catalog: Catalog, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    name = request["TableName"]
    table = catalog.get(ctx.account, ctx.region, name, _not_found(name))
    if not any(request.get(member) is not None for member in _UPDATABLE):
        raise ValidationException(
            "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates "
            "or SSESpecification or ReplicaUpdates is required"
        )
    for member in ("ReplicaUpdates", "MultiRegionConsistency", "GlobalTableWitnessUpdates"):
        if request.get(member) is not None:
            raise ValidationException(f"fogbank does not support global tables yet ({member})")
    record = table.record
    if request.get("AttributeDefinitions"):
        _merge_definitions(record, request["AttributeDefinitions"])
    _update_billing(record, request)
    _update_indexes(table, request)
    if request.get("StreamSpecification") is not None:
        previous = (record.get("Stream") or {}).get("StreamArn")
        _update_stream(record, request["StreamSpecification"])
        if previous:
            streams.close_stream(ctx.account, ctx.region, previous)
        if record["Stream"].get("Enabled", True):
            streams.open_stream(ctx.account, ctx.region, table)
    if request.get("SSESpecification") is not None:
        record["SSE"] = tables.sse_record(request["SSESpecification"], ctx.region, ctx.account)
    for member in ("TableClass", "DeletionProtectionEnabled", "OnDemandThroughput", "WarmThroughput"):
        if request.get(member) is not None:
            record[member] = request[member]
    catalog.save(ctx.account, ctx.region, table)
    return tables.describe(record, table.store, "UPDATING")


def _merge_definitions(record: dict[str, Any], definitions: list[dict[str, str]]) -> None:
    known = {d["AttributeName"]: d for d in record["AttributeDefinitions"]}
    for definition in definitions:
        existing = known.get(definition["AttributeName"])
        if existing is not None and existing["AttributeType"] != definition["AttributeType"]:
            raise invalid(
                f"Cannot change the type of attribute {definition['AttributeName']}"  # keys in use keep their type
            )
        known[definition["AttributeName"]] = definition
    record["AttributeDefinitions"] = list(known.values())


def _update_billing(record: dict[str, Any], request: dict[str, Any]) -> None:
    billing = request.get("BillingMode") or record["BillingMode"]
    throughput = request.get("ProvisionedThroughput")
    if billing == "PAY_PER_REQUEST" and throughput:
        raise invalid(
            "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"
        )
    if billing == "PROVISIONED" and record["BillingMode"] == "PAY_PER_REQUEST" and not throughput:
        raise ValidationException("ProvisionedThroughput must be specified when BillingMode is PROVISIONED")
    if billing != record["BillingMode"]:
        record["BillingMode"] = billing
        if billing == "PAY_PER_REQUEST":
            record["PayPerRequestSince"] = clock.now()
            record["Throughput"] = {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
            for index in record.get("GlobalSecondaryIndexes") or []:
                index["Throughput"] = {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
    if throughput:
        current = record["Throughput"]
        if current == {
            k: throughput[k] for k in ("ReadCapacityUnits", "WriteCapacityUnits")
        } and not request.get("BillingMode"):
            raise ValidationException(
                "The provisioned throughput for the table will not change. The requested value equals the current value. "
                f"Current ReadCapacityUnits provisioned for the table: {current['ReadCapacityUnits']}. Requested "
                f"ReadCapacityUnits: {throughput['ReadCapacityUnits']}. Current WriteCapacityUnits provisioned for the "
                f"table: {current['WriteCapacityUnits']}. Requested WriteCapacityUnits: {throughput['WriteCapacityUnits']}. "
                "Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits."
            )
        record["Throughput"] = {k: throughput[k] for k in ("ReadCapacityUnits", "WriteCapacityUnits")}


def _update_indexes(table: Table, request: dict[str, Any]) -> None:
    changes = request.get("GlobalSecondaryIndexUpdates") or []
    structural = [c for c in changes if c.get("Create") or c.get("Delete")]
    if len(structural) > 1:
        raise LimitExceededException(
            "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table"
        )
    record = table.record
    gsis = record.setdefault("GlobalSecondaryIndexes", [])
    for change in changes:
        if change.get("Create"):
            _create_gsi(table, change["Create"])
        elif change.get("Delete"):
            name = change["Delete"]["IndexName"]
            if not any(index["IndexName"] == name for index in gsis):
                raise ResourceNotFoundException(
                    f"Requested resource not found: Index: {name} not found"
                )  # AWS wording
            record["GlobalSecondaryIndexes"] = [index for index in gsis if index["IndexName"] != name]
            table.store.indexes.pop(name, None)
        elif change.get("Update"):
            _update_gsi(record, change["Update"])


def _create_gsi(table: Table, create: dict[str, Any]) -> None:
    record = table.record
    definitions = {d["AttributeName"]: d["AttributeType"] for d in record["AttributeDefinitions"]}
    names = {
        index["IndexName"]
        for index in (record.get("LocalSecondaryIndexes") or []) + record["GlobalSecondaryIndexes"]
    }
    if create["IndexName"] in names:
        raise ValidationException(
            f"One or more parameter values were invalid: Index with name: {create['IndexName']} already exists"
        )
    if len(record["GlobalSecondaryIndexes"]) >= tables.MAX_GSIS:
        raise LimitExceededException(
            f"GlobalSecondaryIndex count exceeds the per-table limit of {tables.MAX_GSIS}"
        )
    tables.check_gsi(create, definitions, record["BillingMode"], set())
    record["GlobalSecondaryIndexes"].append(tables.new_gsi_record(create, record["BillingMode"]))
    projection = create["Projection"]
    spec = IndexSpec(
        create["IndexName"],
        tables.key_spec(create["KeySchema"], definitions),
        projection.get("ProjectionType", "ALL"),
        frozenset(projection.get("NonKeyAttributes") or ()),
        True,
    )
    table.store.add_index(spec)


def _update_gsi(record: dict[str, Any], update: dict[str, Any]) -> None:
    for index in record.get("GlobalSecondaryIndexes") or []:
        if index["IndexName"] == update["IndexName"]:
            if update.get("ProvisionedThroughput"):
                if record["BillingMode"] == "PAY_PER_REQUEST":
                    raise invalid(
                        f"ProvisionedThroughput should not be specified for index: {update['IndexName']} when BillingMode is PAY_PER_REQUEST"
                    )
                throughput = update["ProvisionedThroughput"]
                index["Throughput"] = {k: throughput[k] for k in ("ReadCapacityUnits", "WriteCapacityUnits")}
            for member in ("OnDemandThroughput", "WarmThroughput"):
                if update.get(member):
                    index[member] = update[member]
            return
    raise ResourceNotFoundException(f"Requested resource not found: Index: {update['IndexName']} not found")


def _update_stream(record: dict[str, Any], spec: dict[str, Any]) -> None:
    tables.check_stream(spec)
    stream = record.get("Stream")
    enabled = stream is not None and stream.get("Enabled", True)
    if spec.get("StreamEnabled"):
        if enabled:
            raise ValidationException(
                f"Table already has an enabled stream: TableName: {record['TableName']}"
            )
        tables.enable_stream(record, spec["StreamViewType"])
    else:
        if not enabled:
            raise ValidationException(
                f"Table already has no enabled stream: TableName: {record['TableName']}"
            )  # AWS refuses a no-op
        stream["Enabled"] = False  # type: ignore[index]


# -- tags -------------------------------------------------------------------------------------


def _check_tags(tags: list[dict[str, str]]) -> None:
    if len(tags) > MAX_TAGS:
        raise ValidationException("One or more parameter values were invalid: Too many tags")


def _by_arn(catalog: Catalog, ctx: RequestContext, arn: str) -> Table:
    prefix = f"arn:{ctx.partition}:dynamodb:{ctx.region}:{ctx.account}:table/"
    if not arn.startswith("arn:") or ":table/" not in arn:
        raise ValidationException(f"Invalid TableArn: Invalid ResourceArn provided as input {arn}")
    table = (
        catalog.find(ctx.account, ctx.region, arn[len(prefix) :].split("/", 1)[0])
        if arn.startswith(prefix)
        else None
    )
    if table is None:
        raise ResourceNotFoundException(f"Requested resource not found: ResourcArn: {arn} not found")
    return table


def tag(catalog: Catalog, ctx: RequestContext, arn: str, tags: list[dict[str, str]]) -> None:
    table = _by_arn(catalog, ctx, arn)
    merged = dict(table.record["Tags"])
    merged.update({tag["Key"]: tag["Value"] for tag in tags})
    if len(merged) > MAX_TAGS:
        raise LimitExceededException(
            "The number of tags on the resource exceeds the limit of 50"
        )  # AWS: tag quota
    table.record["Tags"] = merged
    catalog.save(ctx.account, ctx.region, table)


def untag(catalog: Catalog, ctx: RequestContext, arn: str, keys: list[str]) -> None:
    table = _by_arn(catalog, ctx, arn)
    table.record["Tags"] = {k: v for k, v in table.record["Tags"].items() if k not in set(keys)}
    catalog.save(ctx.account, ctx.region, table)


def list_tags(catalog: Catalog, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    table = _by_arn(catalog, ctx, request["ResourceArn"])
    tags = [{"Key": k, "Value": v} for k, v in table.record["Tags"].items()]
    return {"Tags": tags}  # at most 50 tags: one page


# -- continuous backups -----------------------------------------------------------------------


def _backups_table(catalog: Catalog, ctx: RequestContext, name: str) -> Table:
    table = catalog.find(ctx.account, ctx.region, tables.name_from(name))
    if table is None:
        raise TableNotFoundException(f"Table not found: {tables.name_from(name)}")
    return table


def continuous_backups(catalog: Catalog, ctx: RequestContext, name: str) -> dict[str, Any]:
    record = _backups_table(catalog, ctx, name).record
    recovery: dict[str, Any] = {
        "PointInTimeRecoveryStatus": "ENABLED" if record["PointInTimeRecovery"] else "DISABLED"
    }
    if record["PointInTimeRecovery"]:
        now = clock.now()
        recovery["RecoveryPeriodInDays"] = record["RecoveryPeriodInDays"]
        recovery["EarliestRestorableDateTime"] = max(
            record["PointInTimeRecoverySince"], now - record["RecoveryPeriodInDays"] * 86400
        )
        recovery["LatestRestorableDateTime"] = now - 300  # AWS: typically five minutes before now
    return {"ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": recovery}


def update_continuous_backups(
    catalog: Catalog, ctx: RequestContext, request: dict[str, Any]
) -> dict[str, Any]:
    table = _backups_table(catalog, ctx, request["TableName"])
    spec = request["PointInTimeRecoverySpecification"]
    record = table.record
    enabled = spec["PointInTimeRecoveryEnabled"]
    days = spec.get("RecoveryPeriodInDays")
    if days is not None and not enabled:
        raise ValidationException(
            "RecoveryPeriodInDays can only be specified when PointInTimeRecoveryEnabled is true"
        )
    if enabled and not record["PointInTimeRecovery"]:
        record["PointInTimeRecoverySince"] = clock.now()
    record["PointInTimeRecovery"] = enabled
    record["RecoveryPeriodInDays"] = days or 35
    with state.atomic():
        catalog.save(ctx.account, ctx.region, table)
    return continuous_backups(catalog, ctx, request["TableName"])
