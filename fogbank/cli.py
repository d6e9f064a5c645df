"""The `fogbank` command: start, stop, status, logs, reset, export and import."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from fogbank import __version__
from fogbank.config import settings

DESCRIPTION = """\
fogbank: a free, open-source AWS cloud on your machine.

One process answers the real AWS APIs on one port (4566 by default), so boto3, the AWS CLI,
CDK, SAM, Serverless Framework and Terraform work against it unchanged. Point a client at it:

    aws --endpoint-url http://localhost:4566 sqs list-queues
    boto3.client("sqs", endpoint_url="http://localhost:4566")

Any access key works (a 12-digit key id selects that account); the region comes from the
client's configuration (default us-east-1).
"""


def _add_server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=settings.host, help=f"address to listen on (default {settings.host})")
    parser.add_argument("--port", type=int, default=settings.port, help=f"port to listen on (default {settings.port})")
    parser.add_argument(
        "--data-dir", type=Path, default=settings.data_dir,
        help=f"where state is kept (env FOGBANK_DATA_DIR; default {settings.data_dir})",
    )
    parser.add_argument("--ephemeral", action="store_true", default=settings.ephemeral,
                        help="keep all state in memory; nothing survives a restart")
    parser.add_argument("--verify-signatures", action="store_true", default=settings.verify_signatures,
                        help="reject requests whose SigV4 signature does not match a known key")
    parser.add_argument("--debug", action="store_true", default=settings.debug, help="log request details")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fogbank", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"fogbank {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    start = commands.add_parser("start", help="start fogbank (in the foreground, or -d in the background)")
    start.add_argument("-d", "--detach", action="store_true", help="run in the background and return once ready")
    _add_server_options(start)

    for name, text in (("stop", "stop a fogbank started with -d"), ("status", "show whether fogbank runs")):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--data-dir", type=Path, default=settings.data_dir)
        sub.add_argument("--port", type=int, default=settings.port)

    logs = commands.add_parser("logs", help="print the log of a fogbank started with -d")
    logs.add_argument("-f", "--follow", action="store_true", help="keep printing new lines")
    logs.add_argument("--data-dir", type=Path, default=settings.data_dir)

    reset = commands.add_parser("reset", help="delete all state, or one service's")
    reset.add_argument("service", nargs="?", help="only this service (e.g. sqs)")
    reset.add_argument("--port", type=int, default=settings.port)

    export = commands.add_parser("export", help="save the whole state to a file")
    export.add_argument("file", type=Path)
    export.add_argument("--port", type=int, default=settings.port)

    restore = commands.add_parser("import", help="replace the whole state with a file from `export`")
    restore.add_argument("file", type=Path)
    restore.add_argument("--port", type=int, default=settings.port)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    handler = {
        "start": _start, "stop": _stop, "status": _status, "logs": _logs,
        "reset": _reset, "export": _export, "import": _import,
    }[args.command]
    try:
        return handler(args)
    except (urllib.error.URLError, ConnectionError) as problem:
        print(f"fogbank is not reachable on port {args.port}: {problem}", file=sys.stderr)
        return 1


def _url(port: int, path: str) -> str:
    return f"http://127.0.0.1:{port}{path}"


def _call(port: int, path: str, data: bytes | None = None, timeout: float = 30.0) -> bytes:
    request = urllib.request.Request(_url(port, path), data=data, method="POST" if data is not None else "GET")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read()  # type: ignore[no-any-return]


def _start(args: argparse.Namespace) -> int:
    settings.host, settings.port = args.host, args.port
    settings.data_dir = args.data_dir
    settings.ephemeral, settings.verify_signatures, settings.debug = args.ephemeral, args.verify_signatures, args.debug
    if args.detach:
        return _start_detached(args)
    from fogbank.gateway.server import serve

    serve()
    return 0


def _start_detached(args: argparse.Namespace) -> int:
    args.data_dir.mkdir(parents=True, exist_ok=True)
    log_path = args.data_dir / "fogbank.log"
    command = [sys.executable, "-m", "fogbank", "start", "--host", args.host, "--port", str(args.port),
               "--data-dir", str(args.data_dir)]
    command += [flag for flag, on in (("--ephemeral", args.ephemeral), ("--verify-signatures", args.verify_signatures),
                                      ("--debug", args.debug)) if on]
    with open(log_path, "ab") as log_file:
        process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    (args.data_dir / "fogbank.pid").write_text(str(process.pid))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            print(f"fogbank exited at start-up; see {log_path}", file=sys.stderr)
            return 1
        try:
            _call(args.port, "/_fogbank/health", timeout=1)
            print(f"fogbank is running on http://localhost:{args.port} (pid {process.pid}, log {log_path})")
            return 0
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.05)
    print("fogbank did not become ready within 30 s", file=sys.stderr)
    return 1


def _stop(args: argparse.Namespace) -> int:
    pid_file = args.data_dir / "fogbank.pid"
    if not pid_file.exists():
        print("no fogbank started with -d is known (no pid file)", file=sys.stderr)
        return 1
    pid = int(pid_file.read_text())
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        print(f"fogbank (pid {pid}) was not running")
    else:
        for _ in range(100):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        print(f"fogbank (pid {pid}) stopped")
    pid_file.unlink(missing_ok=True)
    return 0


def _status(args: argparse.Namespace) -> int:
    try:
        health = json.loads(_call(args.port, "/_fogbank/health", timeout=2))
    except (urllib.error.URLError, ConnectionError):
        print(f"fogbank is not running on port {args.port}")
        return 1
    running = [name for name, status in health["services"].items() if status == "running"]
    print(f"fogbank {health['version']} is running on port {args.port}")
    print(f"services in use: {', '.join(running) or 'none yet'}; available: {', '.join(sorted(health['services']))}")
    return 0


def _logs(args: argparse.Namespace) -> int:
    log_path = args.data_dir / "fogbank.log"
    if not log_path.exists():
        print(f"no log at {log_path}", file=sys.stderr)
        return 1
    with open(log_path, "rb") as handle:
        sys.stdout.buffer.write(handle.read())
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
    print(json.loads(_call(args.port, "/_fogbank/reset", data=body))["reset"], "reset")
    return 0


def _export(args: argparse.Namespace) -> int:
    args.file.write_bytes(_call(args.port, "/_fogbank/state/export", timeout=300))
    print(f"state exported to {args.file}")
    return 0


def _import(args: argparse.Namespace) -> int:
    _call(args.port, "/_fogbank/state/import", data=args.file.read_bytes(), timeout=300)
    print(f"state imported from {args.file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
