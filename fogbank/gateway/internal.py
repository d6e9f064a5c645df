"""fogbank's own endpoints under `/_fogbank/` (health, clock, reset, state export/import, and
routes that services add, such as captured emails), plus LocalStack's well-known paths
(`/_localstack/health`, `/_localstack/init[/<stage>]`, `/_localstack/info`) so that tooling built
for LocalStack works unchanged. Answers are JSON; bad input answers 400 `{"error": "<why>"}`."""

from __future__ import annotations

import importlib
import math
import os
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import orjson

from fogbank import __version__, clock, state
from fogbank.config import settings
from fogbank.gateway import hooks
from fogbank.gateway.exchange import Exchange
from fogbank.protocol.http import HttpResponse
from fogbank.services import registry

# Routes that services contribute: path → "module:function" taking the exchange.
SERVICE_ROUTES: dict[str, str] = {
    "/_fogbank/sns/emails": "fogbank.services.sns.emails:serve",
    "/_fogbank/sns/SimpleNotificationService.pem": "fogbank.services.sns.signing:serve_certificate",
    "/_fogbank/lambda/code": "fogbank.services.lambda_.code:serve_download",
}

_CLOCK_USAGE = (
    'send {"advance": "PT2H"} (an ISO 8601 duration) or {"advance": 90} (seconds), '
    '{"set": "2030-01-01T00:00:00Z"} or {"reset": true}'
)


def json_response(document: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(status, {"content-type": "application/json"}, orjson.dumps(document))


def error(status: int, message: str) -> HttpResponse:
    return json_response({"error": message}, status)


async def handle(exchange: Exchange) -> HttpResponse:
    request = exchange.request
    path = request.path.rstrip("/")
    route = _ROUTES.get(path)
    if route is not None:
        methods, handler = route
        if request.method not in methods:
            return error(405, f"{request.path} accepts {' or '.join(methods)}, not {request.method}")
        return await handler(exchange)
    if path.startswith("/_localstack/init/"):
        return _init_stage(path.rpartition("/")[2])
    target = SERVICE_ROUTES.get(path)
    if target:
        module_name, _, function = target.partition(":")
        service_handler = getattr(importlib.import_module(module_name), function)
        response: HttpResponse = await service_handler(exchange)
        return response
    return error(404, f"no fogbank endpoint at {request.path}")


def health() -> dict[str, Any]:
    """Every service fogbank implements: "running" once loaded, "available" before."""
    running = registry.loaded()
    services = {name: ("running" if name in running else "available") for name in registry.PROVIDERS}
    return {"services": services, "edition": "community", "version": __version__}


async def _health(exchange: Exchange) -> HttpResponse:
    if exchange.request.method == "POST":  # LocalStack's `POST /_localstack/health` (restart/kill actions)
        return json_response({"status": "ok"})
    document = health()
    if exchange.request.path.startswith("/_fogbank/"):
        document["persistence"] = "memory" if settings.ephemeral else str(settings.data_dir)
        document["pid"] = os.getpid()  # lets `fogbank start -d` tell its server from another one
    return json_response(document)


async def _info(exchange: Exchange) -> HttpResponse:
    return json_response({"version": __version__, "edition": "community", "is_license_activated": False})


async def _init(exchange: Exchange) -> HttpResponse:
    return json_response(hooks.status())


def _init_stage(stage: str) -> HttpResponse:
    document = hooks.stage_status(stage)
    if document is None:
        return error(404, f"unknown init stage {stage!r}: use boot, start, ready or shutdown")
    return json_response(document)


async def _read_json(exchange: Exchange) -> Any:
    """The request's JSON body ({} when empty); raises ValueError with a readable reason."""
    await exchange.read_body()
    raw = exchange.request.body.read()
    if not raw.strip():
        return {}
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as problem:
        raise ValueError(f"the body is not JSON ({problem})") from None


async def _clock(exchange: Exchange) -> HttpResponse:
    if exchange.request.method == "POST":
        try:
            command = await _read_json(exchange)
            if not isinstance(command, dict):
                raise ValueError("the body must be a JSON object")
            _apply_clock_command(command)
        except ValueError as problem:
            return error(400, f"bad clock command: {problem}; {_CLOCK_USAGE}")
    return json_response(
        {"now": clock.now_datetime().isoformat(), "epoch": clock.now(), "offset": clock.offset()}
    )


def _apply_clock_command(command: dict[str, Any]) -> None:
    if "advance" in command:
        amount = command["advance"]
        if isinstance(amount, bool) or not isinstance(amount, int | float | str):
            raise ValueError(f"advance must be an ISO 8601 duration or a number of seconds, not {amount!r}")
        seconds = clock.parse_duration(amount) if isinstance(amount, str) else float(amount)
        if not math.isfinite(seconds):
            raise ValueError(f"advance must be finite, not {amount!r}")
        clock.advance(seconds)
    elif "set" in command:
        clock.set_time(_parse_instant(command["set"]))
    elif command.get("reset") is True:
        clock.reset()
    else:
        raise ValueError(f"unknown command {orjson.dumps(command).decode()}")


def _parse_instant(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError(f"set must be an ISO 8601 time such as 2030-01-01T00:00:00Z, not {value!r}")
    try:
        instant = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"set must be an ISO 8601 time such as 2030-01-01T00:00:00Z, not {value!r}"
        ) from None
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)  # no zone given: UTC


