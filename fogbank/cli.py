"""The `fogbank` command: start (foreground or `-d`), stop, status, logs, reset, export and import.

A background fogbank (`start -d`) records `{"pid", "host", "port"}` in `<data dir>/fogbank.pid` and
logs to `<data dir>/fogbank.log`; the other commands find it there (or by `--port`). Only the
standard library is imported here, so `fogbank --help` and `fogbank status` answer at once.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from fogbank import __version__
from fogbank.config import settings

# urllib, subprocess, shutil and signal are imported by the commands that use them: `fogbank start`
# in the foreground needs none of them, and every millisecond of start-up counts.

DESCRIPTION = """\
fogbank: a free, open-source AWS cloud on your machine.

One process answers the real AWS APIs on one port (4566 by default), so boto3, the AWS CLI,
CDK, SAM, Serverless Framework and Terraform work against it unchanged. State is kept in SQLite
under the data directory (or only in memory with --ephemeral). Point a client at it:

    aws --endpoint-url http://localhost:4566 sqs list-queues
    boto3.client("sqs", endpoint_url="http://localhost:4566")

Any access key works (a 12-digit key id selects that account); the region comes from the
client's configuration (default us-east-1).
"""

EPILOG = """\
examples:
  fogbank start                       serve in the foreground (Ctrl-C stops)
  fogbank start -d --port 4567        serve in the background; returns once it answers
  fogbank status                      is it running? which services are in use?
  fogbank logs -f                     follow the log of a background fogbank
  fogbank reset sqs                   delete all SQS state (or everything without a service)
  fogbank export state.zip            save the whole state; `fogbank import state.zip` restores it
  fogbank stop                        stop the background fogbank

