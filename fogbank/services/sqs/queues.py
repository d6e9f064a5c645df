"""SQS queues: the stored record, name and URL rules, and where queues and their messages live.

Queue URLs point back at fogbank, path style: `http://<host of the request>/<account>/<name>`.
Incoming URLs are accepted in any host form (AWS's, LocalStack's, fogbank's) and resolved by
account and name. https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-queue-message-identifiers.html
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from fogbank import state
from fogbank.context import RequestContext
from fogbank.services.sqs.delivery import QueueIndex
from fogbank.services.sqs.errors import InvalidAddress, InvalidParameterValue, QueueDoesNotExist
from fogbank.services.sqs.messages import Message
from fogbank.state import Collection

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
_FIFO_NAME = re.compile(r"^[A-Za-z0-9_-]{1,75}\.fifo$")
_ARN = re.compile(r"^arn:[a-z-]+:sqs:([a-z0-9-]+):(\d+):([A-Za-z0-9_.-]+)$")


@dataclass(slots=True)
class Queue:
    name: str
    account: str
    region: str
    attributes: dict[str, str]
    created: float
    modified: float
    tags: dict[str, str] = field(default_factory=dict)
    purged_at: float = 0.0
    partition: str = "aws"

    @property
    def is_fifo(self) -> bool:
        return self.name.endswith(".fifo")

    @property
    def arn(self) -> str:
        return f"arn:{self.partition}:sqs:{self.region}:{self.account}:{self.name}"

    def number(self, name: str, default: int) -> int:
        value = self.attributes.get(name)
        return default if value is None else int(value)


def check_name(name: str, is_fifo: bool) -> None:
    if is_fifo:
        if not _FIFO_NAME.match(name):
            raise InvalidParameterValue(
                "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, "
                "must end with .fifo suffix and be 1 to 80 in length."
            )
    elif not _NAME.match(name):
        raise InvalidParameterValue(
            "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
        )


def url_of(base_url: str, queue: Queue) -> str:
    return f"{base_url}/{queue.account}/{queue.name}"


@functools.lru_cache(maxsize=4096)
def parse_url(url: str) -> tuple[str, str]:
    """(account, name) of a queue URL in any host form (cached: clients repeat the same URLs)."""
    parts = [part for part in urlsplit(url).path.split("/") if part]
    if len(parts) < 2 or not parts[-2].isdigit():
        raise InvalidAddress(f"The address {url} is not valid for this endpoint.")
    return parts[-2], parts[-1]


def parse_arn(arn: str) -> tuple[str, str, str] | None:
    """(region, account, name) of a queue ARN, or None if it is not one."""
    match = _ARN.match(arn)
    return (match.group(1), match.group(2), match.group(3)) if match else None


class QueueStore:
    """Every account's queues, their message collections and their in-memory delivery indexes."""

    def __init__(self) -> None:
        self._indexes: dict[tuple[str, str, str], QueueIndex] = {}

    def queues(self, account: str, region: str) -> Collection[Queue]:
        return state.collection("sqs", "queues", account, region, Queue)

    def get(self, account: str, region: str, name: str) -> Queue | None:
        return self.queues(account, region).get(name)

    def resolve(self, ctx: RequestContext, url: str) -> Queue:
        """The queue a request's QueueUrl names (in the caller's region), or QueueDoesNotExist."""
        account, name = parse_url(url)
        queue = self.get(account, ctx.region, name)
        if queue is None:
            raise QueueDoesNotExist()
        return queue

    def by_arn(self, arn: str) -> Queue | None:
        parsed = parse_arn(arn)
        return self.get(parsed[1], parsed[0], parsed[2]) if parsed else None

    def messages(self, queue: Queue) -> Collection[Message]:
        return state.collection("sqs", f"messages/{queue.name}", queue.account, queue.region, Message)

    def index(self, queue: Queue) -> QueueIndex:
        # A reset or an import of the state unloads the provider, and with it these indexes.
        key = (queue.account, queue.region, queue.name)
        found = self._indexes.get(key)
        if found is None:
            found = QueueIndex(self.messages(queue), queue.is_fifo)
            self._indexes[key] = found
        return found

    def forget(self, queue: Queue) -> None:
        found = self._indexes.pop((queue.account, queue.region, queue.name), None)
        if found is not None:
            found.close()

    def close(self) -> None:
        for index in self._indexes.values():
            index.close()
        self._indexes.clear()
