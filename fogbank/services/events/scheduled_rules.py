"""Rules with a ScheduleExpression: each occurrence (on fogbank's clock, UTC) sends a "Scheduled
Event" to the rule's targets (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-rule-schedule.html).
When the clock is advanced past several occurrences, each fires once, in order."""

from __future__ import annotations

from typing import Any

from fogbank import clock, state
from fogbank.events import schedule_expressions
from fogbank.services.events import envelope, routing, rules

_timers: dict[tuple[str, str, str], clock.Timer] = {}


def arm(account: str, region: str, rule: dict[str, Any]) -> None:
    """(Re)schedule a rule's next occurrence; disabled and pattern rules are left unarmed."""
    ident = (account, region, rules.key(rule["EventBusName"], rule["Name"]))
    disarm(*ident)
    if not rule.get("ScheduleExpression") or rule["State"] != "ENABLED":
        return
    _arm_after(ident, rule, clock.now())


def _arm_after(ident: tuple[str, str, str], rule: dict[str, Any], after: float) -> None:
    expression = schedule_expressions.parse(rule["ScheduleExpression"])
    due = schedule_expressions.next_after(expression, after, "UTC", anchor=rule.get("ScheduleAnchor"))
    if due is not None:
        _timers[ident] = clock.call_at(due, lambda: _fire(ident, rule["ScheduleExpression"], due))


def disarm(account: str, region: str, key: str) -> None:
    timer = _timers.pop((account, region, key), None)
    if timer is not None:
        timer.cancel()


def _fire(ident: tuple[str, str, str], expression: str, due: float) -> None:
    account, region, key = ident
    _timers.pop(ident, None)
    rule = rules.collection(account, region).get(key)
    if rule is None or rule["State"] != "ENABLED" or rule.get("ScheduleExpression") != expression:
        return
    event = envelope.envelope(
        source="aws.events",
        detail_type="Scheduled Event",
        detail={},
        account=account,
        region=region,
        resources=[rule["Arn"]],
        epoch=due,
    )
    routing.deliver_to_targets(account, region, rule, event)
    _arm_after(ident, rule, due)


def arm_all() -> None:
    """Re-arm every stored scheduled rule (after a start or restart)."""
    for scope in state.database().scopes("events", "rules"):
        account, _, region = scope.partition("/")
        for rule in rules.collection(account, region).values():
            arm(account, region, rule)


def disarm_all() -> None:
    for timer in _timers.values():
        timer.cancel()
    _timers.clear()
