"""A seeded random walk of sends, receives, deletes, visibility changes and clock moves: no
message is lost, duplicated within a receive, or returned after deletion, and FIFO groups drain
in send order."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError


class Walk:
    def __init__(self, sqs: Any, fogbank: Any, url: str, fifo: bool) -> None:
        self.sqs, self.fogbank, self.url, self.fifo = sqs, fogbank, url, fifo
        self.alive: dict[str, int] = {}
        self.group: dict[str, str] = {}
        self.handles: dict[str, str] = {}
        self.sent = 0

    def send(self, rng: random.Random) -> None:
        request: dict[str, Any] = {"QueueUrl": self.url, "MessageBody": f"m{self.sent}"}
        if self.fifo:
            request["MessageGroupId"] = rng.choice("abc")
        else:
            request["DelaySeconds"] = rng.choice([0, 0, 5])
        message_id = self.sqs.send_message(**request)["MessageId"]
        self.alive[message_id] = self.sent
        self.group[message_id] = request.get("MessageGroupId", "")
        self.sent += 1

    def receive(self, rng: random.Random) -> None:
        messages = self.sqs.receive_message(
            QueueUrl=self.url,
            MaxNumberOfMessages=rng.randint(1, 10),
            VisibilityTimeout=rng.choice([0, 3, 10]),
        ).get("Messages", [])
        ids = [message["MessageId"] for message in messages]
        assert len(ids) == len(set(ids))
        for message in messages:
            assert message["MessageId"] in self.alive
            self.handles[message["MessageId"]] = message["ReceiptHandle"]

    def delete(self, rng: random.Random) -> None:
        message_id = rng.choice(sorted(self.handles))
        try:
            self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=self.handles.pop(message_id))
            self.alive.pop(message_id, None)
        except ClientError as error:  # FIFO refuses handles whose visibility period is over
            assert self.fifo and error.response["Error"]["Message"].endswith(
                "The receipt handle has expired."
            )

    def drain(self) -> dict[str, int]:
        self.fogbank.advance_clock("PT20S")
        drained: dict[str, int] = {}
        while messages := self.sqs.receive_message(
            QueueUrl=self.url, MaxNumberOfMessages=10, VisibilityTimeout=300
        ).get("Messages", []):
            for message in messages:
                assert message["MessageId"] not in drained
                drained[message["MessageId"]] = int(message["Body"][1:])
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])
        return drained


@pytest.mark.parametrize("fifo", [False, True], ids=["standard", "fifo"])
def test_random_walk_loses_and_duplicates_nothing(
    sqs: Any, fogbank: Any, make_queue: Callable[..., str], fifo: bool
) -> None:
    rng = random.Random(20240101)
    url = make_queue(fifo=fifo, **({"ContentBasedDeduplication": "true"} if fifo else {}))
    walk = Walk(sqs, fogbank, url, fifo)
    for _ in range(300):
        roll = rng.random()
        if roll < 0.35:
            walk.send(rng)
        elif roll < 0.65:
            walk.receive(rng)
        elif roll < 0.85 and walk.handles:
            walk.delete(rng)
        elif roll < 0.95:
            fogbank.advance_clock(rng.choice([1, 3, 11]))
    drained = walk.drain()
    assert drained == walk.alive
    if fifo:
        for group in "abc":
            order = [drained[m] for m in drained if walk.group[m] == group]
            assert order == sorted(order)
