"""EventBridge operations on connections and API destinations (a mixin of the provider); the
records and rules live in `connections` and `api_destinations`."""

from __future__ import annotations

from typing import Any

from fogbank import clock, state
from fogbank.context import RequestContext
from fogbank.services.events import api_destinations, connections, pagination
from fogbank.services.events.errors import ResourceAlreadyExistsException


class ConnectionOperations:
    # -- connections ----------------------------------------------------------------------------

    def create_connection(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        connections.refuse_unsupported(request)
        store = connections.collection(ctx.account, ctx.region)
        if request["Name"] in store:
            raise ResourceAlreadyExistsException(f"Connection {request['Name']} already exists.")
        with state.atomic():
            record = connections.create(ctx.account, ctx.region, request)
            store.put(record["Name"], record)
        return connections.summary(record, "ConnectionState")

    def describe_connection(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        record = connections.require(ctx.account, ctx.region, request["Name"])
        shown = ("Name", "Description", "ConnectionState", "StateReason", "AuthorizationType", "SecretArn")
        out = connections.summary(record, *shown)
        out["AuthParameters"] = record["AuthParameters"]
        return out

    def update_connection(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        connections.refuse_unsupported(request)
        record = connections.require(ctx.account, ctx.region, request["Name"])
        with state.atomic():
            connections.update(ctx.account, ctx.region, record, request)
            connections.collection(ctx.account, ctx.region).put(record["Name"], record)
        return connections.summary(record, "ConnectionState")

    def delete_connection(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        record = connections.require(ctx.account, ctx.region, request["Name"])
        with state.atomic():
            connections.delete_secret(ctx.account, ctx.region, record)
            connections.collection(ctx.account, ctx.region).delete(record["Name"])
        # AWS answers with the transitional state; the connection is gone right after.
        return {**connections.summary(record), "ConnectionState": "DELETING"}

    def deauthorize_connection(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        """Removes the authorization: API destinations using it fail until it is updated."""
        record = connections.require(ctx.account, ctx.region, request["Name"])
        record.update(ConnectionState="DEAUTHORIZED", LastModifiedTime=clock.now())
        connections.collection(ctx.account, ctx.region).put(record["Name"], record)
        return {**connections.summary(record), "ConnectionState": "DEAUTHORIZING"}

    def list_connections(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        prefix, wanted = request.get("NamePrefix") or "", request.get("ConnectionState")
        shown = ("Name", "ConnectionState", "StateReason", "AuthorizationType")
        listed = [
            connections.summary(record, *shown)
            for name, record in sorted(connections.collection(ctx.account, ctx.region).items())
            if name.startswith(prefix) and (not wanted or record["ConnectionState"] == wanted)
        ]
        return pagination.page(listed, request, "Connections")

    # -- API destinations -----------------------------------------------------------------------

    def create_api_destination(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        store = api_destinations.collection(ctx.account, ctx.region)
        if request["Name"] in store:
            raise ResourceAlreadyExistsException(f"An api-destination '{request['Name']}' already exists.")
        record = api_destinations.create(ctx.account, ctx.region, request)
        store.put(record["Name"], record)
        return api_destinations.summary(record)

    def describe_api_destination(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return api_destinations.describe(api_destinations.require(ctx.account, ctx.region, request["Name"]))

    def update_api_destination(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        record = api_destinations.require(ctx.account, ctx.region, request["Name"])
        api_destinations.update(ctx.account, ctx.region, record, request)
        api_destinations.collection(ctx.account, ctx.region).put(record["Name"], record)
        return api_destinations.summary(record)

    def delete_api_destination(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        record = api_destinations.require(ctx.account, ctx.region, request["Name"])
        api_destinations.collection(ctx.account, ctx.region).delete(record["Name"])
        return {}

    def list_api_destinations(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        prefix, connection = request.get("NamePrefix") or "", request.get("ConnectionArn")
        if connection:
            connections.name_of(connection)  # a malformed ARN is a ValidationException
        listed = [
            {k: v for k, v in api_destinations.describe(record).items() if k != "Description"}
            for name, record in sorted(api_destinations.collection(ctx.account, ctx.region).items())
            if name.startswith(prefix) and (not connection or record["ConnectionArn"] == connection)
        ]
        return pagination.page(listed, request, "ApiDestinations")
