"""What `rest-json` and `rest-xml` share: routing by method and URI template (the members bound
to the URI, query string, headers and status code are read and written by `located`).

Routing compiles every operation's `requestUri` once. Several operations may share a method and
path (S3's PutObject, UploadPart, CopyObject); the one whose literal query keys and required
query/header members are present wins.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from botocore.model import OperationModel, ServiceModel, Shape

from fogbank.errors import UnknownOperationException
from fogbank.protocol.codec import Codec
from fogbank.protocol.http import HttpRequest
from fogbank.protocol.located import (
    Bindings,
    bindings,
    binds_content_type,
    read_headers,
    read_located_members,
    read_query,
    write_blob_payload,
    write_located_members,
)
from fogbank.protocol.models import service_model
from fogbank.protocol.values import read_scalar


@dataclass(slots=True)
class Route:
    operation: OperationModel
    method: str
    pattern: re.Pattern[str]
    literal_query: dict[str, str | None]  # key → required value (None: only present)
    required_located: tuple[tuple[str, str], ...]  # (location, wire name) of required members
    literal_length: int
    query_names: frozenset[str] = frozenset()  # wire names of the querystring members
    labels: tuple[tuple[str, str], ...] = ()  # (regex group, URI label) pairs
    direct_groups: bool = False  # the pattern's groups are named as the labels
    order: int = 0  # position among the service's operations: the last tie-break
    literal_keys: frozenset[str] = frozenset()  # the keys of `literal_query`


def _compile_route(operation: OperationModel) -> Route:
    http = operation.http
    uri = http["requestUri"]
    path, _, query = uri.partition("?")
    literal_query: dict[str, str | None] = {}
    for part in filter(None, query.split("&")):
        key, eq, value = part.partition("=")
        if key != "x-id":  # S3's x-id names the operation for SDKs only; it is not a condition
            literal_query[key] = value if eq else None
    label_names = [name.rstrip("+") for name in re.findall(r"\{([^}]+)\}", path)]
    # Groups named as the labels themselves let `groupdict()` give the labels (0.5 -> 0.1 us).
    direct = all(name.isidentifier() for name in label_names)
    regex = ""
    literal_length = 0
    for piece in re.split(r"(\{[^}]+\})", path):
        if piece.startswith("{"):
            name = piece[1:-1]
            if name.endswith("+"):
                regex += f"(?P<{_group(name[:-1], direct)}>.+)"  # labels are never empty
            else:
                regex += f"(?P<{_group(name, direct)}>[^/]+)"
        else:
            regex += re.escape(piece)
            literal_length += len(piece)
    required: list[tuple[str, str]] = []
    query_names: set[str] = set()
    shape = operation.input_shape
    if shape is not None:
        for name, member in shape.members.items():
            location = member.serialization.get("location")
            wire = member.serialization.get("name", name)
            if location == "querystring":
                query_names.add(wire)
            if location in ("querystring", "header") and name in shape.required_members:
                required.append((location, wire))
    labels = tuple((_group(name, direct), name) for name in label_names)
    return Route(
        operation,
        http["method"],
        re.compile(f"^{regex}$"),
        literal_query,
        tuple(required),
        literal_length,
        frozenset(query_names),
        labels,
        direct,
        literal_keys=frozenset(literal_query),
    )


def _group(label: str, direct: bool) -> str:
    return label if direct else "g_" + re.sub(r"\W", "_", label)


class Router:
    def __init__(self, service_name: str) -> None:
        service = service_model(service_name)
        self.service_name = service_name
        self.routes: dict[str, list[Route]] = {}
        self.by_operation: dict[str, Route] = {}
        # Per method: routes without literal query keys, and the others by one of their keys, so a
        # request only tries the routes its query string can select (S3 has 60 GET routes).
        self._plain: dict[str, list[Route]] = {}
        self._by_query_key: dict[str, dict[str, list[Route]]] = {}
        self._pinned_keys: dict[str, tuple[str, ...]] = {}  # query keys whose value selects a route
        self._plans: dict[Any, _Plan] = {}
        self._memo_key = "route:" + service_name  # the request memo entry of this router
        for order, name in enumerate(service.operation_names):
            route = _compile_route(service.operation_model(name))
            route.order = order
            self.routes.setdefault(route.method, []).append(route)
            self.by_operation[name] = route
            if route.literal_query:
                keyed = self._by_query_key.setdefault(route.method, {})
                keyed.setdefault(min(route.literal_query), []).append(route)
                pinned = [key for key, value in route.literal_query.items() if value is not None]
                self._pinned_keys[route.method] = tuple(
                    sorted({*self._pinned_keys.get(route.method, ()), *pinned})
                )
            else:
                self._plain.setdefault(route.method, []).append(route)

    def _candidates(self, method: str, query: dict[str, list[str]]) -> list[Route]:
        candidates = self._plain.get(method, [])
        keyed = self._by_query_key.get(method)
        if keyed and query:
            extra = [route for key in query if key in keyed for route in keyed[key]]
            if extra:
                return candidates + extra
        return candidates

    def literal_query_keys(self, operation: OperationModel) -> frozenset[str]:
        """The query keys that select `operation` (`?mode=import`): never members' values."""
        route = self.by_operation.get(operation.name)
        return route.literal_keys if route else frozenset()

    def match(
        self, request: HttpRequest, path: str | None = None
    ) -> tuple[OperationModel, dict[str, str]] | None:
        """The operation and its URI labels (decoded), or None. Remembered on the request (the last
        path asked about), as service detection and the codec both ask."""
        raw_path = path if path is not None else request.path
        known = request.memo.get(self._memo_key)
        if known is not None and known[0] == raw_path:  # type: ignore[index]
            return known[1]  # type: ignore[index,no-any-return]
        found = self._match(request, raw_path)
        if found is None and len(raw_path) > 1 and raw_path.endswith("/"):
            found = self._match(request, raw_path[:-1])
        request.memo[self._memo_key] = (raw_path, found)
        return found

    def _match(self, request: HttpRequest, raw_path: str) -> tuple[OperationModel, dict[str, str]] | None:
        # The decision depends only on the method, the query keys (and the values of keys that
        # routes pin, `?list-type=2`), which required headers are present and which distinct path
        # patterns match: it is cached on those, so a request runs each distinct pattern once
        # instead of scoring every candidate (S3 PutObject: 7.0 -> 2.5 us).
        plan = None if request.query_string else self._plans.get(request.method)
        if plan is None:
            plan = self._plan(request.method, request.query)
        patterns = plan.patterns
        matches: Any
        if len(patterns) == 2:  # unrolled (S3's PUT): map() or a comprehension cost 5k instructions
            matches = (patterns[0].match(raw_path), patterns[1].match(raw_path))
            key: Any = (matches[0] is None, matches[1] is None)
        else:
            matches = [pattern.match(raw_path) for pattern in patterns]
            key = tuple([match is None for match in matches])
        if plan.header is not None:  # one required header among the candidates (S3's PUT)
            key = (key, plan.header in request.headers)
        elif plan.headers:
            key = (key, tuple(map(request.headers.__contains__, plan.headers)))
        decision = plan.decisions.get(key, _UNDECIDED)
        if decision is _UNDECIDED:
            decision = plan.decisions[key] = self._decide(request, raw_path, plan)
        if decision is None:
            return None
        route, index = decision
        match = matches[index]
        assert match is not None
        if route.direct_groups:
            labels = match.groupdict()
        else:
            labels = {label: match.group(group) for group, label in route.labels}
        if "%" in raw_path:
            labels = {label: unquote(text) for label, text in labels.items()}
        return route.operation, labels

    def _plan(self, method: str, query: dict[str, list[str]]) -> _Plan:
        key: Any = method
        if query:
            pinned = self._pinned_keys.get(method)
            values = tuple((name, tuple(query[name])) for name in pinned if name in query) if pinned else ()
            key = (method, frozenset(query), values)
        plan = self._plans.get(key)
        if plan is None:
            if len(self._plans) >= _MAX_PLANS:
                self._plans.clear()  # clients choose query keys: keep the cache bounded
            candidates = self._candidates(method, query)
            headers = {
                name.lower()
                for r in candidates
                for location, name in r.required_located
                if location == "header"
            }
            patterns = {route.pattern.pattern: route.pattern for route in candidates}
            plan = self._plans[key] = _Plan(tuple(sorted(headers)), tuple(patterns.values()), {})
        return plan

    def _decide(self, request: HttpRequest, raw_path: str, plan: _Plan) -> tuple[Route, int] | None:
        """The best route for the request (the slow path, once per cache key)."""
        best: tuple[tuple[Any, ...], Route] | None = None
        query = request.query
        for route in self._candidates(request.method, query):
            # The literal query keys are cheaper to test than the path pattern, and rule out most routes.
            if not _query_matches(route.literal_query, query):
                continue
            if route.pattern.match(raw_path) is None:
                continue
            present = sum(
                1
                for location, name in route.required_located
                if (name in query if location == "querystring" else name.lower() in request.headers)
            )
            missing = len(route.required_located) - present
            # Ties between operations sharing method and path go to the one that knows more of the
            # query keys sent (S3's ListDirectoryBuckets vs ListBuckets), then to the one that is
            # not deprecated (GetBucketLifecycleConfiguration over GetBucketLifecycle).
            known = sum(1 for key in query if key in route.query_names)
            score = (
                len(route.literal_query),
                -missing * 100 + present,
                route.literal_length,
                known,
                not route.operation.deprecated,
                -route.order,
            )
            if best is None or score > best[0]:
                best = (score, route)
        if best is None:
            return None
        patterns = [pattern.pattern for pattern in plan.patterns]
        return best[1], patterns.index(best[1].pattern.pattern)


