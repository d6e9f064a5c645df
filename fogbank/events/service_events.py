"""Events that AWS services emit to the default event bus of the account and region where they
happen (S3 "Object Created" with EventBridge notifications on, Step Functions "Step Functions
Execution Status Change", ...): https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event.html.

Other services call `publish_service_event`; the event is routed after the calling request has
been answered, exactly like an event from PutEvents (archives included).
"""

from __future__ import annotations

from typing import Any

from fogbank.events import delivery
from fogbank.services import registry


def publish_service_event(
    account: str, region: str, source: str, detail_type: str, detail: dict[str, Any], resources: list[str]
) -> str:
    """Put an AWS service event (`source` such as "aws.s3") on the default bus; returns its id."""
    from fogbank.services.events import envelope, routing  # noqa: PLC0415 - the events service loads lazily

    registry.provider("events")  # started once: binds the delivery loop, arms scheduled rules
    event = envelope.envelope(
        source=source,
        detail_type=detail_type,
        detail=detail,
        account=account,
        region=region,
        resources=resources,
    )
    delivery.soon(routing.route, account, region, "default", event)
    return str(event["id"])
