"""The emulators under test, each started in its own process on a free 127.0.0.1 port: fogbank
(on disk, and `fogbank-ephemeral` in memory), moto's server, ministack and dynalite (DynamoDB
only; installed with npm into `.benchmarks-env/dynalite`, skipped when that fails). Also measures start-up (spawn → first answered AWS request) and idle
memory (RSS of the server process and its children)."""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DYNALITE = ROOT / ".benchmarks-env" / "dynalite"


def ensure_dynalite() -> str | None:
    """Install dynalite once with npm; returns why it is unavailable, or None."""
    if (DYNALITE / "node_modules" / "dynalite" / "cli.js").exists():
        return None
    if shutil.which("node") is None or shutil.which("npm") is None:
        return "node/npm not installed"
    DYNALITE.mkdir(parents=True, exist_ok=True)
    command = ["npm", "install", "--prefix", str(DYNALITE), "--no-audit", "--no-fund", "dynalite"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    except subprocess.TimeoutExpired:
        return "npm install dynalite timed out"
    if done.returncode:
        return f"npm install dynalite failed: {done.stderr.strip()[-200:]}"
    return None


# One SQS ListQueues request in the JSON protocol, signed with a dummy SigV4 header (none of the
# three checks signatures by default). Raw bytes, so the probe costs no client time.
_PROBE_BODY = b"{}"
_PROBE_HEADERS = {
    "X-Amz-Target": "AmazonSQS.ListQueues",
    "Content-Type": "application/x-amz-json-1.0",
    "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, "
    "SignedHeaders=host;x-amz-target, Signature=0",
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Target:
    """How to start one emulator; `python` is the interpreter it runs under."""

    name: str
    python: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    scratch: str = field(default_factory=lambda: tempfile.mkdtemp(prefix="fogbank-bench-"))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        if self.name == "fogbank":
            # Persistent (the default a user gets), in a fresh data directory.
            return [
                self.python,
                "-m",
                "fogbank",
                "start",
                "--port",
                str(self.port),
                "--data-dir",
                self.scratch,
            ]
        if self.name == "fogbank-ephemeral":  # in memory, like the peers
            return [self.python, "-m", "fogbank", "start", "--port", str(self.port), "--ephemeral"]
        if self.name == "dynalite":  # in memory (its default), tables ACTIVE at once
            cli = str(DYNALITE / "node_modules" / "dynalite" / "cli.js")
            return ["node", cli, "--port", str(self.port), "--createTableMs", "0"]
        if self.name == "moto":
            return [self.python, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)]
        return [self.python, "-m", "ministack"]

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(HOME=os.environ.get("HOME", self.scratch), PYTHONUNBUFFERED="1")
        if self.name == "ministack":
            env.update(
                GATEWAY_PORT=str(self.port),
                BIND_HOST="127.0.0.1",
                LOG_LEVEL="WARNING",
                TMPDIR=self.scratch,
                S3_DATA_DIR=os.path.join(self.scratch, "s3"),
            )
        return env

    def start(self) -> float:
        """Start the server; returns seconds from spawn to the first answered AWS request."""
        log = open(os.path.join(self.scratch, f"{self.name}.log"), "ab")  # noqa: SIM115 - kept open for the child
        started = time.perf_counter()
        self.process = subprocess.Popen(
            self.command(),
            cwd=self.scratch,
            env=self.environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        deadline = started + 60
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start-up: {self.log_tail()}")
            if probe(self.port) is not None:
                return time.perf_counter() - started
            time.sleep(0.002)
        raise RuntimeError(f"{self.name} did not answer within 60 s")

    def log_tail(self, lines: int = 3) -> str:
        try:
            text = Path(self.scratch, f"{self.name}.log").read_text(errors="replace")
        except OSError:
            return "(no log)"
        return " | ".join(text.strip().splitlines()[-lines:])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.scratch, ignore_errors=True)

    def rss_mib(self) -> float:
        assert self.process is not None
        return rss_mib(self.process.pid)

    def cpu_seconds(self) -> float:
        assert self.process is not None
        return cpu_seconds(self.process.pid)


def probe(port: int) -> int | None:
    """The HTTP status of one SQS ListQueues, or None while nothing answers."""
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("POST", "/", _PROBE_BODY, _PROBE_HEADERS)
        response = connection.getresponse()
        response.read()
        connection.close()
        return response.status
    except OSError:
        return None


def family(pid: int) -> list[int]:
    """A process and its descendants (some servers serve from child processes)."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            children = []
        queue.extend(int(child) for child in children)
    return found


def rss_mib(pid: int) -> float:
    total_kib = 0
    for each in family(pid):
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kib += int(line.split()[1])
        except OSError:
            continue
    return total_kib / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU of the server and its children: the server's cost per request, which
    (unlike throughput on a shared 2-core machine) does not depend on the client's cost."""
    ticks = 0
    for each in family(pid):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class StartReport:
    start_seconds: float  # median of the timed starts
    idle_mib: float  # RSS 2 s after the first answered request


def measure_start(target: Target, runs: int = 3) -> StartReport:
    """One untimed start to warm caches (bytecode, fogbank's botocore index), then `runs` timed
    starts; idle memory is read after the last."""
    target.start()
    target.stop()
    times = []
    for index in range(runs):
        times.append(target.start())
        if index < runs - 1:
            target.stop()
    time.sleep(2.0)
    return StartReport(statistics.median(times), target.rss_mib())


def interpreter_for_fogbank(bench_python: str) -> str:
    """The project's own `.venv` when it has fogbank; otherwise the benchmark env (installed there)."""
    project = ROOT / ".venv" / "bin" / "python"
    probe = [str(project), "-c", "import fogbank.gateway.app"]
    if project.exists() and subprocess.run(probe, capture_output=True, cwd="/").returncode == 0:
        return str(project)
    return bench_python if bench_python else sys.executable
