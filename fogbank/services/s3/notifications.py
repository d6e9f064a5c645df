"""S3 event notifications: validation of notification configurations and delivery of S3 event
records to SQS queues, SNS topics and Lambda functions, and of S3 events to EventBridge.

Validation (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-event-types-and-destinations.html):
each destination must exist (checked through the target service's public operations unless
`x-amz-skip-destination-validation` is set), and a Lambda function's resource policy must let
`s3.amazonaws.com` invoke it
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html).
Like S3, a test event (`s3:TestEvent`) goes to each SQS/SNS destination when a configuration is put.

Delivery: S3's object operations call `notify(ctx, bucket, event_name, object_info)` after a
change; each matching configuration receives the event record S3 sends (event structure 2.1,
https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html),
delivered on the clock's next turn, as S3 delivers asynchronously. Functions are invoked
asynchronously (invocation type Event). With `EventBridgeConfiguration` every event also goes to
the default bus in EventBridge's shape (see `eventbridge_events`).
"""

from __future__ import annotations

import base64
import fnmatch
import itertools
import json
import logging
import uuid
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, NotRequired, TypedDict
from urllib.parse import quote_plus

import orjson

from fogbank import clock
from fogbank.context import RequestContext
from fogbank.errors import AwsError
from fogbank.services.s3 import eventbridge_events
from fogbank.services.s3.buckets import find_bucket
from fogbank.services.s3.errors import InvalidArgument
from fogbank.services.s3.subresources import config_store, read_config

log = logging.getLogger("fogbank.s3.notifications")
_sequence = itertools.count()
_KINDS = (
    ("QueueConfigurations", "QueueArn"),
    ("TopicConfigurations", "TopicArn"),
    ("LambdaFunctionConfigurations", "LambdaFunctionArn"),
)
_TESTED_KINDS = _KINDS[:2]  # S3 sends its test event to queues and topics only
# Set while the lifecycle engine deletes through DeleteObject: S3 announces a lifecycle expiry
# only as LifecycleExpiration:*, never as ObjectRemoved:*
# (https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-configure-notification.html).
_lifecycle_delete: ContextVar[bool] = ContextVar("s3_lifecycle_delete", default=False)


# -- configuration --------------------------------------------------------------------------------


def validate_notifications(
    configuration: dict[str, Any], bucket: dict[str, Any], *, check_destinations: bool
) -> dict[str, Any]:
    """The configuration to store (with generated Ids), or S3's InvalidArgument error."""
    stored: dict[str, Any] = {}
    for kind, _arn_member in _KINDS:
        entries = []
        for entry in configuration.get(kind) or []:
            _check_filter(entry)
            entries.append(
                {"Id": entry.get("Id") or _generated_id(), **{k: v for k, v in entry.items() if k != "Id"}}
            )
        if entries:
            stored[kind] = entries
    _check_overlaps([entry for kind, _arn in _KINDS for entry in stored.get(kind, [])])
    if "EventBridgeConfiguration" in configuration:
        stored["EventBridgeConfiguration"] = {}
    if check_destinations:
        failures = [
            (entry[arn_member], problem)
            for kind, arn_member in _KINDS
            for entry in stored.get(kind, [])
            if (problem := destination_problem(entry[arn_member], bucket)) is not None
        ]
        if failures:
            fields = {}
            for number, (arn, problem) in enumerate(failures, start=1):
                fields[f"ArgumentName{number}"] = arn
                fields[f"ArgumentValue{number}"] = problem
            raise InvalidArgument("Unable to validate the following destination configurations", **fields)
    return stored


def _generated_id() -> str:
    return base64.b64encode(str(uuid.uuid4()).encode()).decode().rstrip("=")


def _check_events(entry: dict[str, Any]) -> None:
    from fogbank.protocol.models import service_model

    supported = service_model("s3").shape_for("Event").enum
    for event in entry.get("Events") or []:
        if event not in supported:
            raise InvalidArgument(
                "The event is not supported for notifications", ArgumentName1=event, ArgumentValue1=event
            )


def _check_filter(entry: dict[str, Any]) -> None:
    _check_events(entry)
    rules = ((entry.get("Filter") or {}).get("Key") or {}).get("FilterRules") or []
    names = [str(rule.get("Name", "")).lower() for rule in rules]
    for name in names:
        if name not in ("prefix", "suffix"):
            raise InvalidArgument(
                "filter rule name must be either prefix or suffix",
                ArgumentName="FilterRule.Name",
                ArgumentValue=name,
            )
    for name in ("prefix", "suffix"):
        if names.count(name) > 1:
            raise InvalidArgument(
                f"Cannot specify more than one {name} rule in a filter.",
                ArgumentName="FilterRule.Name",
                ArgumentValue=name,
            )


