"""Rules: records keyed by bus and name, their ARNs, and a per-bus index of compiled event
patterns rebuilt from the stored rules whenever a rule of that bus changes."""

from __future__ import annotations

import functools
from typing import Any

from fogbank import state
from fogbank.events import patterns
from fogbank.events.rule_index import RuleIndex
from fogbank.services.events.buses import DEFAULT
from fogbank.services.events.errors import InvalidEventPatternException, rule_not_found

_indexes: dict[tuple[str, str, str], RuleIndex] = {}
DESCRIBED = (
    "Name",
    "Arn",
    "EventPattern",
    "ScheduleExpression",
    "State",
    "Description",
    "RoleArn",
    "ManagedBy",
    "EventBusName",
    "CreatedBy",
)


def collection(account: str, region: str) -> state.Collection[dict[str, Any]]:
    return state.collection("events", "rules", account, region)


def key(bus: str, name: str) -> str:
    return f"{bus}/{name}"


def arn(account: str, region: str, bus: str, name: str) -> str:
    resource = f"rule/{name}" if bus == DEFAULT else f"rule/{bus}/{name}"
    return f"arn:aws:events:{region}:{account}:{resource}"


def require(account: str, region: str, bus: str, name: str) -> dict[str, Any]:
    found = collection(account, region).get(key(bus, name))
    if found is None:
        raise rule_not_found(name, bus)
    return found


def of_bus(account: str, region: str, bus: str) -> list[dict[str, Any]]:
    return sorted(
        (rule for rule in collection(account, region).values() if rule["EventBusName"] == bus),
        key=lambda rule: rule["Name"],
    )


def describe(rule: dict[str, Any]) -> dict[str, Any]:
    return {name: rule[name] for name in DESCRIBED if rule.get(name) is not None}


@functools.lru_cache(maxsize=4096)
def compiled(text: str) -> patterns.Pattern:
    return patterns.compile_text(text)


def check_pattern(text: str) -> None:
    try:
        compiled(text)
    except patterns.InvalidPattern as error:
        raise InvalidEventPatternException(str(error)) from None


def index(account: str, region: str, bus: str) -> RuleIndex:
    """The pattern index of a bus's enabled rules (built on first use after a change)."""
    found = _indexes.get((account, region, bus))
    if found is None:
        found = RuleIndex()
        for rule in of_bus(account, region, bus):
            if rule["State"].startswith("ENABLED") and rule.get("EventPattern"):
                found.add(rule["Name"], compiled(rule["EventPattern"]))
        _indexes[(account, region, bus)] = found
    return found


def changed(account: str, region: str, bus: str) -> None:
    _indexes.pop((account, region, bus), None)


def forget_indexes() -> None:
    _indexes.clear()
