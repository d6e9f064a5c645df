"""A tiny HTTP server on a free 127.0.0.1 port, in a thread, recording what API destinations send
it and answering with scripted status codes; `/token` answers OAuth client-credentials grants and
`/enrich` answers a JSON array body with each item wrapped as `{"enriched": item}` (a Pipes
enrichment). Used by the tests of API destinations."""

from __future__ import annotations

import json
import queue
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Endpoint:
    url: str = ""
    requests: queue.Queue[Received] = field(default_factory=queue.Queue)
    tokens: queue.Queue[Received] = field(default_factory=queue.Queue)
    statuses: list[int] = field(default_factory=list)  # answers to come, then 200
    token_status: int = 200
    token_counter: int = 0

    def next(self, timeout: float = 5) -> Received:
        return self.requests.get(timeout=timeout)

    def quiet(self, timeout: float = 0.3) -> bool:
        try:
            self.requests.get(timeout=timeout)
        except queue.Empty:
            return True
        return False


def serve() -> tuple[Endpoint, ThreadingHTTPServer]:
    endpoint = Endpoint()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            split = urlsplit(self.path)
            received = Received(
                self.command,
                split.path,
                dict(parse_qsl(split.query)),
                {key.lower(): value for key, value in self.headers.items()},
                self.rfile.read(length),
            )
            if split.path == "/token":
                endpoint.token_counter += 1
                endpoint.tokens.put(received)
                answer = {
                    "access_token": f"token-{endpoint.token_counter}",
                    "token_type": "Bearer",
                    "expires_in": 60,
                }
                self._answer(endpoint.token_status, json.dumps(answer).encode())
                return
            status = endpoint.statuses.pop(0) if endpoint.statuses else 200
            endpoint.requests.put(received)
            if split.path == "/enrich" and status < 300:
                self._answer(
                    status, json.dumps([{"enriched": item} for item in json.loads(received.body)]).encode()
                )
                return
            self._answer(status, b'{"ok": true}' if status < 300 else b'{"error": "scripted"}')

        def _answer(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    endpoint.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return endpoint, server
