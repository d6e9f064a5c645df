"""Managing queues: create (with AWS's idempotency rule), delete, attributes, tags, permissions,
dead-letter source lookups and list pagination.

https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson

from fogbank import clock, state
from fogbank.context import RequestContext
from fogbank.services.sqs import attributes as queue_attributes
from fogbank.services.sqs.errors import InvalidParameterValue, QueueNameExists, invalid_parameter
from fogbank.services.sqs.fifo import Deduplication
from fogbank.services.sqs.queues import Queue, QueueStore, check_name
from fogbank.services.sqs.redrive import check_source_allowed, parse_redrive_policy

MAX_TAGS = 50
PERMISSION_ACTIONS = frozenset(
    {
        "*",
        "SendMessage",
        "ReceiveMessage",
        "DeleteMessage",
        "ChangeMessageVisibility",
        "GetQueueAttributes",
        "GetQueueUrl",
        "ListDeadLetterSourceQueues",
        "PurgeQueue",
        "ListQueueTags",
    }
)
# Attributes that mean "remove" when set to an empty string.
_CLEARABLE = ("Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId")


def attributes_by_arn(store: QueueStore, arn: str) -> dict[str, str] | None:
    queue = store.by_arn(arn)
    return queue.attributes if queue is not None else None


def check_redrive_allowed(store: QueueStore, source_arn: str, changes: dict[str, str]) -> None:
    policy = parse_redrive_policy(changes.get("RedrivePolicy"))
    if policy is not None:
        target = store.by_arn(policy.dead_letter_target_arn)
        if target is not None:
            check_source_allowed(target.attributes, source_arn, changes["RedrivePolicy"])


def create(store: QueueStore, ctx: RequestContext, request: dict[str, Any]) -> Queue:
    name = request["QueueName"]
    given = dict(request.get("Attributes") or {})
    is_fifo = given.get("FifoQueue", "").lower() == "true"
    if not is_fifo and given.get("FifoQueue", "").lower() == "false":
        del given["FifoQueue"]  # explicitly standard
    check_name(name, is_fifo)
    changes = queue_attributes.normalize(
        given, is_fifo=is_fifo, creating=True, find_arn=lambda arn: attributes_by_arn(store, arn)
    )
    arn = ctx.arn("sqs", name)
    check_redrive_allowed(store, arn, changes)
    queues = store.queues(ctx.account, ctx.region)
    existing = queues.get(name)
    if existing is not None:
        for key, value in changes.items():
            if queue_attributes.effective(existing.attributes, key, is_fifo) != value:
                raise QueueNameExists(
                    f"A queue already exists with the same name and a different value for attribute {key}"
                )
        return existing
    tags = request.get("tags") or {}
    check_tags(tags)
    now = clock.now()
    queue = Queue(
        name,
        ctx.account,
        ctx.region,
        queue_attributes.stored_defaults(is_fifo),
        now,
        now,
        dict(tags),
        0.0,
        ctx.partition,
    )
    apply_attributes(queue, changes, touch=False)
    queues.put(name, queue)
    return queue


def apply_attributes(queue: Queue, changes: dict[str, str], *, touch: bool = True) -> None:
    stored = queue.attributes
    for key, value in changes.items():
        if value == "" and key in _CLEARABLE:
            stored.pop(key, None)
        else:
            stored[key] = value
    if changes.get("KmsMasterKeyId"):
        stored.setdefault("KmsDataKeyReusePeriodSeconds", "300")
        if "SqsManagedSseEnabled" not in changes:
            stored["SqsManagedSseEnabled"] = "false"
    elif "KmsMasterKeyId" in changes or changes.get("SqsManagedSseEnabled") == "true":
        stored.pop("KmsMasterKeyId", None)
        stored.pop("KmsDataKeyReusePeriodSeconds", None)
    if touch:
        queue.modified = clock.now()


def delete(store: QueueStore, queue: Queue) -> None:
    store.index(queue).messages.clear()
    if queue.is_fifo:
        Deduplication(queue.account, queue.region, queue.name).clear()
    store.forget(queue)
    store.queues(queue.account, queue.region).delete(queue.name)


def attribute_view(store: QueueStore, queue: Queue, names: set[str]) -> dict[str, str]:
    """The attributes GetQueueAttributes answers for `names` (`All` for every one)."""
    every = "All" in names
    view = {key: value for key, value in queue.attributes.items() if every or key in names}
    computed = {
        "QueueArn": queue.arn,
        "CreatedTimestamp": str(int(queue.created)),
        "LastModifiedTimestamp": str(int(queue.modified)),
    }
    view.update({key: value for key, value in computed.items() if every or key in names})
    counted = (
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    )
    if every or names.intersection(counted):
        with state.atomic():  # counting drops messages past their retention
            counts = store.index(queue).counts(clock.now(), queue.number("MessageRetentionPeriod", 345600))
        view.update(
            {key: str(count) for key, count in zip(counted, counts, strict=True) if every or key in names}
        )
    return view


def dead_letter_sources(store: QueueStore, queue: Queue) -> list[str]:
    names = []
    for other in store.queues(queue.account, queue.region).values():
        policy = parse_redrive_policy(other.attributes.get("RedrivePolicy"))
        if policy is not None and policy.dead_letter_target_arn == queue.arn:
            names.append(other.name)
    return sorted(names)


def paginate(names: list[str], request: dict[str, Any]) -> tuple[list[str], str | None]:
    """A page of sorted names after NextToken (an opaque, encoded last name) and its next token."""
    limit = request.get("MaxResults")
    if limit is not None and not 1 <= limit <= 1000:
        raise invalid_parameter("MaxResults", limit, "MaxResults must be an integer between 1 and 1000.")
    token = request.get("NextToken")
    if token:
        try:
            after = orjson.loads(base64.b64decode(token, validate=True))["after"]
        except (binascii.Error, ValueError, KeyError, TypeError):
            raise InvalidParameterValue("Invalid NextToken value.") from None
        names = [name for name in names if name > after]
    if limit is None:
        return names[:1000], None
    page = names[:limit]
    more = len(names) > limit
    return page, base64.b64encode(orjson.dumps({"after": page[-1]})).decode() if more else None


def check_tags(tags: dict[str, str]) -> None:
    if len(tags) > MAX_TAGS:
        raise InvalidParameterValue(f"Too many tags added for queue. The maximum is {MAX_TAGS}.")
    for key, value in tags.items():
        if not 1 <= len(key) <= 128 or len(value) > 256:
            raise InvalidParameterValue(f"Tag key must be 1 to 128 characters and value at most 256: {key}")


def tag(queue: Queue, tags: dict[str, str]) -> None:
    merged = {**queue.tags, **tags}
    check_tags(merged)
    queue.tags = merged


def add_permission(queue: Queue, request: dict[str, Any]) -> None:
    label = request["Label"]
    actions = request["Actions"]
    for action in actions:
        if action not in PERMISSION_ACTIONS:
            raise invalid_parameter(
                "ActionName.1", f"SQS:{action}", "Only the queue owner is allowed to invoke this action."
            )
    policy = orjson.loads(queue.attributes["Policy"]) if queue.attributes.get("Policy") else None
    if policy is None:
        policy = {"Version": "2008-10-17", "Id": f"{queue.arn}/SQSDefaultPolicy", "Statement": []}
    statements = policy.setdefault("Statement", [])
    if any(statement.get("Sid") == label for statement in statements):
        raise invalid_parameter("Label", label, "Already exists.")
    principals = [f"arn:aws:iam::{account}:root" for account in request["AWSAccountIds"]]
    names = [f"SQS:{action}" for action in actions]
    statements.append(
        {
            "Sid": label,
            "Effect": "Allow",
            "Principal": {"AWS": principals[0] if len(principals) == 1 else principals},
            "Action": names[0] if len(names) == 1 else names,
            "Resource": queue.arn,
        }
    )
    queue.attributes["Policy"] = orjson.dumps(policy).decode()


def remove_permission(queue: Queue, label: str) -> None:
    policy = orjson.loads(queue.attributes["Policy"]) if queue.attributes.get("Policy") else {}
    statements = policy.get("Statement", [])
    kept = [statement for statement in statements if statement.get("Sid") != label]
    if len(kept) == len(statements):
        raise invalid_parameter("Label", label, "can't find label.")
    if kept:
        policy["Statement"] = kept
        queue.attributes["Policy"] = orjson.dumps(policy).decode()
    else:
        queue.attributes.pop("Policy", None)
