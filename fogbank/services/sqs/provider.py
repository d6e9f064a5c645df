"""Amazon SQS operations (JSON and the legacy query protocol share them).

Not supported yet: KMS encryption is recorded (KmsMasterKeyId, KmsDataKeyReusePeriodSeconds) but
no KMS key is used or checked; Policy documents and AddPermission grants are stored, not evaluated
(IAM enforcement comes later); the 60-second wait before re-creating a deleted queue's name
(QueueDeletedRecently) is not imposed, so test suites can re-create queues at once.
"""

from __future__ import annotations

from typing import Any

from fogbank import clock, state
from fogbank.context import RequestContext
from fogbank.iam import identity
from fogbank.services.provider import Provider
from fogbank.services.sqs import administration, fifo, move_tasks, receiving, sending
from fogbank.services.sqs.attributes import check_names, normalize
from fogbank.services.sqs.batches import check_entries, run_entries
from fogbank.services.sqs.errors import BatchRequestTooLong, PurgeQueueInProgress, QueueDoesNotExist
from fogbank.services.sqs.messages import entry_size
from fogbank.services.sqs.queues import QueueStore, url_of

PURGE_INTERVAL = 60.0
MAX_BATCH_BYTES = 262144


def sender_id(ctx: RequestContext) -> str:
    """The SenderId system attribute: the caller's IAM unique id (the account for root)."""
    if not ctx.access_key:  # a call from another fogbank service
        return ctx.account
    return identity.resolve(ctx.access_key).user_id