@dataclass(slots=True)
class _Plan:
    """The routing inputs of one method and set of query keys, and the decisions taken so far."""

    headers: tuple[str, ...]  # the required headers of the candidate routes (lower-case)
    patterns: tuple[re.Pattern[str], ...]  # the distinct path patterns of the candidates
    # (patterns matching[, headers present]) → the route and the index of its pattern, or None.
    decisions: dict[Any, tuple[Route, int] | None]
    header: str | None = None  # the only one of `headers`, when there is exactly one

    def __post_init__(self) -> None:
        if len(self.headers) == 1:
            self.header = self.headers[0]


_UNDECIDED: Any = object()
_MAX_PLANS = 4096


def _query_matches(literal: dict[str, str | None], query: dict[str, list[str]]) -> bool:
    for key, value in literal.items():
        values = query.get(key)
        if values is None or (value is not None and value not in values):
            return False
    return True


@functools.cache
def router_for(service_name: str) -> Router:
    return Router(service_name)


# The members bound to the HTTP message live in `located`; these names stay importable from here.
__all__ = [
    "Route",
    "Router",
    "binds_content_type",
    "read_located_members",
    "read_scalar",
    "router_for",
    "write_blob_payload",
    "write_located_members",
]


class RestCodec(Codec):
    """What `rest-json` and `rest-xml` share: routing by method and URI, and the members bound to the
    URI, query string, headers and payload. Subclasses read body documents in their own format."""

    def __init__(self, service: ServiceModel) -> None:
        super().__init__(service)
        self.router = router_for(service.service_name)
        self._readings: dict[OperationModel, _Reading] = {}
        self._writings: dict[OperationModel, _Writing] = {}

    def match_path(self, request: HttpRequest) -> str:
        """The path to route by (S3 rewrites virtual-host requests to path style here)."""
        return request.path

    def find_operation(self, request: HttpRequest) -> OperationModel:
        return self.route(request, self.match_path(request))

    def route(self, request: HttpRequest, path: str) -> OperationModel:
        """The operation for `request` routed by `path` (from `match_path`); remembers its labels."""
        found = self.router.match(request, path)
        if found is None:
            raise UnknownOperationException(
                f"No operation of {self.service.service_name} matches {request.method} {request.path}",
                status=404,
            )
        request.memo["labels"] = found[1]
        return found[0]

    def parse(self, operation: OperationModel, request: HttpRequest) -> dict[str, Any]:
        reading = self._readings.get(operation) or self._reading(operation)
        compiled = reading.bindings
        if compiled is None:
            return {}
        labels: dict[str, Any] = request.memo.get("labels") or {}  # type: ignore[assignment]
        params: dict[str, Any]
        if reading.labels_are_params:
            params = labels.copy()
        else:
            params = {}
            for label, text in labels.items():
                binding = compiled.uri.get(label)
                if binding is not None:
                    params[binding.name] = text if binding.plain else binding.read(text)
        if reading.reads_query and request.query_string:
            read_query(compiled, request.query, params, reading.reserved_query)
        if reading.reads_headers:
            read_headers(compiled, request.headers, params)
        kind = reading.payload_kind
        if kind is _BLOB:  # read here, not in `_read_payload` (S3's PutObject: 2.4k instructions less)
            body = request.body
            if body.path is None:
                if body.data:
                    params[compiled.payload] = body.data  # type: ignore[index]
            elif not body.is_empty:
                params[compiled.payload] = body.read()  # type: ignore[index]
        elif kind is _STREAM:  # the body as it came: in memory, or spooled to a file when large
            if not request.body.is_empty:
                params[compiled.payload] = request.body  # type: ignore[index]
        elif kind is not _NO_PAYLOAD:
            self._read_payload(reading, request, params)
        return params

    def _read_payload(self, reading: _Reading, request: HttpRequest, params: dict[str, Any]) -> None:
        compiled = reading.bindings
        assert compiled is not None
        payload = compiled.payload
        if payload is None:
            assert reading.shape is not None
            params.update(self.read_body_document(reading.shape, request.body.read()))
            return
        member = compiled.payload_shape
        assert member is not None
        if reading.payload_kind is _TEXT:
            if compiled.streaming or not request.body.is_empty:
                params[payload] = request.body.read().decode("utf-8")
            return
        value = self.read_payload_document(member, request.body.read())
        if value is not None:
            params[payload] = value

    def _reading(self, operation: OperationModel) -> _Reading:
        """How `parse` reads the input of `operation`, compiled once (S3 PutObject: 20.5k -> 15.4k
        instructions): which parts of the request to look at, and how the labels become members."""
        shape = operation.input_shape
        reading = _Reading(shape)
        if shape is not None:
            compiled = reading.bindings = bindings(shape)
            route = self.router.by_operation.get(operation.name)
            # The route's labels are the members themselves when each is a string member named as
            # its label: the labels dict is then copied as is.
            reading.labels_are_params = route is not None and all(
                (binding := compiled.uri.get(label)) is not None and binding.plain and binding.name == label
                for _, label in route.labels
            )
            reading.reads_query = bool(compiled.query or compiled.query_map)
            # Only a query-string map needs the literal keys (to leave them out).
            reading.reserved_query = route.literal_keys if route and compiled.query_map else frozenset()
            reading.reads_headers = bool(compiled.header or compiled.prefixed)
            reading.payload_kind = _payload_kind(compiled)
        self._readings[operation] = reading
        return reading

    def _writing(self, operation: OperationModel) -> _Writing:
        """What serializing an output of `operation` needs, looked up once (not per response)."""
        shape = operation.output_shape
        writing = _Writing(
            operation.http.get("responseCode", 200), shape, bindings(shape) if shape is not None else None
        )
        self._writings[operation] = writing
        return writing

    def read_payload_document(self, member: Shape, raw: bytes) -> Any:
        """A structure payload member read from the body; None when the body carries none."""
        raise NotImplementedError

    def read_body_document(self, shape: Shape, raw: bytes) -> dict[str, Any]:
        """The body members of the input shape read from the body document."""
        raise NotImplementedError


