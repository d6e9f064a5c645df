"""Amazon DynamoDB operations: tables, items, queries and scans, batches and transactions.

Not supported yet (answered with a clear error, or NotImplemented for operations without a
method): PartiQL beyond SELECT/INSERT/UPDATE/DELETE with literals and parameters, backups and
restores, exports and imports, global tables and replicas,
contributor insights, resource policies; TTL expiry of items is on fogbank's clock (see ttl.py).
"""

from __future__ import annotations

from typing import Any

import orjson

from fogbank import state
from fogbank.context import RequestContext
from fogbank.services.dynamodb import (
    batches,
    capacity,
    clauses,
    items,
    kinesis_destinations,
    reads,
    statements,
    streams,
    table_admin,
    transactions,
    ttl,
)
from fogbank.services.dynamodb.catalog import Catalog
from fogbank.services.dynamodb.conditions import project
from fogbank.services.dynamodb.storage import RAW, SIZE, entry_item
from fogbank.services.dynamodb.tables import Table
from fogbank.services.provider import Provider


class DynamoDbProvider(Provider):
    service = "dynamodb"

    def __init__(self) -> None:
        self.catalog = Catalog()
        self.tokens = transactions.TokenCache()

    def start(self) -> None:
        ttl.start(self.catalog)
        streams.start()
        kinesis_destinations.start()

    def stop(self) -> None:
        ttl.stop()
        streams.stop()
        kinesis_destinations.stop()

    def table(self, ctx: RequestContext, name: str) -> Table:
        return self.catalog.get(ctx.account, ctx.region, name)

    # -- tables --------------------------------------------------------------------------------

    def create_table(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return {"TableDescription": table_admin.create(self.catalog, ctx, request)}

    def describe_table(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return {"Table": table_admin.describe(self.catalog, ctx, request["TableName"])}

    def update_table(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return {"TableDescription": table_admin.update(self.catalog, ctx, request)}

    def delete_table(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return {"TableDescription": table_admin.delete(self.catalog, ctx, request["TableName"])}

    def list_tables(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return table_admin.list_tables(self.catalog, ctx, request)

    def describe_limits(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        # The default quotas of an account: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
        return {
            "AccountMaxReadCapacityUnits": 80000,
            "AccountMaxWriteCapacityUnits": 80000,
            "TableMaxReadCapacityUnits": 40000,
            "TableMaxWriteCapacityUnits": 40000,
        }

    def describe_endpoints(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return {
            "Endpoints": [{"Address": f"dynamodb.{ctx.region}.amazonaws.com", "CachePeriodInMinutes": 1440}]
        }

    def tag_resource(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        table_admin.tag(self.catalog, ctx, request["ResourceArn"], request["Tags"])
        return {}

    def untag_resource(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        table_admin.untag(self.catalog, ctx, request["ResourceArn"], request["TagKeys"])
        return {}

    def list_tags_of_resource(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return table_admin.list_tags(self.catalog, ctx, request)

    def describe_continuous_backups(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return {
            "ContinuousBackupsDescription": table_admin.continuous_backups(
                self.catalog, ctx, request["TableName"]
            )
        }

    def update_continuous_backups(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        description = table_admin.update_continuous_backups(self.catalog, ctx, request)
        return {"ContinuousBackupsDescription": description}

    def describe_time_to_live(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        table = self.table(ctx, request["TableName"])
        return {"TimeToLiveDescription": dict(table.record["TimeToLive"])}

    def update_time_to_live(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        table = self.table(ctx, request["TableName"])
        specification = ttl.update(table, request["TimeToLiveSpecification"])
        self.catalog.save(ctx.account, ctx.region, table)
        return {"TimeToLiveSpecification": specification}

    # -- Kinesis streaming destinations --------------------------------------------------------

    def enable_kinesis_streaming_destination(
        self, ctx: RequestContext, request: dict[str, Any]
    ) -> dict[str, Any]:
        with state.atomic():
            return kinesis_destinations.enable(self.catalog, ctx, request)

    def disable_kinesis_streaming_destination(
        self, ctx: RequestContext, request: dict[str, Any]
    ) -> dict[str, Any]:
        with state.atomic():
            return kinesis_destinations.disable(self.catalog, ctx, request)

    def update_kinesis_streaming_destination(
        self, ctx: RequestContext, request: dict[str, Any]
    ) -> dict[str, Any]:
        with state.atomic():
            return kinesis_destinations.update(self.catalog, ctx, request)

    def describe_kinesis_streaming_destination(
        self, ctx: RequestContext, request: dict[str, Any]
    ) -> dict[str, Any]:
        return kinesis_destinations.describe(self.catalog, ctx, request)

    # -- items ---------------------------------------------------------------------------------

    def put_item(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        found = clauses.read(request, ("ConditionExpression",))
        wanted = items.check_return_values(request, ("NONE", "ALL_OLD"))
        table = self.table(ctx, request["TableName"])
        change = items.put(table, request, found)
        return self._write_result(table, request, change, wanted)

    def update_item(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        found = clauses.read(request, ("UpdateExpression", "ConditionExpression"))
        wanted = items.check_return_values(
            request, ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW")
        )
        table = self.table(ctx, request["TableName"])
        change = items.update(table, request, found)
        return self._write_result(table, request, change, wanted)

    def delete_item(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        found = clauses.read(request, ("ConditionExpression",))
        wanted = items.check_return_values(request, ("NONE", "ALL_OLD"))
        table = self.table(ctx, request["TableName"])
        change = items.delete(table, request, found)
        return self._write_result(table, request, change, wanted)

    def _write_result(
        self, table: Table, request: dict[str, Any], change: items.Change, wanted: str
    ) -> dict[str, Any]:
        result: dict[str, Any] = {}
        attributes = items.returned_attributes(change, wanted)
        if attributes:
            result["Attributes"] = attributes
        mode = request.get("ReturnConsumedCapacity")
        if mode in ("TOTAL", "INDEXES"):
            units = capacity.write_units(change.old_size, change.new_size)
            spent = capacity.index_write_units(
                table, change.old, change.new, change.old_size, change.new_size
            )
            result["ConsumedCapacity"] = capacity.consumed(table, mode, units, kind="write", indexes=spent)
        metrics = capacity.item_collection_metrics(
            table, change.new or change.old, request.get("ReturnItemCollectionMetrics")
        )
        if metrics:
            result["ItemCollectionMetrics"] = metrics
        return result

    def get_item(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        found = clauses.read(request, ("ProjectionExpression",))
        table = self.table(ctx, request["TableName"])
        entry = table.store.get(items.check_key(table, request["Key"]))
        result: dict[str, Any] = {}
        if entry is not None:
            if found.projection is not None:
                result["Item"] = project(entry_item(entry), found.projection)
            elif ctx.protocol == "json":
                result["Item"] = orjson.Fragment(entry[RAW])  # the stored JSON, not parsed and re-encoded
            else:
                result["Item"] = entry_item(entry)
        mode = request.get("ReturnConsumedCapacity")
        if mode in ("TOTAL", "INDEXES"):
            units = capacity.read_units(entry[SIZE] if entry else 0, bool(request.get("ConsistentRead")))
            result["ConsumedCapacity"] = capacity.consumed(table, mode, units, kind="read")
        return result

    # -- reads ---------------------------------------------------------------------------------

    def query(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        found = clauses.read(request, ("KeyConditionExpression", "FilterExpression", "ProjectionExpression"))
        table = self.table(ctx, request["TableName"])
        return reads.query(table, request, found)

    def scan(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        found = clauses.read(
            request, ("FilterExpression", "ProjectionExpression"), filter_legacy="ScanFilter"
        )
        table = self.table(ctx, request["TableName"])
        return reads.scan(table, request, found)

    # -- batches and transactions --------------------------------------------------------------

    def batch_get_item(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return batches.get(self.catalog, ctx, request)

    def batch_write_item(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        with state.atomic():
            return batches.write(self.catalog, ctx, request)

    def transact_get_items(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return transactions.get(self.catalog, ctx, request)

    def transact_write_items(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return transactions.write(self.catalog, self.tokens, ctx, request)

    # -- PartiQL -------------------------------------------------------------------------------

    def execute_statement(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return statements.execute(self.catalog, ctx, request)

    def batch_execute_statement(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return statements.batch(self.catalog, ctx, request)

    def execute_transaction(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        token = request.get("ClientRequestToken")
        fingerprint = orjson.dumps(request, option=orjson.OPT_SORT_KEYS)
        if token:
            earlier = self.tokens.find(ctx, token, fingerprint)
            if earlier is not None:
                return earlier
        result = statements.transaction(self.catalog, ctx, request)
        if token:
            self.tokens.remember(ctx, token, fingerprint, result)
        return result
