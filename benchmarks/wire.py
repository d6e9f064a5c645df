"""Pre-built AWS requests: signed ONCE with botocore (SigV4), then replayed as raw bytes.

`signed(target, "sqs", "send_message", QueueUrl=…)` runs botocore's whole client pipeline
(serializer, endpoint rules, signer) and stops it just before sending, keeping the request as a
`loadgen.Template`. None of the emulators verifies signatures by default (fogbank only with
`--verify-signatures`), so one signed template serves every request, with cheap byte
substitution for unique keys. `Wire` replays templates one at a time over http.client, for the
sequential latency measures; `load()` hands them to the load generator process.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from loadgen import Template
from targets import Target

HERE = Path(__file__).resolve().parent
COUNTER = "QQQQQQQQQQ"  # replaced per request by a 10-digit request number
_DROPPED = {"expect", "content-length", "transfer-encoding", "connection", "host"}


class _Captured(Exception):  # noqa: N818 - control flow, not an error
    def __init__(self, request: Any) -> None:
        super().__init__("captured")
        self.request = request


def _capture(request: Any, **_: Any) -> None:
    raise _Captured(request)


def client(target: Target, service: str) -> Any:
    """A boto3 client for setup and checks (never for the measured requests)."""
    return boto3.client(
        service,
        endpoint_url=target.url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(
            retries={"max_attempts": 1},
            s3={"addressing_style": "path"},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            read_timeout=120,
            inject_host_prefix=False,  # StartSyncExecution's "sync-" prefix would break 127.0.0.1
        ),
    )


def signed(target: Target, service: str, operation: str, **params: Any) -> Template:
    """The raw HTTP/1.1 request botocore would send for `operation(**params)`."""
    capturing = client(target, service)
    capturing.meta.events.register("before-send", _capture)
    try:
        getattr(capturing, operation)(**params)
    except _Captured as captured:
        return _template(captured.request)
    raise RuntimeError(f"{service}.{operation} was not captured")


def _template(request: Any) -> Template:
    url = urlsplit(request.url)
    path = (url.path or "/") + (f"?{url.query}" if url.query else "")
    lines = [f"{request.method} {path} HTTP/1.1", f"Host: {url.netloc}"]
    for name, value in request.headers.items():
        if name.lower() not in _DROPPED:
            lines.append(f"{name}: {value.decode('latin-1') if isinstance(value, bytes) else value}")
    head = "\r\n".join(lines).encode("latin-1") + b"\r\n"
    body = request.body or b""
    if hasattr(body, "read"):
        body = body.read()
    return Template(head, body.encode() if isinstance(body, str) else bytes(body))


def spec_entry(template: Template) -> dict[str, str]:
    return {"head": template.head.decode("latin-1"), "body": template.body.decode("latin-1")}


def load(target: Target, requests: list[Template], **spec: Any) -> dict[str, Any]:
    """Run the load generator in its own process against `target`; returns its result."""
    document = {"port": target.port, "requests": [spec_entry(each) for each in requests], **spec}
    if "delete" in document:
        document["delete"] = spec_entry(document["delete"])
    finished = subprocess.run(
        [sys.executable, str(HERE / "loadgen.py")],
        input=json.dumps(document).encode(),
        capture_output=True,
        timeout=spec["seconds"] + 120,
        check=False,
    )
    if finished.returncode:
        raise RuntimeError(f"load generator failed: {finished.stderr.decode()[-400:]}")
    return json.loads(finished.stdout)  # type: ignore[no-any-return]


class Wire:
    """Sequential replay of templates on one keep-alive connection (latency measures)."""

    def __init__(self, target: Target) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", target.port, timeout=60)

    def call(self, template: Template, old: str | None = None, new: str = "") -> tuple[int, bytes]:
        head, body = template.head, template.body
        if old is not None:
            head, body = head.replace(old.encode(), new.encode()), body.replace(old.encode(), new.encode())
        request_line, *headers = head.decode("latin-1").rstrip("\r\n").split("\r\n")
        method, path, _ = request_line.split(" ")
        self.connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for header in headers:
            name, _, value = header.partition(": ")
            self.connection.putheader(name, value)
        self.connection.putheader("Content-Length", str(len(body)))
        self.connection.endheaders(body)
        response = self.connection.getresponse()
        return response.status, response.read()

    def json(self, template: Template, old: str | None = None, new: str = "") -> dict[str, Any]:
        status, body = self.call(template, old, new)
        if status != 200:
            raise RuntimeError(f"HTTP {status}: {body[:300].decode(errors='replace')}")
        return json.loads(body) if body else {}  # type: ignore[no-any-return]

    def close(self) -> None:
        self.connection.close()
