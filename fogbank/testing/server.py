"""Start a fogbank server in a child process for tests, and talk to its internal endpoints."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_NO_CONFIG = Path(tempfile.gettempdir()) / "fogbank-tests-without-config"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class FogbankServer:
    """A fogbank child process. `data_dir` None means `--ephemeral`."""

    data_dir: Path | None = None
    port: int = field(default_factory=free_port)
    extra_args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    def start(self, timeout: float = 30.0) -> FogbankServer:
        command = [sys.executable, "-m", "fogbank", "start", "--port", str(self.port)]
        command += ["--data-dir", str(self.data_dir)] if self.data_dir else ["--ephemeral"]
        command += self.extra_args
        # Hermetic by default: no init scripts from the developer's own config directory.
        environment = {**os.environ, "FOGBANK_CONFIG_DIR": str(_NO_CONFIG), **self.env}
        log_dir = Path(os.environ.get("FOGBANK_TEST_LOGS", "/tmp/fogbank-test-logs"))
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"fogbank-{self.port}.log"
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=environment)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"fogbank exited at start-up:\n{self.log_path.read_text()}")
            try:
                self.get("/_fogbank/health")
                return self
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.05)
        raise RuntimeError("fogbank did not become ready")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        """`kill -9`: no shutdown code runs."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def get(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=10) as response:
            return json.loads(response.read())

    def call(self, method: str, path: str, body: bytes | None = None) -> tuple[int, Any]:
        """Any request to an internal endpoint: (HTTP status, parsed JSON body), errors included."""
        status, raw = self.call_raw(method, path, body)
        return status, json.loads(raw)

    def call_raw(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        request = urllib.request.Request(self.url + path, data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as failure:
            return failure.code, failure.read()

    def client(self, service: str, region: str = "us-east-1", access_key: str = "test") -> Any:
        """A boto3 client for this server (boto3 is a test dependency, imported on demand)."""
        import boto3
        from botocore.config import Config

        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name=region,
            aws_access_key_id=access_key,
            aws_secret_access_key="test",
            config=Config(retries={"max_attempts": 1}),
        )

    def post(self, path: str, document: Any = None) -> Any:
        data = json.dumps(document if document is not None else {}).encode()
        request = urllib.request.Request(self.url + path, data=data, method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def advance_clock(self, duration: str | float) -> Any:
        """Move fogbank's clock forward (ISO 8601 duration such as "PT15M", or seconds)."""
        return self.post("/_fogbank/clock", {"advance": duration})

    def reset(self, service: str | None = None) -> Any:
        return self.post("/_fogbank/reset", {"service": service} if service else {})
