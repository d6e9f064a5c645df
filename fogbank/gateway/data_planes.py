"""Data planes served by host name or path rather than as AWS API operations (S3 website
endpoints, S3 CORS preflights, later execute-api and function URLs).

Each plane is a module with `matches(request) -> bool` (cheap, no imports of heavy code) and
`async serve(exchange) -> HttpResponse | None`.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable
from types import ModuleType

from fogbank.gateway.exchange import Exchange
from fogbank.protocol.http import HttpResponse

# Website endpoints first: their host names claim every request to them, preflights included.
# Function URLs (`*.lambda-url.*` hosts) before S3's CORS preflights, which would claim their OPTIONS.
PLANES: list[str] = [
    "fogbank.services.s3.website",
    "fogbank.services.lambda_.url_plane",
    "fogbank.services.s3.cors",
]

_modules: list[ModuleType] | None = None


def _planes() -> list[ModuleType]:
    global _modules
    if _modules is None:
        _modules = [importlib.import_module(name) for name in PLANES]
    return _modules


def serve(exchange: Exchange) -> Awaitable[HttpResponse | None] | None:
    """None when no plane claims the request (a plain call: most requests are AWS API calls, and
    a coroutine per request to say so cost about 2 µs); else the planes' answer, to await."""
    request = exchange.request
    for index, plane in enumerate(_planes()):
        if plane.matches(request):
            return _serve_from(exchange, index)
    return None


async def _serve_from(exchange: Exchange, first: int) -> HttpResponse | None:
    """The first plane that claims the request answers; one that declines passes it on."""
    planes = _planes()
    for plane in planes[first:]:
        if plane is planes[first] or plane.matches(exchange.request):
            response: HttpResponse | None = await plane.serve(exchange)
            if response is not None:
                return response
    return None
