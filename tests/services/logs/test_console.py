"""`fogbank logs --function NAME` prints a Lambda function's log events from a running fogbank."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

from logs_support import now_ms

from fogbank.testing.server import FogbankServer


def run_cli(fogbank: FogbankServer, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fogbank", "logs", "--port", str(fogbank.port), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_logs_function_prints_events_of_its_log_group(
    logs: Any, fogbank: FogbankServer, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("fn")
    group = f"/aws/lambda/{name}"
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="2026/01/01/[$LATEST]abc")
    now = now_ms(fogbank)
    logs.put_log_events(
        logGroupName=group,
        logStreamName="2026/01/01/[$LATEST]abc",
        logEvents=[
            {"timestamp": now, "message": "START RequestId: 1\n"},
            {"timestamp": now + 1, "message": "hello"},
        ],
    )
    done = run_cli(fogbank, "--function", name)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split(" ", 2)[1:] for line in lines] == [
        ["2026/01/01/[$LATEST]abc", "START RequestId: 1"],
        ["2026/01/01/[$LATEST]abc", "hello"],
    ]
    assert lines[0].split(" ")[0].endswith("Z")


def test_logs_function_without_log_group_says_so(fogbank: FogbankServer) -> None:
    done = run_cli(fogbank, "--function", "never-invoked")
    assert done.returncode == 1
    assert (
        done.stdout
        == "no logs for function never-invoked yet (log group /aws/lambda/never-invoked does not exist)\n"
    )
