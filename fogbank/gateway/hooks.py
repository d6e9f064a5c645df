"""Init hooks: scripts in `<config dir>/init/ready.d/` (sub-folders included) run once, one after
the other in name order, as soon as fogbank answers requests — LocalStack's convention, so existing
`ready.d` scripts work. Executable files run as they are; `.py` files run with fogbank's Python.
A failing script is marked ERROR and the next one still runs (as in LocalStack). Other stages
(boot, start, shutdown) have no scripts in fogbank; their status is reported for compatibility.

https://docs.localstack.cloud/references/init-hooks/
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from fogbank.config import settings

log = logging.getLogger("fogbank.hooks")

STAGES = ("BOOT", "START", "READY", "SHUTDOWN")


@dataclass(slots=True)
class Script:
    name: str
    state: str = "UNKNOWN"  # UNKNOWN → RUNNING → SUCCESSFUL | ERROR

    def as_json(self) -> dict[str, str]:
        return {"stage": "READY", "name": self.name, "state": self.state}


_scripts: list[Script] = []
_ready = False


def status() -> dict[str, object]:
    """LocalStack's `GET /_localstack/init` document."""
    return {
        "completed": {"BOOT": True, "START": True, "READY": _ready, "SHUTDOWN": False},
        "scripts": [script.as_json() for script in _scripts],
    }


def stage_status(stage: str) -> dict[str, object] | None:
    """LocalStack's `GET /_localstack/init/<stage>` document (None for an unknown stage)."""
    stage = stage.upper()
    if stage not in STAGES:
        return None
    scripts = [script.as_json() for script in _scripts] if stage == "READY" else []
    completed = {"BOOT": True, "START": True, "READY": _ready, "SHUTDOWN": False}[stage]
    return {"completed": completed, "scripts": scripts}


def ready_folder() -> Path:
    return settings.config_dir / "init" / "ready.d"


def _script_environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("AWS_ACCESS_KEY_ID", "test")
    env.setdefault("AWS_SECRET_ACCESS_KEY", "test")
    env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    env["AWS_ENDPOINT_URL"] = settings.url
    # awslocal and other LocalStack tools find the endpoint through these.
    env["LOCALSTACK_HOST"] = f"localhost:{settings.port}"
    env["EDGE_PORT"] = str(settings.port)
    return env


def _command(path: Path) -> list[str] | None:
    if os.access(path, os.X_OK):
        return [str(path)]
    if path.suffix == ".py":
        return [sys.executable, str(path)]
    return None


async def _wait_until_serving(timeout: float = 30.0) -> None:
    """Scripts call fogbank, so they start once the server accepts connections (the lifespan
    start-up that launches this task completes before the socket is bound)."""
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "localhost") else settings.host
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        try:
            _, writer = await asyncio.open_connection(host, settings.port)
        except OSError:
            await asyncio.sleep(0.01)
            continue
        writer.close()
        return
    log.warning(
        "fogbank was not reachable on port %d after %.0f s; running init scripts anyway",
        settings.port,
        timeout,
    )


async def run_ready_scripts() -> None:
    global _ready
    folder = ready_folder()
    paths = sorted(path for path in folder.rglob("*") if path.is_file()) if folder.is_dir() else []
    _scripts[:] = [Script(path.relative_to(folder).as_posix()) for path in paths]
    if paths:
        await _wait_until_serving()
    for path, script in zip(paths, _scripts, strict=True):
        command = _command(path)
        if command is None:
            log.warning("init script %s is not executable (chmod +x it); skipped", path)
            script.state = "ERROR"
            continue
        script.state = "RUNNING"
        log.info("running init script %s", path)
        try:
            process = await asyncio.create_subprocess_exec(
                *command, env=_script_environment(), stdin=asyncio.subprocess.DEVNULL
            )
            code = await process.wait()
        except OSError as problem:  # e.g. a missing interpreter in the shebang line
            log.error("init script %s could not start: %s", path.name, problem)
            code = -1
        script.state = "SUCCESSFUL" if code == 0 else "ERROR"
        log.log(
            logging.INFO if code == 0 else logging.ERROR,
            "init script %s finished with exit code %d",
            script.name,
            code,
        )
    _ready = True
