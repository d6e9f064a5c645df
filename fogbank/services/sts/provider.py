"""AWS STS operations (skeleton: being completed)."""

from __future__ import annotations

from typing import Any

from fogbank.context import RequestContext
from fogbank.services.provider import Provider


class StsProvider(Provider):
    service = "sts"

    def get_caller_identity(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return {"UserId": ctx.account, "Account": ctx.account, "Arn": f"arn:aws:iam::{ctx.account}:root"}
