"""The invoke engine: the one entry point that runs a function, used by the Invoke operation and
by every engine that invokes functions (event source mappings, destinations, other services).

    result = await invoke(account, region, "my-function", None, b'{"a": 1}', "RequestResponse")

It resolves the function and qualifier (aliases with weighted routing), checks the payload limits
and concurrency, runs the invocation in an execution environment, writes its log lines through
`logs_sink`, and answers status, payload, function error and the log tail as Invoke does.
`Event` invocations are queued (see `async_invocations`); `DryRun` only checks.
`invoke_streamed` starts an invocation whose response chunks the caller reads as the function
writes them (InvokeWithResponseStream, function URLs in RESPONSE_STREAM mode).
"""

from __future__ import annotations

import asyncio
import base64
import random
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from fogbank.runtime import pool
from fogbank.runtime.environments import Invocation
from fogbank.runtime.output import LogLine
from fogbank.services.lambda_ import concurrency, execution, functions, logs_sink
from fogbank.services.lambda_.errors import (
    InvalidRequestContentException,
    RequestTooLargeException,
    ResourceNotFoundException,
)

# https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
MAX_SYNC_PAYLOAD = 6291456
MAX_ASYNC_PAYLOAD = 1048576
TAIL_BYTES = 4096


@dataclass(slots=True)
class InvokeResult:
    status_code: int
    payload: bytes = b""
    function_error: str | None = None
    executed_version: str | None = None
    request_id: str = ""
    log: list[LogLine] = field(default_factory=list)

    def log_tail(self) -> str:
        """The last 4 KB of the invocation's log, base64-encoded (Invoke's `LogType: Tail`)."""
        text = "".join(line.message + "\n" for line in self.log).encode()
        return base64.b64encode(text[-TAIL_BYTES:]).decode()


@dataclass(slots=True)
class Target:
    """A resolved function version: what to run and how to name it."""

    account: str
    region: str
    name: str
    qualifier: str | None
    record: dict[str, Any]
    config: dict[str, Any]
    version: str

    @property
    def invoked_arn(self) -> str:
        return functions.function_arn(self.account, self.region, self.name, self.qualifier)


def resolve(account: str, region: str, function_name_or_arn: str, qualifier: str | None) -> Target:
    name, qualifier = functions.split_name(account, region, function_name_or_arn, qualifier)
    record = functions.require(account, region, name, qualifier)
    version = qualifier or functions.LATEST
    alias = record["aliases"].get(version)
    if alias is not None:
        version = routed_version(alias)
    config = record["versions"].get(version)
    if config is None:
        raise ResourceNotFoundException(
            f"Function not found: {functions.function_arn(account, region, name, qualifier)}"
        )
    return Target(account, region, name, qualifier, record, config, version)


def routed_version(alias: dict[str, Any]) -> str:
    """An alias sends each invocation to its version, or to an additional one by weight
    (https://docs.aws.amazon.com/lambda/latest/dg/configuring-alias-routing.html)."""
    weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
    draw = random.random()
    for version, weight in weights.items():
        if draw < weight:
            return str(version)
        draw -= weight
    return str(alias["FunctionVersion"])


def check_payload(payload: bytes, limit: int) -> bytes:
    if len(payload) > limit:
        raise RequestTooLargeException(
            f"Request must be smaller than {limit} bytes for the InvokeFunction operation"
        )
    if not payload:
        return b"{}"
    try:
        orjson.loads(payload)
    except orjson.JSONDecodeError as error:
        raise InvalidRequestContentException(
            f"Could not parse request body into json: Could not parse payload into json: {error}"
        ) from None
    return payload


