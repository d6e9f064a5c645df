"""Schedule groups: the `default` group (present in every account and region) and custom groups
with tags (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-group.html)."""

from __future__ import annotations

from typing import Any

from fogbank import clock, state
from fogbank.services.scheduler.errors import ResourceNotFoundException

DEFAULT = "default"


def collection(account: str, region: str) -> state.Collection[dict[str, Any]]:
    return state.collection("scheduler", "groups", account, region)


def arn(account: str, region: str, name: str) -> str:
    return f"arn:aws:scheduler:{region}:{account}:schedule-group/{name}"


def new_group(account: str, region: str, name: str, tags: list[dict[str, str]]) -> dict[str, Any]:
    now = clock.now()
    return {
        "Arn": arn(account, region, name),
        "Name": name,
        "State": "ACTIVE",
        "CreationDate": now,
        "LastModificationDate": now,
        "Tags": {tag["Key"]: tag["Value"] for tag in tags},
    }


def get(account: str, region: str, name: str) -> dict[str, Any] | None:
    store = collection(account, region)
    found = store.get(name)
    if found is None and name == DEFAULT:
        found = new_group(account, region, DEFAULT, [])
        store.put(DEFAULT, found)
    return found


def require(account: str, region: str, name: str) -> dict[str, Any]:
    found = get(account, region, name)
    if found is None:
        raise ResourceNotFoundException(f"Schedule group {name} does not exist.")
    return found


def describe(group: dict[str, Any]) -> dict[str, Any]:
    return {key: group[key] for key in ("Arn", "Name", "State", "CreationDate", "LastModificationDate")}
