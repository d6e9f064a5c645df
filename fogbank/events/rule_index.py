"""An index over the event patterns of many rules, so that matching an event on a bus looks at
the few rules that can match it instead of every rule's pattern.

A rule whose pattern requires `detail-type` (or else `source`) to equal one of a set of exact
strings is filed under each of those strings; other rules are checked for every event. Looking up
an event takes the rules filed under its `detail-type` and `source` plus the unfiled ones, and only
those are matched in full.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from fogbank.events.patterns import Pattern

INDEXED_FIELDS = ("detail-type", "source")


class RuleIndex:
    def __init__(self) -> None:
        self._filed: dict[tuple[str, str], dict[str, Pattern]] = defaultdict(dict)
        self._unfiled: dict[str, Pattern] = {}
        self._where: dict[str, list[tuple[str, str]]] = {}

    def add(self, name: str, pattern: Pattern) -> None:
        self.remove(name)
        for field in INDEXED_FIELDS:
            values = pattern.index_keys(field)
            if values:
                keys = [(field, value) for value in values]
                for key in keys:
                    self._filed[key][name] = pattern
                self._where[name] = keys
                return
        self._unfiled[name] = pattern
        self._where[name] = []

    def remove(self, name: str) -> None:
        for key in self._where.pop(name, []):
            bucket = self._filed.get(key)
            if bucket is not None:
                bucket.pop(name, None)
                if not bucket:
                    del self._filed[key]
        self._unfiled.pop(name, None)

    def matching(self, event: dict[str, Any]) -> list[str]:
        """The names of the rules whose pattern matches the event."""
        found: list[str] = []
        for field in INDEXED_FIELDS:
            value = event.get(field)
            if isinstance(value, str):
                bucket = self._filed.get((field, value))
                if bucket:
                    found.extend(name for name, pattern in bucket.items() if pattern.matches(event))
        found.extend(name for name, pattern in self._unfiled.items() if pattern.matches(event))
        return found

    def __len__(self) -> int:
        return len(self._where)
