"""Amazon SQS operations (skeleton: being completed)."""

from __future__ import annotations

from typing import Any

from fogbank.context import RequestContext
from fogbank.errors import AwsError
from fogbank.services.provider import Provider


class QueueDoesNotExist(AwsError):
    pass


class SqsProvider(Provider):
    service = "sqs"

    def create_queue(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        queues = self.collection(ctx, "queues")
        name = request["QueueName"]
        url = f"{ctx.request.base_url}/{ctx.account}/{name}"
        queues.put(name, {"QueueName": name, "QueueUrl": url, "Attributes": request.get("Attributes", {})})
        return {"QueueUrl": url}

    def get_queue_url(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        queue = self.collection(ctx, "queues").get(request["QueueName"])
        if queue is None:
            raise QueueDoesNotExist("The specified queue does not exist.")
        return {"QueueUrl": queue["QueueUrl"]}

    def list_queues(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return {"QueueUrls": [queue["QueueUrl"] for queue in self.collection(ctx, "queues").values()]}
