"""The state layer used directly: write-through collections, atomic blocks (savepoints), reopening."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from fogbank.state import Database


class Boom(Exception):
    pass


@dataclass(slots=True)
class Queue:
    name: str
    delay: int = 0


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "state.sqlite")
    yield database
    database.close()


def stored(path: Path) -> dict[tuple[str, str, str, str], bytes]:
    """What another connection sees on disk (committed data only)."""
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT service, scope, kind, key, value FROM records").fetchall()
    return {(s, sc, k, key): value for s, sc, k, key, value in rows}


def test_put_outside_atomic_is_committed_at_once(db: Database) -> None:
    queues = db.collection("sqs", "queues", "000000000000/us-east-1")
    queues.put("a", {"n": 1})
    assert db.path is not None
    assert stored(db.path) == {("sqs", "000000000000/us-east-1", "queues", "a"): b'{"n":1}'}
    assert queues["a"] == {"n": 1} and "a" in queues and len(queues) == 1


def test_atomic_exception_restores_memory_and_sqlite(db: Database) -> None:
    queues = db.collection("sqs", "queues", "000000000000/us-east-1")
    queues.put("kept", {"v": 1})
    queues.put("changed", {"v": 1})
    with pytest.raises(Boom), db.atomic():
        queues.put("changed", {"v": 2})
        queues.put("added", {"v": 3})
        queues.delete("kept")
        assert dict(queues.items()) == {"changed": {"v": 2}, "added": {"v": 3}}
        raise Boom
    assert dict(queues.items()) == {"kept": {"v": 1}, "changed": {"v": 1}}
    assert db.path is not None
    assert {key[3]: value for key, value in stored(db.path).items()} == {
        "kept": b'{"v":1}',
        "changed": b'{"v":1}',
    }


def test_atomic_success_commits_everything_together(db: Database) -> None:
    queues = db.collection("sqs", "queues", "s")
    with db.atomic():
        queues.put("a", {"v": 1})
        queues.put("b", {"v": 2})
        assert db.path is not None
        assert stored(db.path) == {}  # not visible to others before the block ends
    assert sorted(key[3] for key in stored(db.path)) == ["a", "b"]


def test_atomic_nested_failure_rolls_back_only_the_savepoint(db: Database) -> None:
    queues = db.collection("sqs", "queues", "s")
    with db.atomic():
        queues.put("outer", {"v": 1})
        with pytest.raises(Boom), db.atomic():
            queues.put("inner", {"v": 2})
            queues.put("outer", {"v": 99})
            raise Boom
        assert dict(queues.items()) == {"outer": {"v": 1}}
        queues.put("after", {"v": 3})
    assert dict(queues.items()) == {"outer": {"v": 1}, "after": {"v": 3}}
    assert db.path is not None
    assert sorted(key[3] for key in stored(db.path)) == ["after", "outer"]


def test_atomic_outer_failure_undoes_committed_savepoints(db: Database) -> None:
    queues = db.collection("sqs", "queues", "s")
    with pytest.raises(Boom), db.atomic():
        with db.atomic():
            queues.put("inner", {"v": 1})
        raise Boom
    assert dict(queues.items()) == {}
    assert db.path is not None
    assert stored(db.path) == {}


def test_atomic_rollback_spans_collections_of_several_services(db: Database) -> None:
    queues = db.collection("sqs", "queues", "s")
    topics = db.collection("sns", "topics", "s")
    topics.put("t", {"v": 1})
    with pytest.raises(Boom), db.atomic():
        queues.put("q", {"v": 1})
        topics.delete("t")
        raise Boom
    assert "q" not in queues and topics["t"] == {"v": 1}


def test_collection_reopen_reloads_records_and_dataclasses(tmp_path: Path) -> None:
    first = Database(tmp_path / "state.sqlite")
    first.collection("sqs", "queues", "a/r", Queue).put("q", Queue("q", delay=5))
    first.collection("iam", "users", "a").put("u", {"UserName": "u"})
    first.close()
    second = Database(tmp_path / "state.sqlite")
    try:
        assert second.collection("sqs", "queues", "a/r", Queue)["q"] == Queue("q", delay=5)
        assert dict(second.collection("iam", "users", "a").items()) == {"u": {"UserName": "u"}}
        assert len(second.collection("iam", "users", "other-account")) == 0
    finally:
        second.close()


def test_collection_same_identity_returns_same_object(db: Database) -> None:
    assert db.collection("sqs", "queues", "s") is db.collection("sqs", "queues", "s")
    assert db.collection("sqs", "queues", "s") is not db.collection("sqs", "queues", "t")


def test_reset_service_keeps_other_services(db: Database) -> None:
    db.collection("sqs", "queues", "s").put("q", {})
    db.collection("sns", "topics", "s").put("t", {})
    db.reset("sqs")
    assert len(db.collection("sqs", "queues", "s")) == 0
    assert "t" in db.collection("sns", "topics", "s")
    assert db.services() == {"sns"}
    db.reset()
    assert db.services() == set() and len(db.collection("sns", "topics", "s")) == 0


def test_scopes_lists_stored_and_open_scopes(db: Database) -> None:
    db.collection("sqs", "queues", "1/us-east-1").put("q", {})
    db.collection("sqs", "queues", "2/eu-west-1")  # open but empty: still a scope engines sweep
    assert db.scopes("sqs", "queues") == ["1/us-east-1", "2/eu-west-1"]
    assert db.scopes("sqs", "other") == []


def test_dump_and_restore_replace_everything(db: Database) -> None:
    db.collection("sqs", "queues", "s").put("q", {"v": 1})
    rows = db.dump()
    db.collection("sqs", "queues", "s").put("extra", {"v": 2})
    db.restore(rows)
    assert dict(db.collection("sqs", "queues", "s").items()) == {"q": {"v": 1}}


def test_memory_database_works_without_a_path() -> None:
    database = Database(None)
    try:
        queues = database.collection("sqs", "queues", "s")
        with pytest.raises(Boom), database.atomic():
            queues.put("q", {})
            raise Boom
        assert len(queues) == 0
    finally:
        database.close()


def test_remove_kind_deletes_one_kind_of_one_scope(db: Database) -> None:
    db.collection("logs", "events:g", "a/r").put("1", {})
    db.collection("logs", "events:g", "b/r").put("1", {})
    db.collection("logs", "streams", "a/r").put("s", {})
    db.remove_kind("logs", "a/r", "events:g")
    assert len(db.collection("logs", "events:g", "a/r")) == 0
    assert len(db.collection("logs", "events:g", "b/r")) == 1
    assert len(db.collection("logs", "streams", "a/r")) == 1


def test_group_commit_calls_after_commit_callbacks_once_the_write_is_on_disk(db: Database) -> None:
    assert db.path is not None
    path = db.path
    queues = db.collection("sqs", "queues", "000000000000/us-east-1")
    db.group_commits()
    seen: list[tuple[str, Exception | None, int]] = []

    def failing(problem: Exception | None) -> None:
        raise Boom("a broken callback")

    async def writes() -> None:
        assert not db.after_commit(lambda problem: None)  # nothing written yet: no call
        queues.put("a", {"n": 1})
        queues.put("b", {"n": 2})
        assert stored(path) == {}  # both wait for the group's commit
        assert db.after_commit(lambda problem: seen.append(("first", problem, len(stored(path)))))
        assert db.after_commit(failing)  # logged; the callbacks after it are still called
        assert db.after_commit(lambda problem: seen.append(("second", problem, len(stored(path)))))
        waiter = db.committed()
        assert waiter is not None
        await waiter
        assert db.committed() is None

    asyncio.run(writes())
    assert seen == [("first", None, 2), ("second", None, 2)]
