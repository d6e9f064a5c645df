"""What a poller serves: a `Subscription` names the current settings (re-read before each batch,
so updates take effect and a deleted or disabled subscription stops its poller), where to deliver
a batch, where checkpoints live and where to note the last processing result.

Lambda event source mappings build theirs with `for_mapping`; EventBridge Pipes can build their
own over the same pollers: settings use the mapping's member names (`EventSourceArn`,
`BatchSize`, `MaximumBatchingWindowInSeconds`, `FilterCriteria`, `FunctionResponseTypes`,
`StartingPosition`, `DestinationConfig`, `MaximumRetryAttempts`, …, plus `_kind`: "sqs",
"kinesis" or "dynamodb"), and `deliver(payload)` answers an `Outcome` or raises an `AwsError`
when the target could not be invoked at all (throttled: not a retry).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from fogbank import state
from fogbank.engines.event_sources import mappings
from fogbank.errors import AwsError


class Outcome(Protocol):
    """The result of delivering one batch (Lambda's `InvokeResult` is one)."""

    payload: bytes
    function_error: str | None
    request_id: str
    executed_version: str | None


@dataclass(slots=True)
class Subscription:
    account: str
    region: str
    id: str
    settings: Callable[[], dict[str, Any] | None]  # None: stop polling
    deliver: Callable[[bytes], Awaitable[Outcome]]
    identity: Callable[[], str]  # the role records name (Kinesis `invokeIdentityArn`)
    checkpoints: state.Collection[dict[str, Any]]
    note: Callable[[str], None]  # LastProcessingResult
    # The record a stream's failure destination receives for discarded records, from (attempt,
    # condition, info key, batch info); None: Lambda's invocation record. EventBridge Pipes
    # describe failures their own way (`context.partnerResourceArn`).
    describe_failure: Callable[[Any, str, str, Any], dict[str, Any]] | None = None


def checkpoints(account: str, region: str) -> state.Collection[dict[str, Any]]:
    """Each shard's next position of a Lambda mapping (a tick, as text: ticks exceed 64 bits), by
    `<UUID>/<shard>`."""
    return state.collection("lambda", "event_source_checkpoints", account, region)


def for_mapping(account: str, region: str, mapping_id: str) -> Subscription:
    from fogbank.services.lambda_ import invocations

    store = mappings.collection(account, region)

    def settings() -> dict[str, Any] | None:
        record = store.get(mapping_id)
        return record if record is not None and record["_enabled"] else None

    async def deliver(payload: bytes) -> Outcome:
        record = store.get(mapping_id)
        if record is None:
            raise AwsError("The event source mapping was deleted.", code="ResourceNotFoundException")
        return await invocations.invoke(account, region, record["FunctionArn"], None, payload)

    def identity() -> str:
        record = store.get(mapping_id)
        try:
            target = invocations.resolve(account, region, record["FunctionArn"], None) if record else None
        except AwsError:
            return ""
        return str(target.config.get("Role") or "") if target else ""

    def note(text: str) -> None:
        record = store.get(mapping_id)
        if (
            record is not None
            and record["_kind"] != mappings.SQS
            and record.get("LastProcessingResult") != text
        ):
            record["LastProcessingResult"] = text
            store.put(mapping_id, record)

    return Subscription(
        account, region, mapping_id, settings, deliver, identity, checkpoints(account, region), note
    )
