"""What a provider knows of the request it serves: who asks, where, and the raw HTTP request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fogbank.protocol.http import HttpRequest

DEFAULT_ACCOUNT = "000000000000"
DEFAULT_REGION = "us-east-1"


@dataclass(slots=True)
class RequestContext:
    request: HttpRequest
    service: str
    operation: str = ""
    account: str = DEFAULT_ACCOUNT
    region: str = DEFAULT_REGION
    access_key: str = ""
    request_id: str = ""
    protocol: str = ""
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def partition(self) -> str:
        if self.region.startswith("cn-"):
            return "aws-cn"
        if self.region.startswith("us-gov-"):
            return "aws-us-gov"
        return "aws"

    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        """An ARN in the caller's partition, region and account (either left empty where AWS does)."""
        return (
            f"arn:{self.partition}:{service}:{self.region if region else ''}:"
            f"{self.account if account else ''}:{resource}"
        )
