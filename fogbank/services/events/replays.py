"""Archive and replay operations of the EventBridge provider (a mixin, to keep the provider small).

A replay sends the archived events whose time lies in [EventStartTime, EventEndTime) back to the
destination bus, each with a `replay-name` field, to the rules in FilterArns (or all rules), right
after StartReplay answers; it is then COMPLETED
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-replay-archived-event.html).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fogbank import clock
from fogbank.context import RequestContext
from fogbank.events import delivery
from fogbank.services.events import archives, buses, pagination, routing, rules
from fogbank.services.events.errors import (
    IllegalStatusException,
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
    ValidationException,
)


class ReplayOperations:
    def create_archive(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        name = request["ArchiveName"]
        if request.get("KmsKeyIdentifier"):
            raise ValidationException("KmsKeyIdentifier is not supported by fogbank yet.")
        store = archives.collection(ctx.account, ctx.region)
        if name in store:
            raise ResourceAlreadyExistsException(f"Archive {name} already exists.")
        account, region, bus = buses.locate(request["EventSourceArn"], ctx.account, ctx.region)
        if (account, region) != (ctx.account, ctx.region) or buses.get(account, region, bus) is None:
            raise ResourceNotFoundException(f"Event bus {bus} does not exist.")
        if request.get("EventPattern"):
            rules.check_pattern(request["EventPattern"])
        archive = {
            "ArchiveName": name,
            "ArchiveArn": ctx.arn("events", f"archive/{name}"),
            "EventSourceArn": request["EventSourceArn"],
            "Description": request.get("Description"),
            "EventPattern": request.get("EventPattern"),
            "RetentionDays": request.get("RetentionDays") or 0,
            "KmsKeyIdentifier": request.get("KmsKeyIdentifier"),
            "State": "ENABLED",
            "CreationTime": clock.now(),
        }
        store.put(name, archive)
        return {key: archive[key] for key in ("ArchiveArn", "State", "CreationTime")}

    def _archive(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        found = archives.collection(ctx.account, ctx.region).get(name)
        if found is None:
            raise ResourceNotFoundException(f"Archive {name} does not exist.")
        return found

    def describe_archive(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return archives.describe(ctx.account, ctx.region, self._archive(ctx, request["ArchiveName"]))

    def update_archive(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        archive = self._archive(ctx, request["ArchiveName"])
        if request.get("KmsKeyIdentifier"):
            raise ValidationException("KmsKeyIdentifier is not supported by fogbank yet.")
        if request.get("EventPattern"):
            rules.check_pattern(request["EventPattern"])
        for member in ("Description", "EventPattern", "RetentionDays"):
            if member in request:
                archive[member] = request[member]
        archives.collection(ctx.account, ctx.region).put(archive["ArchiveName"], archive)
        return {key: archive[key] for key in ("ArchiveArn", "State", "CreationTime")}

    def delete_archive(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        archive = self._archive(ctx, request["ArchiveName"])
        archives.drop_events(ctx.account, ctx.region, archive["ArchiveName"])
        archives.collection(ctx.account, ctx.region).delete(archive["ArchiveName"])
        return {}

    def list_archives(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        prefix = request.get("NamePrefix") or ""
        listed = [
            archives.describe(ctx.account, ctx.region, archive, listing=True)
            for name, archive in sorted(archives.collection(ctx.account, ctx.region).items())
            if name.startswith(prefix)
            and request.get("EventSourceArn") in (None, archive["EventSourceArn"])
            and request.get("State") in (None, archive["State"])
        ]
        return pagination.page(listed, request, "Archives")

    # -- replays --------------------------------------------------------------------------------

    def start_replay(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        name = request["ReplayName"]
        store = archives.replays(ctx.account, ctx.region)
        if name in store:
            raise ResourceAlreadyExistsException(f"Replay {name} already exists.")
        archive_name = request["EventSourceArn"].split(":", 5)[-1].removeprefix("archive/")
        archive = self._archive(ctx, archive_name)
        start, end = _epoch(request["EventStartTime"]), _epoch(request["EventEndTime"])
        if start >= end:
            raise ValidationException(
                "Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime."
            )
        destination = request["Destination"]
        if destination["Arn"] != archive["EventSourceArn"]:
            raise ValidationException(
                "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted."
            )
        replay = {
            "ReplayName": name,
            "ReplayArn": ctx.arn("events", f"replay/{name}"),
            "Description": request.get("Description"),
            "State": "STARTING",
            "EventSourceArn": request["EventSourceArn"],
            "Destination": destination,
            "EventStartTime": start,
            "EventEndTime": end,
            "ReplayStartTime": clock.now(),
        }
        store.put(name, replay)
        delivery.soon(_run_replay, ctx.account, ctx.region, name)
        return {key: replay[key] for key in ("ReplayArn", "State", "ReplayStartTime")}

    def _replay(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        found = archives.replays(ctx.account, ctx.region).get(name)
        if found is None:
            raise ResourceNotFoundException(f"Replay {name} does not exist.")
        return found

    def describe_replay(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        replay = self._replay(ctx, request["ReplayName"])
        return {key: value for key, value in replay.items() if value is not None}

    def list_replays(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        prefix = request.get("NamePrefix") or ""
        fields = (
            "ReplayName",
            "EventSourceArn",
            "State",
            "StateReason",
            "EventStartTime",
            "EventEndTime",
            "EventLastReplayedTime",
            "ReplayStartTime",
            "ReplayEndTime",
        )
        listed = [
            {key: replay[key] for key in fields if replay.get(key) is not None}
            for name, replay in sorted(archives.replays(ctx.account, ctx.region).items())
            if name.startswith(prefix)
            and request.get("State") in (None, replay["State"])
            and request.get("EventSourceArn") in (None, replay["EventSourceArn"])
        ]
        return pagination.page(listed, request, "Replays")

    def cancel_replay(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        replay = self._replay(ctx, request["ReplayName"])
        if replay["State"] not in ("STARTING", "RUNNING"):
            raise IllegalStatusException(
                f"Replay {replay['ReplayName']} is not in a valid state for this operation."
            )
        replay["State"] = "CANCELLED"
        archives.replays(ctx.account, ctx.region).put(replay["ReplayName"], replay)
        return {"ReplayArn": replay["ReplayArn"], "State": "CANCELLING"}


def _epoch(value: Any) -> float:
    return value.timestamp() if isinstance(value, datetime) else float(value)


def _run_replay(account: str, region: str, name: str) -> None:
    store = archives.replays(account, region)
    replay = store.get(name)
    if replay is None or replay["State"] != "STARTING":
        return
    archive_name = replay["EventSourceArn"].split(":", 5)[-1].removeprefix("archive/")
    archive = archives.collection(account, region).get(archive_name)
    _, _, bus = buses.locate(replay["Destination"]["Arn"], account, region)
    only = set(replay["Destination"].get("FilterArns") or []) or None
    last = None
    for record in archives.kept(account, region, archive) if archive else []:
        if replay["EventStartTime"] <= record["epoch"] < replay["EventEndTime"]:
            routing.route(
                account,
                region,
                bus,
                {**record["event"], "replay-name": name},
                replay_rules=only,
                replaying=True,
            )
            last = record["epoch"]
    replay.update(State="COMPLETED", ReplayEndTime=clock.now())
    if last is not None:
        replay["EventLastReplayedTime"] = last
    store.put(name, replay)
