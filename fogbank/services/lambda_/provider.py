"""AWS Lambda operations: functions, versions, aliases, policies, concurrency, layers, event
invoke configs, code signing configs, and Invoke (through the `invocations` engine).

Not supported yet: container images, EFS, SnapStart, the JSON log format, layer permissions, runtime
management, recursion and scaling settings.
"""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator
from typing import Any

from fogbank import state
from fogbank.context import RequestContext
from fogbank.protocol import event_stream
from fogbank.runtime import environments, pool
from fogbank.runtime.runtimes import python_interpreters
from fogbank.services.lambda_ import (
    async_invocations,
    code_signing,
    concurrency,
    configuration,
    event_invoke,
    execution,
    functions,
    invocations,
    layers,
    logs_sink,
    permissions,
    provisioned,
    urls,
    versions,
)
from fogbank.services.lambda_ import code as packages
from fogbank.services.lambda_.errors import (
    InvalidParameterValueException,
    ResourceConflictException,
    ResourceNotFoundException,
)
from fogbank.services.lambda_.event_source_mappings import EventSourceMappingOperations
from fogbank.services.lambda_.functions import LATEST
from fogbank.services.provider import Provider

Request = dict[str, Any]
Response = dict[str, Any]


def _page(items: list[Any], request: Request, key: str) -> Response:
    start = int(request.get("Marker") or 0)
    size = request.get("MaxItems") or 50
    result: Response = {key: items[start : start + size]}
    if start + size < len(items):
        result["NextMarker"] = str(start + size)
    return result


