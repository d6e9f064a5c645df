"""AWS Step Functions operations: state machines (versions, aliases, tags), executions (standard,
express, sync), history, activities and task callbacks.

`<machine ARN>#<test case>` runs a test case of the Step Functions Local mock configuration
(`SFN_MOCK_CONFIG`, see mocking.py).

Not supported yet: UpdateMapRun and ResultWriter's WriterConfig (a DISTRIBUTED Map runs its
items as child executions; its ItemReader reads S3 JSON, JSONL, CSV and listings); execution logs
while an execution runs (they are delivered when it closes); X-Ray traces of the stored tracing
setting; `.sync` for integrations other than `states:startExecution`; HTTP Task and API Gateway
integrations; Task Credentials. Integration calls act in the execution's account and region; the
role is recorded, not yet evaluated by IAM. A restarted execution resumes at its current
top-level state: a Wait keeps its end time, a task waiting for its token (callback or activity)
keeps waiting for the same token, any other Task, Parallel or Map runs again from its start.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from typing import Any

from fogbank import clock, state
from fogbank.context import RequestContext
from fogbank.services.provider import Provider
from fogbank.services.stepfunctions import (
    callbacks,
    definition,
    distributed,
    execution_logs,
    executions,
    history,
    machines,
    mocking,
    tasks,
    teststate,
)
from fogbank.services.stepfunctions.errors import (
    ActivityDoesNotExist,
    ConflictException,
    InvalidArn,
    InvalidOutput,
    ResourceNotFound,
    StateMachineAlreadyExists,
    StateMachineTypeNotSupported,
    TooManyTags,
    ValidationException,
)
from fogbank.services.stepfunctions.pagination import page

Request = dict[str, Any]
Response = dict[str, Any]
_NOT_FOR_EXPRESS = "This operation is not supported by this type of state machine"


def _check_role(arn: str) -> None:
    if not arn.startswith("arn:aws:iam::") or ":role/" not in arn:
        raise InvalidArn(f"Invalid Arn: 'Resource type not valid in this context: {arn}'")


class StepFunctionsProvider(Provider):
    service = "stepfunctions"

    def start(self) -> None:
        tasks.start_nested = executions.start_nested
        distributed.start_child = executions.start_child
        distributed.wait_child = executions.wait_closed
        distributed.stop_child = executions.stop
        # Outside an event loop (a unit test) there is nothing to resume.
        with contextlib.suppress(RuntimeError):
            executions.resume_all()

    def stop(self) -> None:
        executions.shut_down()
        callbacks.clear()

    # -- state machines ---------------------------------------------------------------------------

    def create_state_machine(self, ctx: RequestContext, request: Request) -> Response:
        machines.check_name(request["name"])
        _check_role(request["roleArn"])
        execution_logs.check(request.get("loggingConfiguration"))
        definition.load(request["definition"], request.get("type") or "STANDARD")
        arn = ctx.arn("states", f"stateMachine:{request['name']}")
        store = machines.machines(ctx.account, ctx.region)
        existing = store.get(arn)
        if existing is not None:
            same = all(
                existing.get(key) == request.get(key) for key in ("definition", "roleArn")
            ) and existing["type"] == (request.get("type") or "STANDARD")
            if not same:
                raise StateMachineAlreadyExists(f"State Machine Already Exists: '{arn}'")
            return {"stateMachineArn": arn, "creationDate": existing["creationDate"]}
        record = machines.new_record(arn, request)
        response: Response = {"stateMachineArn": arn, "creationDate": record["creationDate"]}
        if request.get("publish"):
            response["stateMachineVersionArn"] = machines.publish(record, request.get("versionDescription"))
        store.put(arn, record)
        return response

    def describe_state_machine(self, ctx: RequestContext, request: Request) -> Response:
        record, qualifier = machines.get(ctx.account, ctx.region, request["stateMachineArn"])
        if qualifier is not None and qualifier not in record["versions"]:
            raise InvalidArn(f"Invalid Arn: '{request['stateMachineArn']}'")
        return machines.view(record, qualifier)

    def update_state_machine(self, ctx: RequestContext, request: Request) -> Response:
        record, _ = machines.get(ctx.account, ctx.region, request["stateMachineArn"])
        changes: dict[str, Any] = {
            key: request[key]
            for key in ("definition", "roleArn", "loggingConfiguration", "tracingConfiguration")
            if key in request
        }
        if not changes and not request.get("publish"):
            raise ValidationException(
                "Either the definition, the roleArn, the loggingConfiguration or the tracingConfiguration must be specified"
            )
        if "definition" in changes:
            definition.load(changes["definition"], record["type"])
        if "roleArn" in changes:
            _check_role(changes["roleArn"])
        execution_logs.check(changes.get("loggingConfiguration"))
        if any(record.get(key) != value for key, value in changes.items()):
            record.update(changes, revisionId=str(uuid.uuid4()))
        record["updateDate"] = clock.now()
        response: Response = {"updateDate": record["updateDate"], "revisionId": record["revisionId"]}
        if request.get("publish"):
            response["stateMachineVersionArn"] = machines.publish(record, request.get("versionDescription"))
        machines.machines(ctx.account, ctx.region).put(record["stateMachineArn"], record)
        return response

    def delete_state_machine(self, ctx: RequestContext, request: Request) -> Response:
        base, qualifier = machines.split_arn(request["stateMachineArn"])
        if qualifier is not None:
            raise ValidationException(
                "Use DeleteStateMachineVersion or DeleteStateMachineAlias to delete a version or an alias"
            )
        machines.machines(ctx.account, ctx.region).delete(base)
        return {}

    def list_state_machines(self, ctx: RequestContext, request: Request) -> Response:
        records = sorted(
            machines.machines(ctx.account, ctx.region).values(), key=lambda record: record["creationDate"]
        )
        items, token = page(records, request)
        listed = [
            {key: record[key] for key in ("stateMachineArn", "name", "type", "creationDate")}
            for record in items
        ]
        return {"stateMachines": listed, **({"nextToken": token} if token else {})}

    def validate_state_machine_definition(self, ctx: RequestContext, request: Request) -> Response:
        _, found = definition.diagnose(request["definition"], request.get("type") or "STANDARD")
        limit = request.get("maxResults") or 100
        return {
            "result": "FAIL" if found else "OK",
            "diagnostics": found[:limit],
            "truncated": len(found) > limit,
        }

    # -- versions and aliases ------------------------------------------------------------------------

    def publish_state_machine_version(self, ctx: RequestContext, request: Request) -> Response:
        record, _ = machines.get(ctx.account, ctx.region, request["stateMachineArn"])
        if request.get("revisionId") and request["revisionId"] != record["revisionId"]:
            raise ConflictException(
                f"Failed to publish the State Machine version for revision {request['revisionId']}. The current State Machine revision is {record['revisionId']}."
            )
        arn = machines.publish(record, request.get("description"))
        machines.machines(ctx.account, ctx.region).put(record["stateMachineArn"], record)
        return {
            "creationDate": record["versions"][arn.rsplit(":", 1)[1]]["creationDate"],
            "stateMachineVersionArn": arn,
        }

    def list_state_machine_versions(self, ctx: RequestContext, request: Request) -> Response:
        record, _ = machines.get(ctx.account, ctx.region, request["stateMachineArn"])
        versions = sorted(record["versions"].items(), key=lambda item: -int(item[0]))
        items, token = page(versions, request)
        listed = [
            {
                "stateMachineVersionArn": f"{record['stateMachineArn']}:{number}",
                "creationDate": version["creationDate"],
            }
            for number, version in items
        ]
        return {"stateMachineVersions": listed, **({"nextToken": token} if token else {})}

    def delete_state_machine_version(self, ctx: RequestContext, request: Request) -> Response:
        base, qualifier = machines.split_arn(request["stateMachineVersionArn"])
        record = machines.machines(ctx.account, ctx.region).get(base)
        if record is None or qualifier not in record["versions"]:
            return {}
        for alias in record["aliases"].values():
            if any(
                route["stateMachineVersionArn"] == request["stateMachineVersionArn"]
                for route in alias["routingConfiguration"]
            ):
                raise ConflictException(
                    f"Version to be deleted must not be referenced by an alias. Current list of aliases referencing this version: [{alias['stateMachineAliasArn']}]"
                )
        del record["versions"][qualifier]
        machines.machines(ctx.account, ctx.region).put(base, record)
        return {}

    def create_state_machine_alias(self, ctx: RequestContext, request: Request) -> Response:
        routing = request["routingConfiguration"]
        base, _ = machines.split_arn(routing[0]["stateMachineVersionArn"])
        record, _ = machines.get(ctx.account, ctx.region, base)
        machines.check_routing(record, routing)
        name = request["name"]
        arn = f"{base}:{name}"
        if name in record["aliases"]:
            raise ConflictException(f"Alias {arn} already exists")
        record["aliases"][name] = {
            "stateMachineAliasArn": arn,
            "name": name,
            "routingConfiguration": routing,
            "creationDate": clock.now(),
            **({"description": request["description"]} if request.get("description") else {}),
        }
        machines.machines(ctx.account, ctx.region).put(base, record)
        return {"stateMachineAliasArn": arn, "creationDate": record["aliases"][name]["creationDate"]}

    def _alias(self, ctx: RequestContext, arn: str) -> tuple[dict[str, Any], dict[str, Any]]:
        record, qualifier = machines.get(ctx.account, ctx.region, arn)
        if qualifier is None or qualifier not in record["aliases"]:
            raise ResourceNotFound(f"Resource not found: '{arn}'")
        return record, record["aliases"][qualifier]

    def describe_state_machine_alias(self, ctx: RequestContext, request: Request) -> Response:
        _, alias = self._alias(ctx, request["stateMachineAliasArn"])
        return dict(alias)

    def update_state_machine_alias(self, ctx: RequestContext, request: Request) -> Response:
        record, alias = self._alias(ctx, request["stateMachineAliasArn"])
        if "routingConfiguration" in request:
            machines.check_routing(record, request["routingConfiguration"])
            alias["routingConfiguration"] = request["routingConfiguration"]
        if "description" in request:
            alias["description"] = request["description"]
        alias["updateDate"] = clock.now()
        machines.machines(ctx.account, ctx.region).put(record["stateMachineArn"], record)
        return {"updateDate": alias["updateDate"]}

    def delete_state_machine_alias(self, ctx: RequestContext, request: Request) -> Response:
        record, alias = self._alias(ctx, request["stateMachineAliasArn"])
        del record["aliases"][alias["name"]]
        machines.machines(ctx.account, ctx.region).put(record["stateMachineArn"], record)
        return {}

    def list_state_machine_aliases(self, ctx: RequestContext, request: Request) -> Response:
        record, _ = machines.get(ctx.account, ctx.region, request["stateMachineArn"])
        aliases = sorted(record["aliases"].values(), key=lambda alias: alias["creationDate"])
        items, token = page(aliases, request)
        listed = [
            {"stateMachineAliasArn": alias["stateMachineAliasArn"], "creationDate": alias["creationDate"]}
            for alias in items
        ]
        return {"stateMachineAliases": listed, **({"nextToken": token} if token else {})}

    # -- executions ---------------------------------------------------------------------------------

    def _start(self, ctx: RequestContext, request: Request) -> dict[str, Any]:
        # `<machine ARN>#<test case>` runs a test case of the mock configuration (see mocking.py).
        machine_arn, _, test_case = request["stateMachineArn"].partition("#")
        record, qualifier = machines.get(ctx.account, ctx.region, machine_arn)
        if test_case:
            mocking.check(record["name"], test_case)
        source, version_arn, alias_arn = machines.route(record, qualifier)
        if request.get("name") is not None:
            machines.check_name(request["name"])
        machine = {**record, "definition": source["definition"], "roleArn": source["roleArn"]}
        return executions.start(
            ctx.account,
            ctx.region,
            machine,
            request.get("name"),
            request.get("input"),
            version_arn=version_arn,
            alias_arn=alias_arn,
            trace_header=request.get("traceHeader"),
            test_case=test_case or None,
        )

    async def start_execution(self, ctx: RequestContext, request: Request) -> Response:
        started = self._start(ctx, request)
        await executions.settle(started["executionArn"])
        return {"executionArn": started["executionArn"], "startDate": started["startDate"]}

    async def start_sync_execution(self, ctx: RequestContext, request: Request) -> Response:
        record, _ = machines.get(ctx.account, ctx.region, request["stateMachineArn"].partition("#")[0])
        if record["type"] != "EXPRESS":
            raise StateMachineTypeNotSupported(
                _NOT_FOR_EXPRESS.replace("not supported", "only supported for EXPRESS state machines, not")
            )
        started = self._start(ctx, request)
        closed = await executions.wait_closed(started["executionArn"]) or started
        view = executions.describe(closed)
        response: dict[str, Any] = {
            key: view[key]
            for key in (
                "executionArn",
                "stateMachineArn",
                "name",
                "startDate",
                "stopDate",
                "status",
                "error",
                "cause",
                "input",
                "inputDetails",
                "output",
                "outputDetails",
                "traceHeader",
            )
            if key in view
        }
        duration = max(int((closed["stopDate"] - closed["startDate"]) * 1000), 1)
        response["billingDetails"] = {
            "billedMemoryUsedInMB": 64,
            "billedDurationInMilliseconds": max(100, -(-duration // 100) * 100),
        }
        return response

    def _execution(self, ctx: RequestContext, arn: str) -> dict[str, Any]:
        if ":express:" in arn:
            raise StateMachineTypeNotSupported(_NOT_FOR_EXPRESS)
        machines.split_arn(arn, "execution")
        return executions.find(ctx.account, ctx.region, arn)

    def redrive_execution(self, ctx: RequestContext, request: Request) -> Response:
        record = self._execution(ctx, request["executionArn"])
        redriven = executions.redrive(ctx.account, ctx.region, record["executionArn"])
        return {"redriveDate": redriven["redriveDate"]}

    def describe_execution(self, ctx: RequestContext, request: Request) -> Response:
        return executions.describe(self._execution(ctx, request["executionArn"]))

    def stop_execution(self, ctx: RequestContext, request: Request) -> Response:
        record = self._execution(ctx, request["executionArn"])
        executions.stop(record["executionArn"], request.get("error"), request.get("cause"))
        return {"stopDate": record.get("stopDate", clock.now())}

    def list_executions(self, ctx: RequestContext, request: Request) -> Response:
        if "mapRunArn" in request:
            return self._list_children(ctx, request)
        arn = request.get("stateMachineArn")
        if not arn:
            raise ValidationException("Must provide a StateMachine ARN or MapRun ARN")
        record, qualifier = machines.get(ctx.account, ctx.region, arn)
        if record["type"] == "EXPRESS":
            raise StateMachineTypeNotSupported(_NOT_FOR_EXPRESS)
        field = (
            None
            if qualifier is None
            else ("stateMachineVersionArn" if qualifier in record["versions"] else "stateMachineAliasArn")
        )
        found = [
            item
            for item in executions.all_records(ctx.account, ctx.region)
            if item["stateMachineArn"] == record["stateMachineArn"]
            and (field is None or item.get(field) == arn)
            and request.get("statusFilter") in (None, item["status"])
        ]
        return _executions_page(found, request, ("stateMachineVersionArn", "stateMachineAliasArn"))

    def _list_children(self, ctx: RequestContext, request: Request) -> Response:
        if distributed.map_runs(ctx.account, ctx.region).get(request["mapRunArn"]) is None:
            raise ResourceNotFound(f"Resource not found: '{request['mapRunArn']}'")
        found = [
            item
            for item in executions.all_records(ctx.account, ctx.region)
            if item.get("mapRunArn") == request["mapRunArn"]
            and request.get("statusFilter") in (None, item["status"])
        ]
        return _executions_page(found, request, ("mapRunArn",))

    def describe_map_run(self, ctx: RequestContext, request: Request) -> Response:
        record = distributed.map_runs(ctx.account, ctx.region).get(request["mapRunArn"])
        if record is None:
            raise ResourceNotFound(f"Resource not found: '{request['mapRunArn']}'")
        return {key: value for key, value in record.items() if key != "stateMachineArn"}

    def list_map_runs(self, ctx: RequestContext, request: Request) -> Response:
        execution = self._execution(ctx, request["executionArn"])
        found = [
            item
            for item in distributed.map_runs(ctx.account, ctx.region).values()
            if item["executionArn"] == execution["executionArn"]
        ]
        found.sort(key=lambda item: item["startDate"])
        items, token = page(found, request)
        keys = ("executionArn", "mapRunArn", "stateMachineArn", "startDate", "stopDate")
        return {
            "mapRuns": [{key: item[key] for key in keys if key in item} for item in items],
            **({"nextToken": token} if token else {}),
        }

    def get_execution_history(self, ctx: RequestContext, request: Request) -> Response:
        record = self._execution(ctx, request["executionArn"])
        events = executions.events_of(ctx.account, ctx.region, record["executionArn"])
        ordered = list(reversed(events)) if request.get("reverseOrder") else list(events)
        items, token = page(ordered, request)
        if request.get("includeExecutionData") is False:
            items = [history.without_data(event) for event in items]
        return {"events": items, **({"nextToken": token} if token else {})}

    def describe_state_machine_for_execution(self, ctx: RequestContext, request: Request) -> Response:
        record = self._execution(ctx, request["executionArn"])
        machine = machines.machines(ctx.account, ctx.region).get(record["stateMachineArn"]) or {}
        response: Response = {
            "stateMachineArn": record["stateMachineArn"],
            "name": record["machineName"],
            "definition": record["definition"],
            "roleArn": record["roleArn"],
            "updateDate": machine.get("updateDate", machine.get("creationDate", record["startDate"])),
        }
        for key in ("loggingConfiguration", "tracingConfiguration", "revisionId"):
            if key in machine:
                response[key] = machine[key]
        return response

    async def test_state(self, ctx: RequestContext, request: Request) -> Response:
        return await teststate.test_state(ctx.account, ctx.region, request)

    # -- activities and callbacks --------------------------------------------------------------------

    def _activities(self, ctx: RequestContext) -> state.Collection[dict[str, Any]]:
        return self.collection(ctx, "activities")

    def create_activity(self, ctx: RequestContext, request: Request) -> Response:
        machines.check_name(request["name"])
        arn = ctx.arn("states", f"activity:{request['name']}")
        store = self._activities(ctx)
        record = store.get(arn)
        if record is None:
            record = {
                "activityArn": arn,
                "name": request["name"],
                "creationDate": clock.now(),
                "tags": {tag["key"]: tag.get("value", "") for tag in request.get("tags") or []},
            }
            store.put(arn, record)
        return {"activityArn": arn, "creationDate": record["creationDate"]}

    def _activity(self, ctx: RequestContext, arn: str) -> dict[str, Any]:
        machines.split_arn(arn, "activity")
        record = self._activities(ctx).get(arn)
        if record is None:
            raise ActivityDoesNotExist(f"Activity Does Not Exist: '{arn}'")
        return record

    def describe_activity(self, ctx: RequestContext, request: Request) -> Response:
        record = self._activity(ctx, request["activityArn"])
        return {key: record[key] for key in ("activityArn", "name", "creationDate")}

    def delete_activity(self, ctx: RequestContext, request: Request) -> Response:
        machines.split_arn(request["activityArn"], "activity")
        self._activities(ctx).delete(request["activityArn"])
        callbacks.drop_activity(request["activityArn"])
        return {}

    def list_activities(self, ctx: RequestContext, request: Request) -> Response:
        records = sorted(self._activities(ctx).values(), key=lambda record: record["creationDate"])
        items, token = page(records, request)
        return {
            "activities": [
                {key: item[key] for key in ("activityArn", "name", "creationDate")} for item in items
            ],
            **({"nextToken": token} if token else {}),
        }

    async def get_activity_task(self, ctx: RequestContext, request: Request) -> Response:
        self._activity(ctx, request["activityArn"])
        callback = await callbacks.poll_activity(request["activityArn"])
        if callback is None:
            return {}
        callback.on_started(request.get("workerName") or "")
        return {"taskToken": callback.token, "input": callback.input}

    def send_task_success(self, ctx: RequestContext, request: Request) -> Response:
        try:
            output = json.loads(request["output"])
        except ValueError as error:
            raise InvalidOutput(f"Invalid Output: '{error}'") from None
        callbacks.succeed(request["taskToken"], output)
        return {}

    def send_task_failure(self, ctx: RequestContext, request: Request) -> Response:
        callbacks.fail(request["taskToken"], request.get("error") or "", request.get("cause") or "")
        return {}

    def send_task_heartbeat(self, ctx: RequestContext, request: Request) -> Response:
        callbacks.heartbeat(request["taskToken"])
        return {}

    # -- tags -----------------------------------------------------------------------------------------

    def _tagged(
        self, ctx: RequestContext, arn: str
    ) -> tuple[state.Collection[dict[str, Any]], dict[str, Any]]:
        if ":activity:" in arn:
            return self._activities(ctx), self._activity(ctx, arn)
        record, qualifier = machines.get(ctx.account, ctx.region, arn)
        if qualifier is not None:
            raise InvalidArn(f"Invalid Arn: '{arn}'")
        return machines.machines(ctx.account, ctx.region), record

    def tag_resource(self, ctx: RequestContext, request: Request) -> Response:
        store, record = self._tagged(ctx, request["resourceArn"])
        tags = {**record["tags"], **{tag["key"]: tag.get("value", "") for tag in request["tags"]}}
        if len(tags) > 50:
            raise TooManyTags(
                "Too many tags: a resource can have at most 50 tags", resourceName=request["resourceArn"]
            )
        record["tags"] = tags
        store.put(request["resourceArn"], record)
        return {}

    def untag_resource(self, ctx: RequestContext, request: Request) -> Response:
        store, record = self._tagged(ctx, request["resourceArn"])
        for key in request["tagKeys"]:
            record["tags"].pop(key, None)
        store.put(request["resourceArn"], record)
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, request: Request) -> Response:
        _, record = self._tagged(ctx, request["resourceArn"])
        return {"tags": [{"key": key, "value": value} for key, value in record["tags"].items()]}


def _executions_page(found: list[dict[str, Any]], request: Request, extra: tuple[str, ...]) -> Response:
    """ListExecutions' answer: newest first, one page of ExecutionListItems with the common members,
    the `extra` ones this listing shows, then redriveCount."""
    found.sort(key=lambda item: item["startDate"], reverse=True)
    items, token = page(found, request)
    keys = (
        "executionArn",
        "stateMachineArn",
        "name",
        "status",
        "startDate",
        "stopDate",
        *extra,
        "redriveCount",
    )
    return {
        "executions": [{key: item[key] for key in keys if key in item} for item in items],
        **({"nextToken": token} if token else {}),
    }