def _affixes(entry: dict[str, Any]) -> tuple[str, str]:
    values = {"prefix": "", "suffix": ""}
    for rule in ((entry.get("Filter") or {}).get("Key") or {}).get("FilterRules") or []:
        values[str(rule.get("Name", "")).lower()] = rule.get("Value", "")
    return values["prefix"], values["suffix"]


def _events_overlap(first: list[str], second: list[str]) -> bool:
    def covers(pattern: str, event: str) -> bool:
        return pattern == event or (pattern.endswith(":*") and event.startswith(pattern[:-1]))

    return any(covers(a, b) or covers(b, a) for a in first for b in second)


def _check_overlaps(entries: list[dict[str, Any]]) -> None:
    """S3 refuses two configurations that could both claim one event: same event type with
    overlapping prefixes and suffixes (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-filtering.html)."""
    for index, first in enumerate(entries):
        for second in entries[index + 1 :]:
            if not _events_overlap(first.get("Events") or [], second.get("Events") or []):
                continue
            (prefix_a, suffix_a), (prefix_b, suffix_b) = _affixes(first), _affixes(second)
            prefixes = prefix_a.startswith(prefix_b) or prefix_b.startswith(prefix_a)
            suffixes = suffix_a.endswith(suffix_b) or suffix_b.endswith(suffix_a)
            if prefixes and suffixes:
                raise InvalidArgument(
                    "Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if "
                    "the prefixes are overlapping for the same event type.",
                    ArgumentName="Event",
                    ArgumentValue=(first.get("Events") or [""])[0],
                )


