"""Serving the ASGI app in one process: fogbank's HTTP/1.1 protocol (`http11`) on a uvloop event
loop, run by the small server here (the listening socket, the ASGI lifespan, SIGINT/SIGTERM and a
graceful shutdown, the Date header). WebSocket upgrades go to uvicorn's sans-I/O WebSocket
protocol, and uvicorn is imported for the first of them.

Why uvicorn's pieces: measured with `benchmarks/servers.py` (fogbank's app, an asyncio keep-alive
client with 16 connections, 4 s per run, on the shared 2-core machine, 2026-11-26; wall-clock
throughput swung ±50 % between runs because other work shared the cores, so server CPU per
request is the figure to compare):

    server                      SQS GetQueueUrl          SQS SendMessage          idle RSS
                                req/s    CPU/request     req/s    CPU/request
    uvicorn (httptools, uvloop) 2700-4400  121-178 µs    1100-2200  229-331 µs    40.8 MiB
    granian embedded (1 proc.)  3100-5400  144-180 µs    2700-4400  220-359 µs    45.9 MiB
    granian CLI (1 worker)      3700-7100  133-208 µs    2600-5100  211-324 µs    73.3 MiB

The CPU cost per request is the same within noise: fogbank's own Python dominates it. granian
costs 5 MiB more in-process, doubles memory with its worker process, and calls its embedded mode
experimental. Since then the HTTP/1.1 protocol became fogbank's own (`http11`: uvicorn's cost
10-40 µs more per request), which left uvicorn running only the server around it.

Why not `uvicorn.run` any more: importing uvicorn imports click, its reloaders and process
supervisors, `logging.config` and its middlewares, none of which fogbank uses. Measured
2026-11-26 (valgrind, `python -m fogbank start` to the first answered SQS request): 874 -> 774 M
instructions; idle RSS 39.3 -> 36.6 MiB. The server below does what `uvicorn.run` did for
fogbank, in uvicorn's order and with its behaviour: lifespan startup (exit status 3 when it
fails), listen (a bind failure is logged, the lifespan shut down, exit status 3), the Date header
renewed each second, and on SIGINT/SIGTERM: stop listening, ask each connection to close once
idle, wait for open connections and running requests (a second SIGINT stops waiting), lifespan
shutdown, then the signal is raised again with its previous handler (SIGTERM ends the process as
SIGTERM does; after SIGINT the process exits with status 0, as under `uvicorn.run`).

Idle memory: fogbank depends on uvicorn, httptools, uvloop and websockets rather than
`uvicorn[standard]`, whose watchfiles cost 0.6 MiB; the websockets library (about 2 MiB and
10 ms) loads on the first WebSocket upgrade (`WebSocketOnFirstUse`).

The HTTP/1.1 protocol writes each response at once, head and body in one system call, and sends
file bodies with `splice` (`file_sending`); request log lines are written in batches from the
event loop (`log_output.BatchingHandler`).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import signal
import threading
from email.utils import formatdate
from types import FrameType
from typing import Any

from fogbank.config import settings

log = logging.getLogger("fogbank.server")

STARTUP_FAILURE = 3  # uvicorn's exit status when the app or the socket fails at start-up
KEEP_ALIVE_SECONDS = 30  # an idle client connection is closed after this
BACKLOG = 2048  # uvicorn's default listen backlog
HANDLED_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def configure_logging() -> None:
    from fogbank.gateway import log_output

    log_output.configure(logging.DEBUG if settings.debug else logging.INFO)
    for noisy in ("uvicorn.error", "uvicorn.access", "asyncio", "botocore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


class ServerState:
    """What the connection protocols share (the fields of uvicorn's `ServerState`, which its
    WebSocket protocol uses too): open connections (asked to close at shutdown), running request
    tasks (waited for), and the default response headers (the Date header)."""

    def __init__(self) -> None:
        self.total_requests = 0
        self.connections: set[Any] = set()
        self.tasks: set[asyncio.Task[None]] = set()
        self.default_headers: list[tuple[bytes, bytes]] = []


class WebSocketOnFirstUse:
    """The WebSocket protocol class the HTTP protocol hands an upgrade to: uvicorn's sans-I/O
    WebSocket protocol, with uvicorn and the websockets library (about 2 MiB of memory and 50 ms)
    imported when the first client upgrades, not before."""

    def __new__(cls, *, config: Any, server_state: ServerState, app_state: dict[str, Any]) -> Any:
        from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

        return WebSocketsSansIOProtocol(
            config=_uvicorn_config(config.loaded_app),
            server_state=server_state,  # type: ignore[arg-type]  # the same fields as uvicorn's
            app_state=app_state,
        )


@functools.cache
def _uvicorn_config(app: Any) -> Any:
    """The uvicorn settings its WebSocket protocol reads (message size, pings, compression: its
    defaults), for fogbank's app."""
    import uvicorn
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

    from fogbank.gateway.http11 import Http11Protocol

    config = uvicorn.Config(
        app,
        http=Http11Protocol,
        ws=WebSocketsSansIOProtocol,
        lifespan="off",
        log_config=None,
        access_log=False,
        proxy_headers=False,  # nothing fronts fogbank; X-Forwarded-* must not rewrite the client address
        server_header=False,  # services set AWS's own `Server` header (S3: AmazonS3) where AWS sends one
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )
    config.load()
    return config


