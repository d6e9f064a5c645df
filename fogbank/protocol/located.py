"""Members bound to the HTTP message rather than the body (`rest-json`, `rest-xml`): URI labels,
query string, headers, header maps, status code, and blob or string payloads.

Each shape's bindings are compiled once into lookup tables, so a request costs one lookup per
header or query key it carries, not one per member its shape declares (S3's GetObject declares 40).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Set
from dataclasses import dataclass, field
from typing import Any

import orjson
from botocore.model import Shape

from fogbank.errors import SerializationException
from fogbank.protocol.http import FileBody, HttpRequest, HttpResponse, Payload
from fogbank.protocol.values import decode_blob, encode_blob, format_timestamp, parse_timestamp, read_scalar

Convert = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class Binding:
    name: str  # the member name (provider dict key)
    location: str  # uri, querystring, header, headers, statusCode
    key: str  # the wire name: URI label or query key as modeled, header names lower-case
    shape: Shape
    read: Convert  # wire text → value
    write: Convert  # value → header text
    # Whether text is the value itself both ways (string members): a request then skips the
    # conversion calls (S3 PutObject's parse 4.4 -> 2.6 us together with the tables below).
    plain: bool = False


@dataclass(slots=True)
class Bindings:
    """The compiled bindings of one shape."""

    names: frozenset[str] = frozenset()
    by_name: dict[str, Binding] = field(default_factory=dict)
    uri: dict[str, Binding] = field(default_factory=dict)
    query: dict[str, Binding] = field(default_factory=dict)
    header: dict[str, Binding] = field(default_factory=dict)
    prefixed: tuple[Binding, ...] = ()  # `headers` maps (`x-amz-meta-`)
    query_map: Binding | None = None
    content_type: bool = False  # an output member is bound to `Content-Type`
    written: dict[str, Binding] = field(default_factory=dict)  # header, headers and statusCode ones
    # The `header` ones as (header name, writer), the writer None for a string member (the value
    # is the text): `write_bound` then reads no binding attributes per member.
    header_writers: dict[str, tuple[str, Convert | None]] = field(default_factory=dict)
    payload: str | None = None  # the payload member's name
    payload_shape: Shape | None = None
    streaming: bool = False  # the payload is a streaming blob
    has_body: bool = False  # some member is not bound to the message (a body member or the payload)
    header_plans: dict[tuple[str, ...], _HeaderPlan] = field(default_factory=dict)  # see `read_headers`


@functools.cache
def bindings(shape: Shape) -> Bindings:
    compiled = Bindings()
    prefixed = []
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        if not location:
            continue
        wire = member.serialization.get("name", name)
        key = wire.lower() if location in ("header", "headers") else wire
        plain = _is_plain(location, member)
        binding = Binding(
            name, location, key, member, _reader(location, member), _header_writer(member), plain
        )
        compiled.by_name[name] = binding
        if location in ("header", "headers", "statusCode"):
            compiled.written[name] = binding
        if location == "header":
            compiled.header_writers[name] = (key, None if plain else binding.write)
        if location == "uri":
            compiled.uri[key] = binding
        elif location == "querystring" and member.type_name == "map":
            compiled.query_map = binding
        elif location == "querystring":
            compiled.query[key] = binding
        elif location == "header":
            compiled.header[key] = binding
            compiled.content_type = compiled.content_type or key == "content-type"
        elif location == "headers":
            prefixed.append(binding)
    compiled.names = frozenset(compiled.by_name)
    compiled.prefixed = tuple(prefixed)
    compiled.payload = shape.serialization.get("payload")
    if compiled.payload:
        compiled.payload_shape = shape.members[compiled.payload]
        compiled.streaming = bool(compiled.payload_shape.serialization.get("streaming"))
    compiled.has_body = any(name not in compiled.names for name in shape.members)
    return compiled


def _is_plain(location: str, member: Shape) -> bool:
    """Whether the member's wire text is its value (`read_scalar` and `str` return it as is)."""
    if location not in ("uri", "querystring", "header") or member.serialization.get("jsonvalue"):
        return False
    return member.type_name not in (
        "integer",
        "long",
        "float",
        "double",
        "boolean",
        "timestamp",
        "blob",
        "list",
        "map",
    )


def _reader(location: str, member: Shape) -> Convert:
    if location == "header" and member.type_name in ("integer", "long"):
        # S3's Content-Length: `int` itself, whose ValueError `read_headers` words (a partial of
        # `_read_integer` was 2.2k of PutObject's 7.0k instructions reading headers).
        return int
    if location == "uri" and member.type_name in ("integer", "long"):
        return functools.partial(_read_integer, member)  # read_scalar's first case
    if location == "header" and member.type_name not in ("list", "string", "timestamp"):
        return lambda text: read_scalar(member, text, "rfc822")  # `_read_header` without its tests
    if location == "header":
        return functools.partial(_read_header, member)
    if location == "querystring" and member.type_name == "list":
        item = member.member
        return lambda values: [read_scalar(item, value, "iso8601") for value in values]
    if location == "querystring":
        return lambda values: read_scalar(member, values[0], "iso8601")
    return lambda text: read_scalar(member, text, "iso8601")


# -- reading --------------------------------------------------------------------------------------


