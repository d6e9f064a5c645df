"""`fogbank.ids`: request ids are random version 4 UUIDs; record ids are version 7 UUIDs on
fogbank's clock that only ever increase (stored records append to SQLite's index)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from fogbank import clock, ids


@pytest.fixture(autouse=True)
def fresh_clock() -> Iterator[None]:
    clock.reset()
    yield
    clock.reset()


def test_random_uuid_is_version_4_rfc_variant_and_unique() -> None:
    minted = [ids.random_uuid() for _ in range(1000)]
    parsed = [uuid.UUID(text) for text in minted]
    assert {(value.version, value.variant) for value in parsed} == {(4, uuid.RFC_4122)}
    assert [str(value) for value in parsed] == minted
    assert len(set(minted)) == 1000


def test_ordered_uuid_is_version_7_carrying_the_clock_milliseconds() -> None:
    clock.set_time(datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC))
    value = uuid.UUID(ids.ordered_uuid())
    assert (value.version, value.variant) == (7, uuid.RFC_4122)
    milliseconds = value.int >> 80
    assert abs(milliseconds - clock.now() * 1000) < 1000


def test_ordered_uuid_increases_even_when_the_clock_goes_back() -> None:
    clock.set_time(datetime(2030, 1, 2, tzinfo=UTC))
    first = [ids.ordered_uuid() for _ in range(500)]
    clock.set_time(datetime(2029, 1, 2, tzinfo=UTC))
    later = [ids.ordered_uuid() for _ in range(500)]
    minted = first + later
    assert minted == sorted(minted)
    assert len(set(minted)) == 1000
