"""Which program runs a declared Lambda runtime on this machine, and the variables that runtime
sets (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html).

Python runtimes use the interpreter of the declared version when the machine has one (on PATH, in
pyenv or uv's folders), else the closest available one with a warning written to the function's
log. Node.js runtimes use `node` from PATH (same rule for its major version). `provided.al2`,
`provided.al2023` and `provided` run the package's `bootstrap` (or a layer's `/opt/bootstrap`).
"""

from __future__ import annotations

import functools
import glob
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

BOOTSTRAPS = Path(__file__).with_name("bootstraps")


class RuntimeUnavailable(Exception):
    """The runtime cannot be run here: `error_type` and message as Lambda reports it."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message


@dataclass(slots=True)
class Launch:
    argv: list[str]
    variables: dict[str, str] = field(default_factory=dict)
    warning: str | None = None
    limit_memory: bool = False  # whether RLIMIT_AS can bound this interpreter (not V8's reservations)
    forkable: bool = False  # a Python runtime: environments can fork from the interpreter's zygote


def launch(runtime: str, task_root: Path, opt_dir: Path | None) -> Launch:
    if runtime.startswith("python3."):
        return _python(runtime, opt_dir)
    if runtime.startswith("nodejs"):
        return _node(runtime, opt_dir)
    if runtime.startswith("provided"):
        return _custom(task_root, opt_dir)
    raise RuntimeUnavailable(
        "Runtime.InvalidRuntime", f"The runtime {runtime} is not supported by fogbank yet"
    )


def _python(runtime: str, opt_dir: Path | None) -> Launch:
    wanted = runtime.removeprefix("python")
    available = python_interpreters()
    if not available:
        raise RuntimeUnavailable(
            "Runtime.InvalidEntrypoint", "No Python interpreter was found on this machine"
        )
    chosen = wanted if wanted in available else _closest(wanted, list(available))
    warning = None
    if chosen != wanted:
        warning = f"fogbank: python{wanted} is not installed on this machine; running with python{chosen}"
    opt = str(opt_dir) if opt_dir else "/opt"
    variables = {
        "PYTHONPATH": str(BOOTSTRAPS / "python"),
        "FOGBANK_OPT_PATHS": os.pathsep.join(
            [f"{opt}/python/lib/python{chosen}/site-packages", f"{opt}/python"]
        ),
    }
    argv = [available[chosen], "-s", str(BOOTSTRAPS / "python" / "bootstrap.py")]
    return Launch(argv, variables, warning, limit_memory=True, forkable=True)


def _node(runtime: str, opt_dir: Path | None) -> Launch:
    node = shutil.which("node")
    if node is None:
        raise RuntimeUnavailable("Runtime.InvalidEntrypoint", "No Node.js was found on this machine")
    wanted = runtime.removeprefix("nodejs").removesuffix(".x")
    have = node_major(node)
    warning = (
        None if have == wanted else f"fogbank: Node.js {wanted} is not installed; running with Node.js {have}"
    )
    opt = str(opt_dir) if opt_dir else "/opt"
    node_path = [f"{opt}/nodejs/node{wanted}/node_modules", f"{opt}/nodejs/node_modules"]
    return Launch(
        [node, str(BOOTSTRAPS / "node" / "bootstrap.js")], {"NODE_PATH": os.pathsep.join(node_path)}, warning
    )


def _custom(task_root: Path, opt_dir: Path | None) -> Launch:
    candidates = [task_root / "bootstrap"] + ([opt_dir / "bootstrap"] if opt_dir else [])
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return Launch([str(candidate)])
    raise RuntimeUnavailable(
        "Runtime.InvalidEntrypoint", "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]"
    )


def _closest(wanted: str, versions: list[str]) -> str:
    minor = int(wanted.split(".")[1])
    return min(
        versions, key=lambda version: (abs(int(version.split(".")[1]) - minor), -int(version.split(".")[1]))
    )


@functools.cache
def python_interpreters() -> dict[str, str]:
    """`3.12` → the real interpreter binary, for every Python 3 found (checked by running it)."""
    found: dict[str, str] = {}
    candidates = glob.glob(os.path.expanduser("~/.pyenv/versions/3.*/bin/python3.*"))
    candidates += glob.glob(os.path.expanduser("~/.local/share/uv/python/*/bin/python3.*"))
    for minor in range(9, 15):
        on_path = shutil.which(f"python3.{minor}")
        if on_path:
            candidates.append(on_path)
    for candidate in candidates:
        name = os.path.basename(candidate)
        if not name.removeprefix("python3.").isdigit() or int(name.removeprefix("python3.")) < 9:
            continue
        version = name.removeprefix("python")
        if version not in found and _runs(candidate):
            found[version] = candidate
    return found


def _runs(path: str) -> bool:
    try:
        return subprocess.run([path, "-c", "pass"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@functools.cache
def node_major(node: str) -> str:
    output = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=10).stdout
    return output.strip().lstrip("v").split(".")[0]
