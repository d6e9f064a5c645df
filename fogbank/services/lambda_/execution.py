"""From a function version to an execution environment spec: the code and layer folders, AWS's
environment variables, the function's own, and temporary credentials of the execution role.
Nothing of fogbank's own environment is passed on (the process starts from an empty one).
https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from fogbank import clock
from fogbank.config import settings
from fogbank.errors import AwsError
from fogbank.runtime.environments import EnvironmentSpec
from fogbank.runtime.runtimes import BOOTSTRAPS
from fogbank.services import calls
from fogbank.services.lambda_ import code as packages

CREDENTIALS_SECONDS = 3600
_credentials: dict[tuple[str, str], tuple[float, dict[str, str]]] = {}
_specs: dict[str, tuple[float, EnvironmentSpec]] = {}


def spec_for(account: str, region: str, config: dict[str, Any]) -> EnvironmentSpec:
    """The spec of a version's environments; cached per configuration revision (hot-reloaded
    code is looked at every time) until its credentials near their expiry."""
    if config["_code"].get("hot_reload"):
        return build_spec(account, region, config)
    key = f"{config['FunctionArn']}:{config['Version']}#{config['RevisionId']}"
    cached = _specs.get(key)
    if cached is not None and cached[0] > clock.now():
        return cached[1]
    spec = build_spec(account, region, config)
    _specs[key] = (clock.now() + CREDENTIALS_SECONDS - 600, spec)
    return spec


def build_spec(account: str, region: str, config: dict[str, Any]) -> EnvironmentSpec:
    code = config["_code"]
    task_root = packages.unpacked(code)
    opt_dir = opt_folder(config.get("_layers") or [])
    stamp = hot_reload_stamp(task_root) if code.get("hot_reload") else ""
    key = f"{config['FunctionArn']}:{config['Version']}#{config['RevisionId']}#{config['CodeSha256']}#{stamp}"
    return EnvironmentSpec(
        key=key,
        runtime=config.get("Runtime") or "",
        task_root=task_root,
        opt_dir=opt_dir,
        memory_mb=config["MemorySize"],
        timeout=float(config["Timeout"]),
        version=config["Version"],
        variables=variables(account, region, config, task_root, opt_dir),
        log_format=config["LoggingConfig"].get("LogFormat", "Text"),
        system_log_level=config["LoggingConfig"].get("SystemLogLevel", "INFO"),
        application_log_level=config["LoggingConfig"].get("ApplicationLogLevel", "INFO"),
    )


def endpoint_url() -> str:
    host = settings.host if settings.host not in ("0.0.0.0", "::", "localhost") else "127.0.0.1"
    return f"http://{host}:{settings.port}"


def variables(
    account: str, region: str, config: dict[str, Any], task_root: Path, opt_dir: Path | None
) -> dict[str, str]:
    runtime = config.get("Runtime") or ""
    opt = str(opt_dir) if opt_dir else "/opt"
    found = {
        "PATH": f"{opt}/bin:/usr/local/bin:/usr/bin:/bin",
        "LD_LIBRARY_PATH": f"{opt}/lib",
        "TZ": ":UTC",
        "LANG": "en_US.UTF-8",
        "_HANDLER": config.get("Handler") or "",
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{runtime}",
        "AWS_LAMBDA_FUNCTION_NAME": config["FunctionName"],
        "AWS_LAMBDA_FUNCTION_VERSION": config["Version"],
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(config["MemorySize"]),
        "AWS_LAMBDA_LOG_GROUP_NAME": config["LoggingConfig"]["LogGroup"],
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "LAMBDA_TASK_ROOT": str(task_root),
        "LAMBDA_RUNTIME_DIR": str(BOOTSTRAPS),
        "AWS_ENDPOINT_URL": endpoint_url(),
        **credentials(account, region, config["Role"], config["FunctionName"]),
    }
    if runtime.startswith("provided"):
        found.pop("AWS_EXECUTION_ENV")
    logging_config = config["LoggingConfig"]
    if logging_config.get("LogFormat") == "JSON":  # what the runtime clients read to log as JSON
        found["AWS_LAMBDA_LOG_FORMAT"] = "JSON"
        found["AWS_LAMBDA_LOG_LEVEL"] = logging_config.get("ApplicationLogLevel", "INFO")
    found.update((config.get("Environment") or {}).get("Variables") or {})
    return found


def credentials(account: str, region: str, role: str, session: str) -> dict[str, str]:
    """Temporary credentials of the execution role from STS AssumeRole (cached until near expiry);
    without STS, the account's test keys (fogbank maps a 12-digit key to that account)."""
    cached = _credentials.get((role, session))
    if cached is not None and cached[0] > clock.now() + 300:
        return cached[1]
    try:
        found = calls.call(
            "sts",
            "AssumeRole",
            {"RoleArn": role, "RoleSessionName": session[:64], "DurationSeconds": CREDENTIALS_SECONDS},
            account=account,
            region=region,
        )["Credentials"]
        keys = {
            "AWS_ACCESS_KEY_ID": found["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": found["SecretAccessKey"],
            "AWS_SESSION_TOKEN": found["SessionToken"],
        }
    except (AwsError, KeyError):
        keys = {"AWS_ACCESS_KEY_ID": account, "AWS_SECRET_ACCESS_KEY": "test", "AWS_SESSION_TOKEN": ""}
    _credentials[(role, session)] = (clock.now() + CREDENTIALS_SECONDS, keys)
    return keys


def opt_folder(layers: list[dict[str, Any]]) -> Path | None:
    """The `/opt` of these layers: each unpacked in order (later ones overwrite earlier files),
    built once per combination and shared read-only."""
    if not layers:
        return None
    digest = hashlib.sha256("/".join(layer["zip"] for layer in layers).encode()).hexdigest()
    target = packages.root() / "opt" / digest
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".unpack-"))
    for layer in layers:
        with zipfile.ZipFile(packages.zip_path(layer)) as archive:  # type: ignore[arg-type]
            packages.extract(archive, staging)
    try:
        staging.rename(target)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def hot_reload_stamp(folder: Path) -> str:
    """Changes whenever a file in the folder changes, so that edits start a fresh environment."""
    latest = 0
    count = 0
    for directory, _, files in os.walk(folder):
        for name in files:
            try:
                latest = max(latest, os.stat(os.path.join(directory, name)).st_mtime_ns)
            except OSError:
                continue
            count += 1
    return f"{latest}-{count}"


def reset() -> None:
    _credentials.clear()
    _specs.clear()
