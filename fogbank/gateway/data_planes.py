"""Data planes served by host name or path rather than as AWS API operations (S3 website
endpoints, S3 CORS preflights, later execute-api and function URLs).

Each plane is a module with `matches(request) -> bool` (cheap, no imports of heavy code) and
`async serve(exchange) -> HttpResponse | None`.
"""

from __future__ import annotations

import importlib
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


async def serve(exchange: Exchange) -> HttpResponse | None:
    for plane in _planes():
        if plane.matches(exchange.request):
            response: HttpResponse | None = await plane.serve(exchange)
            if response is not None:
                return response
    return None
