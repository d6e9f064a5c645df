"""Amazon EventBridge Pipes operations (REST-JSON): CreatePipe, DescribePipe, UpdatePipe,
StartPipe, StopPipe, DeletePipe, ListPipes and tags. Pipes run on the shared event-source pollers
(`fogbank.engines.event_sources`) through `runner`; `engine` starts and stops them.

Sources: Amazon SQS queues, Kinesis data streams, DynamoDB streams. Enrichment: Lambda functions,
Step Functions EXPRESS state machines (StartSyncExecution). Targets: Lambda, Step Functions, SQS,
SNS, EventBridge event buses, Kinesis streams, CloudWatch Logs log groups.

Not supported yet (refused with a clear ValidationException): Amazon MQ and Kafka sources, API
destination and API Gateway enrichments and targets, ECS/Batch/Redshift/SageMaker/Timestream/HTTP
targets, global endpoints, customer managed KMS keys, S3 and Firehose log destinations. The role
is recorded, not assumed.
"""

from __future__ import annotations

import base64
from typing import Any

from fogbank import clock, state
from fogbank.context import RequestContext
from fogbank.engines.event_sources import stream_poller
from fogbank.errors import AwsError
from fogbank.services import calls
from fogbank.services.pipes import engine, pipes, runner, targets
from fogbank.services.pipes.errors import ConflictException, NotFoundException, ValidationException
from fogbank.services.provider import Provider

Request = dict[str, Any]
Response = dict[str, Any]
DEFAULT_LIMIT = 100


def _check_source_exists(ctx: RequestContext, kind: str, arn: str) -> None:
    parts = arn.split(":")
    try:
        if kind == pipes.SQS:
            params = {"QueueName": parts[5], "QueueOwnerAWSAccountId": parts[4]}
            calls.call("sqs", "GetQueueUrl", params, account=parts[4], region=parts[3])
        elif kind == pipes.DYNAMODB:
            calls.call(
                "dynamodbstreams", "DescribeStream", {"StreamArn": arn}, account=parts[4], region=parts[3]
            )
        else:
            calls.call(
                "kinesis", "DescribeStreamSummary", {"StreamARN": arn}, account=parts[4], region=parts[3]
            )
    except AwsError:
        raise ValidationException(f"Source {arn} does not exist.", "Source") from None


def _check_unsupported(request: Request) -> None:
    if request.get("KmsKeyIdentifier"):
        raise ValidationException(
            "Customer managed KMS keys (KmsKeyIdentifier) are not supported by fogbank yet.",
            "KmsKeyIdentifier",
        )
    config = request.get("LogConfiguration") or {}
    for key in ("S3LogDestination", "FirehoseLogDestination"):
        if config.get(key):
            raise ValidationException(
                f"LogConfiguration.{key} is not supported by fogbank yet (CloudWatch Logs is).",
                f"LogConfiguration.{key}",
            )


def _check_steps(ctx: RequestContext, record: dict[str, Any]) -> None:
    try:
        parameters = record.get("EnrichmentParameters") or {}
        targets.check_enrichment(record.get("Enrichment"), parameters, ctx.account, ctx.region)
        targets.check_target(record["Target"], record.get("TargetParameters") or {}, ctx.account, ctx.region)
    except ValidationException:
        raise
    except AwsError as error:
        raise ValidationException(f"{error.code}: {error.message}") from None


def _token(start: int) -> str:
    return base64.urlsafe_b64encode(str(start).encode()).decode()


def _start_of(token: str | None) -> int:
    if not token:
        return 0
    try:
        return int(base64.urlsafe_b64decode(token.encode()).decode())
    except ValueError:
        raise ValidationException("The NextToken is not valid.", "NextToken") from None


