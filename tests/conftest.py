"""Test fixtures: one ephemeral fogbank per test worker, boto3 clients and the AWS CLI against it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from fogbank.testing.server import FogbankServer

# Test modules are imported with `--import-mode=importlib` (pyproject.toml), so that folders may hold
# test files of the same name (tests/state/test_persistence.py, tests/services/sqs/test_persistence.py).
# That mode leaves sys.path alone; helper modules beside the tests (`from sqs_support import ...`)
# are found because every test folder is put on the path here.
for _folder in sorted({path.parent for path in Path(__file__).parent.rglob("*.py")}):
    if str(_folder) not in sys.path:
        sys.path.append(str(_folder))

ACCESS_KEY = "test"
SECRET_KEY = "test"
REGION = "us-east-1"


@pytest.fixture(scope="session")
def fogbank() -> Iterator[FogbankServer]:
    """A fogbank for this test worker (in memory). Tests must not depend on others' leftovers:
    use unique resource names (see `unique_name`)."""
    server = FogbankServer().start()
    yield server
    server.stop()


@pytest.fixture
def fogbank_factory() -> Iterator[Callable[..., FogbankServer]]:
    """Start extra servers of one's own (restarts, resets, clock changes that would disturb the
    shared one): `fogbank_factory(data_dir=tmp_path)`; all are stopped after the test."""
    servers: list[FogbankServer] = []

    def start(**options: Any) -> FogbankServer:
        server = FogbankServer(**options)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def endpoint(fogbank: FogbankServer) -> str:
    return fogbank.url


@pytest.fixture(scope="session")
def client_factory(endpoint: str) -> Callable[..., Any]:
    def make(service: str, region: str = REGION, access_key: str = ACCESS_KEY, **config: Any) -> Any:
        return boto3.client(
            service,
            endpoint_url=endpoint,
            region_name=region,
            aws_access_key_id=access_key,
            aws_secret_access_key=SECRET_KEY,
            config=Config(retries={"max_attempts": 1}, **config),
        )

    return make


@pytest.fixture
def unique_name(request: pytest.FixtureRequest) -> Callable[[str], str]:
    counter = iter(range(1_000_000))

    def make(prefix: str = "t") -> str:
        base = "".join(ch if ch.isalnum() else "-" for ch in request.node.name)[-30:].strip("-").lower()
        return f"{prefix}-{base}-{os.getpid()}-{next(counter)}"

    return make


@pytest.fixture(scope="session")
def aws_cli(endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Any]:
    """Run the AWS CLI (v1) against fogbank: `aws_cli("sqs", "list-queues")` → parsed JSON output.
    Raises `subprocess.CalledProcessError` (with `.stderr`) when the command fails."""
    home = tmp_path_factory.mktemp("aws-home")
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": str(home / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
        "AWS_PAGER": "",
    }
    aws = str(Path(sys.executable).with_name("aws"))

    def run(*args: str, check: bool = True) -> Any:
        completed = subprocess.run(
            [aws, "--endpoint-url", endpoint, "--output", "json", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if check and completed.returncode != 0:
            raise subprocess.CalledProcessError(
                completed.returncode, args, completed.stdout, completed.stderr
            )
        if not check:
            return completed
        return json.loads(completed.stdout) if completed.stdout.strip() else None

    return run
