"""Taking messages out: ReceiveMessage (with long polling and dead-lettering), DeleteMessage and
ChangeMessageVisibility, addressed by receipt handles.

https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-visibility-timeout.html
"""

from __future__ import annotations

from typing import Any

from fogbank import clock, state
from fogbank.services.sqs.delivery import ReceivePolicy
from fogbank.services.sqs.errors import InvalidParameterValue, MessageNotInflight, invalid_parameter
from fogbank.services.sqs.messages import Message, check_system_names, read_receipt, received_view
from fogbank.services.sqs.queues import Queue, QueueStore
from fogbank.services.sqs.redrive import parse_redrive_policy
from fogbank.services.sqs.sending import transfer

MAX_VISIBILITY = 43200
ATTEMPT_WINDOW = 300.0


def check_receive(request: dict[str, Any]) -> None:
    count = request.get("MaxNumberOfMessages")
    if count is not None and not 1 <= count <= 10:
        raise invalid_parameter("MaxNumberOfMessages", count, "Must be between 1 and 10, if provided.")
    wait = request.get("WaitTimeSeconds")
    if wait is not None and not 0 <= wait <= 20:
        raise invalid_parameter("WaitTimeSeconds", wait, "Must be >= 0 and <= 20, if provided.")
    visibility = request.get("VisibilityTimeout")
    if visibility is not None and not 0 <= visibility <= MAX_VISIBILITY:
        raise invalid_parameter(
            "VisibilityTimeout", visibility, f"Must be >= 0 and <= {MAX_VISIBILITY}, if provided."
        )


def _policy(store: QueueStore, queue: Queue, request: dict[str, Any]) -> ReceivePolicy:
    visibility = request.get("VisibilityTimeout")
    if visibility is None:
        visibility = queue.number("VisibilityTimeout", 30)
    redrive = parse_redrive_policy(queue.attributes.get("RedrivePolicy"))
    dead_letter = None
    if redrive is not None:
        target = store.by_arn(redrive.dead_letter_target_arn)
        if target is not None:

            def dead_letter(message: Message) -> None:
                transfer(store, message, queue, target, dead_letter=True)

    return ReceivePolicy(
        queue_arn=queue.arn,
        visibility=visibility,
        retention=queue.number("MessageRetentionPeriod", 345600),
        max_receives=redrive.max_receive_count if redrive else None,
        dead_letter=dead_letter,
    )


async def receive(store: QueueStore, queue: Queue, request: dict[str, Any]) -> list[dict[str, Any]]:
    """Messages for one ReceiveMessage, waiting up to WaitTimeSeconds (on the clock) for some."""
    check_receive(request)
    system_names = set(request.get("AttributeNames") or ()) | set(
        request.get("MessageSystemAttributeNames") or ()
    )
    check_system_names(system_names)
    policy = _policy(store, queue, request)
    limit = request.get("MaxNumberOfMessages") or 1
    wait = request.get("WaitTimeSeconds")
    if wait is None:
        wait = queue.number("ReceiveMessageWaitTimeSeconds", 0)
    index = store.index(queue)
    attempt = request.get("ReceiveRequestAttemptId") if queue.is_fifo else None
    taken = _replay(store, queue, attempt) if attempt else None
    if taken is None:
        taken = await _take_or_wait(store, queue, limit, policy, clock.now() + wait)
        if attempt and taken:
            index.attempts[attempt] = (clock.now() + ATTEMPT_WINDOW, [(m.id, handle) for m, handle in taken])
    attribute_names = request.get("MessageAttributeNames") or []
    return [received_view(message, handle, system_names, attribute_names) for message, handle in taken]


async def _take_or_wait(
    store: QueueStore, queue: Queue, limit: int, policy: ReceivePolicy, deadline: float
) -> list[tuple[Message, str]]:
    index = store.index(queue)
    while True:
        now = clock.now()
        if limit > 1 or policy.dead_letter is not None:  # several writes: one transaction
            with state.atomic():
                taken = index.take(now, limit, policy)
        else:
            taken = index.take(now, limit, policy)
        if taken or now >= deadline:
            return taken
        await index.wait(deadline)
        if store.get(queue.account, queue.region, queue.name) is not queue:
            return []  # deleted while we waited


def _replay(store: QueueStore, queue: Queue, attempt: str) -> list[tuple[Message, str]] | None:
    """A FIFO receive retried with the same ReceiveRequestAttemptId within 5 minutes answers the
    same messages and receipt handles while they are still in flight (AWS API reference)."""
    index = store.index(queue)
    now = clock.now()
    if len(index.attempts) > 1000:
        index.attempts = {key: value for key, value in index.attempts.items() if value[0] > now}
    found = index.attempts.get(attempt)
    if found is None or found[0] <= now:
        return None
    replayed = []
    for message_id, handle in found[1]:
        message = index.messages.get(message_id)
        if message is None or message.visible_at <= now:
            return None
        if read_receipt(handle, queue.arn)[1] != message.receipt:
            return None
        replayed.append((message, handle))
    return replayed


def find_by_receipt(store: QueueStore, queue: Queue, handle: str) -> tuple[Message | None, str]:
    message_id, nonce = read_receipt(handle, queue.arn)
    return store.index(queue).messages.get(message_id), nonce


def delete(store: QueueStore, queue: Queue, handle: str) -> None:
    """Deleting an already deleted message succeeds, as in AWS. A standard queue deletes with any
    handle the message was given; a FIFO queue refuses a handle whose visibility period is over
    (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/troubleshooting-api-errors.html)."""
    message, nonce = find_by_receipt(store, queue, handle)
    if message is None:
        return
    if queue.is_fifo and (message.receipt != nonce or message.visible_at <= clock.now()):
        raise invalid_parameter("ReceiptHandle", handle, "The receipt handle has expired.")
    store.index(queue).discard(message)


def change_visibility(store: QueueStore, queue: Queue, handle: str, timeout: int) -> None:
    if not 0 <= timeout <= MAX_VISIBILITY:
        raise invalid_parameter(
            "VisibilityTimeout",
            timeout,
            f"VisibilityTimeout must be an integer between 0 and {MAX_VISIBILITY}",
        )
    message, nonce = find_by_receipt(store, queue, handle)
    now = clock.now()
    if message is None or message.receipt != nonce:
        raise InvalidParameterValue(
            f"Value {handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not "
            "available for visibility timeout change."
        )
    if message.visible_at <= now:
        raise MessageNotInflight("Message does not exist or is not available for visibility timeout change.")
    # The 12-hour limit counts from the receive that started this in-flight period (AWS docs).
    if now + timeout - message.received_at > MAX_VISIBILITY:
        raise invalid_parameter(
            "VisibilityTimeout",
            timeout,
            f"Total VisibilityTimeout for the message is beyond the limit [{MAX_VISIBILITY} seconds]",
        )
    store.index(queue).set_visibility(message, now + timeout, now)
