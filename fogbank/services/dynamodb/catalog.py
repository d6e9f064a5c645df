"""Every account's and region's tables: the stored records (a collection per account and region)
and, for each, the runtime `Table` with its loaded item store, built on first use."""

from __future__ import annotations

from typing import Any

from fogbank import state
from fogbank.services.catalog import RecordCatalog
from fogbank.services.dynamodb import ttl
from fogbank.services.dynamodb.errors import ResourceNotFoundException
from fogbank.services.dynamodb.storage import ItemStore
from fogbank.services.dynamodb.tables import Record, Table, index_specs, key_spec, name_from


class Catalog(RecordCatalog[Table]):
    service, kind, name_key = "dynamodb", "tables", "TableName"

    def get(self, account: str, region: str, table: str, message: str | None = None) -> Table:
        """The table a request names (by name or ARN), or ResourceNotFoundException."""
        name = name_from(table)
        found = self.find(account, region, name)
        if found is None:
            raise ResourceNotFoundException(message or "Requested resource not found")
        return found

    def build(self, account: str, region: str, record: Record) -> Table:
        """The runtime table for a record (loading its items from SQLite)."""
        definitions = {d["AttributeName"]: d["AttributeType"] for d in record["AttributeDefinitions"]}
        key = key_spec(record["KeySchema"], definitions)
        store = ItemStore(state.database(), f"{account}/{region}", record["TableId"], key)
        specs = index_specs(record)
        for spec in specs.values():
            store.add_index(spec)
        store.load()
        return Table(record, key, store, specs)

    def attach(self, account: str, region: str, record: Record) -> Table:
        table = super().attach(account, region, record)
        ttl.track(table)
        return table

    def save(self, account: str, region: str, table: Table) -> None:
        """Persist a changed table record; refresh the index specs it declares."""
        self.records(account, region).put(table.name, table.record)
        table.indexes = index_specs(table.record)

    def forget(self, account: str, region: str, name: str) -> None:
        table = self.detach(account, region, name)
        if table is not None:
            ttl.forget(table)

    def attach_expiring(self) -> None:
        """After a restart: load the tables whose items expire, so that expiry resumes."""
        for scope in state.database().scopes("dynamodb", "tables"):
            account, _, region = scope.partition("/")
            for record in list(self.records(account, region).values()):
                if record["TimeToLive"]["TimeToLiveStatus"] == "ENABLED":
                    self.find(account, region, record["TableName"])

    def all_live(self) -> list[tuple[tuple[str, str, str], Table]]:
        return list(self._live.items())

    def records_of(self, account: str, region: str) -> Any:
        return self.records(account, region).values()