def read_located_members(
    shape: Shape,
    request: HttpRequest,
    labels: dict[str, str],
    params: dict[str, Any],
    reserved_query: frozenset[str] = frozenset(),
) -> Set[str]:
    """Fill `params` with members bound to the URI, query string and headers; returns the names of
    all bound members. `reserved_query` are the operation's literal query keys (`?mode=import`),
    which a query-string map must skip."""
    compiled = bindings(shape)
    for label, text in labels.items():
        binding = compiled.uri.get(label)
        if binding is not None:
            params[binding.name] = text if binding.plain else binding.read(text)
    if compiled.query or compiled.query_map:
        read_query(compiled, request.query, params, reserved_query)
    if compiled.header or compiled.prefixed:
        read_headers(compiled, request.headers, params)
    return compiled.names


def read_query(
    compiled: Bindings, query: dict[str, list[str]], params: dict[str, Any], reserved: frozenset[str]
) -> None:
    rest: dict[str, list[str]] = {}
    for key, values in query.items():
        binding = compiled.query.get(key)
        if binding is not None:
            params[binding.name] = values[0] if binding.plain else binding.read(values)
        elif key not in reserved:
            rest[key] = values
    if compiled.query_map is not None and rest:
        is_list = compiled.query_map.shape.value.type_name == "list"
        params[compiled.query_map.name] = {
            key: values if is_list else values[0] for key, values in rest.items()
        }


@dataclass(frozen=True, slots=True)
class _HeaderPlan:
    """Which headers of a request, by their names in order, a shape reads."""

    bound: tuple[tuple[str, Binding], ...]  # (header name, its member) in header order
    prefixed: tuple[tuple[Binding, tuple[str, ...]], ...]  # a `headers` map and its header names


def read_headers(compiled: Bindings, headers: dict[str, str], params: dict[str, Any]) -> None:
    # Clients send the same header names request after request: the names read are planned once
    # per list of names, not looked up one by one (S3 PutObject's 9 headers: 1.5 -> 0.6 us).
    names = tuple(headers)
    plan = compiled.header_plans.get(names)
    if plan is None:
        plan = _plan_headers(compiled, names)
    try:
        for key, binding in plan.bound:
            value = headers[key]
            params[binding.name] = value if binding.plain else binding.read(value)
    except ValueError:
        if binding.read is int:
            _read_integer(binding.shape, value)  # raises the client's error
        raise
    for binding, keys in plan.prefixed:
        start = len(binding.key)
        params[binding.name] = {key[start:]: headers[key] for key in keys}


def _plan_headers(compiled: Bindings, names: tuple[str, ...]) -> _HeaderPlan:
    bound = tuple((key, compiled.header[key]) for key in names if key in compiled.header)
    prefixed = []
    for binding in compiled.prefixed:
        keys = tuple(key for key in names if key.startswith(binding.key))
        if keys:
            prefixed.append((binding, keys))
    plan = _HeaderPlan(bound, tuple(prefixed))
    if len(compiled.header_plans) >= _MAX_HEADER_PLANS:
        compiled.header_plans.clear()  # clients choose header names (x-amz-meta-*): stay bounded
    compiled.header_plans[names] = plan
    return plan


_MAX_HEADER_PLANS = 256


def _read_integer(member: Shape, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise SerializationException(f"Invalid value for {member.name}: {text!r}") from None


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


# -- writing --------------------------------------------------------------------------------------


def write_located_members(
    shape: Shape, result: dict[str, Any], response: HttpResponse
) -> tuple[Set[str], str | None]:
    """Put header and status-code members on the response; returns bound names and payload name.
    An output that binds `Content-Type` to a member (S3's GetObject) has no default content type."""
    compiled = bindings(shape)
    write_bound(compiled, result, response)
    return compiled.names, compiled.payload


def write_bound(compiled: Bindings, result: dict[str, Any], response: HttpResponse) -> None:
    """`write_located_members` given the shape's compiled bindings."""
    headers = response.headers
    if compiled.content_type:
        headers.pop("content-type", None)
    writers = compiled.header_writers
    written = compiled.written
    for name, value in result.items():
        writer = writers.get(name)
        if writer is not None:
            if value is not None:
                key, write = writer
                if write is not None:
                    headers[key] = write(value)
                else:
                    headers[key] = value if value.__class__ is str else str(value)
            continue
        binding = written.get(name)
        if binding is None or value is None:
            continue
        if binding.location == "headers":
            for key, item in value.items():
                headers[(binding.key + key).lower()] = str(item)
        else:
            response.status = int(value)


def has_body_members(shape: Shape) -> bool:
    """Whether some member of `shape` is not bound to the HTTP message (it goes in the body): S3's
    PutObject output is all headers, so it skips building a document (serialize 3.6 -> 2.0 us)."""
    return bindings(shape).has_body


def binds_content_type(shape: Shape) -> bool:
    """Whether an output declares its own `Content-Type` header member."""
    return bindings(shape).content_type


def _header_writer(member: Shape) -> Convert:
    kind = member.type_name
    if kind == "timestamp":
        style = member.serialization.get("timestampFormat", "rfc822")
        return lambda value: str(format_timestamp(value, style))
    if kind == "boolean":
        return lambda value: "true" if value else "false"
    if kind == "list":
        return lambda value: ",".join(str(item) for item in value)
    if kind == "string" and member.serialization.get("jsonvalue"):
        return lambda value: encode_blob(orjson.dumps(value))
    if kind == "blob":
        return encode_blob
    return str


def write_blob_payload(value: Any, response: HttpResponse) -> None:
    if isinstance(value, FileBody):
        response.body = value
    elif isinstance(value, Payload):
        response.body = FileBody(value.path, 0, value.length) if value.path else value.data
    elif isinstance(value, str):
        response.body = value.encode()
    else:
        response.body = value if not isinstance(value, bytearray) else bytes(value)
