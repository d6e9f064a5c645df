"""The SQLite backend (WAL on disk, or in memory) and the write-through collections over it."""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Generic, TypeVar

import orjson

R = TypeVar("R")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    service TEXT NOT NULL,
    scope TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (service, scope, kind, key)
) WITHOUT ROWID;
"""


class Collection(Generic[R]):
    """A persistent mapping of key → record, kept in memory and written through to SQLite.

    Records are JSON-shaped dicts or flat dataclasses. A record mutated in place is persisted by
    calling `put` again with it.
    """

    __slots__ = ("_db", "service", "scope", "kind", "_record_type", "_items")

    def __init__(self, db: Database, service: str, scope: str, kind: str, record_type: type[R] | None):
        self._db = db
        self.service = service
        self.scope = scope
        self.kind = kind
        self._record_type = record_type
        self._items: dict[str, R] = {}
        for key, raw in db.load(service, scope, kind):
            self._items[key] = self._decode(raw)

    def _decode(self, raw: bytes) -> R:
        data = orjson.loads(raw)
        if self._record_type is None:
            return data  # type: ignore[no-any-return]
        return self._record_type(**data)

    def get(self, key: str, default: Any = None) -> R | None:
        return self._items.get(key, default)

    def __getitem__(self, key: str) -> R:
        return self._items[key]

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def keys(self) -> Any:
        return self._items.keys()

    def values(self) -> Any:
        return self._items.values()

    def items(self) -> Any:
        return self._items.items()

    def put(self, key: str, record: R) -> None:
        self._db.journal(self, key)
        raw = orjson.dumps(record)
        self._items[key] = record
        self._db.write(self.service, self.scope, self.kind, key, raw)

    def delete(self, key: str) -> None:
        if key not in self._items:
            return
        self._db.journal(self, key)
        del self._items[key]
        self._db.remove(self.service, self.scope, self.kind, key)

    def clear(self) -> None:
        for key in list(self._items):
            self.delete(key)

    def _reload(self, key: str) -> None:
        """Re-read one key from SQLite after a rollback restored its stored value."""
        raw = self._db.load_one(self.service, self.scope, self.kind, key)
        if raw is None:
            self._items.pop(key, None)
        else:
            self._items[key] = self._decode(raw)


class Database:
    """One SQLite database holding every service's records. `path=None` keeps it in memory."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        target = str(path) if path is not None else ":memory:"
        self._conn = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
        if path is not None:
            self._conn.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode: a committed write survives the process being killed (the OS has it).
            self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)
        self._collections: dict[tuple[str, str, str], Collection[Any]] = {}
        self._depth = 0
        self._journal: list[tuple[Collection[Any], str]] = []
        self._lock = threading.RLock()

    # -- collections ---------------------------------------------------------------------------

    def collection(
        self, service: str, kind: str, scope: str, record_type: type[R] | None = None
    ) -> Collection[R]:
        ident = (service, scope, kind)
        found = self._collections.get(ident)
        if found is None:
            found = Collection(self, service, scope, kind, record_type)
            self._collections[ident] = found
        return found

    def scopes(self, service: str, kind: str) -> list[str]:
        """Every scope that holds records of this kind (for engines that sweep all accounts)."""
        rows = self._conn.execute(
            "SELECT DISTINCT scope FROM records WHERE service=? AND kind=?", (service, kind)
        ).fetchall()
        known = {scope for (svc, scope, knd) in self._collections if svc == service and knd == kind}
        return sorted(known | {row[0] for row in rows})

    # -- raw access used by collections ---------------------------------------------------------

    def load(self, service: str, scope: str, kind: str) -> list[tuple[str, bytes]]:
        return self._conn.execute(
            "SELECT key, value FROM records WHERE service=? AND scope=? AND kind=?", (service, scope, kind)
        ).fetchall()

    def load_one(self, service: str, scope: str, kind: str, key: str) -> bytes | None:
        row = self._conn.execute(
            "SELECT value FROM records WHERE service=? AND scope=? AND kind=? AND key=?",
            (service, scope, kind, key),
        ).fetchone()
        return row[0] if row else None

    def write(self, service: str, scope: str, kind: str, key: str, raw: bytes) -> None:
        self._conn.execute(
            "INSERT OR REPLACE INTO records (service, scope, kind, key, value) VALUES (?, ?, ?, ?, ?)",
            (service, scope, kind, key, raw),
        )

    def remove(self, service: str, scope: str, kind: str, key: str) -> None:
        self._conn.execute(
            "DELETE FROM records WHERE service=? AND scope=? AND kind=? AND key=?",
            (service, scope, kind, key),
        )

    def remove_kind(self, service: str, scope: str, kind: str) -> None:
        """Delete every record of one kind in one scope at once (a dropped DynamoDB table's items).
        Not journaled: call it outside `atomic()` or from code that cannot roll back afterwards."""
        self._conn.execute(
            "DELETE FROM records WHERE service=? AND scope=? AND kind=?", (service, scope, kind)
        )
        self._collections.pop((service, scope, kind), None)  # a later collection() starts empty

    def journal(self, collection: Collection[Any], key: str) -> None:
        if self._depth:
            self._journal.append((collection, key))

    # -- transactions ---------------------------------------------------------------------------

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """All writes inside commit together or not at all; nested blocks use savepoints."""
        with self._lock:
            depth = self._depth
            mark = len(self._journal)
            self._conn.execute("BEGIN IMMEDIATE" if depth == 0 else f"SAVEPOINT sp{depth}")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if depth == 0:
                    self._conn.execute("ROLLBACK")
                else:
                    self._conn.execute(f"ROLLBACK TO sp{depth}")
                    self._conn.execute(f"RELEASE sp{depth}")
                undone = self._journal[mark:]
                del self._journal[mark:]
                for collection, key in reversed(undone):
                    collection._reload(key)
                raise
            else:
                self._depth -= 1
                if depth == 0:
                    self._conn.execute("COMMIT")
                    self._journal.clear()
                else:
                    self._conn.execute(f"RELEASE sp{depth}")

    # -- whole-state operations -----------------------------------------------------------------

    def reset(self, service: str | None = None) -> None:
        with self.atomic():
            if service is None:
                self._conn.execute("DELETE FROM records")
            else:
                self._conn.execute("DELETE FROM records WHERE service=?", (service,))
        for ident in list(self._collections):
            if service is None or ident[0] == service:
                del self._collections[ident]

    def dump(self) -> list[tuple[str, str, str, str, bytes]]:
        return self._conn.execute("SELECT service, scope, kind, key, value FROM records").fetchall()

    def restore(self, rows: list[tuple[str, str, str, str, bytes]]) -> None:
        with self.atomic():
            self._conn.execute("DELETE FROM records")
            self._conn.executemany(
                "INSERT INTO records (service, scope, kind, key, value) VALUES (?, ?, ?, ?, ?)", rows
            )
        self._collections.clear()

    def services(self) -> set[str]:
        return {row[0] for row in self._conn.execute("SELECT DISTINCT service FROM records")}

    def close(self) -> None:
        self._conn.close()


_database: Database | None = None


def open_database(path: Path | None) -> Database:
    """Open the process-wide database (called once at start-up; again by tests)."""
    global _database
    if _database is not None:
        _database.close()
    _database = Database(path)
    return _database


def database() -> Database:
    if _database is None:
        return open_database(None)
    return _database


def collection(
    service: str, kind: str, account: str, region: str | None = None, record_type: type[R] | None = None
) -> Collection[R]:
    """The collection `kind` of `service` for one account and region (region None: account-global)."""
    scope = f"{account}/{region}" if region else account
    return database().collection(service, kind, scope, record_type)


def atomic() -> Any:
    return database().atomic()


def record_to_dict(record: Any) -> dict[str, Any]:
    return dataclasses.asdict(record) if dataclasses.is_dataclass(record) else dict(record)
