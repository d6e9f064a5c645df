"""Message move tasks: redrive a dead-letter queue's messages back to their source queues, or to a
chosen destination, all at once or at MaxNumberOfMessagesPerSecond on fogbank's clock.

https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html
"""

from __future__ import annotations

import base64
import binascii
import functools
import uuid
from dataclasses import dataclass
from typing import Any

import orjson

from fogbank import clock, state
from fogbank.services.sqs.errors import InvalidParameterValue, ResourceNotFoundException
from fogbank.services.sqs.queues import Queue, QueueStore
from fogbank.services.sqs.redrive import parse_redrive_policy
from fogbank.services.sqs.sending import transfer


@dataclass(slots=True)
class MoveTask:
    handle: str
    source_arn: str
    destination_arn: str | None
    rate: int | None
    status: str
    moved: int
    to_move: int
    started: float
    failure: str | None = None


def _tasks(account: str, region: str) -> state.Collection[MoveTask]:
    return state.collection("sqs", "move-tasks", account, region, MoveTask)


def _not_found(arn: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(
        "The resource that you specified for the SourceArn parameter doesn't exist."
    )


def is_dead_letter_queue(store: QueueStore, queue: Queue) -> bool:
    for other in store.queues(queue.account, queue.region).values():
        policy = parse_redrive_policy(other.attributes.get("RedrivePolicy"))
        if policy is not None and policy.dead_letter_target_arn == queue.arn:
            return True
    return False


def start(store: QueueStore, request: dict[str, Any]) -> str:
    source = store.by_arn(request["SourceArn"])
    if source is None:
        raise _not_found(request["SourceArn"])
    if not is_dead_letter_queue(store, source):
        raise InvalidParameterValue("Source queue must be configured as a Dead Letter Queue.")
    destination_arn = request.get("DestinationArn")
    if destination_arn is not None and store.by_arn(destination_arn) is None:
        raise ResourceNotFoundException(
            "The resource that you specified for the DestinationArn parameter doesn't exist."
        )
    rate = request.get("MaxNumberOfMessagesPerSecond")
    if rate is not None and not 1 <= rate <= 500:
        raise InvalidParameterValue(
            f"Value {rate} for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and 500."
        )
    tasks = _tasks(source.account, source.region)
    if any(task.source_arn == source.arn and task.status == "RUNNING" for task in tasks.values()):
        raise InvalidParameterValue(
            "There is already a task running. Only one active task is allowed for a source queue arn at a given time."
        )
    handle = base64.b64encode(orjson.dumps({"taskId": str(uuid.uuid4()), "sourceArn": source.arn})).decode()
    now = clock.now()
    task = MoveTask(
        handle, source.arn, destination_arn, rate, "RUNNING", 0, len(_movable(store, source, now)), now
    )
    tasks.put(handle, task)
    if rate is None:  # "system optimized": everything at once
        _step(store, source.account, source.region, handle, now)
    else:  # `rate` messages in each following second, on fogbank's clock
        _schedule(store, source.account, source.region, handle, now + 1.0)
    return handle


def _movable(store: QueueStore, source: Queue, now: float) -> list[Any]:
    messages = store.index(source).messages.values()
    return sorted((m for m in messages if m.visible_at <= now), key=lambda m: m.order)


def _schedule(store: QueueStore, account: str, region: str, handle: str, due: float) -> None:
    clock.call_at(due, functools.partial(_step, store, account, region, handle, due))


def _step(store: QueueStore, account: str, region: str, handle: str, due: float) -> None:
    """Move the next batch (all, or `rate` messages) and schedule the next second's batch."""
    tasks = _tasks(account, region)
    task = tasks.get(handle)
    source = store.by_arn(task.source_arn) if task else None
    if task is None or task.status != "RUNNING":
        return
    if source is None:
        task.status, task.failure = "FAILED", "AWS.SimpleQueueService.NonExistentQueue"
        tasks.put(handle, task)
        return
    batch = _movable(store, source, clock.now())
    remaining = task.to_move - task.moved
    batch = batch[: min(remaining, task.rate or remaining)]
    with state.atomic():
        for message in batch:
            target_arn = task.destination_arn or message.dead_letter_source
            target = store.by_arn(target_arn) if target_arn else None
            if target is None:
                task.status, task.failure = "FAILED", "AWS.SimpleQueueService.NonExistentQueue"
                break
            transfer(store, message, source, target, dead_letter=False)
            task.moved += 1
        if task.status == "RUNNING" and (task.moved >= task.to_move or not batch):
            task.status = "COMPLETED"
        tasks.put(handle, task)
    if task.status == "RUNNING":
        # The next batch is due a second after this one was (not after now), so that advancing
        # the clock by N seconds moves N batches.
        _schedule(store, account, region, handle, due + 1.0)


def cancel(store: QueueStore, handle: str) -> int:
    """Stop a running task (messages already moved stay moved)."""
    try:
        source_arn = str(orjson.loads(base64.b64decode(handle, validate=True))["sourceArn"])
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise InvalidParameterValue("Value for parameter TaskHandle is invalid.") from None
    source = store.by_arn(source_arn)
    if source is None:
        raise _not_found(source_arn)
    tasks = _tasks(source.account, source.region)
    task = tasks.get(handle)
    if task is None or task.status != "RUNNING":
        raise ResourceNotFoundException("Task does not exist.")
    task.status = "CANCELLED"
    tasks.put(handle, task)
    return task.moved


def list_tasks(store: QueueStore, request: dict[str, Any]) -> list[dict[str, Any]]:
    source = store.by_arn(request["SourceArn"])
    if source is None:
        raise _not_found(request["SourceArn"])
    limit = request.get("MaxResults") or 1
    if not 1 <= limit <= 10:
        raise InvalidParameterValue(
            f"Value {limit} for parameter MaxResults is invalid. Reason: Must be between 1 and 10."
        )
    tasks = [task for task in _tasks(source.account, source.region).values() if task.source_arn == source.arn]
    tasks.sort(key=lambda task: task.started, reverse=True)
    return [_entry(task) for task in tasks[:limit]]


def _entry(task: MoveTask) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "Status": task.status,
        "SourceArn": task.source_arn,
        "ApproximateNumberOfMessagesMoved": task.moved,
        "ApproximateNumberOfMessagesToMove": task.to_move,
        "StartedTimestamp": int(task.started * 1000),
    }
    if task.status == "RUNNING":
        entry["TaskHandle"] = task.handle
    if task.destination_arn:
        entry["DestinationArn"] = task.destination_arn
    if task.rate:
        entry["MaxNumberOfMessagesPerSecond"] = task.rate
    if task.failure:
        entry["FailureReason"] = task.failure
    return entry


def resume(store: QueueStore) -> None:
    """After a restart, running tasks carry on (their timers were not persisted)."""
    for scope in state.database().scopes("sqs", "move-tasks"):
        account, _, region = scope.partition("/")
        for handle, task in list(_tasks(account, region).items()):
            if task.status == "RUNNING":
                _schedule(store, account, region, handle, clock.now() + 1.0)
