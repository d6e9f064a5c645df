"""The base of every service provider: one method per AWS operation, plain dicts in and out."""

from __future__ import annotations

from typing import Any, ClassVar

from fogbank import state
from fogbank.context import RequestContext
from fogbank.state import Collection


class Provider:
    """Subclasses set `service` (botocore's name) and define `snake_case` operation methods:

        def send_message(self, ctx: RequestContext, request: dict) -> dict: ...

    A method may be `async` when it has to wait (long polling). Operations without a method answer
    AWS's `NotImplemented`-style error naming the operation.
    """

    service: ClassVar[str]
    # The error code this service uses for model validation failures (protocol default if None).
    validation_error_code: ClassVar[str | None] = None

    def collection(
        self, ctx: RequestContext, kind: str, record_type: type[Any] | None = None, *, regional: bool = True
    ) -> Collection[Any]:
        """A persistent collection of this service, scoped to the caller's account (and region)."""
        return state.collection(self.service, kind, ctx.account, ctx.region if regional else None, record_type)

    def start(self) -> None:
        """Called once when the service is first loaded (start engines, rebuild indexes)."""

    def stop(self) -> None:
        """Called on shutdown and reset."""
