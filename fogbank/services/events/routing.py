"""Routing: an event put on a bus goes to its archives and to the targets of every enabled rule
whose pattern matches, each target through the shared delivery engine (input transformation,
retry policy, dead-letter queue). Event-bus targets forward the event, unchanged, to another bus,
possibly in another account when that bus's policy allows it
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-account.html).

An event forwarded from one account to a second may not go on to a third (AWS's
THIRD_ACCOUNT_HOP_DETECTED), and a chain of bus-to-bus forwards stops after MAX_HOPS so that rules
forwarding in a circle cannot loop forever."""

from __future__ import annotations

import json
from typing import Any

from fogbank import clock
from fogbank.errors import AwsError
from fogbank.events import api_calls, delivery, inputs, targets
from fogbank.services.events import api_destinations, archives, buses, rules
from fogbank.services.events.errors import ResourceNotFoundException

MAX_HOPS = 5


def route(
    account: str,
    region: str,
    bus: str,
    event: dict[str, Any],
    *,
    replay_rules: set[str] | None = None,
    replaying: bool = False,
    path: tuple[str, ...] = (),
) -> None:
    """Deliver an event that has been accepted on a bus (archived unless it is a replay)."""
    if not replaying:
        archives.capture(account, region, buses.arn(account, region, bus), event)
    store = rules.collection(account, region)
    for name in rules.index(account, region, bus).matching(event):
        rule = store.get(rules.key(bus, name))
        if rule is None or (replay_rules is not None and rule["Arn"] not in replay_rules):
            continue
        deliver_to_targets(account, region, rule, event, path=path + (account,))


def deliver_to_targets(
    account: str, region: str, rule: dict[str, Any], event: dict[str, Any], *, path: tuple[str, ...] = ()
) -> None:
    """Send the event to each of the rule's targets; `path` lists the accounts of the buses the
    event has passed through (for bus-to-bus forwarding)."""
    ingested = clock.now()
    body = json.dumps(event, separators=(",", ":"))
    for target in rule["Targets"]:
        context = {"arn": rule["Arn"], "name": rule["Name"], "ingestion_time": event["time"]}
        text = inputs.render(target, event, context)
        retry = target.get("RetryPolicy") or {}
        delivery.submit(
            delivery.Attempt(
                send=_sender(account, target, text, event, path or (account,)),
                rule_arn=rule["Arn"],
                target_arn=target["Arn"],
                body=body,
                event_time=ingested,
                max_retries=retry.get("MaximumRetryAttempts", delivery.DEFAULT_MAX_RETRIES),
                max_age=retry.get("MaximumEventAgeInSeconds", delivery.DEFAULT_MAX_AGE),
                dead_letter_arn=(target.get("DeadLetterConfig") or {}).get("Arn"),
            )
        )


def _sender(
    account: str, target: dict[str, Any], text: str, event: dict[str, Any], path: tuple[str, ...]
) -> Any:
    arn = target["Arn"]
    if api_destinations.is_arn(arn):
        return api_calls.sender(arn, text, target.get("HttpParameters") or {})
    if targets.parse_arn(arn)[0] == "events":
        return lambda: forward(account, arn, event, path)
    return targets.sender(arn, text, target, event, event_id=event["id"])


def forward(sender_account: str, bus_arn: str, event: dict[str, Any], path: tuple[str, ...] = ()) -> None:
    """Put an event, unchanged, on another bus (the target of a rule)."""
    account, region, name = buses.locate(bus_arn, sender_account, "")
    if account not in path and len(set(path)) >= 2:
        raise AwsError(
            f"Event already crossed from one account to another: {bus_arn}", code="THIRD_ACCOUNT_HOP_DETECTED"
        )
    if len(path) >= MAX_HOPS:
        raise AwsError(
            f"Event was forwarded between event buses {len(path)} times", code="EVENT_LOOP_DETECTED"
        )
    bus = buses.get(account, region, name)
    if bus is None:
        raise ResourceNotFoundException(f"Event bus {name} does not exist.")
    if not buses.allows(bus, sender_account, account):
        raise AwsError(
            f"Account {sender_account} is not authorized to put events on {bus_arn}",
            code="AccessDeniedException",
        )
    route(account, region, name, event, path=path)
