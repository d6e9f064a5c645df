"""Amazon EventBridge operations (JSON protocol): event buses and their policies, PutEvents,
rules with event patterns or schedules, targets, TestEventPattern, archives and replays, tags.

Connections and API destinations are in `connection_operations`; API destinations are targets
(HttpParameters apply to them only).
Not supported yet (each answers a clear error, never a silent success): global endpoints, partner
event sources (501); targets other than SQS, SNS, Lambda, Kinesis, Step Functions, CloudWatch
Logs, event buses and API destinations, and the target parameters of ECS, Batch, Run Command, Redshift, SageMaker and AppSync (PutTargets reports them as failed entries);
customer managed KMS keys and bus logging (refused). A bus DeadLetterConfig is stored: it only
serves KMS failures, which cannot happen without KMS keys. IAM roles
(RoleArn) are recorded, not checked; bus policies are evaluated for other accounts' PutEvents
(conditional statements do not grant access). Pending retries do not survive a restart.
"""

from __future__ import annotations

import json
from typing import Any

from fogbank import clock, state
from fogbank.context import RequestContext
from fogbank.events import api_calls, delivery, schedule_expressions
from fogbank.services.events import buses, envelope, pagination, routing, rules, scheduled_rules
from fogbank.services.events import target_settings as settings
from fogbank.services.events.connection_operations import ConnectionOperations
from fogbank.services.events.errors import (
    LimitExceededException,
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
    ValidationException,
)
from fogbank.services.events.replays import ReplayOperations
from fogbank.services.provider import Provider