class ProtocolConfig:
    """The settings `Http11Protocol` reads, by uvicorn's `Config` names."""

    loaded = True
    timeout_keep_alive = KEEP_ALIVE_SECONDS
    ws_protocol_class = WebSocketOnFirstUse

    def __init__(self, app: Any) -> None:
        self.loaded_app = app

    def load(self) -> None:
        pass  # nothing to load: the app is given


class Lifespan:
    """The ASGI lifespan protocol, as uvicorn's `lifespan="on"` speaks it: the app runs as a task
    that receives `lifespan.startup` then `lifespan.shutdown` and answers each; an exception in it
    fails start-up and skips the shutdown message."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.state: dict[str, Any] = {}  # the ASGI `state`, handed to every request's scope
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.answers: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()  # None: the app ended
        self.failed = False
        self.task: asyncio.Task[None] | None = None

    async def startup(self) -> bool:
        """True once the app reported its start-up complete."""
        self.task = asyncio.get_running_loop().create_task(self._run())
        return await self._ask("lifespan.startup")

    async def shutdown(self) -> None:
        if not self.failed:
            await self._ask("lifespan.shutdown")

    async def _ask(self, kind: str) -> bool:
        await self.inbox.put({"type": kind})
        answer = await self.answers.get()
        if answer is None or answer["type"].endswith(".failed"):
            if answer is not None and answer.get("message"):
                log.error("%s", answer["message"])
            log.error("Application %s failed. Exiting.", kind.removeprefix("lifespan."))
            self.failed = True
            return False
        return True

    async def _run(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": self.state}
        try:
            await self.app(scope, self.inbox.get, self.answers.put)
        except asyncio.CancelledError:  # the loop ends (a forced exit skips the shutdown message)
            raise
        except BaseException:  # noqa: BLE001 - whatever ends the app is reported, as uvicorn does
            log.exception("Exception in 'lifespan' protocol")
        finally:
            self.answers.put_nowait(None)


class Server:
    """Listens on `settings.host:settings.port` and serves until SIGINT/SIGTERM."""

    def __init__(self, app: Any) -> None:
        self.lifespan = Lifespan(app)
        self.config = ProtocolConfig(app)
        self.state = ServerState()
        self.listener: asyncio.AbstractServer | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.exiting: asyncio.Event | None = None
        self.force_exit = False
        self.signals: list[int] = []

    async def serve(self) -> None:
        from fogbank.gateway.http11 import Http11Protocol

        loop = self.loop = asyncio.get_running_loop()
        self.exiting = asyncio.Event()
        if self.signals:  # a signal came before the loop ran
            self.exiting.set()
        if not await self.lifespan.startup():
            raise SystemExit(STARTUP_FAILURE)
        self._renew_date_header()

        def connection() -> asyncio.Protocol:
            return Http11Protocol(self.config, self.state, self.lifespan.state, loop)

        try:
            self.listener = await self._listen(connection)
        except OSError as problem:
            log.error("%s", problem)
            await self.lifespan.shutdown()
            raise SystemExit(STARTUP_FAILURE) from None
        await self.exiting.wait()
        await self._shut_down()

    async def _listen(self, connection: Any) -> asyncio.AbstractServer:
        loop = asyncio.get_running_loop()
        host = settings.host
        if host and host.isascii():
            # uvloop encodes a host given as text with the IDNA codec, whose first use imports
            # stringprep and unicodedata: 9 M instructions and 0.6 MiB of idle memory (measured
            # 2026-11-26). An ASCII host name is the same bytes, which uvloop takes as they are.
            try:
                return await loop.create_server(
                    connection,
                    host=[host.encode("ascii")],  # type: ignore[list-item]  # uvloop takes bytes too
                    port=settings.port,
                    backlog=BACKLOG,
                )
            except TypeError:  # an event loop that wants text after all
                pass
        return await loop.create_server(connection, host=host, port=settings.port, backlog=BACKLOG)

    def _renew_date_header(self) -> None:
        # The HTTP Date header of the transport (wall time, as uvicorn sent it), renewed once a
        # second; the protocol caches the header lines by the identity of this list.
        self.state.default_headers = [(b"date", formatdate(usegmt=True).encode())]
        asyncio.get_running_loop().call_later(1.0, self._renew_date_header)

    async def _shut_down(self) -> None:
        assert self.listener is not None
        self.listener.close()
        for connection in list(self.state.connections):
            connection.shutdown()  # closes it now when idle, else after its response
        await asyncio.sleep(0.1)
        while self.state.connections and not self.force_exit:
            await asyncio.sleep(0.1)
        while self.state.tasks and not self.force_exit:
            await asyncio.sleep(0.1)
        if not self.force_exit:
            await self.listener.wait_closed()
            await self.lifespan.shutdown()

    def handle_signal(self, number: int, frame: FrameType | None) -> None:
        self.signals.append(number)
        if self.exiting is None or self.loop is None or self.loop.is_closed():
            return  # before serving (`serve` looks at `signals`) or after
        if self.exiting.is_set() and number == signal.SIGINT:
            self.force_exit = True  # a second Ctrl-C: stop waiting for connections
        # Python runs the handler between two bytecodes of the loop's thread; this wakes the loop.
        self.loop.call_soon_threadsafe(self.exiting.set)

    def run(self) -> None:
        """Serve; then raise the signals that ended serving again, with their previous handlers
        (SIGTERM then ends the process as SIGTERM does; the KeyboardInterrupt of a SIGINT ends
        serving quietly, as under `uvicorn.run`)."""
        import uvloop

        main_thread = threading.current_thread() is threading.main_thread()
        handlers = HANDLED_SIGNALS if main_thread else ()
        previous = {number: signal.signal(number, self.handle_signal) for number in handlers}
        try:
            try:
                with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                    runner.run(self.serve())
            finally:
                for number, handler in previous.items():
                    signal.signal(number, handler)
            for raised in reversed(self.signals):
                signal.raise_signal(raised)
        except KeyboardInterrupt:
            pass


def serve() -> int:
    """Serve until SIGINT/SIGTERM (then the lifespan shutdown closes the state)."""
    configure_logging()
    logging.getLogger("fogbank").info(
        "fogbank listening on http://%s:%d (%s)",
        settings.host,
        settings.port,
        "in memory" if settings.ephemeral else f"state in {settings.data_dir}",
    )
    from fogbank.gateway.app import app

    Server(app).run()
    return 0
