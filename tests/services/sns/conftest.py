"""Fixtures for the SNS tests: clients, topics, queues, and a tiny HTTP endpoint that records what
SNS posts to it."""

from __future__ import annotations

import base64
import http.server
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest


@pytest.fixture
def sns(client_factory: Callable[..., Any]) -> Any:
    return client_factory("sns")


@pytest.fixture
def sqs(client_factory: Callable[..., Any]) -> Any:
    return client_factory("sqs")


@pytest.fixture
def topic_arn(sns: Any, unique_name: Callable[[str], str]) -> str:
    return str(sns.create_topic(Name=unique_name("topic"))["TopicArn"])


@dataclass
class Queue:
    url: str
    arn: str


@pytest.fixture
def make_queue(sqs: Any, unique_name: Callable[[str], str]) -> Callable[..., Queue]:
    def make(fifo: bool = False, **attributes: str) -> Queue:
        name = unique_name("q") + (".fifo" if fifo else "")
        if fifo:
            attributes["FifoQueue"] = "true"
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return Queue(url, arn)

    return make


@dataclass
class Posted:
    path: str
    headers: dict[str, str]
    body: str


@dataclass
class HttpEndpoint:
    """A local HTTP server on a free loopback port; `statuses` are answered in turn (then 200)."""

    url: str
    requests: queue.Queue[Posted] = field(default_factory=queue.Queue)
    statuses: list[int] = field(default_factory=list)
    basic_auth: str | None = None  # "user:password" to demand, challenging with a 401 first

    def next(self, timeout: float = 10.0) -> Posted:
        return self.requests.get(timeout=timeout)


def _basic(credentials: str) -> str:
    return "Basic " + base64.b64encode(credentials.encode()).decode()


@pytest.fixture
def http_endpoint() -> Iterator[HttpEndpoint]:
    endpoint = HttpEndpoint(url="")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server naming
            length = int(self.headers.get("content-length", 0))
            body = self.rfile.read(length).decode()
            if endpoint.basic_auth and self.headers.get("authorization") != _basic(endpoint.basic_auth):
                self.send_response(401)
                self.send_header("www-authenticate", 'Basic realm="hooks"')
                self.send_header("content-length", "0")
                self.end_headers()
                return
            status = endpoint.statuses.pop(0) if endpoint.statuses else 200
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()
            endpoint.requests.put(Posted(self.path, {k.lower(): v for k, v in self.headers.items()}, body))

        def log_message(self, *args: Any) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    endpoint.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield endpoint
    server.shutdown()
    server.server_close()
