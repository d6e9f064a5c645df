"""Enhanced fan-out consumers, stored in their stream's record
(https://docs.aws.amazon.com/kinesis/latest/APIReference/API_RegisterStreamConsumer.html).

A consumer is ACTIVE as soon as it is registered (AWS reports CREATING for a few seconds; clients
wait for ACTIVE, which fogbank answers at once)."""

from __future__ import annotations

from typing import Any

from fogbank import clock
from fogbank.services.kinesis.errors import (
    LimitExceededException,
    ResourceInUseException,
    ResourceNotFoundException,
)
from fogbank.services.kinesis.streams import Stream

MAX_CONSUMERS = 20


def register(stream: Stream, name: str) -> dict[str, Any]:
    consumers = stream.record["Consumers"]
    if name in consumers:
        raise ResourceInUseException(
            f"Consumer {name} under stream {stream.name} already exists for account {stream.account}."
        )
    if len(consumers) >= MAX_CONSUMERS:
        raise LimitExceededException(
            f"Consumer limit of {MAX_CONSUMERS} has been reached for stream {stream.name} under account "
            f"{stream.account}."
        )
    created = int(clock.now())
    consumer = {
        "ConsumerName": name,
        "ConsumerARN": f"{stream.arn}/consumer/{name}:{created}",
        "ConsumerStatus": "ACTIVE",
        "ConsumerCreationTimestamp": float(created),
        "Tags": {},
    }
    consumers[name] = consumer
    return consumer


def view(consumer: dict[str, Any], stream: Stream | None = None) -> dict[str, Any]:
    shown = {
        key: consumer[key]
        for key in ("ConsumerName", "ConsumerARN", "ConsumerStatus", "ConsumerCreationTimestamp")
    }
    if stream is not None:
        shown["StreamARN"] = stream.arn
    return shown


def split_arn(consumer_arn: str) -> tuple[str, str]:
    """(stream name, consumer name) of `arn:aws:kinesis:<region>:<account>:stream/<s>/consumer/<c>:<t>`."""
    resource = consumer_arn.split(":", 5)[-1] if consumer_arn.count(":") >= 6 else ""
    parts = resource.split("/")
    if len(parts) != 4 or parts[0] != "stream" or parts[2] != "consumer":
        raise ResourceNotFoundException(f"Consumer {consumer_arn} not found.")
    return parts[1], parts[3].rpartition(":")[0] or parts[3]


def find(stream: Stream, name: str | None, arn: str | None) -> dict[str, Any]:
    consumer: dict[str, Any]
    for consumer in stream.record["Consumers"].values():
        if (arn and consumer["ConsumerARN"] == arn) or (not arn and consumer["ConsumerName"] == name):
            return consumer
    shown = arn or f"{stream.arn}/consumer/{name}"
    raise ResourceNotFoundException(f"Consumer {shown} not found.")