class LambdaProvider(EventSourceMappingOperations, Provider):
    service = "lambda"

    def start(self) -> None:
        # Find the machine's interpreters before the first invoke needs them.
        threading.Thread(target=python_interpreters, daemon=True).start()
        environments.clear_temporary_folders()  # left by environments of an earlier run
        async_invocations.resume()  # events accepted before a restart

    def stop(self) -> None:
        """On shutdown and reset: end every environment and forget what was kept in memory."""
        pool.shut_down()
        concurrency.reset()
        async_invocations.reset()
        execution.reset()
        logs_sink.clear()

    # -- helpers -------------------------------------------------------------------------------

    def _function(self, ctx: RequestContext, request: Request) -> tuple[str, str | None, dict[str, Any]]:
        name, qualifier = functions.split_name(
            ctx.account, ctx.region, request["FunctionName"], request.get("Qualifier")
        )
        return name, qualifier, functions.require(ctx.account, ctx.region, name, qualifier)

    def _save(self, ctx: RequestContext, name: str, record: dict[str, Any]) -> None:
        functions.collection(ctx.account, ctx.region).put(name, record)

    # -- functions -----------------------------------------------------------------------------

    def create_function(self, ctx: RequestContext, request: Request) -> Response:
        name = request["FunctionName"]
        table = functions.collection(ctx.account, ctx.region)
        if name in table:
            raise ResourceConflictException(f"Function already exist: {name}")
        configuration.refuse_unsupported(request)
        if not request.get("Runtime"):
            raise InvalidParameterValueException("Runtime is required for .zip file functions.")
        if not request.get("Handler") and not request["Runtime"].startswith("provided"):
            raise InvalidParameterValueException("Handler is required for .zip file functions.")
        code = packages.from_request(ctx.account, ctx.region, request["Code"])
        config = configuration.new_config(ctx.account, ctx.region, request, code)
        record = functions.empty_record()
        record["tags"] = dict(request.get("Tags") or {})
        if request.get("CodeSigningConfigArn"):
            code_signing.require(ctx.account, ctx.region, request["CodeSigningConfigArn"])
            record["code_signing"] = request["CodeSigningConfigArn"]
        record["versions"][LATEST] = functions.settled(dict(config))
        answer = functions.pending_view(config, creating=True)
        with state.atomic():
            if request.get("Publish"):
                answer = functions.pending_view(versions.publish(record, {}), creating=True)
            self._save(ctx, name, record)
        return answer

    def get_function(self, ctx: RequestContext, request: Request) -> Response:
        name, qualifier, record = self._function(ctx, request)
        config, _ = functions.version_config(ctx.account, ctx.region, record, name, qualifier)
        result: Response = {"Configuration": functions.view(config, qualified=bool(qualifier))}
        code = config["_code"]
        if code.get("zip"):
            result["Code"] = {"RepositoryType": "S3", "Location": layers.location(ctx.request.base_url, code)}
        else:
            result["Code"] = {"RepositoryType": "S3", "Location": code["hot_reload"]}
        result["Tags"] = record["tags"]
        if record.get("reserved") is not None:
            result["Concurrency"] = {"ReservedConcurrentExecutions": record["reserved"]}
        return result

    def get_function_configuration(self, ctx: RequestContext, request: Request) -> Response:
        name, qualifier, record = self._function(ctx, request)
        config, _ = functions.version_config(ctx.account, ctx.region, record, name, qualifier)
        return functions.view(config, qualified=bool(qualifier))

    def list_functions(self, ctx: RequestContext, request: Request) -> Response:
        table = functions.collection(ctx.account, ctx.region)
        found: list[dict[str, Any]] = []
        for name in sorted(table):
            record = table[name]
            if request.get("FunctionVersion") == "ALL":
                found.extend(functions.view(config, qualified=True) for config in _ordered_versions(record))
            else:
                found.append(functions.view(record["versions"][LATEST]))
        return _page(found, request, "Functions")

    def list_versions_by_function(self, ctx: RequestContext, request: Request) -> Response:
        _, _, record = self._function(ctx, request)
        found = [functions.view(config, qualified=True) for config in _ordered_versions(record)]
        return _page(found, request, "Versions")

    def update_function_code(self, ctx: RequestContext, request: Request) -> Response:
        name, _, record = self._function(ctx, request)
        latest = record["versions"][LATEST]
        versions.check_revision(request.get("RevisionId"), latest["RevisionId"])
        code = packages.from_request(ctx.account, ctx.region, request)
        if request.get("DryRun"):
            return functions.view({**latest, "CodeSha256": code["sha"], "CodeSize": code["size"]})
        configuration.apply_code(latest, code)
        if request.get("Architectures"):
            latest["Architectures"] = request["Architectures"]
        return self._changed(ctx, name, record, request)

    def update_function_configuration(self, ctx: RequestContext, request: Request) -> Response:
        name, _, record = self._function(ctx, request)
        latest = record["versions"][LATEST]
        versions.check_revision(request.get("RevisionId"), latest["RevisionId"])
        updated = dict(latest)
        configuration.apply_settings(ctx.account, ctx.region, updated, request)
        record["versions"][LATEST] = updated
        return self._changed(ctx, name, record, request)

    def _changed(self, ctx: RequestContext, name: str, record: dict[str, Any], request: Request) -> Response:
        latest = functions.settled(record["versions"][LATEST])
        answer = functions.pending_view(latest, creating=False)
        with state.atomic():
            if request.get("Publish"):
                answer = functions.pending_view(versions.publish(record, {}), creating=False)
            self._save(ctx, name, record)
        pool.retire(functions.function_arn(ctx.account, ctx.region, name) + ":")
        return answer

    def delete_function(self, ctx: RequestContext, request: Request) -> Response:
        name, qualifier, record = self._function(ctx, request)
        table = functions.collection(ctx.account, ctx.region)
        arn = functions.function_arn(ctx.account, ctx.region, name)
        with state.atomic():
            if qualifier:
                versions.delete_version(record, arn, qualifier)
                table.put(name, record)
            else:
                urls.forget(record)
                table.delete(name)
        concurrency.forget_totals(ctx.account, ctx.region)
        pool.retire(arn + ":")
        return {}

    # -- versions and aliases ------------------------------------------------------------------

    def publish_version(self, ctx: RequestContext, request: Request) -> Response:
        name, _, record = self._function(ctx, request)
        with state.atomic():
            version = versions.publish(record, request)
            self._save(ctx, name, record)
        return functions.view(version)

    def create_alias(self, ctx: RequestContext, request: Request) -> Response:
        name, _, record = self._function(ctx, request)
        alias = versions.create_alias(ctx.account, ctx.region, record, name, request)
        self._save(ctx, name, record)
        return alias

    def get_alias(self, ctx: RequestContext, request: Request) -> Response:
        name, _, record = self._function(ctx, request)
        return versions.require_alias(ctx.account, ctx.region, record, name, request["Name"])

    def update_alias(self, ctx: RequestContext, request: Request) -> Response:
        name, _, record = self._function(ctx, request)
        alias = versions.update_alias(ctx.account, ctx.region, record, name, request)
        self._save(ctx, name, record)
        return alias

    def delete_alias(self, ctx: RequestContext, request: Request) -> Response:
        name, _, record = self._function(ctx, request)
        if record["aliases"].pop(request["Name"], None) is not None:
            record["event_invoke"].pop(request["Name"], None)
            record.get("policies", {}).pop(request["Name"], None)
            self._save(ctx, name, record)
        return {}

    def list_aliases(self, ctx: RequestContext, request: Request) -> Response:
        _, _, record = self._function(ctx, request)
        found = [alias for _, alias in sorted(record["aliases"].items())]
        if request.get("FunctionVersion"):
            found = [alias for alias in found if alias["FunctionVersion"] == request["FunctionVersion"]]
        return _page(found, request, "Aliases")

    # -- permissions ---------------------------------------------------------------------------

    def add_permission(self, ctx: RequestContext, request: Request) -> Response:
        name, _, record = self._function(ctx, {**request, "Qualifier": None})
        added = permissions.add(ctx.account, ctx.region, record, name, request)
        self._save(ctx, name, record)
        import json

        return {"Statement": json.dumps(added, separators=(",", ":"))}

    def remove_permission(self, ctx: RequestContext, request: Request) -> Response:
        name, _, record = self._function(ctx, {**request, "Qualifier": None})
        permissions.remove(ctx.account, ctx.region, record, name, request)
        self._save(ctx, name, record)
        return {}

    def get_policy(self, ctx: RequestContext, request: Request) -> Response:
        name, qualifier, record = self._function(ctx, request)
        return permissions.get(ctx.account, ctx.region, record, name, qualifier)

    # -- concurrency ---------------------------------------------------------------------------

    def put_function_concurrency(self, ctx: RequestContext, request: Request) -> Response:
        name, _, record = self._function(ctx, request)
        wanted = request["ReservedConcurrentExecutions"]
        concurrency.check_reservation(ctx.account, ctx.region, name, wanted)
        record["reserved"] = wanted
        self._save(ctx, name, record)
        concurrency.forget_totals(ctx.account, ctx.region)
        return {"ReservedConcurrentExecutions": wanted}

    def get_function_concurrency(self, ctx: RequestContext, request: Request) -> Response:
        _, _, record = self._function(ctx, request)
        reserved = record.get("reserved")
        return {} if reserved is None else {"ReservedConcurrentExecutions": reserved}

    def delete_function_concurrency(self, ctx: RequestContext, request: Request) -> Response:
        name, _, record = self._function(ctx, request)
        record["reserved"] = None
        self._save(ctx, name, record)
        concurrency.forget_totals(ctx.account, ctx.region)
        return {}

    def put_provisioned_concurrency_config(self, ctx: RequestContext, request: Request) -> Response:
        name, qualifier, record = self._function(ctx, request)
        wanted = request["ProvisionedConcurrentExecutions"]
        result = provisioned.put(ctx.account, ctx.region, record, name, qualifier, wanted)
        self._save(ctx, name, record)
        return result

    def get_provisioned_concurrency_config(self, ctx: RequestContext, request: Request) -> Response:
        name, qualifier, record = self._function(ctx, request)
        return provisioned.view(ctx.account, ctx.region, record, name, qualifier or "")

    def delete_provisioned_concurrency_config(self, ctx: RequestContext, request: Request) -> Response:
        name, qualifier, record = self._function(ctx, request)
        provisioned.delete(ctx.account, ctx.region, record, name, qualifier)
        self._save(ctx, name, record)
        return {}

    def list_provisioned_concurrency_configs(self, ctx: RequestContext, request: Request) -> Response:
        name, _, record = self._function(ctx, request)
        found = [
            {
                "FunctionArn": functions.function_arn(ctx.account, ctx.region, name, qualifier),
                **provisioned.view(ctx.account, ctx.region, record, name, qualifier),
            }
            for qualifier in sorted(record["provisioned"])
        ]
        return _page(found, request, "ProvisionedConcurrencyConfigs")

    def get_account_settings(self, ctx: RequestContext, request: Request) -> Response:
        table = functions.collection(ctx.account, ctx.region)
        total = sum(config["CodeSize"] for record in table.values() for config in record["versions"].values())
        reserved = concurrency.reserved_total(ctx.account, ctx.region)
        return {
            "AccountLimit": {
                "TotalCodeSize": 80530636800,
                "CodeSizeUnzipped": packages.MAX_UNZIPPED,
                "CodeSizeZipped": 52428800,
                "ConcurrentExecutions": concurrency.ACCOUNT_LIMIT,
                "UnreservedConcurrentExecutions": concurrency.ACCOUNT_LIMIT - reserved,
            },
            "AccountUsage": {"TotalCodeSize": total, "FunctionCount": len(table)},
        }

    # -- tags ----------------------------------------------------------------------------------

    def _tagged(self, ctx: RequestContext, arn: str) -> tuple[str, dict[str, Any]]:
        name, _ = functions.split_name(ctx.account, ctx.region, arn, None)
        return name, functions.require(ctx.account, ctx.region, name)

    def tag_resource(self, ctx: RequestContext, request: Request) -> Response:
        name, record = self._tagged(ctx, request["Resource"])
        record["tags"].update(request["Tags"])
        self._save(ctx, name, record)
        return {}

    def untag_resource(self, ctx: RequestContext, request: Request) -> Response:
        name, record = self._tagged(ctx, request["Resource"])
        for key in request["TagKeys"]:
            record["tags"].pop(key, None)
        self._save(ctx, name, record)
        return {}

    def list_tags(self, ctx: RequestContext, request: Request) -> Response:
        _, record = self._tagged(ctx, request["Resource"])
        return {"Tags": record["tags"]}

    # -- layers --------------------------------------------------------------------------------

    def publish_layer_version(self, ctx: RequestContext, request: Request) -> Response:
        return layers.publish(ctx.account, ctx.region, request, ctx.request.base_url)

    def get_layer_version(self, ctx: RequestContext, request: Request) -> Response:
        return layers.view(
            layers.find(ctx.account, ctx.region, request["LayerName"], request["VersionNumber"])
        )

    def get_layer_version_by_arn(self, ctx: RequestContext, request: Request) -> Response:
        found = layers.find_by_arn(request["Arn"])
        if found is None:
            raise ResourceNotFoundException("The resource you requested does not exist.")
        return layers.view(found)

    def list_layer_versions(self, ctx: RequestContext, request: Request) -> Response:
        return _page(
            layers.listing(ctx.account, ctx.region, request["LayerName"], request), request, "LayerVersions"
        )

    def list_layers(self, ctx: RequestContext, request: Request) -> Response:
        return _page(layers.layers_list(ctx.account, ctx.region, request), request, "Layers")

    def delete_layer_version(self, ctx: RequestContext, request: Request) -> Response:
        layers.delete(ctx.account, ctx.region, request["LayerName"], request["VersionNumber"])
        return {}

    # -- event invoke configs ------------------------------------------------------------------

    def put_function_event_invoke_config(self, ctx: RequestContext, request: Request) -> Response:
        return self._put_event_invoke(ctx, request, merge=False)

    def update_function_event_invoke_config(self, ctx: RequestContext, request: Request) -> Response:
        return self._put_event_invoke(ctx, request, merge=True)

    def _put_event_invoke(self, ctx: RequestContext, request: Request, *, merge: bool) -> Response:
        """Put replaces a qualifier's config, Update merges into it (event_invoke.put)."""
        name, _, record = self._function(ctx, {**request, "Qualifier": None})
        result = event_invoke.put(ctx.account, ctx.region, record, name, request, merge=merge)
        self._save(ctx, name, record)
        return result

    def get_function_event_invoke_config(self, ctx: RequestContext, request: Request) -> Response:
        name, qualifier, record = self._function(ctx, request)
        return event_invoke.get(ctx.account, ctx.region, record, name, qualifier)

    def delete_function_event_invoke_config(self, ctx: RequestContext, request: Request) -> Response:
        name, qualifier, record = self._function(ctx, request)
        event_invoke.delete(ctx.account, ctx.region, record, name, qualifier)
        self._save(ctx, name, record)
        return {}

    def list_function_event_invoke_configs(self, ctx: RequestContext, request: Request) -> Response:
        _, _, record = self._function(ctx, request)
        return _page(event_invoke.listing(record), request, "FunctionEventInvokeConfigs")

    # -- code signing --------------------------------------------------------------------------

    def create_code_signing_config(self, ctx: RequestContext, request: Request) -> Response:
        return {"CodeSigningConfig": code_signing.create(ctx.account, ctx.region, request)}

    def get_code_signing_config(self, ctx: RequestContext, request: Request) -> Response:
        return {
            "CodeSigningConfig": code_signing.require(
                ctx.account, ctx.region, request["CodeSigningConfigArn"]
            )
        }

    def update_code_signing_config(self, ctx: RequestContext, request: Request) -> Response:
        return {"CodeSigningConfig": code_signing.update(ctx.account, ctx.region, request)}

    def delete_code_signing_config(self, ctx: RequestContext, request: Request) -> Response:
        code_signing.require(ctx.account, ctx.region, request["CodeSigningConfigArn"])
        code_signing.collection(ctx.account, ctx.region).delete(request["CodeSigningConfigArn"])
        return {}

    def list_code_signing_configs(self, ctx: RequestContext, request: Request) -> Response:
        found = list(code_signing.collection(ctx.account, ctx.region).values())
        return _page(found, request, "CodeSigningConfigs")

    def put_function_code_signing_config(self, ctx: RequestContext, request: Request) -> Response:
        name, _, record = self._function(ctx, request)
        code_signing.require(ctx.account, ctx.region, request["CodeSigningConfigArn"])
        record["code_signing"] = request["CodeSigningConfigArn"]
        self._save(ctx, name, record)
        return {"CodeSigningConfigArn": record["code_signing"], "FunctionName": name}

    def get_function_code_signing_config(self, ctx: RequestContext, request: Request) -> Response:
        name, _, record = self._function(ctx, request)
        return {"CodeSigningConfigArn": record.get("code_signing") or "", "FunctionName": name}

    def delete_function_code_signing_config(self, ctx: RequestContext, request: Request) -> Response:
        name, _, record = self._function(ctx, request)
        record["code_signing"] = None
        self._save(ctx, name, record)
        return {}

    # -- function URLs -------------------------------------------------------------------------

    def create_function_url_config(self, ctx: RequestContext, request: Request) -> Response:
        name, _, record = self._function(ctx, {**request, "Qualifier": None})
        with state.atomic():
            result = urls.create(ctx.account, ctx.region, record, name, request)
            self._save(ctx, name, record)
        return result

    def get_function_url_config(self, ctx: RequestContext, request: Request) -> Response:
        name, qualifier, record = self._function(ctx, request)
        return urls.view(urls.require(ctx.account, ctx.region, record, name, qualifier))

    def update_function_url_config(self, ctx: RequestContext, request: Request) -> Response:
        name, _, record = self._function(ctx, {**request, "Qualifier": None})
        result = urls.update(ctx.account, ctx.region, record, name, request)
        self._save(ctx, name, record)
        return result

    def delete_function_url_config(self, ctx: RequestContext, request: Request) -> Response:
        name, qualifier, record = self._function(ctx, request)
        with state.atomic():
            urls.delete(ctx.account, ctx.region, record, name, qualifier)
            self._save(ctx, name, record)
        return {}

    def list_function_url_configs(self, ctx: RequestContext, request: Request) -> Response:
        _, _, record = self._function(ctx, request)
        found = [urls.view(config) for _, config in sorted(record["url_configs"].items())]
        return _page(found, request, "FunctionUrlConfigs")

    # -- invoke --------------------------------------------------------------------------------

    async def invoke_with_response_stream(self, ctx: RequestContext, request: Request) -> Response:
        invocation_type = request.get("InvocationType") or "RequestResponse"
        if invocation_type == "DryRun":
            await invocations.invoke(
                ctx.account,
                ctx.region,
                request["FunctionName"],
                request.get("Qualifier"),
                request.get("Payload") or b"",
                invocation_type,
                request_id=ctx.request_id,
            )
            return {"StatusCode": 204}
        streamed = invocations.invoke_streamed(
            ctx.account,
            ctx.region,
            request["FunctionName"],
            request.get("Qualifier"),
            request.get("Payload") or b"",
            request_id=ctx.request_id,
            client_context=request.get("ClientContext"),
        )
        return {
            "StatusCode": 200,
            "ExecutedVersion": streamed.target.version,
            "ResponseStreamContentType": "application/vnd.amazon.eventstream",
            "EventStream": stream_events(streamed, request.get("LogType") == "Tail"),
        }

    async def invoke(self, ctx: RequestContext, request: Request) -> Response:
        invocation_type = request.get("InvocationType") or "RequestResponse"
        result = await invocations.invoke(
            ctx.account,
            ctx.region,
            request["FunctionName"],
            request.get("Qualifier"),
            request.get("Payload") or b"",
            invocation_type,
            request_id=ctx.request_id,
            client_context=request.get("ClientContext"),
        )
        response: Response = {"StatusCode": result.status_code}
        if invocation_type != "RequestResponse":
            return response
        response["Payload"] = result.payload
        response["ExecutedVersion"] = result.executed_version
        if result.function_error:
            response["FunctionError"] = result.function_error
        if request.get("LogType") == "Tail":
            response["LogResult"] = result.log_tail()
        return response