async def _reset(exchange: Exchange) -> HttpResponse:
    service = exchange.request.query_value("service")
    if exchange.request.method == "POST" and not service:
        try:
            document = await _read_json(exchange)
            service = document.get("service") if isinstance(document, dict) else None
            if not isinstance(document, dict) or not isinstance(service, str | None):
                raise ValueError("the body must be a JSON object")
        except ValueError as problem:
            return error(400, f'{problem}: send {{"service": "sqs"}}, or nothing to reset everything')
    if service and service not in registry.PROVIDERS:
        return error(
            400, f"unknown service {service!r}; fogbank implements {', '.join(sorted(registry.PROVIDERS))}"
        )
    registry.unload(service)
    state.database().reset(service)
    if service in (None, "s3"):
        from fogbank.state import blobs

        blobs.clear()
    return json_response({"reset": service or "all"})


async def _export(exchange: Exchange) -> HttpResponse:
    from fogbank.state import snapshot

    headers = {
        "content-type": "application/zip",
        "content-disposition": 'attachment; filename="fogbank-state.zip"',
    }
    return HttpResponse(200, headers, snapshot.export_stream(settings.data_dir / "tmp"))


async def _import(exchange: Exchange) -> HttpResponse:
    from fogbank.state import snapshot

    await exchange.read_body(spool=True)  # a large export goes to a temporary file, not memory
    body = exchange.request.body
    try:
        if body.path is not None:
            snapshot.import_archive(body.path)
        else:
            snapshot.import_bytes(body.data)
    except ValueError as problem:
        return error(400, f"not a fogbank state export: {problem}")
    registry.unload()
    registry.start_engines()
    return json_response({"imported": True})


Route = tuple[tuple[str, ...], Callable[[Exchange], Awaitable[HttpResponse]]]
_ROUTES: dict[str, Route] = {
    "/_fogbank/health": (("GET", "HEAD"), _health),
    "/_localstack/health": (("GET", "HEAD", "POST"), _health),
    "/_fogbank/info": (("GET",), _info),
    "/_localstack/info": (("GET",), _info),
    "/_fogbank/clock": (("GET", "POST"), _clock),
    "/_fogbank/reset": (("POST",), _reset),
    "/_localstack/state/reset": (("POST",), _reset),
    "/_fogbank/state/export": (("GET",), _export),
    "/_fogbank/state/import": (("POST",), _import),
    "/_localstack/init": (("GET",), _init),
}
