"""What `rest-json` and `rest-xml` share: routing by method and URI template, and the members
bound to the URI, query string, headers, status code and payload.

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

import orjson
from botocore.model import OperationModel, Shape

from fogbank.errors import SerializationException
from fogbank.protocol.http import FileBody, HttpRequest, HttpResponse, Payload
from fogbank.protocol.models import service_model
from fogbank.protocol.values import decode_blob, encode_blob, format_timestamp, parse_timestamp


@dataclass(slots=True)
class Route:
    operation: OperationModel
    method: str
    pattern: re.Pattern[str]
    literal_query: dict[str, str | None]  # key → required value (None: only present)
    required_located: tuple[tuple[str, str], ...]  # (location, wire name) of required members
    literal_length: int
    query_names: frozenset[str] = frozenset()  # wire names of the querystring members


def _compile_route(operation: OperationModel) -> Route:
    http = operation.http
    uri = http["requestUri"]
    path, _, query = uri.partition("?")
    literal_query: dict[str, str | None] = {}
    for part in filter(None, query.split("&")):
        key, eq, value = part.partition("=")
        if key != "x-id":  # S3's x-id names the operation for SDKs only; it is not a condition
            literal_query[key] = value if eq else None
    regex = ""
    literal_length = 0
    for piece in re.split(r"(\{[^}]+\})", path):
        if piece.startswith("{"):
            name = piece[1:-1]
            if name.endswith("+"):
                regex += f"(?P<{_group(name[:-1])}>.*)"
            else:
                regex += f"(?P<{_group(name)}>[^/]+)"
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
    return Route(
        operation,
        http["method"],
        re.compile(f"^{regex}$"),
        literal_query,
        tuple(required),
        literal_length,
        frozenset(query_names),
    )


def _group(label: str) -> str:
    return "g_" + re.sub(r"\W", "_", label)


class Router:
    def __init__(self, service_name: str) -> None:
        service = service_model(service_name)
        self.service_name = service_name
        self.routes: dict[str, list[Route]] = {}
        self.by_operation: dict[str, Route] = {}
        for name in service.operation_names:
            route = _compile_route(service.operation_model(name))
            self.routes.setdefault(route.method, []).append(route)
            self.by_operation[name] = route

    def literal_query_keys(self, operation: OperationModel) -> frozenset[str]:
        """The query keys that select `operation` (`?mode=import`): never members' values."""
        route = self.by_operation.get(operation.name)
        return frozenset(route.literal_query) if route else frozenset()

    def match(
        self, request: HttpRequest, path: str | None = None
    ) -> tuple[OperationModel, dict[str, str]] | None:
        """The operation and its URI labels (decoded), or None. Remembered on the request, as
        service detection and the codec both ask."""
        raw_path = path if path is not None else request.path
        memo_key = f"route:{self.service_name}:{raw_path}"
        if memo_key in request.memo:
            return request.memo[memo_key]  # type: ignore[return-value]
        found = self._match(request, raw_path)
        if found is None and len(raw_path) > 1 and raw_path.endswith("/"):
            found = self._match(request, raw_path[:-1])
        request.memo[memo_key] = found
        return found

    def _match(self, request: HttpRequest, raw_path: str) -> tuple[OperationModel, dict[str, str]] | None:
        best: tuple[tuple[int, int, int], Route, re.Match[str]] | None = None
        query = request.query
        for route in self.routes.get(request.method, ()):
            # The literal query keys are cheaper to test than the path pattern, and rule out most routes.
            if not _query_matches(route.literal_query, query):
                continue
            match = route.pattern.match(raw_path)
            if match is None:
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
            )
            if best is None or score > best[0]:
                best = (score, route, match)
        if best is None:
            return None
        labels = {}
        for label, value in best[2].groupdict().items():
            labels[label] = unquote(value)
        names = {
            _group(name.rstrip("+")): name.rstrip("+")
            for name in re.findall(r"\{([^}]+)\}", best[1].operation.http["requestUri"])
        }
        return best[1].operation, {names[key]: value for key, value in labels.items()}


def _query_matches(literal: dict[str, str | None], query: dict[str, list[str]]) -> bool:
    for key, value in literal.items():
        values = query.get(key)
        if values is None or (value is not None and value not in values):
            return False
    return True


@functools.cache
def router_for(service_name: str) -> Router:
    return Router(service_name)


# -- reading located members --------------------------------------------------------------------


def read_scalar(shape: Shape, text: str, timestamp_default: str) -> Any:
    kind = shape.type_name
    try:
        if kind in ("integer", "long"):
            return int(text)
        if kind in ("float", "double"):
            return float(text)
    except ValueError:
        raise SerializationException(f"Invalid value for {shape.name}: {text!r}") from None
    if kind == "boolean":
        if text not in ("true", "false"):
            raise SerializationException(f"Invalid boolean value: {text!r}")
        return text == "true"
    if kind == "timestamp":
        return parse_timestamp(text)
    if kind == "blob":
        return decode_blob(text)
    return text