async def invoke(
    account: str,
    region: str,
    function_name_or_arn: str,
    qualifier: str | None,
    payload: bytes,
    invocation_type: str = "RequestResponse",
    *,
    request_id: str | None = None,
    client_context: str | None = None,
) -> InvokeResult:
    """Invoke a function as the Invoke operation does; raises Lambda's `AwsError`s."""
    target = resolve(account, region, function_name_or_arn, qualifier)
    request_id = request_id or str(uuid.uuid4())
    if invocation_type == "DryRun":
        return InvokeResult(204, request_id=request_id)
    if invocation_type == "Event":
        from fogbank.services.lambda_ import async_invocations

        payload = check_payload(payload, MAX_ASYNC_PAYLOAD)
        async_invocations.enqueue(target, payload, request_id)
        return InvokeResult(202, request_id=request_id)
    payload = check_payload(payload, MAX_SYNC_PAYLOAD)
    shared = concurrency.acquire(account, region, target.name, target.record)
    try:
        return await run(target, payload, request_id, client_context)
    finally:
        concurrency.release(account, region, target.name, shared)


class Streamed:
    """A running invocation whose response is read chunk by chunk: `chunks()` yields what the
    function streams as it arrives, then `result()` answers the finished invocation. A buffered
    (non-streaming) function streams nothing: its payload is in the result."""

    def __init__(self, target: Target, payload: bytes, request_id: str, client_context: str | None) -> None:
        self.target = target
        self.request_id = request_id
        self.streamed = 0
        self.content_type = "application/octet-stream"  # as the function set it for its stream
        self._queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        shared = concurrency.acquire(target.account, target.region, target.name, target.record)
        self._task = asyncio.ensure_future(self._run(payload, client_context, shared))

    async def _run(self, payload: bytes, client_context: str | None, shared: bool) -> InvokeResult:
        # The invocation runs to its end even when the client stops reading, as in AWS.
        target = self.target
        try:
            return await run(target, payload, self.request_id, client_context, self._on_chunk)
        finally:
            concurrency.release(target.account, target.region, target.name, shared)
            self._queue.put_nowait(None)

    def _on_chunk(self, chunk: bytes, content_type: str) -> None:
        self.content_type = content_type
        self._queue.put_nowait(chunk)

    async def chunks(self) -> AsyncIterator[bytes]:
        while (chunk := await self._queue.get()) is not None:
            self.streamed += len(chunk)
            yield chunk

    async def result(self) -> InvokeResult:
        return await self._task


def invoke_streamed(
    account: str,
    region: str,
    function_name_or_arn: str,
    qualifier: str | None,
    payload: bytes,
    *,
    request_id: str | None = None,
    client_context: str | None = None,
) -> Streamed:
    """Start a RequestResponse invocation for a streaming caller; raises Lambda's `AwsError`s
    (function not found, payload, throttling) before anything is streamed."""
    target = resolve(account, region, function_name_or_arn, qualifier)
    payload = check_payload(payload, MAX_SYNC_PAYLOAD)
    return Streamed(target, payload, request_id or str(uuid.uuid4()), client_context)


async def run(
    target: Target,
    payload: bytes,
    request_id: str,
    client_context: str | None = None,
    on_chunk: Callable[[bytes, str], None] | None = None,
) -> InvokeResult:
    """Run one invocation of a resolved version (the caller holds a concurrency slot)."""
    spec = execution.spec_for(target.account, target.region, target.config)
    invocation = Invocation(
        request_id=request_id,
        payload=payload,
        invoked_arn=target.invoked_arn,
        client_context=_decoded_client_context(client_context),
        trace_id=_trace_id(),
        on_chunk=on_chunk,
    )
    outcome = await pool.run(spec, invocation)
    group = target.config["LoggingConfig"]["LogGroup"]
    logs_sink.write(
        target.account,
        target.region,
        group,
        outcome.log_stream,
        [logs_sink.LogEvent(line.timestamp, line.message) for line in outcome.log],
    )
    return InvokeResult(
        200,
        outcome.payload,
        "Unhandled" if outcome.error_type else None,
        target.version,
        request_id,
        outcome.log,
    )


def _decoded_client_context(value: str | None) -> str | None:
    """`X-Amz-Client-Context` is base64 JSON; the runtime receives the JSON text."""
    if not value:
        return None
    try:
        return base64.b64decode(value).decode()
    except ValueError:
        raise InvalidRequestContentException(
            "Client context must be a valid Base64-encoded JSON object."
        ) from None


def _trace_id() -> str:
    """An X-Ray trace header as Lambda passes it to the runtime."""
    return f"Root=1-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:24]};Parent={uuid.uuid4().hex[:16]};Sampled=0"
