"""Durable state: collections of records scoped by service, account and region.

`collection(...)` returns a dict-like view that writes through to SQLite; `atomic()` groups writes so
that a failure leaves nothing half-written (in SQLite and in memory).
"""

from __future__ import annotations

from fogbank.state.database import Collection, Database, atomic, collection, database, open_database

__all__ = ["Collection", "Database", "atomic", "collection", "database", "open_database"]
