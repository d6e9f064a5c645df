"""One execution environment: an OS process running the function's runtime, its Runtime API
listener, its own temporary folder, and the bookkeeping of the invocation it is serving.

Life cycle as in https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html:
init (the runtime starts and calls `next`), then one invocation at a time. A timeout kills the
process ("Task timed out after N.NN seconds"); a process that exits fails its invocation with
`Runtime.ExitError`; an environment that failed is never reused.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import math
import os
import resource
import shutil
import signal
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

from fogbank import clock
from fogbank.config import settings
from fogbank.runtime import output, zygotes
from fogbank.runtime.api import PREFIX, ApiRequest, ApiResponse, RuntimeApiServer
from fogbank.runtime.runtimes import RuntimeUnavailable, launch
from fogbank.runtime.zygotes import ForkedProcess

INIT_TIMEOUT = (
    10.0  # https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html#runtimes-lifecycle-ib
)
MAX_RESPONSE_BYTES = 6291456
# https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html
MAX_STREAMED_BYTES = 20 * 1024 * 1024
BASIC_PATH = "/usr/local/bin:/usr/bin:/bin"
# RLIMIT_AS bounds address space, not resident memory: threads reserve stacks and malloc arenas
# they never touch, so the limit leaves this much room above the function's memory size.
MEMORY_HEADROOM_MB = 256


@dataclass(slots=True)
class EnvironmentSpec:
    """What the Lambda service asks for: the pool keeps environments of one `key` together."""

    key: str
    runtime: str
    task_root: Path
    opt_dir: Path | None
    memory_mb: int
    timeout: float
    version: str
    variables: dict[str, str]  # AWS's, the function's and the credentials (not the per-environment ones)
    log_format: str = "Text"  # LoggingConfig: JSON turns the platform lines into platform events
    system_log_level: str = "INFO"
    application_log_level: str = "INFO"


@dataclass(slots=True)
class Invocation:
    request_id: str
    payload: bytes
    invoked_arn: str
    client_context: str | None = None
    cognito_identity: str | None = None
    trace_id: str = ""
    # Called with each chunk of a streamed response as it arrives, and the content type the
    # function set for the stream (response streaming callers).
    on_chunk: Callable[[bytes, str], None] | None = None


@dataclass(slots=True)
class Outcome:
    payload: bytes
    error_type: str | None  # None: the function succeeded
    log: list[output.LogLine]
    log_stream: str
    status: str = "success"  # success | error | timeout | crash


@dataclass(slots=True)
class _Current:
    invocation: Invocation
    done: asyncio.Future[tuple[bytes, str | None, str]]
    started: float = 0.0
    delivered: bool = False
    timer: asyncio.TimerHandle | None = None
    duration_ms: float = 0.0
    memory_used_mb: int = 0


class Environment:
    def __init__(self, spec: EnvironmentSpec, *, provisioned: bool = False) -> None:
        self.spec = spec
        # Provisioned environments initialize before any invocation and are never reaped idle.
        self.provisioned = provisioned
        self.initialized = asyncio.Event()
        self.log_stream = output.stream_name(spec.version)
        self.api = RuntimeApiServer(self._serve, self._serve_stream)
        self.process: asyncio.subprocess.Process | ForkedProcess | None = None
        self.output = output.OutputReader(spec.log_format, spec.system_log_level, spec.application_log_level)
        self.current: _Current | None = None
        self.waiting_next: asyncio.Future[Invocation] | None = None
        self.alive = True
        self.busy = False
        self.reap_scheduled = False
        self.killed_by_us = False
        self.idle_since = clock.now()
        self.init_started = time.perf_counter()
        self.init_ms: float | None = None
        self.tmp = Path(tempfile.mkdtemp(prefix="tmp-", dir=tmp_root()))
        self.exit_watch: asyncio.Task[None] | None = None
        self.status_fd: int | None = None

    async def start(self) -> None:
        start = launch(self.spec.runtime, self.spec.task_root, self.spec.opt_dir)
        await self.api.start()
        variables = {
            "PATH": BASIC_PATH,
            "LANG": "en_US.UTF-8",
            "HOME": str(self.tmp),
            "TMPDIR": str(self.tmp),
            **self.spec.variables,
            **start.variables,
            "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{self.api.port}",
            "AWS_LAMBDA_LOG_STREAM_NAME": self.log_stream,
        }
        if self.provisioned:
            variables["AWS_LAMBDA_INITIALIZATION_TYPE"] = "provisioned-concurrency"
            self.output.invoked = True  # its REPORT lines carry no Init Duration
        self.output.init_start(
            variables.get("AWS_LAMBDA_FUNCTION_NAME", ""),
            self.spec.version,
            variables.get("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"),
        )
        if start.warning:
            self.output.note(start.warning)
        limit = (self.spec.memory_mb + MEMORY_HEADROOM_MB) * 1024 * 1024 if start.limit_memory else None
        if start.forkable:
            self.process = await _fork(start.argv[0], variables, str(self.spec.task_root), limit)
        if self.process is None:
            self.process = await self._exec(start.argv, variables, limit)
        assert self.process.stdout is not None
        self.output.attach(self.process.stdout)
        self.exit_watch = asyncio.get_running_loop().create_task(self._watch_exit())

    async def _exec(
        self, argv: list[str], variables: dict[str, str], limit: int | None
    ) -> asyncio.subprocess.Process:
        try:
            return await asyncio.create_subprocess_exec(
                *argv,
                cwd=str(self.spec.task_root),
                env=variables,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=(lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit)))
                if limit
                else None,
            )
        except OSError as problem:  # e.g. a bootstrap without a shebang or for another machine
            self.api.close()
            raise RuntimeUnavailable(
                "Runtime.InvalidEntrypoint", f"fork/exec {argv[0]}: {problem.strerror}"
            ) from None

    # -- invoking ------------------------------------------------------------------------------

    async def invoke(self, invocation: Invocation) -> Outcome:
        """Run one invocation on this (idle) environment."""
        loop = asyncio.get_running_loop()
        self.busy = True
        current = self.current = _Current(invocation, loop.create_future())
        first = self.init_ms is None
        if self.waiting_next is not None and not self.waiting_next.done():
            self.waiting_next.set_result(invocation)
            self.waiting_next = None
        elif first:
            current.timer = loop.call_later(INIT_TIMEOUT, self._time_out, current, INIT_TIMEOUT)
        if self.process is not None and self.process.returncode is not None:  # it died while idle
            self._report_exit(current, self.process.returncode)
        payload, error_type, status = await current.done
        await self.output.settle(finished=not self.alive)
        if current.delivered:  # after the output the process wrote while running
            self.output.end(
                invocation.request_id,
                current.duration_ms,
                self.spec.memory_mb,
                current.memory_used_mb,
                status,
            )
        self.current = None
        self.busy = False
        self.idle_since = clock.now()
        log = self.output.take()
        return Outcome(payload, error_type, log, self.log_stream, status)

    def _deliver(self, invocation: Invocation) -> ApiResponse:
        current = self.current
        assert current is not None
        if current.timer is not None:
            current.timer.cancel()
        if self.init_ms is None:
            self.init_ms = (time.perf_counter() - self.init_started) * 1000
        loop = asyncio.get_running_loop()
        current.delivered = True
        current.started = time.perf_counter()
        self.output.begin(
            invocation.request_id,
            self.spec.version,
            self.init_ms if not self.output.invoked else None,
            invocation.invoked_arn,
        )
        current.timer = loop.call_later(self.spec.timeout, self._time_out, current, self.spec.timeout)
        deadline = int(
            (clock.now() - clock.offset()) * 1000 + self.spec.timeout * 1000
        )  # the child's wall clock
        headers = {
            "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
            "Lambda-Runtime-Deadline-Ms": str(deadline),
            "Lambda-Runtime-Invoked-Function-Arn": invocation.invoked_arn,
            "Lambda-Runtime-Trace-Id": invocation.trace_id,
        }
        if invocation.client_context:
            headers["Lambda-Runtime-Client-Context"] = invocation.client_context
        if invocation.cognito_identity:
            headers["Lambda-Runtime-Cognito-Identity"] = invocation.cognito_identity
        return ApiResponse(200, invocation.payload, headers)

    def _finish(self, payload: bytes, error_type: str | None, status: str) -> None:
        current = self.current
        if current is None or current.done.done():
            return
        if current.timer is not None:
            current.timer.cancel()
        current.duration_ms = (time.perf_counter() - current.started) * 1000 if current.delivered else 0.0
        current.memory_used_mb = self._max_memory_mb()
        current.done.set_result((payload, error_type, status))

    def _time_out(self, current: _Current, seconds: float) -> None:
        if current.done.done():
            return
        request_id = current.invocation.request_id
        message = f"Task timed out after {seconds:.2f} seconds"
        self.output.note(f"{output.timestamp()} {request_id} {message}")
        document = {
            "errorType": "Sandbox.Timedout",
            "errorMessage": f"RequestId: {request_id} Error: {message}",
        }
        self.kill()
        self._finish(json.dumps(document).encode(), "Sandbox.Timedout", "timeout")

    # -- the Runtime API -----------------------------------------------------------------------

    async def _serve(self, request: ApiRequest) -> ApiResponse:
        path = request.path
        if not path.startswith(PREFIX):
            return ApiResponse(404, b'{"errorMessage":"not found","errorType":"InvalidRequest"}')
        route = path[len(PREFIX) :]
        if route == "invocation/next" and request.method == "GET":
            return await self._next()
        if route == "init/error" and request.method == "POST":
            return self._init_error(request)
        if route.startswith("invocation/") and request.method == "POST":
            request_id, _, action = route[len("invocation/") :].partition("/")
            return self._result(request_id, action, request)
        return ApiResponse(404, b'{"errorMessage":"not found","errorType":"InvalidRequest"}')

    async def _next(self) -> ApiResponse:
        current = self.current
        if current is not None and not current.delivered and not current.done.done():
            return self._deliver(current.invocation)
        future: asyncio.Future[Invocation] = asyncio.get_running_loop().create_future()
        self.waiting_next = future
        if self.init_ms is None:
            self.init_ms = (time.perf_counter() - self.init_started) * 1000
        self.initialized.set()
        try:
            invocation = await future
        except asyncio.CancelledError:
            return ApiResponse(500, b"{}")
        current = self.current
        if current is None or current.invocation is not invocation or current.done.done():
            # The process exited while this hand-over was in flight: its exit already ended the invocation.
            return ApiResponse(500, b"{}")
        return self._deliver(invocation)

    def _result(self, request_id: str, action: str, request: ApiRequest) -> ApiResponse:
        current = self.current
        if current is None or current.invocation.request_id != request_id or not current.delivered:
            body = json.dumps(
                {"errorMessage": f"Invalid request ID: {request_id}", "errorType": "InvalidRequestID"}
            )
            return ApiResponse(400, body.encode())
        streamed_error = request.headers.get("lambda-runtime-function-error-type")
        if action == "response" and streamed_error:  # a streamed response that failed midway
            body = request.headers.get("lambda-runtime-function-error-body", "")
            with contextlib.suppress(ValueError):
                body = base64.b64decode(body).decode()
            self._finish(body.encode(), streamed_error, "error")
        elif action == "response":
            if len(request.body) > MAX_RESPONSE_BYTES and not _streaming(request):
                document = {
                    "errorMessage": f"Response payload size exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes).",
                    "errorType": "Function.ResponseSizeTooLarge",
                }
                self._finish(json.dumps(document).encode(), "Function.ResponseSizeTooLarge", "error")
                return ApiResponse(413, json.dumps(document).encode())
            self._finish(request.body, None, "success")
        elif action == "error":
            error_type = request.headers.get("lambda-runtime-function-error-type") or "Unhandled"
            self._finish(request.body, error_type, "error")
        else:
            return ApiResponse(404, b"{}")
        return ApiResponse(202, b'{"status":"OK"}')

    async def _serve_stream(self, request: ApiRequest, chunks: AsyncIterator[bytes]) -> ApiResponse:
        """A streamed response: each chunk goes to the invocation's `on_chunk` as it arrives; the
        whole body (or the error in the trailers) finishes the invocation."""
        current = self.current
        request_id = request.path[len(PREFIX) + len("invocation/") :].partition("/")[0]
        valid = current is not None and current.invocation.request_id == request_id and current.delivered
        parts: list[bytes] = []
        total = 0
        async for chunk in chunks:
            if not valid or current is None or current.done.done():
                continue  # read to the end all the same: the connection carries the next request
            total += len(chunk)
            if total > MAX_STREAMED_BYTES:
                document = {
                    "errorMessage": f"Response payload size exceeded maximum allowed payload size ({MAX_STREAMED_BYTES} bytes).",
                    "errorType": "Function.ResponseSizeTooLarge",
                }
                self._finish(json.dumps(document).encode(), "Function.ResponseSizeTooLarge", "error")
                continue
            parts.append(chunk)
            if current.invocation.on_chunk is not None:
                current.invocation.on_chunk(
                    chunk, request.headers.get("content-type") or "application/octet-stream"
                )
        if not valid:
            body = json.dumps(
                {"errorMessage": f"Invalid request ID: {request_id}", "errorType": "InvalidRequestID"}
            )
            return ApiResponse(400, body.encode())
        request.body = b"".join(parts)
        return self._result(request_id, "response", request)

    def _init_error(self, request: ApiRequest) -> ApiResponse:
        """The runtime could not initialize: the pending invocation gets its error and the
        environment is discarded (the runtime exits after reporting)."""
        error_type = request.headers.get("lambda-runtime-function-error-type") or "Runtime.Unknown"
        current = self.current
        self.alive = False
        if current is not None:
            current.delivered = True
            current.started = time.perf_counter()
            self.output.begin(
                current.invocation.request_id, self.spec.version, None, current.invocation.invoked_arn
            )
            self._finish(request.body, error_type, "error")
        return ApiResponse(202, b'{"status":"OK"}')

    # -- the process ---------------------------------------------------------------------------

    async def _watch_exit(self) -> None:
        assert self.process is not None
        code = await self.process.wait()
        self.alive = False
        self.api.close()
        if self.waiting_next is not None and not self.waiting_next.done():
            self.waiting_next.cancel()
        current = self.current
        if current is not None and not current.done.done():
            await self.output.settle(finished=True)
            self._report_exit(current, code)
        shutil.rmtree(self.tmp, ignore_errors=True)
        if self.status_fd is not None:
            os.close(self.status_fd)
            self.status_fd = None

    def _report_exit(self, current: _Current, code: int) -> None:
        request_id = current.invocation.request_id
        if not current.delivered:
            current.delivered = True
            current.started = time.perf_counter()
            self.output.begin(request_id, self.spec.version, None, current.invocation.invoked_arn)
        reason = f"signal: {_signal_name(-code)}" if code < 0 else f"exit status {code}"
        error_type = "Runtime.OutOfMemory" if code == -signal.SIGKILL else "Runtime.ExitError"
        message = f"RequestId: {request_id} Error: Runtime exited with error: {reason}"
        self.output.note(f"{message}\n{error_type}")
        self._finish(
            json.dumps({"errorType": error_type, "errorMessage": message}).encode(), error_type, "crash"
        )

    def _max_memory_mb(self) -> int:
        """The process's peak resident memory (VmHWM), read through a descriptor kept open on its
        /proc status file (opening and parsing it whole on every invoke costs a tenth of a ms)."""
        if self.process is None:
            return 0
        try:
            if self.status_fd is None:
                self.status_fd = os.open(f"/proc/{self.process.pid}/status", os.O_RDONLY)
            data = os.pread(self.status_fd, 4096, 0)
        except OSError:
            return 0
        start = data.find(b"VmHWM:")
        if start < 0:
            return 0
        return math.ceil(int(data[start + 6 : data.index(b"kB", start)]) / 1024)

    def kill(self) -> None:
        self.alive = False
        self.killed_by_us = True
        if self.process is not None and self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)


def tmp_root() -> Path:
    """Where environments' temporary folders live: inside fogbank's data folder, so that an
    in-memory fogbank removes them with its own folder and a restart can clear stale ones."""
    root = settings.data_dir / "lambda" / "tmp"
    root.mkdir(parents=True, exist_ok=True)
    return root


def clear_temporary_folders() -> None:
    shutil.rmtree(settings.data_dir / "lambda" / "tmp", ignore_errors=True)


def unavailable_outcome(problem: RuntimeUnavailable, request_id: str, version: str) -> Outcome:
    """A runtime that cannot run at all: the invoke fails with Lambda's error for it."""
    document = {
        "errorType": problem.error_type,
        "errorMessage": f"RequestId: {request_id} Error: {problem.message}",
    }
    reader = output.OutputReader()
    reader.begin(request_id, version, None)
    reader.note(f"{document['errorMessage']}\n{problem.error_type}")
    reader.end(request_id, 0.0, 0, 0, "error")
    return Outcome(
        json.dumps(document).encode(), problem.error_type, reader.take(), output.stream_name(version), "crash"
    )


async def _fork(
    interpreter: str, variables: dict[str, str], cwd: str, limit: int | None
) -> ForkedProcess | None:
    """An environment forked from the interpreter's zygote, or None to exec one instead."""
    zygote = await zygotes.zygote_for(interpreter)
    if zygote is None:
        return None
    try:
        return await zygote.spawn(variables, cwd, limit)
    except OSError:
        return None


def _streaming(request: ApiRequest) -> bool:
    """Streamed responses may exceed the 6 MB buffered limit (up to 20 MB in AWS)."""
    return request.headers.get("lambda-runtime-function-response-mode", "").lower() == "streaming"


def _signal_name(number: int) -> str:
    names: dict[int, str] = {
        signal.SIGKILL: "killed",
        signal.SIGSEGV: "segmentation fault",
        signal.SIGTERM: "terminated",
        signal.SIGABRT: "aborted",
    }
    return names.get(number, f"signal {number}")
