"""Amazon EventBridge Scheduler operations (REST-JSON): schedule groups with tags, schedules with
`at`/`rate`/`cron` expressions in a time zone, start and end dates, flexible windows, templated
targets (SQS, SNS, Lambda, Step Functions, Kinesis, EventBridge PutEvents — those fogbank serves)
and the universal `aws-sdk` target, retry policy, dead-letter queue and ActionAfterCompletion.

Not supported yet (refused with a clear ValidationException): ECS, SageMaker and the PutEventsV2 /
PutRawEvents targets, customer managed KMS keys. Target RoleArn is recorded, not assumed.
ClientToken idempotency is not applied (a repeated create answers ConflictException).
"""

from __future__ import annotations

from typing import Any

from fogbank import clock, state
from fogbank.context import RequestContext
from fogbank.events import delivery
from fogbank.services.pagination import offset_page
from fogbank.services.provider import Provider
from fogbank.services.scheduler import engine, groups, schedules
from fogbank.services.scheduler.errors import (
    ConflictException,
    ResourceNotFoundException,
    ValidationException,
)


def _page(items: list[Any], request: dict[str, Any], key: str) -> dict[str, Any]:
    chosen, token = offset_page(items, request.get("NextToken"), request.get("MaxResults") or 100)
    out: dict[str, Any] = {key: chosen}
    if token:
        out["NextToken"] = token
    return out


class SchedulerProvider(Provider):
    service = "scheduler"

    def start(self) -> None:
        delivery.bind_loop()
        engine.arm_all()

    def stop(self) -> None:
        engine.disarm_all()

    # -- groups ---------------------------------------------------------------------------------

    def create_schedule_group(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        name = request["Name"]
        if groups.get(ctx.account, ctx.region, name) is not None:
            raise ConflictException(f"Schedule group {name} already exists.")
        group = groups.new_group(ctx.account, ctx.region, name, request.get("Tags") or [])
        groups.collection(ctx.account, ctx.region).put(name, group)
        return {"ScheduleGroupArn": group["Arn"]}

    def get_schedule_group(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return groups.describe(groups.require(ctx.account, ctx.region, request["Name"]))

    def delete_schedule_group(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        """Deleting a group deletes its schedules; the default group cannot be deleted."""
        name = request["Name"]
        if name == groups.DEFAULT:
            raise ValidationException("You cannot delete the default group.")
        groups.require(ctx.account, ctx.region, name)
        store = schedules.collection(ctx.account, ctx.region)
        with state.atomic():
            for key in [key for key, item in store.items() if item["GroupName"] == name]:
                engine.disarm(ctx.account, ctx.region, key)
                store.delete(key)
            groups.collection(ctx.account, ctx.region).delete(name)
        return {}

    def list_schedule_groups(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        groups.get(ctx.account, ctx.region, groups.DEFAULT)
        prefix = request.get("NamePrefix") or ""
        listed = [
            groups.describe(group)
            for name, group in sorted(groups.collection(ctx.account, ctx.region).items())
            if name.startswith(prefix)
        ]
        return _page(listed, request, "ScheduleGroups")

    # -- schedules ------------------------------------------------------------------------------

    def create_schedule(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        group = request.get("GroupName") or groups.DEFAULT
        groups.require(ctx.account, ctx.region, group)
        store = schedules.collection(ctx.account, ctx.region)
        if schedules.key(group, request["Name"]) in store:
            raise ConflictException(f"Schedule {request['Name']} already exists.")
        schedules.validate(request)
        schedule = schedules.record(ctx.account, ctx.region, group, request, clock.now())
        store.put(schedules.key(group, request["Name"]), schedule)
        engine.arm(ctx.account, ctx.region, schedule)
        return {"ScheduleArn": schedule["Arn"]}

    def update_schedule(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        """UpdateSchedule replaces every setting (omitted optional ones return to their defaults)."""
        group = request.get("GroupName") or groups.DEFAULT
        current = schedules.require(ctx.account, ctx.region, group, request["Name"])
        schedules.validate(request)
        schedule = schedules.record(ctx.account, ctx.region, group, request, current["CreationDate"])
        schedule.update(LastModificationDate=clock.now(), Version=current.get("Version", 0) + 1)
        schedules.collection(ctx.account, ctx.region).put(schedules.key(group, request["Name"]), schedule)
        engine.arm(ctx.account, ctx.region, schedule)
        return {"ScheduleArn": schedule["Arn"]}

    def get_schedule(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        group = request.get("GroupName") or groups.DEFAULT
        return schedules.describe(schedules.require(ctx.account, ctx.region, group, request["Name"]))

    def delete_schedule(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        group = request.get("GroupName") or groups.DEFAULT
        schedules.require(ctx.account, ctx.region, group, request["Name"])
        key = schedules.key(group, request["Name"])
        engine.disarm(ctx.account, ctx.region, key)
        schedules.collection(ctx.account, ctx.region).delete(key)
        return {}

    def list_schedules(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        group = request.get("GroupName")
        if group:
            groups.require(ctx.account, ctx.region, group)
        prefix = request.get("NamePrefix") or ""
        listed = [
            schedules.summary(item)
            for _, item in sorted(schedules.collection(ctx.account, ctx.region).items())
            if item["Name"].startswith(prefix)
            and group in (None, item["GroupName"])
            and request.get("State") in (None, item["State"])
        ]
        return _page(listed, request, "Schedules")

    # -- tags (schedule groups only) ------------------------------------------------------------

    def _group_by_arn(self, ctx: RequestContext, arn: str) -> dict[str, Any]:
        resource = arn.split(":", 5)[-1]
        if not resource.startswith("schedule-group/"):
            raise ResourceNotFoundException(f"Resource {arn} does not exist.")
        return groups.require(ctx.account, ctx.region, resource.split("/", 1)[1])

    def tag_resource(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        group = self._group_by_arn(ctx, request["ResourceArn"])
        group["Tags"].update({tag["Key"]: tag["Value"] for tag in request["Tags"]})
        groups.collection(ctx.account, ctx.region).put(group["Name"], group)
        return {}

    def untag_resource(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        group = self._group_by_arn(ctx, request["ResourceArn"])
        for name in request["TagKeys"]:
            group["Tags"].pop(name, None)
        groups.collection(ctx.account, ctx.region).put(group["Name"], group)
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        group = self._group_by_arn(ctx, request["ResourceArn"])
        return {"Tags": [{"Key": k, "Value": v} for k, v in sorted(group["Tags"].items())]}
