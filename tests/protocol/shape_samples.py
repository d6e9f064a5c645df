"""Representative parameter dicts generated from botocore shapes, for the codec oracle tests.

`Sampler.full` fills every member (lists of 2, maps of 2, strings within their length limits or
the first enum values, numbers within range); `Sampler.minimal` fills only required members.
Values carry their member's name, so a value delivered to the wrong member shows in a diff.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.model import OperationModel, Shape

from fogbank.protocol.xml import member_element_name

TIMESTAMP = datetime(2024, 2, 3, 4, 5, 6, tzinfo=UTC)
MAX_DEPTH = 5


def has_event_stream(shape: Shape | None) -> bool:
    """Event streams are framed binary messages, outside the request/response codecs."""
    if shape is None:
        return False
    return any(member.serialization.get("eventstream") for member in shape.members.values())  # type: ignore[attr-defined]


@dataclass(slots=True)
class Sampler:
    """Generates a value for every member of a shape (`seen` guards recursive shapes)."""

    minimal_only: bool = False
    # Strings with characters that need escaping (XML, JSON, URL encoding) and fractional
    # timestamps, wherever the wire form can carry them (not in headers).
    tricky: bool = False
    seen: list[str] = field(default_factory=list)

    def full(self, shape: Shape | None) -> dict[str, Any]:
        self.minimal_only = False
        return self.structure(shape, 0) if shape is not None else {}

    def minimal(self, shape: Shape | None) -> dict[str, Any]:
        self.minimal_only = True
        return self.structure(shape, 0) if shape is not None else {}

    def structure(self, shape: Shape, depth: int) -> dict[str, Any]:
        if shape.metadata.get("document"):
            return {"document": ["free", 1, True, {"nested": None}]}
        result: dict[str, Any] = {}
        required = set(shape.required_members)  # type: ignore[attr-defined]
        body_names: set[str] = set()
        for name, member in shape.members.items():  # type: ignore[attr-defined]
            if member.serialization.get("eventstream"):
                continue
            if not member.serialization.get("location"):
                # Two members with one element name (S3's deprecated `Event` and `Events`) cannot
                # be told apart on the wire: only the first is filled.
                wire = member_element_name(member, name)
                if wire in body_names:
                    continue
                body_names.add(wire)
            wanted = name in required or member.metadata.get("idempotencyToken")
            if not wanted and (self.minimal_only or depth >= MAX_DEPTH or self._recursive(member)):
                continue
            result[name] = self.member(name, member, depth + 1)
            if shape.metadata.get("union"):
                break  # a union carries exactly one member
        if not result and depth and shape.members:  # type: ignore[attr-defined]
            # An empty nested structure is invisible in query and XML wire forms: give it one member.
            name, member = next(iter(shape.members.items()))  # type: ignore[attr-defined]
            result[name] = self.member(name, member, depth + 1)
        return result

    def _recursive(self, member: Shape) -> bool:
        inner = member
        while inner.type_name in ("list", "map"):
            inner = inner.member if inner.type_name == "list" else inner.value  # type: ignore[attr-defined]
        return inner.type_name == "structure" and inner.name in self.seen

    def member(self, name: str, shape: Shape, depth: int) -> Any:
        location = shape.serialization.get("location")
        if location == "statusCode":
            return 200
        if location == "headers":
            return {"key1": f"{name}-one", "key2": f"{name}-two"}
        if location == "querystring" and shape.type_name == "map":
            return self._query_map(name, shape)
        if location == "header" and shape.type_name == "string" and shape.serialization.get("jsonvalue"):
            return {"json": [name, 1, True]}  # SDKs send any JSON value, base64-encoded
        if location == "header" and self.tricky:
            self.tricky = False
            try:
                return self.value(name, shape, depth)
            finally:
                self.tricky = True
        return self.value(name, shape, depth)

    def _query_map(self, name: str, shape: Shape) -> dict[str, Any]:
        value = shape.value  # type: ignore[attr-defined]
        if value.type_name == "list":
            return {"qk1": ["a", "b"], "qk2": ["c"]}
        return {"qk1": f"{name}-one", "qk2": f"{name}-two"}

    def value(self, name: str, shape: Shape, depth: int) -> Any:
        kind = shape.type_name
        if kind == "structure":
            self.seen.append(shape.name)
            try:
                return self.structure(shape, depth)
            finally:
                self.seen.pop()
        if kind in ("list", "map") and depth > 3 * MAX_DEPTH:
            return [] if kind == "list" else {}  # required members that recurse (Connect's forms)
        if kind == "list":
            return [self.value(f"{name}{index}", shape.member, depth + 1) for index in (1, 2)]  # type: ignore[attr-defined]
        if kind == "map":
            keys = self._map_keys(shape.key)  # type: ignore[attr-defined]
            return {key: self.value(f"{name}{key}", shape.value, depth + 1) for key in keys}  # type: ignore[attr-defined]
        return scalar(name, shape, self.tricky)

    @staticmethod
    def _map_keys(key: Shape) -> list[str]:
        enum = key.metadata.get("enum")
        if enum:
            return list(enum[:2])
        return [sized_string(f"key{index}", key) for index in (1, 2)]


def scalar(name: str, shape: Shape, tricky: bool = False) -> Any:
    kind = shape.type_name
    meta = shape.metadata
    if kind == "string":
        enum = meta.get("enum")
        if enum:
            return enum[0]
        return sized_string(f"{name} é&<%>+=\"'v" if tricky else f"{name}-v", shape)
    if kind in ("integer", "long"):
        return int(_in_range(meta, 7))
    if kind in ("float", "double"):
        return float(_in_range(meta, 1.5))
    if kind == "boolean":
        return True
    if kind == "timestamp":
        # RFC 822 (HTTP date) timestamps carry whole seconds only.
        fraction = tricky and shape.serialization.get("timestampFormat") != "rfc822"
        return TIMESTAMP.replace(microsecond=250000) if fraction else TIMESTAMP
    if kind == "blob":
        data = b"blob\x00\xff-" + name.encode()
        return data[: meta["max"]] if meta.get("max") else data
    raise AssertionError(f"no sample for {kind}")


def sized_string(text: str, shape: Shape) -> str:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and len(text) < low:
        text += "x" * (low - len(text))
    if high is not None and len(text) > high:
        text = text[:high]
    return text


def _in_range(meta: dict[str, Any], default: float) -> float:
    low, high = meta.get("min"), meta.get("max")
    value = default
    if low is not None and value < low:
        value = low
    if high is not None and value > high:
        value = high
    return value


def operations(model: Any) -> list[OperationModel]:
    return [model.operation_model(name) for name in model.operation_names]