class PipesProvider(Provider):
    service = "pipes"

    def start(self) -> None:
        engine.start()

    def stop(self) -> None:
        engine.stop()

    def create_pipe(self, ctx: RequestContext, request: Request) -> Response:
        _check_unsupported(request)
        pipes.check_unique(ctx.account, ctx.region, request["Name"])
        record = pipes.new_record(ctx.account, ctx.region, request)
        pipes.check_source(record["_kind"], record["SourceParameters"], creating=True)
        _check_source_exists(ctx, record["_kind"], record["Source"])
        _check_steps(ctx, record)
        with state.atomic():
            pipes.collection(ctx.account, ctx.region).put(record["Name"], record)
            if record["_kind"] != pipes.SQS:
                subscription = runner.subscription(ctx.account, ctx.region, record["Name"])
                stream_poller.initial_positions(subscription, runner.settings_of(record))
        engine.refresh(ctx.account, ctx.region, record["Name"])
        return pipes.summary(record, "CREATING")

    def describe_pipe(self, ctx: RequestContext, request: Request) -> Response:
        return pipes.view(pipes.require(ctx.account, ctx.region, request["Name"]))

    def update_pipe(self, ctx: RequestContext, request: Request) -> Response:
        _check_unsupported(request)
        pipes.check_patterns({"RoleArn": request.get("RoleArn")})
        record = dict(pipes.require(ctx.account, ctx.region, request["Name"]))
        pipes.apply_update(record, request)
        pipes.check_source(record["_kind"], record["SourceParameters"], creating=False)
        _check_steps(ctx, record)
        pipes.collection(ctx.account, ctx.region).put(record["Name"], record)
        engine.refresh(ctx.account, ctx.region, record["Name"])
        return pipes.summary(record, "UPDATING")

    def start_pipe(self, ctx: RequestContext, request: Request) -> Response:
        return self._change_state(ctx, request["Name"], "RUNNING", "STARTING")

    def stop_pipe(self, ctx: RequestContext, request: Request) -> Response:
        return self._change_state(ctx, request["Name"], "STOPPED", "STOPPING")

    def _change_state(self, ctx: RequestContext, name: str, desired: str, transition: str) -> Response:
        record = dict(pipes.require(ctx.account, ctx.region, name))
        if record["DesiredState"] == desired:
            raise ConflictException(
                f"Pipe {name} is already in a {desired} state.", resourceId=name, resourceType="pipe"
            )
        record["DesiredState"] = desired
        record["LastModifiedTime"] = clock.now()
        pipes.collection(ctx.account, ctx.region).put(name, record)
        engine.refresh(ctx.account, ctx.region, name)
        return pipes.summary(record, transition)

    def delete_pipe(self, ctx: RequestContext, request: Request) -> Response:
        record = pipes.require(ctx.account, ctx.region, request["Name"])
        with state.atomic():
            pipes.collection(ctx.account, ctx.region).delete(record["Name"])
            stream_poller.forget_positions(runner.checkpoints(ctx.account, ctx.region), record["_id"])
        engine.refresh(ctx.account, ctx.region, record["Name"])
        return pipes.summary(record, "DELETING", "DELETED")

    def list_pipes(self, ctx: RequestContext, request: Request) -> Response:
        found = sorted(pipes.collection(ctx.account, ctx.region).values(), key=lambda item: item["Name"])
        for key, member in (("NamePrefix", "Name"), ("SourcePrefix", "Source"), ("TargetPrefix", "Target")):
            if request.get(key):
                found = [item for item in found if item[member].startswith(request[key])]
        for key in ("DesiredState", "CurrentState"):
            if request.get(key):
                found = [item for item in found if item["DesiredState"] == request[key]]
        start = _start_of(request.get("NextToken"))
        size = request.get("Limit") or DEFAULT_LIMIT
        result: Response = {"Pipes": [pipes.listed(item) for item in found[start : start + size]]}
        if start + size < len(found):
            result["NextToken"] = _token(start + size)
        return result

    def _by_arn(self, ctx: RequestContext, arn: str) -> dict[str, Any]:
        name = arn.rsplit("/", 1)[-1] if ":pipe/" in arn else ""
        record = pipes.collection(ctx.account, ctx.region).get(name) if name else None
        if record is None or record["Arn"] != arn:
            raise NotFoundException(f"Pipe {name or arn} does not exist.")
        return record

    def tag_resource(self, ctx: RequestContext, request: Request) -> Response:
        record = dict(self._by_arn(ctx, request["resourceArn"]))
        record["Tags"] = {**record.get("Tags", {}), **request["tags"]}
        pipes.collection(ctx.account, ctx.region).put(record["Name"], record)
        return {}

    def untag_resource(self, ctx: RequestContext, request: Request) -> Response:
        record = dict(self._by_arn(ctx, request["resourceArn"]))
        record["Tags"] = {k: v for k, v in record.get("Tags", {}).items() if k not in request["tagKeys"]}
        pipes.collection(ctx.account, ctx.region).put(record["Name"], record)
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, request: Request) -> Response:
        return {"tags": dict(self._by_arn(ctx, request["resourceArn"]).get("Tags") or {})}
