"""Calls from one service (or engine) to another through the callee's public operations, with a
context of the account and region the call acts in (e.g. SNS delivering to an SQS queue)."""

from __future__ import annotations

import inspect
import uuid
from typing import Any

from botocore import xform_name

from fogbank.config import settings
from fogbank.context import RequestContext
from fogbank.errors import NotImplementedOperation
from fogbank.protocol.http import HttpRequest
from fogbank.services import registry


def internal_context(service: str, operation: str, account: str, region: str) -> RequestContext:
    host = f"localhost:{settings.port}"
    request = HttpRequest("POST", "/", "", {"host": host})
    return RequestContext(
        request=request, service=service, operation=operation, account=account, region=region,
        request_id=str(uuid.uuid4()), protocol="internal",
    )


def _method(service: str, operation: str) -> Any:
    method = getattr(registry.provider(service), xform_name(operation), None)
    if method is None:
        raise NotImplementedOperation(f"The {operation} operation of {service} is not implemented in fogbank yet")
    return method


def call(service: str, operation: str, params: dict[str, Any], *, account: str, region: str) -> dict[str, Any]:
    """Run a synchronous operation of another service; raises its `AwsError`s unchanged."""
    result = _method(service, operation)(internal_context(service, operation, account, region), params)
    if inspect.isawaitable(result):
        raise TypeError(f"{service}.{operation} is asynchronous: use call_async")
    return result or {}


async def call_async(
    service: str, operation: str, params: dict[str, Any], *, account: str, region: str
) -> dict[str, Any]:
    result = _method(service, operation)(internal_context(service, operation, account, region), params)
    if inspect.isawaitable(result):
        result = await result
    return result or {}