environment: GATEWAY_LISTEN (host:port), FOGBANK_DATA_DIR, FOGBANK_EPHEMERAL=1,
FOGBANK_CONFIG_DIR (init scripts in <dir>/init/ready.d/), FOGBANK_VERIFY_SIGNATURES=1, FOGBANK_DEBUG=1.
Internal endpoints: /_fogbank/health, /_fogbank/clock, /_fogbank/reset, /_fogbank/state/export|import.
"""


class CommandError(Exception):
    """A failure to report on one line (exit status 1)."""


def _add_server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host",
        default=settings.host,
        help=f"address to listen on (env GATEWAY_LISTEN; default {settings.host})",
    )
    parser.add_argument(
        "--port", type=int, default=settings.port, help=f"port to listen on (default {settings.port})"
    )
    _add_data_dir(parser, "where state, the pid file and the log are kept")
    parser.add_argument(
        "--ephemeral",
        action="store_true",
        default=settings.ephemeral,
        help="keep all state in memory; nothing survives a restart (env FOGBANK_EPHEMERAL=1)",
    )
    parser.add_argument(
        "--verify-signatures",
        action="store_true",
        default=settings.verify_signatures,
        help="reject requests whose SigV4 signature does not match a key IAM issued or test/test",
    )
    parser.add_argument("--debug", action="store_true", default=settings.debug, help="log request details")


def _add_data_dir(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=settings.data_dir,
        help=f"{what} (env FOGBANK_DATA_DIR; default %(default)s)",
    )


def _add_target(parser: argparse.ArgumentParser) -> None:
    """Which running fogbank a command talks to: `--port`, else the one started with -d in --data-dir."""
    parser.add_argument("--port", type=int, default=None, help="port of the running fogbank")
    _add_data_dir(parser, "data directory of a fogbank started with -d (to find its port)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fogbank",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"fogbank {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    start = commands.add_parser("start", help="start fogbank (in the foreground, or -d in the background)")
    start.add_argument(
        "-d", "--detach", action="store_true", help="run in the background and return once ready"
    )
    _add_server_options(start)

    _add_target(commands.add_parser("status", help="show whether fogbank runs and which services are in use"))
    stop = commands.add_parser("stop", help="stop a fogbank started with -d")
    _add_data_dir(stop, "data directory of the fogbank started with -d")
    logs = commands.add_parser("logs", help="print the log of a fogbank started with -d")
    logs.add_argument("-f", "--follow", action="store_true", help="keep printing new lines (Ctrl-C ends)")
    logs.add_argument("--function", metavar="NAME", help="print this Lambda function's logs instead")
    logs.add_argument("--region", default="us-east-1", help="the function's region (with --function)")
    _add_target(logs)

    reset = commands.add_parser("reset", help="delete all state, or one service's")
    reset.add_argument("service", nargs="?", help="only this service (e.g. sqs)")
    _add_target(reset)
    export = commands.add_parser("export", help="save the whole state (records and S3 bodies) to a zip file")
    export.add_argument("file", type=Path)
    _add_target(export)
    restore = commands.add_parser("import", help="replace the whole state with a file made by `export`")
    restore.add_argument("file", type=Path)
    _add_target(restore)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    handler = {
        "start": _start,
        "stop": _stop,
        "status": _status,
        "logs": _logs,
        "reset": _reset,
        "export": _export,
        "import": _import,
    }[args.command]
    try:
        return handler(args)
    except CommandError as problem:
        print(f"fogbank: {problem}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


# -- talking to a running fogbank ----------------------------------------------------------------


def _pid_file(data_dir: Path) -> Path:
    return data_dir / "fogbank.pid"


def _read_pid_file(data_dir: Path) -> dict[str, Any] | None:
    try:
        text = _pid_file(data_dir).read_text().strip()
    except OSError:
        return None
    try:
        record = json.loads(text)
    except ValueError:
        return None
    return record if isinstance(record, dict) else {"pid": int(record), "port": settings.port}


def _port_of(args: argparse.Namespace) -> int:
    if args.port is not None:
        return int(args.port)
    record = _read_pid_file(args.data_dir)
    return int(record["port"]) if record else settings.port


def _call(port: int, path: str, data: bytes | None = None, timeout: float = 30.0) -> Any:
    """A request to a running fogbank; the open response (the caller closes it)."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=data, method="POST" if data is not None else "GET"
    )
    try:
        return urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as failure:
        try:
            reason = json.loads(failure.read())["error"]
        except (ValueError, KeyError, TypeError):
            reason = f"HTTP {failure.code}"
        raise CommandError(reason) from None
    except (urllib.error.URLError, ConnectionError, TimeoutError) as problem:
        raise CommandError(f"fogbank is not reachable on port {port} ({_reason(problem)})") from None


def _reason(problem: Exception) -> str:
    import urllib.error

    return str(problem.reason) if isinstance(problem, urllib.error.URLError) else str(problem)


def _call_json(port: int, path: str, data: bytes | None = None, timeout: float = 30.0) -> Any:
    with _call(port, path, data, timeout) as response:
        return json.loads(response.read())


# -- commands -------------------------------------------------------------------------------------


def _start(args: argparse.Namespace) -> int:
    if args.detach:
        return _start_detached(args)
    settings.host, settings.port = args.host, args.port
    settings.data_dir = args.data_dir
    settings.ephemeral, settings.verify_signatures, settings.debug = (
        args.ephemeral,
        args.verify_signatures,
        args.debug,
    )
    from fogbank.gateway.server import serve

    return serve()


def _port_in_use(host: str, port: int) -> bool:
    import socket

    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1" if host in ("0.0.0.0", "::") else host, port)) == 0


