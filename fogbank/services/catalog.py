"""A service's catalog of named resources: the stored records (one state collection per account
and region) and, for each, the runtime object built from its record on first use and then kept
live (with whatever it loaded: shard logs, log events, table items) until removed or forgotten."""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from fogbank import state
from fogbank.state import Collection

T = TypeVar("T")


class RecordCatalog(Generic[T]):
    """Subclasses name the collection (`service`, `kind`), the record's name member (`name_key`)
    and how to `build` the runtime object from a record."""

    service: ClassVar[str]
    kind: ClassVar[str]
    name_key: ClassVar[str]

    def __init__(self) -> None:
        self._live: dict[tuple[str, str, str], T] = {}

    @classmethod
    def records(cls, account: str, region: str) -> Collection[dict[str, Any]]:
        return state.collection(cls.service, cls.kind, account, region)

    def build(self, account: str, region: str, record: dict[str, Any]) -> T:
        raise NotImplementedError

    def find(self, account: str, region: str, name: str) -> T | None:
        live = self._live.get((account, region, name))
        if live is not None:
            return live
        record = self.records(account, region).get(name)
        if record is None:
            return None
        return self.attach(account, region, record)

    def attach(self, account: str, region: str, record: dict[str, Any]) -> T:
        """Build the runtime object for a stored record and keep it live."""
        built = self._live[(account, region, record[self.name_key])] = self.build(account, region, record)
        return built

    def live(self, account: str, region: str, name: str) -> T | None:
        """The runtime object if it is loaded already (no loading)."""
        return self._live.get((account, region, name))

    def detach(self, account: str, region: str, name: str) -> T | None:
        """Stop keeping a resource live; the runtime object it had, if any."""
        return self._live.pop((account, region, name), None)

    def names(self, account: str, region: str) -> list[str]:
        return sorted(self.records(account, region).keys())

    def forget_all(self) -> None:
        self._live.clear()
