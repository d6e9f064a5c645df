"""Init hooks: executable scripts in `<config dir>/init/ready.d/` run once, in name order, when
fogbank is ready to serve (LocalStack's convention, so existing `ready.d` scripts work)."""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass

from fogbank.config import settings

log = logging.getLogger("fogbank.hooks")


@dataclass(slots=True)
class Script:
    name: str
    state: str = "UNKNOWN"  # UNKNOWN → RUNNING → SUCCESSFUL | ERROR


_scripts: list[Script] = []
_ready = False


def status() -> dict[str, object]:
    return {
        "completed": {"BOOT": True, "START": True, "READY": _ready, "SHUTDOWN": False},
        "scripts": [{"stage": "READY", "name": script.name, "state": script.state} for script in _scripts],
    }


def _script_environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("AWS_ACCESS_KEY_ID", "test")
    env.setdefault("AWS_SECRET_ACCESS_KEY", "test")
    env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    env["AWS_ENDPOINT_URL"] = settings.url
    return env


async def run_ready_scripts() -> None:
    global _ready
    folder = settings.config_dir / "init" / "ready.d"
    paths = sorted(path for path in folder.iterdir() if path.is_file()) if folder.is_dir() else []
    _scripts[:] = [Script(path.name) for path in paths]
    for path, script in zip(paths, _scripts, strict=True):
        if not os.access(path, os.X_OK):
            log.warning("init script %s is not executable; skipped", path)
            script.state = "ERROR"
            continue
        script.state = "RUNNING"
        process = await asyncio.create_subprocess_exec(str(path), env=_script_environment())
        code = await process.wait()
        script.state = "SUCCESSFUL" if code == 0 else "ERROR"
        log.info("init script %s finished with exit code %d", path.name, code)
    _ready = True