def _ordered_versions(record: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted(
        record["versions"].values(),
        key=lambda config: -1 if config["Version"] == LATEST else int(config["Version"]),
    )


# Large writes are sent as several PayloadChunk events (an event-stream message stays small).
MAX_CHUNK_EVENT = 256 * 1024


async def stream_events(streamed: invocations.Streamed, tail: bool) -> AsyncIterator[bytes]:
    """InvokeWithResponseStream's events: a PayloadChunk for each piece the function streams, as
    it arrives (or the buffered payload once the function returned), then InvokeComplete with the
    error's type and message when the function failed."""
    async for chunk in streamed.chunks():
        for start in range(0, len(chunk), MAX_CHUNK_EVENT):
            yield event_stream.event("PayloadChunk", chunk[start : start + MAX_CHUNK_EVENT])
    result = await streamed.result()
    complete: dict[str, str] = {}
    if result.function_error:
        complete = _error_details(result)
    elif result.payload and not streamed.streamed:
        for start in range(0, len(result.payload), MAX_CHUNK_EVENT):
            yield event_stream.event("PayloadChunk", result.payload[start : start + MAX_CHUNK_EVENT])
    if tail:
        complete["LogResult"] = result.log_tail()
    yield event_stream.event("InvokeComplete", json.dumps(complete).encode(), "application/json")


def _error_details(result: invocations.InvokeResult) -> dict[str, str]:
    try:
        document = json.loads(result.payload)
        return {
            "ErrorCode": str(document.get("errorType") or result.function_error),
            "ErrorDetails": str(document.get("errorMessage") or ""),
        }
    except (ValueError, AttributeError):
        return {
            "ErrorCode": str(result.function_error),
            "ErrorDetails": result.payload.decode("utf-8", "replace"),
        }
