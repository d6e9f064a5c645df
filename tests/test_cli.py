"""The `fogbank` command line, run as a user would: start -d, status, logs, reset, export, import, stop."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from fogbank.services.registry import PROVIDERS
from fogbank.testing.server import FogbankServer, free_port

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def fogbank_cli(tmp_path: Path) -> Iterator[Run]:
    """Runs `fogbank …`; afterwards stops any fogbank that a test left running in its data dir."""
    environment = {**os.environ, "FOGBANK_CONFIG_DIR": str(tmp_path / "config")}

    def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "fogbank", *args],
            capture_output=True,
            text=True,
            env=environment,
            timeout=timeout,
        )

    yield run
    for pid_file in tmp_path.rglob("fogbank.pid"):
        with contextlib.suppress(ProcessLookupError, ValueError, KeyError):
            os.kill(json.loads(pid_file.read_text())["pid"], signal.SIGTERM)


def sqs(port: int) -> FogbankServer:
    return FogbankServer(port=port)


def queue_names(port: int) -> list[str]:
    urls = sqs(port).client("sqs").list_queues().get("QueueUrls", [])
    return sorted(url.rsplit("/", 1)[1] for url in urls)


def test_help_explains_commands_configuration_and_endpoints(fogbank_cli: Run) -> None:
    result = fogbank_cli("--help")
    assert result.returncode == 0
    text = result.stdout
    assert text.startswith("usage: fogbank")
    assert "fogbank: a free, open-source AWS cloud on your machine." in text
    for command in ("start", "stop", "status", "logs", "reset", "export", "import"):
        assert f"\n    {command} " in text
    for word in (
        "GATEWAY_LISTEN",
        "FOGBANK_DATA_DIR",
        "FOGBANK_EPHEMERAL",
        "FOGBANK_CONFIG_DIR",
        "/_fogbank/clock",
    ):
        assert word in text
    assert "aws --endpoint-url http://localhost:4566 sqs list-queues" in text


def test_start_help_lists_every_server_option(fogbank_cli: Run) -> None:
    text = fogbank_cli("start", "--help").stdout
    for option in (
        "-d, --detach",
        "--host",
        "--port",
        "--data-dir",
        "--ephemeral",
        "--verify-signatures",
        "--debug",
    ):
        assert option in text
    assert "keep all state in memory" in text


def test_no_command_prints_help(fogbank_cli: Run) -> None:
    result = fogbank_cli()
    assert result.returncode == 0 and result.stdout.startswith("usage: fogbank")


def test_version_prints_version(fogbank_cli: Run) -> None:
    from fogbank import __version__

    assert fogbank_cli("--version").stdout == f"fogbank {__version__}\n"


def test_start_detached_then_status_logs_reset_export_import_stop(fogbank_cli: Run, tmp_path: Path) -> None:
    port, data = free_port(), tmp_path / "data"
    started = fogbank_cli("start", "-d", "--port", str(port), "--data-dir", str(data))
    assert started.returncode == 0, started.stderr
    pid = json.loads((data / "fogbank.pid").read_text())["pid"]
    assert (
        started.stdout
        == f"fogbank is running on http://localhost:{port} (pid {pid}, log {data}/fogbank.log)\n"
    )

    sqs(port).client("sqs").create_queue(QueueName="cli-queue")
    status = fogbank_cli("status", "--data-dir", str(data))  # the port comes from the pid file
    assert status.returncode == 0
    assert status.stdout.splitlines()[:3] == [
        f"fogbank {sqs(port).get('/_fogbank/health')['version']} is running on http://localhost:{port}",
        f"state: {data}",
        "services in use: sqs",
    ]
    assert "sqs CreateQueue 200" in fogbank_cli("logs", "--data-dir", str(data)).stdout

    export = tmp_path / "state.zip"
    assert fogbank_cli("export", str(export), "--port", str(port)).stdout == f"state exported to {export}\n"
    assert fogbank_cli("reset", "--port", str(port)).stdout == "all state deleted\n"
    assert queue_names(port) == []
    assert (
        fogbank_cli("import", str(export), "--data-dir", str(data)).stdout
        == f"state imported from {export}\n"
    )
    assert queue_names(port) == ["cli-queue"]
    assert fogbank_cli("reset", "sqs", "--port", str(port)).stdout == "sqs state deleted\n"
    assert queue_names(port) == []

    stopped = fogbank_cli("stop", "--data-dir", str(data))
    assert (stopped.returncode, stopped.stdout) == (0, f"fogbank (pid {pid}) stopped\n")
    assert not (data / "fogbank.pid").exists()
    after = fogbank_cli("status", "--port", str(port))
    assert (after.returncode, after.stdout) == (1, f"fogbank is not running on port {port}\n")


def test_start_detached_after_stop_keeps_state(fogbank_cli: Run, tmp_path: Path) -> None:
    port, data = free_port(), tmp_path / "data"
    assert fogbank_cli("start", "-d", "--port", str(port), "--data-dir", str(data)).returncode == 0
    sqs(port).client("sqs").create_queue(QueueName="durable")
    assert fogbank_cli("stop", "--data-dir", str(data)).returncode == 0
    assert fogbank_cli("start", "-d", "--port", str(port), "--data-dir", str(data)).returncode == 0
    assert queue_names(port) == ["durable"]
    assert fogbank_cli("stop", "--data-dir", str(data)).returncode == 0


def test_start_detached_port_in_use_fails_clearly(fogbank_cli: Run, tmp_path: Path) -> None:
    port = free_port()
    first = fogbank_cli(
        "start", "-d", "--port", str(port), "--data-dir", str(tmp_path / "one"), "--ephemeral"
    )
    assert first.returncode == 0
    second = fogbank_cli("start", "-d", "--port", str(port), "--data-dir", str(tmp_path / "two"))
    assert second.returncode == 1
    assert second.stderr == (
        f"fogbank: port {port} is in use (fogbank status --port {port} tells whether it is fogbank)\n"
    )
    assert not (tmp_path / "two" / "fogbank.pid").exists()


def test_stop_without_pid_file_fails_clearly(fogbank_cli: Run, tmp_path: Path) -> None:
    result = fogbank_cli("stop", "--data-dir", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr == f"fogbank: no fogbank started with -d is known in {tmp_path} (no pid file)\n"


def test_reset_unknown_service_reports_server_reason(fogbank_cli: Run, fogbank: FogbankServer) -> None:
    result = fogbank_cli("reset", "nosuch", "--port", str(fogbank.port))
    assert result.returncode == 1
    assert (
        result.stderr
        == f"fogbank: unknown service 'nosuch'; fogbank implements {', '.join(sorted(PROVIDERS))}\n"
    )


def test_import_missing_file_fails_clearly(fogbank_cli: Run, fogbank: FogbankServer, tmp_path: Path) -> None:
    result = fogbank_cli("import", str(tmp_path / "absent.zip"), "--port", str(fogbank.port))
    assert (result.returncode, result.stderr) == (
        1,
        f"fogbank: cannot read {tmp_path / 'absent.zip'}: No such file or directory\n",
    )


def test_import_not_an_export_fails_with_reason(
    fogbank_cli: Run, fogbank: FogbankServer, tmp_path: Path
) -> None:
    bogus = tmp_path / "bogus.zip"
    bogus.write_bytes(b"not a zip")
    result = fogbank_cli("import", str(bogus), "--port", str(fogbank.port))
    assert (result.returncode, result.stderr) == (
        1,
        "fogbank: not a fogbank state export: File is not a zip file\n",
    )


def test_commands_without_server_report_unreachable(fogbank_cli: Run, tmp_path: Path) -> None:
    port = free_port()
    result = fogbank_cli("reset", "--port", str(port))
    assert result.returncode == 1
    assert result.stderr.startswith(f"fogbank: fogbank is not reachable on port {port} (")
    assert fogbank_cli("logs", "--data-dir", str(tmp_path)).stderr == (
        f"fogbank: no log at {tmp_path}/fogbank.log (logs exist for fogbank started with -d)\n"
    )


def wait_for_log(server: FogbankServer, text: str, timeout: float = 10) -> str:
    """The server logs a request after answering it, so the line can trail the response a little."""
    assert server.log_path is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        content = server.log_path.read_text()
        if text in content:
            return content
        time.sleep(0.02)
    raise AssertionError(f"{text!r} not logged:\n{server.log_path.read_text()}")


def test_start_debug_logs_request_detail(fogbank_factory: Callable[..., FogbankServer]) -> None:
    server = fogbank_factory(extra_args=["--debug"])
    sqs = server.client("sqs")
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_url(QueueName="debug-missing")
    lines = wait_for_log(server, "DEBUG   error ").splitlines()
    at = next(i for i, line in enumerate(lines) if " INFO  sqs GetQueueUrl 400 " in line)
    assert "account 000000000000 region us-east-1 key test POST /" in lines[at + 1]
    assert lines[at + 2].endswith("DEBUG   input {'QueueName': 'debug-missing'}")
    assert "QueueDoesNotExist" in lines[at + 3] and "DEBUG   error " in lines[at + 3]


def test_start_without_debug_logs_one_line_per_request(fogbank_factory: Callable[..., FogbankServer]) -> None:
    server = fogbank_factory()
    server.client("sts").get_caller_identity()
    text = wait_for_log(server, " INFO  sts GetCallerIdentity 200 ")
    assert "DEBUG" not in text


def test_start_detached_reads_gateway_listen_and_data_dir_from_environment(tmp_path: Path) -> None:
    port, data = free_port(), tmp_path / "from-env"
    environment = {
        **os.environ,
        "GATEWAY_LISTEN": f"127.0.0.1:{port}",
        "FOGBANK_DATA_DIR": str(data),
        "FOGBANK_CONFIG_DIR": str(tmp_path / "config"),
    }

    def fogbank(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "fogbank", *args]
        return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=60)

    try:
        assert fogbank("start", "-d").returncode == 0
        assert json.loads((data / "fogbank.pid").read_text())["port"] == port
        assert sqs(port).get("/_fogbank/health")["persistence"] == str(data)
        assert fogbank("status").stdout.startswith(
            f"fogbank {sqs(port).get('/_fogbank/health')['version']} is running"
        )
    finally:
        assert fogbank("stop").returncode == 0
    assert (data / "state.sqlite").is_file()


def test_start_ephemeral_from_environment_keeps_no_state(tmp_path: Path) -> None:
    server = FogbankServer(data_dir=tmp_path, env={"FOGBANK_EPHEMERAL": "1"}).start()
    try:
        assert server.get("/_fogbank/health")["persistence"] == "memory"
    finally:
        server.stop()
    assert not (tmp_path / "state.sqlite").exists()


@pytest.mark.parametrize(
    ("value", "host", "port"),
    [
        ("", "127.0.0.1", 4566),
        (":4567", "127.0.0.1", 4567),
        ("0.0.0.0:4566", "0.0.0.0", 4566),
        ("localhost", "localhost", 4566),
        ("[::]:4570", "::", 4570),
        ("0.0.0.0:4566,0.0.0.0:443", "0.0.0.0", 4566),
    ],
)
def test_gateway_listen_forms_give_host_and_port(
    monkeypatch: pytest.MonkeyPatch, value: str, host: str, port: int
) -> None:
    from fogbank.config import Settings

    monkeypatch.setenv("GATEWAY_LISTEN", value)
    settings = Settings.from_environment()
    assert (settings.host, settings.port) == (host, port)


def test_gateway_listen_bad_port_raises_readable_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from fogbank.config import Settings

    monkeypatch.setenv("GATEWAY_LISTEN", "localhost:http")
    with pytest.raises(
        ValueError, match=r"GATEWAY_LISTEN='localhost:http': expected host:port, :port or host"
    ):
        Settings.from_environment()


def test_logs_follow_prints_new_request_lines(fogbank_cli: Run, tmp_path: Path) -> None:
    port, data = free_port(), tmp_path / "data"
    assert fogbank_cli("start", "-d", "--port", str(port), "--data-dir", str(data)).returncode == 0
    command = [sys.executable, "-m", "fogbank", "logs", "-f", "--data-dir", str(data)]
    follower = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert follower.stdout is not None
        assert "fogbank listening on" in follower.stdout.readline()
        sqs(port).client("sts").get_caller_identity()
        line = ""
        while "sts GetCallerIdentity 200" not in line:  # after the health checks of `start -d`
            line = follower.stdout.readline()
            assert line, "logs -f ended"
    finally:
        follower.terminate()
        follower.communicate(timeout=10)
    assert fogbank_cli("stop", "--data-dir", str(data)).returncode == 0
