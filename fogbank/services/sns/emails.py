"""Captured email: what SNS would have sent to email and email-json subscriptions (fogbank sends
no real mail), stored durably and served at `GET /_fogbank/sns/emails` (`?to=` filters by
recipient); `DELETE` clears them (all, or those of `?to=`)."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

import orjson

from fogbank import clock, state
from fogbank.protocol.http import HttpResponse
from fogbank.services.sns.messages import timestamp_text

_sequence = itertools.count()


def _store() -> state.Collection[dict[str, Any]]:
    return state.database().collection("sns", "emails", "global")


def capture(*, to: str, subject: str, body: str, topic_arn: str, subscription_arn: str, sender: str) -> str:
    """Keep one email; returns its id."""
    email_id = str(uuid.uuid4())
    now = clock.now()
    record = {
        "id": email_id,
        "timestamp": timestamp_text(now),
        "from": sender,
        "to": to,
        "subject": subject,
        "body": body,
        "topicArn": topic_arn,
        "subscriptionArn": subscription_arn,
    }
    # Keys sort in capture order (the state loads records ordered by key).
    _store().put(f"{now:017.6f}-{next(_sequence):08d}-{email_id}", record)
    return email_id


def listed(to: str | None = None) -> list[dict[str, Any]]:
    store = _store()
    return [store[key] for key in sorted(store.keys()) if to is None or store[key]["to"] == to]


def clear(to: str | None = None) -> int:
    store = _store()
    doomed = [key for key in store if to is None or store[key]["to"] == to]
    with state.atomic():
        for key in doomed:
            store.delete(key)
    return len(doomed)


async def serve(exchange: Any) -> HttpResponse:
    request = exchange.request
    to = request.query_value("to")
    if request.method == "GET":
        return _json(listed(to))
    if request.method == "DELETE":
        return _json({"deleted": clear(to)})
    return _json({"error": "use GET to read captured emails or DELETE to clear them"}, 405)


def _json(document: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(status, {"content-type": "application/json"}, orjson.dumps(document))
