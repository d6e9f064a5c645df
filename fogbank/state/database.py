"""The SQLite backend (WAL on disk, or in memory) and the write-through collections over it.

Group commit. Committing costs more than the write itself (SQLite appends the transaction's pages
and a commit frame to the WAL), and a busy gateway handles several requests in one event-loop
iteration. Once the gateway calls `group_commits()`, a write made on the event loop outside any
`atomic()` block opens one transaction (`BEGIN IMMEDIATE`) that every write of the same
iteration joins; a callback scheduled with `call_soon` commits it at the start of the next
iteration, after every request task that was ready has run up to its response. The gateway
answers a request from `after_commit` (or awaits `committed()`), so a client is answered only
once the commit holding its writes is done: an acknowledged write still survives `kill -9` (WAL
with `synchronous=NORMAL`: the commit is in the OS before the answer leaves).

`atomic()` keeps its all-or-nothing meaning inside the group transaction: its outermost block is a
savepoint (`sp0`), rolled back with the block's in-memory changes when the block fails, released
(and so committed with the group) when it succeeds. Blocks never span an `await`, so the commit
callback never runs inside one (it waits a further iteration if it ever did).

Without a running event loop (tests, command-line tools, other threads) or before
`group_commits()`, every write outside `atomic()` commits at once and an outermost `atomic()` is
its own transaction, exactly as before. If a group commit ever fails (disk full), the waiting
requests answer InternalFailure; the records they changed in memory are not rolled back.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Generic, TypeVar

import orjson

R = TypeVar("R")
log = logging.getLogger("fogbank.state")

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
        found: R | None = self._items.get(key, default)
        return found

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
        # 8 KiB pages (takes effect when the file is created): a row keeps up to about 2000 bytes
        # in its page, so a 1 KiB S3 body (1.4 KB as base64 text) no longer spills into an
        # overflow page of its own; with its object record, a group of 16 PutObjects wrote 33 µs
        # of CPU per put with 4 KiB pages and 20 µs with 8 KiB; SQS- and DynamoDB-sized rows
        # (200-600 bytes) cost the same either way (measured 2026-11-26).
        self._conn.execute("PRAGMA page_size=8192")
        if path is not None:
            self._conn.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode: a committed write survives the process being killed (the OS has it).
            self._conn.execute("PRAGMA synchronous=NORMAL")
            # A checkpoint copies the WAL back into the database file and syncs it, on the thread
            # that commits: at the default 1000 pages it stalled the event loop every few hundred
            # writes (random keys dirty a page per write). 10000 pages of 4 KiB (40 MiB of WAL) cut
            # the wall time of a write three-fold and its CPU time by a quarter (measured with
            # SQS-sized records, 2026-11-26); 5000 pages of 8 KiB are the same 40 MiB.
            self._conn.execute("PRAGMA wal_autocheckpoint=5000")
        self._conn.executescript(_SCHEMA)
        self._collections: dict[tuple[str, str, str], Collection[Any]] = {}
        self._depth = 0
        self._journal: list[tuple[Collection[Any], str]] = []
        self._lock = threading.RLock()
        self._grouping = False
        self._group_open = False  # a group transaction is open and its commit is scheduled
        self._waiters: list[Callable[[Exception | None], None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None  # the loop of the open group

    # -- group commit -----------------------------------------------------------------------------

    def group_commits(self, enabled: bool = True) -> None:
        """Let writes made on the event loop commit together, once per loop iteration."""
        self._grouping = enabled

    def _join_group(self) -> bool:
        """Before a write outside `atomic()`: open the iteration's group transaction if grouping is
        on and an event loop runs in this thread. True when the write belongs to a group."""
        if self._group_open:
            return True
        if not self._grouping:
            return False
        loop = asyncio._get_running_loop()
        if loop is None:
            return False
        self._conn.execute("BEGIN IMMEDIATE")
        self._group_open = True
        self._loop = loop
        loop.call_soon(self._commit_group, loop)
        return True

    def _commit_group(self, loop: asyncio.AbstractEventLoop) -> None:
        if not self._group_open:  # closed (and committed) meanwhile
            return
        if self._depth:  # cannot happen (atomic blocks never span an await); commit later
            loop.call_soon(self._commit_group, loop)
            return
        self._group_open = False
        try:
            self._conn.execute("COMMIT")
        except sqlite3.Error as problem:
            log.exception("group commit failed; %d waiting requests fail", len(self._waiters))
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            self._notify(problem)
            return
        self._notify(None)

    def after_commit(self, callback: Callable[[Exception | None], None]) -> bool:
        """Call `callback(None)` once the open group transaction has committed, `callback(error)`
        if that commit failed. False, and no call, when every write made so far is committed.
        The gateway answers a request from here: no future and no task wake-up per write request
        (see `fogbank.gateway.app`)."""
        if not self._group_open:
            return False
        self._waiters.append(callback)
        return True

    def committed(self) -> asyncio.Future[None] | None:
        """None when every write made so far is committed; otherwise a future that completes
        when the open group transaction has committed (raises if that commit failed)."""
        if not self._group_open:
            return None
        assert self._loop is not None  # set with the group
        waiter: asyncio.Future[None] = self._loop.create_future()

        def settle(problem: Exception | None) -> None:
            if waiter.done():
                return
            if problem is None:
                waiter.set_result(None)
            else:
                waiter.set_exception(problem)

        self._waiters.append(settle)
        return waiter

    def _finish_group(self) -> None:
        """Commit the open group transaction now (before closing)."""
        if self._group_open:
            self._group_open = False
            self._conn.execute("COMMIT")
            self._notify(None)

    def _notify(self, problem: Exception | None) -> None:
        waiters, self._waiters = self._waiters, []
        for callback in waiters:
            try:
                callback(problem)
            except Exception:  # a bug in one waiter must not leave the others unanswered
                log.exception("a commit callback failed")

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
        if not self._depth:
            self._join_group()
        self._conn.execute(
            "INSERT OR REPLACE INTO records (service, scope, kind, key, value) VALUES (?, ?, ?, ?, ?)",
            (service, scope, kind, key, raw),
        )

    def remove(self, service: str, scope: str, kind: str, key: str) -> None:
        if not self._depth:
            self._join_group()
        self._conn.execute(
            "DELETE FROM records WHERE service=? AND scope=? AND kind=? AND key=?",
            (service, scope, kind, key),
        )

    def remove_kind(self, service: str, scope: str, kind: str) -> None:
        """Delete every record of one kind in one scope at once (a dropped DynamoDB table's items).
        Not journaled: call it outside `atomic()` or from code that cannot roll back afterwards."""
        if not self._depth:
            self._join_group()
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
        """All writes inside commit together or not at all; nested blocks use savepoints (and so
        does the outermost block inside a group transaction: it commits with the group)."""
        with self._lock:
            depth = self._depth
            mark = len(self._journal)
            grouped = depth == 0 and self._join_group()
            own_transaction = depth == 0 and not grouped
            self._conn.execute("BEGIN IMMEDIATE" if own_transaction else f"SAVEPOINT sp{depth}")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if own_transaction:
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
                if own_transaction:
                    self._conn.execute("COMMIT")
                else:
                    self._conn.execute(f"RELEASE sp{depth}")
                if depth == 0:
                    self._journal.clear()

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
        self._finish_group()
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
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        return dataclasses.asdict(record)
    return dict(record)