def destination_problem(arn: str, bucket: dict[str, Any]) -> str | None:
    """Why S3 could not validate a destination, or None when it exists."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[2] not in ("sqs", "sns", "lambda"):
        return "The destination ARN is not valid"
    service, region, account, name = parts[2], parts[3], parts[4], parts[5]
    if service == "lambda":
        return _function_problem(arn, account, region, bucket)
    try:
        _find_destination(service, name, arn, account, region)
    except (ImportError, AwsError) as error:
        if isinstance(error, ImportError) or error.code == "NotImplemented":
            return f"Delivery to {service.upper()} is not supported by fogbank yet"
        return (
            "The destination queue does not exist"
            if service == "sqs"
            else "The destination topic does not exist"
        )
    return None


def _function_problem(arn: str, account: str, region: str, bucket: dict[str, Any]) -> str | None:
    """S3 checks that it may invoke the function (which also fails for a missing function)."""
    from fogbank.services.calls import call

    refused = f"Not authorized to invoke function [{arn}]"
    try:
        policy = call("lambda", "GetPolicy", {"FunctionName": arn}, account=account, region=region)
    except AwsError:  # no function, or no resource policy at all
        return refused
    statements = json.loads(policy["Policy"]).get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    if any(_allows_s3(statement, bucket) for statement in statements):
        return None
    return refused


def _allows_s3(statement: dict[str, Any], bucket: dict[str, Any]) -> bool:
    """Whether a statement lets S3 invoke the function for this bucket (AddPermission's
    SourceArn / SourceAccount conditions included)."""
    principal = statement.get("Principal")
    services = principal.get("Service") if isinstance(principal, dict) else principal
    actions = statement.get("Action")
    actions = [actions] if isinstance(actions, str) else actions or []
    if statement.get("Effect") != "Allow" or "s3.amazonaws.com" not in (
        [services] if isinstance(services, str) else services or []
    ):
        return False
    if not any(action in ("lambda:InvokeFunction", "lambda:*", "*") for action in actions):
        return False
    facts = {"aws:sourcearn": f"arn:aws:s3:::{bucket['Name']}", "aws:sourceaccount": bucket["Account"]}
    for condition in (statement.get("Condition") or {}).values():
        for key, wanted in condition.items():
            fact = facts.get(key.lower())
            values = [wanted] if isinstance(wanted, str) else wanted
            if fact is not None and not any(fnmatch.fnmatchcase(fact, value) for value in values):
                return False
    return True


def _find_destination(service: str, name: str, arn: str, account: str, region: str) -> dict[str, Any]:
    from fogbank.services.calls import call

    if service == "sqs":
        params = {"QueueName": name, "QueueOwnerAWSAccountId": account}
        return call("sqs", "GetQueueUrl", params, account=account, region=region)
    return call("sns", "GetTopicAttributes", {"TopicArn": arn}, account=account, region=region)


# -- event records --------------------------------------------------------------------------------


class S3EventRecord(TypedDict):
    eventVersion: str
    eventSource: str
    awsRegion: str
    eventTime: str
    eventName: str
    userIdentity: dict[str, str]
    requestParameters: dict[str, str]
    responseElements: dict[str, str]
    s3: dict[str, Any]
    glacierEventData: NotRequired[dict[str, dict[str, str]]]


def event_record(
    ctx: RequestContext,
    bucket: dict[str, Any],
    event_name: str,
    object_info: dict[str, Any],
    config_id: str,
    principal: str | None = None,
) -> S3EventRecord:
    """One record as S3 builds it: the key URL-encoded, the ETag without quotes."""
    from fogbank.services.s3.buckets import canonical_user_id

    obj: dict[str, Any] = {"key": quote_plus(object_info["Key"], safe="/*")}
    if event_name.startswith("ObjectRestore") and not object_info.get("ETag"):
        object_info = {**object_info, **_stored_facts(bucket, object_info)}
    if event_name.startswith(("ObjectCreated", "ObjectRestore")):
        obj["size"] = int(object_info.get("Size") or 0)
        obj["eTag"] = str(object_info.get("ETag") or "").strip('"')
    if object_info.get("VersionId") and object_info["VersionId"] != "null":
        obj["versionId"] = object_info["VersionId"]
    obj["sequencer"] = f"{int(clock.now() * 1000):012X}{next(_sequence) % 0x10000:04X}"
    if principal is None:
        from fogbank.iam.identity import resolve

        # The caller's IAM user id (the account id for root), as S3 reports it.
        principal = "AWS:" + (resolve(ctx.access_key).user_id if ctx.access_key else ctx.account)
    record: S3EventRecord = {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": bucket["Region"],
        "eventTime": _iso(clock.now()),
        "eventName": event_name,
        "userIdentity": {"principalId": principal},
        "requestParameters": {"sourceIPAddress": ctx.extras.get("source_ip", "127.0.0.1")},
        "responseElements": {
            "x-amz-request-id": ctx.request_id or uuid.uuid4().hex[:16].upper(),
            "x-amz-id-2": base64.b64encode(uuid.uuid4().bytes * 2).decode(),
        },
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": config_id,
            "bucket": {
                "name": bucket["Name"],
                "ownerIdentity": {"principalId": canonical_user_id(bucket["Account"])},
                "arn": f"arn:aws:s3:::{bucket['Name']}",
            },
            "object": obj,
        },
    }
    if event_name == "ObjectRestore:Completed" and object_info.get("RestoreExpiryTime") is not None:
        # Only ObjectRestore:Completed records carry glacierEventData (S3 event message structure).
        record["glacierEventData"] = {
            "restoreEventData": {
                "lifecycleRestorationExpiryTime": _iso(object_info["RestoreExpiryTime"]),
                "lifecycleRestoreStorageClass": object_info.get("RestoreStorageClass") or "GLACIER",
            }
        }
    return record


def _stored_facts(bucket: dict[str, Any], object_info: dict[str, Any]) -> dict[str, Any]:
    """Size and ETag of the version an event is about (restore events describe the archived object)."""
    from fogbank.services.s3 import objects

    version_id = object_info.get("VersionId")
    try:
        version = objects.find(bucket["Name"], object_info["Key"], version_id or None)
    except AwsError:
        return {}
    return {"Size": version.get("Size"), "ETag": version.get("ETag")}


def _iso(instant: float) -> str:
    return (
        datetime.fromtimestamp(instant, UTC).strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{int(instant * 1000) % 1000:03d}Z"
    )


def _event_matches(entry: dict[str, Any], event_name: str, key: str) -> bool:
    wanted = f"s3:{event_name}"
    if not any(
        pattern == wanted or (pattern.endswith(":*") and wanted.startswith(pattern[:-1]))
        for pattern in entry.get("Events") or []
    ):
        return False
    for rule in ((entry.get("Filter") or {}).get("Key") or {}).get("FilterRules") or []:
        name, value = str(rule.get("Name", "")).lower(), rule.get("Value", "")
        if (name == "prefix" and not key.startswith(value)) or (name == "suffix" and not key.endswith(value)):
            return False
    return True


# -- delivery -------------------------------------------------------------------------------------


@contextmanager
def lifecycle_deletes() -> Iterator[None]:
    """Within this block, deletes are the lifecycle engine's: their ObjectRemoved:* events are not
    sent (the engine announces LifecycleExpiration:* itself)."""
    token = _lifecycle_delete.set(True)
    try:
        yield
    finally:
        _lifecycle_delete.reset(token)


def notify(
    ctx: RequestContext,
    bucket_name: str,
    event_name: str,
    object_info: dict[str, Any],
    *,
    principal: str | None = None,
) -> None:
    """Deliver `event_name` (e.g. "ObjectCreated:Put" or "s3:ObjectRemoved:Delete") about an object
    (`{"Key", "Size", "ETag", "VersionId"}`, plus "RestoreExpiryTime" (epoch) and
    "RestoreStorageClass" for ObjectRestore:Completed) to every matching destination of the bucket's
    notification configuration; `principal` is the userIdentity (the caller's by default).
    Never raises: delivery problems are logged, as S3 delivers asynchronously and the object
    operation has already succeeded."""
    event_name = event_name.removeprefix("s3:")
    if _lifecycle_delete.get() and event_name.startswith("ObjectRemoved:"):
        return
    bucket = find_bucket(bucket_name)
    config = read_config(bucket, "notification") if bucket else None
    if not bucket or not config:
        return
    if "EventBridgeConfiguration" in config:
        try:
            eventbridge_events.publish(ctx, bucket, event_name, object_info, principal)
        except Exception:  # the object operation has succeeded; a routing problem is only logged
            log.exception("S3 event to EventBridge failed")
    for kind, arn_member in _KINDS:
        for entry in config.get(kind) or []:
            if _event_matches(entry, event_name, object_info["Key"]):
                record = event_record(ctx, bucket, event_name, object_info, entry["Id"], principal)
                body = orjson.dumps({"Records": [record]}).decode()
                _deliver_later(entry[arn_member], body)


def may_notify(bucket_name: str) -> bool:
    """False when the bucket surely has no notification configuration (then `notify` would do
    nothing): one lookup, so object writes to unconfigured buckets skip describing the event."""
    return f"{bucket_name}/notification" in config_store()


def send_test_events(ctx: RequestContext, bucket: dict[str, Any], configuration: dict[str, Any]) -> None:
    """S3 sends `s3:TestEvent` to each destination when a configuration is set."""
    document = {
        "Service": "Amazon S3",
        "Event": "s3:TestEvent",
        "Time": _iso(clock.now()),
        "Bucket": bucket["Name"],
        "RequestId": ctx.request_id,
        "HostId": base64.b64encode(uuid.uuid4().bytes * 2).decode(),
    }
    body = orjson.dumps(document).decode()
    for kind, arn_member in _TESTED_KINDS:
        for entry in configuration.get(kind) or []:
            _deliver_later(entry[arn_member], body)


def _deliver_later(arn: str, body: str) -> None:
    clock.call_later(0, lambda: deliver(arn, body))


def deliver(arn: str, body: str) -> Coroutine[Any, Any, None] | None:
    """Send one notification document to an SQS queue or SNS topic (errors are logged); for a
    Lambda function, the invocation to run."""
    from fogbank.services.calls import call

    service, region, account, name = arn.split(":", 5)[2:6]
    if service == "lambda":
        return _invoke(arn, account, region, body)
    try:
        if service == "sqs":
            queue = _find_destination("sqs", name, arn, account, region)
            call(
                "sqs",
                "SendMessage",
                {"QueueUrl": queue["QueueUrl"], "MessageBody": body},
                account=account,
                region=region,
            )
        else:
            call(
                "sns",
                "Publish",
                {"TopicArn": arn, "Message": body, "Subject": "Amazon S3 Notification"},
                account=account,
                region=region,
            )
    except (ImportError, AwsError) as error:
        log.warning("S3 notification to %s failed: %s", arn, error)
    return None


async def _invoke(arn: str, account: str, region: str, body: str) -> None:
    """Hand the event to Lambda's asynchronous queue (its retries and destinations apply)."""
    from fogbank.services import registry
    from fogbank.services.lambda_ import invocations

    try:
        registry.provider("lambda")  # started: waiting async events resumed
        await invocations.invoke(account, region, arn, None, body.encode(), "Event")
    except AwsError as error:
        log.warning("S3 notification to %s failed: %s", arn, error)