# What a request's body holds for an input shape (compared by identity in `parse`).
_NO_PAYLOAD = "none"  # every member is bound to the URI, query string or headers
_STREAM = "stream"  # a streaming blob payload: the body itself
_BLOB = "blob"  # a blob payload (not streaming), read whole when the body is not empty
_TEXT = "text"  # a string payload, read whole (streaming: even when empty)
_DOCUMENT = "document"  # a structure payload document
_BODY = "body"  # a body document holding the members not bound to the message


def _payload_kind(compiled: Bindings) -> str:
    member = compiled.payload_shape
    if member is not None:
        if member.type_name in ("blob", "string") and not compiled.streaming:
            return _BLOB if member.type_name == "blob" else _TEXT
        if member.type_name in ("blob", "string"):
            return _STREAM if member.type_name == "blob" else _TEXT
        return _DOCUMENT
    return _BODY if compiled.has_body else _NO_PAYLOAD


@dataclass(slots=True)
class _Reading:
    """How `RestCodec.parse` reads one operation's input (see `RestCodec._reading`)."""

    shape: Shape | None
    bindings: Bindings | None = None
    labels_are_params: bool = False
    reads_query: bool = False
    reserved_query: frozenset[str] = frozenset()
    reads_headers: bool = False
    payload_kind: str = _NO_PAYLOAD


@dataclass(frozen=True, slots=True)
class _Writing:
    """One operation's output: its default status code, shape and the shape's bindings."""

    status: int
    shape: Shape | None
    bindings: Bindings | None