def read_located_members(
    shape: Shape,
    request: HttpRequest,
    labels: dict[str, str],
    params: dict[str, Any],
    reserved_query: frozenset[str] = frozenset(),
) -> set[str]:
    """Fill `params` with members bound to the URI, query string and headers; returns their names.
    `reserved_query` are the operation's literal query keys, which a query-string map must skip."""
    located: set[str] = set()
    claimed_query: set[str] = set(reserved_query)
    query_map: tuple[str, Shape] | None = None
    for name, member in shape.members.items():  # type: ignore[attr-defined]
        location = member.serialization.get("location")
        if not location:
            continue
        located.add(name)
        wire = member.serialization.get("name", name)
        if location == "uri":
            if wire in labels:
                params[name] = read_scalar(member, labels[wire], "iso8601")
        elif location == "querystring":
            if member.type_name == "map":
                query_map = (name, member)
                continue
            claimed_query.add(wire)
            values = request.query.get(wire)
            if values is None:
                continue
            if member.type_name == "list":
                params[name] = [read_scalar(member.member, value, "iso8601") for value in values]
            else:
                params[name] = read_scalar(member, values[0], "iso8601")
        elif location == "header":
            value = request.headers.get(wire.lower())
            if value is not None:
                params[name] = _read_header(member, value)
        elif location == "headers":
            prefix = wire.lower()
            found = {
                key[len(prefix) :]: value for key, value in request.headers.items() if key.startswith(prefix)
            }
            if found:
                params[name] = found
    if query_map is not None:
        name, member = query_map
        rest = {key: values for key, values in request.query.items() if key not in claimed_query}
        if rest:
            is_list = member.value.type_name == "list"  # type: ignore[attr-defined]
            params[name] = {key: values if is_list else values[0] for key, values in rest.items()}
    return located


def _read_header(member: Shape, value: str) -> Any:
    if member.type_name == "list":
        return [part.strip() for part in value.split(",") if part.strip()]
    if member.type_name == "string" and member.serialization.get("jsonvalue"):
        try:
            return orjson.loads(decode_blob(value))
        except orjson.JSONDecodeError:
            raise SerializationException("Invalid JSON header value") from None
    if member.type_name == "timestamp":
        return parse_timestamp(value)
    return read_scalar(member, value, "rfc822")


def read_payload(member: Shape, body: Payload) -> Any:
    """A blob or string payload member: streaming blobs stay a `Payload` (maybe a spooled file)."""
    if member.type_name == "blob":
        return body if member.metadata.get("streaming") else body.read()
    return body.read().decode("utf-8")


# -- writing located members --------------------------------------------------------------------


def write_located_members(
    shape: Shape, result: dict[str, Any], response: HttpResponse
) -> tuple[set[str], str | None]:
    """Put header and status-code members on the response; returns located names and payload name.
    An output that binds `Content-Type` to a member (S3's GetObject) has no default content type."""
    located: set[str] = set()
    for name, member in shape.members.items():  # type: ignore[attr-defined]
        location = member.serialization.get("location")
        if not location:
            continue
        located.add(name)
        value = result.get(name)
        wire = member.serialization.get("name", name)
        if location == "header" and wire.lower() == "content-type":
            response.headers.pop("content-type", None)
        if value is None:
            continue
        if location == "header":
            response.headers[wire.lower()] = _header_text(member, value)
        elif location == "headers":
            for key, item in value.items():
                response.headers[(wire + key).lower()] = str(item)
        elif location == "statusCode":
            response.status = int(value)
    return located, shape.serialization.get("payload")


@functools.cache
def _content_type_member(shape: Shape) -> bool:
    return any(
        member.serialization.get("location") == "header"
        and member.serialization.get("name", "").lower() == "content-type"
        for member in shape.members.values()  # type: ignore[attr-defined]
    )


def binds_content_type(shape: Shape) -> bool:
    """Whether an output declares its own `Content-Type` header member."""
    return _content_type_member(shape)


def _header_text(member: Shape, value: Any) -> str:
    kind = member.type_name
    if kind == "timestamp":
        return str(format_timestamp(value, member.serialization.get("timestampFormat", "rfc822")))
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "list":
        return ",".join(str(item) for item in value)
    if kind == "string" and member.serialization.get("jsonvalue"):
        return encode_blob(orjson.dumps(value))
    if kind == "blob":
        return encode_blob(value)
    return str(value)


def write_blob_payload(value: Any, response: HttpResponse) -> None:
    if isinstance(value, FileBody):
        response.body = value
    elif isinstance(value, Payload):
        response.body = FileBody(value.path, 0, value.length) if value.path else value.data
    elif isinstance(value, str):
        response.body = value.encode()
    else:
        response.body = value if not isinstance(value, bytearray) else bytes(value)
