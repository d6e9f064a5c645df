"""fogbank's own endpoints under `/_fogbank/` (health, clock, reset, state export/import, and
routes that services add, such as captured emails), plus LocalStack's well-known paths."""

from __future__ import annotations

import importlib
from datetime import datetime
from typing import Any

import orjson

from fogbank import __version__, clock, state
from fogbank.errors import AwsError
from fogbank.gateway import hooks
from fogbank.gateway.exchange import Exchange
from fogbank.protocol.http import HttpResponse
from fogbank.services import registry

# Routes that services contribute: path → "module:function" taking the exchange.
SERVICE_ROUTES: dict[str, str] = {
    "/_fogbank/sns/emails": "fogbank.services.sns.emails:serve",
}


def json_response(document: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(status, {"content-type": "application/json"}, orjson.dumps(document))


def error(status: int, message: str) -> HttpResponse:
    return json_response({"error": message}, status)


async def handle(exchange: Exchange) -> HttpResponse:
    request = exchange.request
    path = request.path.rstrip("/")
    method = request.method
    if path in ("/_fogbank/health", "/_localstack/health"):
        if method == "POST" and path == "/_localstack/health":
            return json_response({"status": "ok"})
        return json_response(health())
    if path == "/_fogbank/clock":
        return await _clock(exchange)
    if path == "/_fogbank/reset" or path == "/_localstack/state/reset":
        return await _reset(exchange)
    if path == "/_fogbank/state/export":
        return _export()
    if path == "/_fogbank/state/import" and method == "POST":
        await exchange.read_body()
        return _import(exchange.request.body.read())
    if path == "/_localstack/init" or path.startswith("/_localstack/init/"):
        return json_response(hooks.status())
    if path == "/_localstack/info" or path == "/_fogbank/info":
        return json_response({"version": __version__, "edition": "community", "is_license_activated": False})
    target = SERVICE_ROUTES.get(path)
    if target:
        module_name, _, function = target.partition(":")
        handler = getattr(importlib.import_module(module_name), function)
        response: HttpResponse = await handler(exchange)
        return response
    return error(404, f"no fogbank endpoint at {request.path}")


def health() -> dict[str, Any]:
    running = registry.loaded()
    services = {name: ("running" if name in running else "available") for name in registry.PROVIDERS}
    return {"services": services, "edition": "community", "version": __version__}


async def _clock(exchange: Exchange) -> HttpResponse:
    if exchange.request.method == "POST":
        await exchange.read_body()
        try:
            command = orjson.loads(exchange.request.body.read() or b"{}")
            if "advance" in command:
                amount = command["advance"]
                clock.advance(float(amount) if isinstance(amount, int | float) else clock.parse_duration(amount))
            elif "set" in command:
                clock.set_time(datetime.fromisoformat(command["set"].replace("Z", "+00:00")))
            elif command.get("reset"):
                clock.reset()
            else:
                return error(400, 'send {"advance": "PT2H"} (or seconds), {"set": "<ISO time>"} or {"reset": true}')
        except (ValueError, TypeError, AttributeError, orjson.JSONDecodeError) as problem:
            return error(400, f"bad clock command: {problem}")
    return json_response({"now": clock.now_datetime().isoformat(), "epoch": clock.now(), "offset": clock.offset()})


async def _reset(exchange: Exchange) -> HttpResponse:
    service = exchange.request.query_value("service")
    if exchange.request.method == "POST" and not service:
        await exchange.read_body()
        raw = exchange.request.body.read()
        if raw.strip():
            try:
                service = orjson.loads(raw).get("service")
            except (orjson.JSONDecodeError, AttributeError):
                return error(400, 'send {"service": "sqs"} or nothing to reset everything')
    if service and service not in registry.PROVIDERS:
        return error(400, f"unknown service {service!r}")
    registry.unload(service)
    state.database().reset(service)
    from fogbank.state import blobs

    if service in (None, "s3"):
        blobs.clear()
    return json_response({"reset": service or "all"})


def _export() -> HttpResponse:
    from fogbank.state import snapshot

    return HttpResponse(200, {"content-type": "application/zip"}, snapshot.export_bytes())


def _import(raw: bytes) -> HttpResponse:
    from fogbank.state import snapshot

    try:
        snapshot.import_bytes(raw)
    except (ValueError, KeyError, AwsError) as problem:
        return error(400, f"not a fogbank state export: {problem}")
    registry.unload()
    return json_response({"imported": True})