def _start_detached(args: argparse.Namespace) -> int:
    import subprocess

    if _port_in_use(args.host, args.port):
        raise CommandError(
            f"port {args.port} is in use (fogbank status --port {args.port} tells whether it is fogbank)"
        )
    args.data_dir.mkdir(parents=True, exist_ok=True)
    log_path = args.data_dir / "fogbank.log"
    command = [sys.executable, "-m", "fogbank", "start", "--host", args.host, "--port", str(args.port)]
    command += ["--data-dir", str(args.data_dir)]
    flags = (
        ("--ephemeral", args.ephemeral),
        ("--verify-signatures", args.verify_signatures),
        ("--debug", args.debug),
    )
    command += [flag for flag, on in flags if on]
    with open(log_path, "ab") as log_file:
        process = subprocess.Popen(
            command,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    _wait_until_answering(process, args.port, log_path)
    _pid_file(args.data_dir).write_text(
        json.dumps({"pid": process.pid, "host": args.host, "port": args.port})
    )
    print(f"fogbank is running on http://localhost:{args.port} (pid {process.pid}, log {log_path})")
    return 0


def _wait_until_answering(process: Any, port: int, log_path: Path, timeout: float = 30) -> None:
    """Until our child (not another server that took the port) answers its health endpoint."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CommandError(f"fogbank exited at start-up (is port {port} in use?); see {log_path}")
        try:
            if _call_json(port, "/_fogbank/health", timeout=1).get("pid") == process.pid:
                return
        except CommandError:
            pass
        time.sleep(0.05)
    process.kill()
    raise CommandError(f"fogbank did not answer within {timeout:.0f} s; see {log_path}")


def _is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stop(args: argparse.Namespace) -> int:
    import signal

    record = _read_pid_file(args.data_dir)
    if record is None:
        raise CommandError(f"no fogbank started with -d is known in {args.data_dir} (no pid file)")
    pid = int(record["pid"])
    if not _is_alive(pid):
        print(f"fogbank (pid {pid}) was not running")
    else:
        os.kill(pid, signal.SIGTERM)  # a clean shutdown: open requests finish, the database closes
        deadline = time.monotonic() + 10
        while _is_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _is_alive(pid):
            os.kill(pid, signal.SIGKILL)  # committed writes are safe in SQLite's WAL regardless
        print(f"fogbank (pid {pid}) stopped")
    _pid_file(args.data_dir).unlink(missing_ok=True)
    return 0


def _status(args: argparse.Namespace) -> int:
    port = _port_of(args)
    try:
        health = _call_json(port, "/_fogbank/health", timeout=2)
    except CommandError:
        print(f"fogbank is not running on port {port}")
        return 1
    running = [name for name, status in health["services"].items() if status == "running"]
    print(f"fogbank {health['version']} is running on http://localhost:{port}")
    print(f"state: {health.get('persistence', 'unknown')}")
    print(f"services in use: {', '.join(running) or 'none yet'}")
    print(f"services available: {', '.join(sorted(health['services']))}")
    return 0


def _logs(args: argparse.Namespace) -> int:
    import shutil

    if args.function:
        from fogbank.services.logs.console import print_function_logs

        return print_function_logs(
            _port_of(args), args.function, sys.stdout, region=args.region, follow=args.follow
        )

    log_path = args.data_dir / "fogbank.log"
    if not log_path.exists():
        raise CommandError(f"no log at {log_path} (logs exist for fogbank started with -d)")
    with open(log_path, "rb") as handle:
        shutil.copyfileobj(handle, sys.stdout.buffer)
        sys.stdout.flush()
        while args.follow:
            line = handle.readline()
            if line:
                sys.stdout.buffer.write(line)
                sys.stdout.flush()
            else:
                time.sleep(0.2)
    return 0


def _reset(args: argparse.Namespace) -> int:
    body = json.dumps({"service": args.service} if args.service else {}).encode()
    what = _call_json(_port_of(args), "/_fogbank/reset", data=body)["reset"]
    print("all state deleted" if what == "all" else f"{what} state deleted")
    return 0


def _export(args: argparse.Namespace) -> int:
    import shutil

    partial = args.file.with_name(args.file.name + ".part")
    with (
        _call(_port_of(args), "/_fogbank/state/export", timeout=300) as response,
        open(partial, "wb") as sink,
    ):
        shutil.copyfileobj(response, sink, 1024 * 1024)
    os.replace(partial, args.file)
    print(f"state exported to {args.file}")
    return 0


def _import(args: argparse.Namespace) -> int:
    try:
        data = args.file.read_bytes()
    except OSError as problem:
        raise CommandError(f"cannot read {args.file}: {problem.strerror}") from None
    _call_json(_port_of(args), "/_fogbank/state/import", data=data, timeout=300)
    print(f"state imported from {args.file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