class SqsProvider(Provider):
    service = "sqs"

    def __init__(self) -> None:
        self.store = QueueStore()

    def start(self) -> None:
        move_tasks.resume(self.store)

    def stop(self) -> None:
        self.store.close()

    # -- queues --------------------------------------------------------------------------------

    def create_queue(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        with state.atomic():
            queue = administration.create(self.store, ctx, request)
        return {"QueueUrl": url_of(ctx.request.base_url, queue)}

    def get_queue_url(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        account = request.get("QueueOwnerAWSAccountId") or ctx.account
        queue = self.store.get(account, ctx.region, request["QueueName"])
        if queue is None:
            raise QueueDoesNotExist()
        return {"QueueUrl": url_of(ctx.request.base_url, queue)}

    def list_queues(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        names = sorted(self.store.queues(ctx.account, ctx.region))
        prefix = request.get("QueueNamePrefix")
        if prefix:
            names = [name for name in names if name.startswith(prefix)]
        page, token = administration.paginate(names, request)
        result: dict[str, Any] = {}
        if page:
            result["QueueUrls"] = [f"{ctx.request.base_url}/{ctx.account}/{name}" for name in page]
        if token:
            result["NextToken"] = token
        return result

    def delete_queue(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        queue = self.store.resolve(ctx, request["QueueUrl"])
        with state.atomic():
            administration.delete(self.store, queue)
        return {}

    def get_queue_attributes(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        queue = self.store.resolve(ctx, request["QueueUrl"])
        names = request.get("AttributeNames") or []
        check_names(names)
        attributes = administration.attribute_view(self.store, queue, set(names))
        return {"Attributes": attributes} if attributes else {}

    def set_queue_attributes(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        queue = self.store.resolve(ctx, request["QueueUrl"])
        changes = normalize(
            request.get("Attributes") or {},
            is_fifo=queue.is_fifo,
            creating=False,
            find_arn=lambda arn: administration.attributes_by_arn(self.store, arn),
        )
        administration.check_redrive_allowed(self.store, queue.arn, changes)
        administration.apply_attributes(queue, changes)
        self.store.queues(queue.account, queue.region).put(queue.name, queue)
        return {}

    def purge_queue(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        queue = self.store.resolve(ctx, request["QueueUrl"])
        now = clock.now()
        if queue.purged_at and now < queue.purged_at + PURGE_INTERVAL:
            raise PurgeQueueInProgress(
                f"Only one PurgeQueue operation on {queue.name} is allowed every 60 seconds."
            )
        with state.atomic():
            queue.purged_at = now
            self.store.queues(queue.account, queue.region).put(queue.name, queue)
            self.store.index(queue).messages.clear()
        return {}

    def list_dead_letter_source_queues(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        queue = self.store.resolve(ctx, request["QueueUrl"])
        names = administration.dead_letter_sources(self.store, queue)
        page, token = administration.paginate(names, request)
        result: dict[str, Any] = {
            "queueUrls": [f"{ctx.request.base_url}/{queue.account}/{name}" for name in page]
        }
        if token:
            result["NextToken"] = token
        return result

    # -- tags and permissions ------------------------------------------------------------------

    def tag_queue(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        queue = self.store.resolve(ctx, request["QueueUrl"])
        administration.tag(queue, request.get("Tags") or {})
        self.store.queues(queue.account, queue.region).put(queue.name, queue)
        return {}

    def untag_queue(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        queue = self.store.resolve(ctx, request["QueueUrl"])
        for key in request.get("TagKeys") or []:
            queue.tags.pop(key, None)
        self.store.queues(queue.account, queue.region).put(queue.name, queue)
        return {}

    def list_queue_tags(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        queue = self.store.resolve(ctx, request["QueueUrl"])
        return {"Tags": dict(queue.tags)} if queue.tags else {}

    def add_permission(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        queue = self.store.resolve(ctx, request["QueueUrl"])
        administration.add_permission(queue, request)
        self.store.queues(queue.account, queue.region).put(queue.name, queue)
        return {}

    def remove_permission(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        queue = self.store.resolve(ctx, request["QueueUrl"])
        administration.remove_permission(queue, request["Label"])
        self.store.queues(queue.account, queue.region).put(queue.name, queue)
        return {}

    # -- messages ------------------------------------------------------------------------------

    def send_message(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        queue = self.store.resolve(ctx, request["QueueUrl"])
        if queue.is_fifo:
            with state.atomic():
                return sending.send(self.store, queue, request, sender_id(ctx))
        return sending.send(self.store, queue, request, sender_id(ctx))

    def send_message_batch(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        queue = self.store.resolve(ctx, request["QueueUrl"])
        entries = request["Entries"]
        check_entries(entries, "SendMessageBatchRequestEntry")
        if queue.is_fifo:
            fifo.check_batch_entries(entries, queue.attributes.get("ContentBasedDeduplication") == "true")
        size = sum(entry_size(entry) for entry in entries)
        if size > MAX_BATCH_BYTES:
            raise BatchRequestTooLong(
                f"Batch requests cannot be longer than {MAX_BATCH_BYTES} bytes. You have sent {size} bytes."
            )
        with state.atomic():
            sender = sender_id(ctx)
            return run_entries(entries, lambda entry: sending.send(self.store, queue, entry, sender))

    async def receive_message(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        queue = self.store.resolve(ctx, request["QueueUrl"])
        messages = await receiving.receive(self.store, queue, request)
        return {"Messages": messages} if messages else {}

    def delete_message(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        queue = self.store.resolve(ctx, request["QueueUrl"])
        receiving.delete(self.store, queue, request["ReceiptHandle"])
        return {}

    def delete_message_batch(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        queue = self.store.resolve(ctx, request["QueueUrl"])
        entries = request["Entries"]
        check_entries(entries, "DeleteMessageBatchRequestEntry")

        def delete(entry: dict[str, Any]) -> dict[str, Any]:
            receiving.delete(self.store, queue, entry["ReceiptHandle"])
            return {}

        with state.atomic():
            return run_entries(entries, delete)

    def change_message_visibility(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        queue = self.store.resolve(ctx, request["QueueUrl"])
        receiving.change_visibility(self.store, queue, request["ReceiptHandle"], request["VisibilityTimeout"])
        return {}

    def change_message_visibility_batch(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        queue = self.store.resolve(ctx, request["QueueUrl"])
        entries = request["Entries"]
        check_entries(entries, "ChangeMessageVisibilityBatchRequestEntry")

        def change(entry: dict[str, Any]) -> dict[str, Any]:
            timeout = entry.get("VisibilityTimeout")
            receiving.change_visibility(
                self.store, queue, entry["ReceiptHandle"], 0 if timeout is None else timeout
            )
            return {}

        with state.atomic():
            return run_entries(entries, change)

    # -- message move tasks --------------------------------------------------------------------

    def start_message_move_task(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return {"TaskHandle": move_tasks.start(self.store, request)}

    def list_message_move_tasks(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return {"Results": move_tasks.list_tasks(self.store, request)}

    def cancel_message_move_task(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return {"ApproximateNumberOfMessagesMoved": move_tasks.cancel(self.store, request["TaskHandle"])}