class EventsProvider(ConnectionOperations, ReplayOperations, Provider):
    service = "events"

    def start(self) -> None:
        delivery.bind_loop()
        scheduled_rules.arm_all()

    def stop(self) -> None:
        scheduled_rules.disarm_all()
        delivery.stop()
        api_calls.forget()
        rules.forget_indexes()

    # -- event buses ----------------------------------------------------------------------------

    def create_event_bus(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        name = request["Name"]
        if request.get("EventSourceName"):
            raise ValidationException("Partner event sources are not supported by fogbank yet.")
        if name.startswith("aws."):
            raise ValidationException(
                f"Event bus name starting with 'aws.' is reserved for partner event buses: {name}"
            )
        buses.refuse_unsupported(request)
        store = buses.collection(ctx.account, ctx.region)
        if name == buses.DEFAULT or name in store:
            raise ResourceAlreadyExistsException(f"Event bus {name} already exists.")
        bus = buses.new_bus(ctx.account, ctx.region, name, request)
        store.put(name, bus)
        out = {"EventBusArn": bus["Arn"]}
        out.update(
            {key: bus[key] for key in ("Description", "KmsKeyIdentifier", "DeadLetterConfig") if bus.get(key)}
        )
        return out

    def describe_event_bus(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        account, region, name = buses.locate(request.get("Name"), ctx.account, ctx.region)
        return buses.describe(buses.require(account, region, name))

    def update_event_bus(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        name = buses.name_of(request.get("Name"))
        bus = buses.require(ctx.account, ctx.region, name)
        buses.refuse_unsupported(request)
        for member in ("Description", "DeadLetterConfig"):
            if member in request:
                bus[member] = request[member]
        bus["LastModifiedTime"] = clock.now()
        buses.collection(ctx.account, ctx.region).put(name, bus)
        out = {"Arn": bus["Arn"], "Name": name}
        out.update(
            {key: bus[key] for key in ("Description", "KmsKeyIdentifier", "DeadLetterConfig") if bus.get(key)}
        )
        return out

    def delete_event_bus(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        """Deleting a missing bus succeeds; the default bus cannot be deleted."""
        name = buses.name_of(request["Name"])
        if name == buses.DEFAULT:
            raise ValidationException("Cannot delete event bus default.")
        with state.atomic():
            store = rules.collection(ctx.account, ctx.region)
            for rule in rules.of_bus(ctx.account, ctx.region, name):
                scheduled_rules.disarm(ctx.account, ctx.region, rules.key(name, rule["Name"]))
                store.delete(rules.key(name, rule["Name"]))
            buses.collection(ctx.account, ctx.region).delete(name)
        rules.changed(ctx.account, ctx.region, name)
        return {}

    def list_event_buses(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        buses.get(ctx.account, ctx.region, buses.DEFAULT)
        prefix = request.get("NamePrefix") or ""
        listed = [
            buses.describe(bus, listing=True)
            for name, bus in sorted(buses.collection(ctx.account, ctx.region).items())
            if name.startswith(prefix)
        ]
        return pagination.page(listed, request, "EventBuses")

    def put_permission(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        name = buses.name_of(request.get("EventBusName"))
        bus = buses.require(ctx.account, ctx.region, name)
        buses.put_permission(bus, request)
        buses.collection(ctx.account, ctx.region).put(name, bus)
        return {}

    def remove_permission(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        name = buses.name_of(request.get("EventBusName"))
        bus = buses.require(ctx.account, ctx.region, name)
        buses.remove_permission(bus, request)
        buses.collection(ctx.account, ctx.region).put(name, bus)
        return {}

    # -- events ---------------------------------------------------------------------------------

    def put_events(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        entries = request["Entries"]
        if sum(envelope.entry_size(entry) for entry in entries) > envelope.MAX_REQUEST_SIZE:
            raise ValidationException("Total size of the entries in the request is over the limit.")
        results: list[dict[str, Any]] = []
        accepted: list[tuple[str, str, str, dict[str, Any]]] = []
        for entry in entries:
            result, routed = self._accept(ctx, entry)
            results.append(result)
            if routed is not None:
                accepted.append(routed)
        for account, region, name, event in accepted:
            delivery.soon(routing.route, account, region, name, event)
        failed = sum(1 for result in results if "ErrorCode" in result)
        return {"FailedEntryCount": failed, "Entries": results}

    def _accept(
        self, ctx: RequestContext, entry: dict[str, Any]
    ) -> tuple[dict[str, Any], tuple[str, str, str, dict[str, Any]] | None]:
        problem = envelope.entry_error(entry)
        if problem is not None:
            return {"ErrorCode": problem[0], "ErrorMessage": problem[1]}, None
        account, region, name = buses.locate(entry.get("EventBusName"), ctx.account, ctx.region)
        bus = buses.get(account, region, name)
        if bus is None or region != ctx.region:
            return {
                "ErrorCode": "ResourceNotFoundException",
                "ErrorMessage": f"Event bus {name} does not exist.",
            }, None
        if not buses.allows(bus, ctx.account, account):
            message = f"Account {ctx.account} is not authorized to put events on event bus {bus['Arn']}"
            return {"ErrorCode": "AccessDeniedException", "ErrorMessage": message}, None
        event = envelope.build(entry, ctx.account, ctx.region)
        return {"EventId": event["id"]}, (account, region, name, event)

    def test_event_pattern(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        rules.check_pattern(request["EventPattern"])
        try:
            event = json.loads(request["Event"])
        except ValueError:
            raise ValidationException("Parameter Event is not valid.") from None
        missing = [f for f in ("id", "account", "source", "time", "region", "detail-type") if f not in event]
        if not isinstance(event, dict) or missing:
            raise ValidationException("Parameter Event is not valid.")
        return {"Result": rules.compiled(request["EventPattern"]).matches(event)}

    # -- rules ----------------------------------------------------------------------------------

    def put_rule(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bus = buses.name_of(request.get("EventBusName"))
        buses.require(ctx.account, ctx.region, bus)
        pattern, schedule = request.get("EventPattern"), request.get("ScheduleExpression")
        if not pattern and not schedule:
            raise ValidationException("Parameter(s) EventPattern or ScheduleExpression must be specified.")
        if pattern:
            rules.check_pattern(pattern)
        if schedule:
            self._check_schedule(schedule, bus)
        store = rules.collection(ctx.account, ctx.region)
        key = rules.key(bus, request["Name"])
        rule = store.get(key) or {
            "Name": request["Name"],
            "Arn": rules.arn(ctx.account, ctx.region, bus, request["Name"]),
            "EventBusName": bus,
            "Targets": [],
            "Tags": {},
            "CreatedBy": ctx.account,
        }
        rule.update(
            EventPattern=pattern,
            ScheduleExpression=schedule,
            State=request.get("State") or "ENABLED",
            Description=request.get("Description"),
            RoleArn=request.get("RoleArn"),
            ScheduleAnchor=clock.now(),
        )
        rule["Tags"].update({tag["Key"]: tag["Value"] for tag in request.get("Tags") or []})
        store.put(key, rule)
        rules.changed(ctx.account, ctx.region, bus)
        scheduled_rules.arm(ctx.account, ctx.region, rule)
        return {"RuleArn": rule["Arn"]}

    @staticmethod
    def _check_schedule(expression: str, bus: str) -> None:
        try:
            schedule_expressions.parse(expression)
        except schedule_expressions.InvalidExpression:
            raise ValidationException("Parameter ScheduleExpression is not valid.") from None
        if bus != buses.DEFAULT:
            raise ValidationException("ScheduleExpression is supported only on the default event bus.")

    def describe_rule(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bus = buses.name_of(request.get("EventBusName"))
        return rules.describe(rules.require(ctx.account, ctx.region, bus, request["Name"]))

    def enable_rule(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return self._set_state(ctx, request, "ENABLED")

    def disable_rule(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return self._set_state(ctx, request, "DISABLED")

    def _set_state(self, ctx: RequestContext, request: dict[str, Any], value: str) -> dict[str, Any]:
        bus = buses.name_of(request.get("EventBusName"))
        rule = rules.require(ctx.account, ctx.region, bus, request["Name"])
        if rule["State"] != value:
            rule["State"] = value
            rule["ScheduleAnchor"] = clock.now()
            rules.collection(ctx.account, ctx.region).put(rules.key(bus, rule["Name"]), rule)
            rules.changed(ctx.account, ctx.region, bus)
            scheduled_rules.arm(ctx.account, ctx.region, rule)
        return {}

    def delete_rule(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        """A rule with targets cannot be deleted; deleting a missing rule succeeds."""
        bus = buses.name_of(request.get("EventBusName"))
        key = rules.key(bus, request["Name"])
        rule = rules.collection(ctx.account, ctx.region).get(key)
        if rule is None:
            return {}
        if rule["Targets"]:
            raise ValidationException("Rule can't be deleted since it has targets.")
        rules.collection(ctx.account, ctx.region).delete(key)
        rules.changed(ctx.account, ctx.region, bus)
        scheduled_rules.disarm(ctx.account, ctx.region, key)
        return {}

    def list_rules(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bus = buses.name_of(request.get("EventBusName"))
        buses.require(ctx.account, ctx.region, bus)
        prefix = request.get("NamePrefix") or ""
        listed = [
            {k: v for k, v in rules.describe(rule).items() if k != "CreatedBy"}
            for rule in rules.of_bus(ctx.account, ctx.region, bus)
            if rule["Name"].startswith(prefix)
        ]
        return pagination.page(listed, request, "Rules")

    def list_rule_names_by_target(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bus = buses.name_of(request.get("EventBusName"))
        buses.require(ctx.account, ctx.region, bus)
        names = [
            rule["Name"]
            for rule in rules.of_bus(ctx.account, ctx.region, bus)
            if any(target["Arn"] == request["TargetArn"] for target in rule["Targets"])
        ]
        return pagination.page(names, request, "RuleNames")

    # -- targets --------------------------------------------------------------------------------

    def put_targets(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bus = buses.name_of(request.get("EventBusName"))
        rule = rules.require(ctx.account, ctx.region, bus, request["Rule"])
        for target in request["Targets"]:
            settings.check_request(target)
        failed: list[dict[str, str]] = []
        current = {target["Id"]: target for target in rule["Targets"]}
        for target in request["Targets"]:
            problem = settings.failure(target)
            if problem is not None:
                failed.append(problem)
            else:
                current[target["Id"]] = settings.stored(target)
        if len(current) > settings.MAX_TARGETS_PER_RULE:
            raise LimitExceededException("The requested resource exceeds the maximum number allowed.")
        rule["Targets"] = list(current.values())
        rules.collection(ctx.account, ctx.region).put(rules.key(bus, rule["Name"]), rule)
        return {"FailedEntryCount": len(failed), "FailedEntries": failed}

    def remove_targets(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bus = buses.name_of(request.get("EventBusName"))
        rule = rules.require(ctx.account, ctx.region, bus, request["Rule"])
        doomed = set(request["Ids"])
        rule["Targets"] = [target for target in rule["Targets"] if target["Id"] not in doomed]
        rules.collection(ctx.account, ctx.region).put(rules.key(bus, rule["Name"]), rule)
        return {"FailedEntryCount": 0, "FailedEntries": []}

    def list_targets_by_rule(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        bus = buses.name_of(request.get("EventBusName"))
        rule = rules.require(ctx.account, ctx.region, bus, request["Rule"])
        return pagination.page(list(rule["Targets"]), request, "Targets")

    # -- tags -----------------------------------------------------------------------------------

    def tag_resource(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        store, key, record = self._tagged(ctx, request["ResourceARN"])
        record.setdefault("Tags", {}).update({tag["Key"]: tag["Value"] for tag in request["Tags"]})
        store.put(key, record)
        return {}

    def untag_resource(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        store, key, record = self._tagged(ctx, request["ResourceARN"])
        for name in request["TagKeys"]:
            record.setdefault("Tags", {}).pop(name, None)
        store.put(key, record)
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        _, _, record = self._tagged(ctx, request["ResourceARN"])
        return {"Tags": [{"Key": k, "Value": v} for k, v in sorted((record.get("Tags") or {}).items())]}

    def _tagged(
        self, ctx: RequestContext, arn: str
    ) -> tuple[state.Collection[dict[str, Any]], str, dict[str, Any]]:
        resource = arn.split(":", 5)[-1]
        if resource.startswith("event-bus/"):
            name = resource.split("/", 1)[1]
            return (
                buses.collection(ctx.account, ctx.region),
                name,
                buses.require(ctx.account, ctx.region, name),
            )
        if resource.startswith("rule/"):
            parts = resource.split("/")
            bus, name = (parts[1], parts[2]) if len(parts) == 3 else (buses.DEFAULT, parts[1])
            key = rules.key(bus, name)
            return (
                rules.collection(ctx.account, ctx.region),
                key,
                rules.require(ctx.account, ctx.region, bus, name),
            )
        raise ResourceNotFoundException(f"Resource {arn} does not exist.")
