"""Delivery: from a published message to every confirmed subscription whose filter policy
matches, formatted as AWS formats it for each protocol.

- SQS: through SQS's public SendMessage (JSON envelope, or the bare message with message
  attributes as SQS attributes when RawMessageDelivery is on; FIFO ids carried to FIFO queues).
- HTTP/S: a POST with the `x-amz-sns-*` headers, made off the event loop; failures are retried on
  fogbank's clock following the delivery policy
  (https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html).
- email / email-json: captured (see `emails.py`).
- Lambda: an asynchronous invoke with the SNS event record (see `function_delivery.py`).
Messages that cannot be delivered go to the subscription's dead-letter queue when it has a
RedrivePolicy (https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html).

Deliveries start right after the Publish call returns (`loop.call_soon`), so they never delay it.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from fogbank import clock
from fogbank.errors import AwsError
from fogbank.services.queue_calls import send_to_queue
from fogbank.services.sns import emails, filter_policies, function_delivery, signing, subscriptions, topics
from fogbank.services.sns.delivery_policies import retry_delays
from fogbank.services.sns.messages import (
    Message,
    envelope_attributes,
    render,
    subscribe_url,
    timestamp_text,
    unsubscribe_url,
)

log = logging.getLogger("fogbank.sns")
HTTP_TIMEOUT = 15.0  # seconds SNS waits for an HTTP/S endpoint
MAX_RAW_SQS_ATTRIBUTES = 10
_EMAIL_FOOTER = (
    "\n\n--\nIf you wish to stop receiving notifications from this topic, please click or visit the link "
    "below to unsubscribe:\n{url}\n\nPlease do not reply directly to this email. If you have any questions "
    "or comments regarding this email, please contact us at https://aws.amazon.com/support"
)
_pending: set[asyncio.Task[Any]] = set()
_home: asyncio.AbstractEventLoop | None = None
_threads: ThreadPoolExecutor | None = None
HTTP_THREADS = 16
_timers: dict[int, clock.Timer] = {}  # pending retries by id (timers are not hashable)


@dataclass(slots=True)
class HttpJob:
    """One HTTP/S delivery and its retry schedule."""

    subscription_arn: str
    url: str
    body: str
    headers: dict[str, str]
    delays: list[float]
    attempt: int = 0
    last_error: str = field(default="")


# -- the publish fan-out ------------------------------------------------------------------------


def dispatch(topic: dict[str, Any], messages: list[Message], base_url: str) -> None:
    """Deliver messages to the topic's subscriptions once the current request has been answered."""
    for message in messages:
        _soon(deliver, topic, message, base_url)


def bind_loop() -> None:
    """Remember fogbank's event loop, so that work started from other threads runs on it."""
    global _home
    try:
        _home = asyncio.get_running_loop()
    except RuntimeError:
        _home = None


def _soon(callback: Any, *args: Any) -> None:
    """Run `callback` on fogbank's event loop right after the current work, from any thread."""
    try:
        asyncio.get_running_loop().call_soon(callback, *args)
        return
    except RuntimeError:
        pass
    if _home is not None and _home.is_running():
        _home.call_soon_threadsafe(callback, *args)
    else:  # no event loop at all: a script driving the provider directly
        callback(*args)


def deliver(topic: dict[str, Any], message: Message, base_url: str) -> None:
    for subscription in subscriptions.for_topic(topic["TopicArn"]):
        if subscription["Pending"] or not accepts(subscription, message):
            continue
        try:
            _DELIVERERS[subscription["Protocol"]](topic, subscription, message, base_url)
        except Exception:  # one broken subscription must not stop the others
            log.exception("delivery to %s failed", subscription["SubscriptionArn"])


def accepts(subscription: dict[str, Any], message: Message) -> bool:
    """Whether the subscription's filter policy lets the message through."""
    text = subscription["Attributes"].get("FilterPolicy")
    if not text:
        return True
    scope = subscription["Attributes"].get("FilterPolicyScope") or "MessageAttributes"
    policy = _compiled(text, scope)
    if scope == "MessageBody":
        return policy.matches_body(message.content_for(subscription["Protocol"]))
    return policy.matches_attributes(message.attributes)


@functools.lru_cache(maxsize=1024)
def _compiled(text: str, scope: str) -> filter_policies.Policy:
    return filter_policies.compile_policy(filter_policies.parse(text), scope)  # type: ignore[arg-type]


# -- documents ----------------------------------------------------------------------------------


def notification(topic: dict[str, Any], subscription: dict[str, Any], message: Message, base_url: str) -> str:
    """The JSON envelope of a notification (SQS, HTTP/S, email-json)."""
    return render(notification_document(topic, subscription, message, base_url))


def notification_document(
    topic: dict[str, Any], subscription: dict[str, Any], message: Message, base_url: str
) -> dict[str, Any]:
    """The fields of a notification envelope, signed, in SNS's order."""
    document: dict[str, Any] = {"Type": "Notification", "MessageId": message.message_id}
    if message.sequence_number is not None:
        document["SequenceNumber"] = message.sequence_number
    document["TopicArn"] = topic["TopicArn"]
    if message.subject is not None:
        document["Subject"] = message.subject
    document["Message"] = message.content_for(subscription["Protocol"])
    document["Timestamp"] = timestamp_text(message.timestamp)
    _sign(topic, document, base_url)
    document["UnsubscribeURL"] = unsubscribe_url(base_url, subscription["SubscriptionArn"])
    if message.delivered_attributes:
        document["MessageAttributes"] = envelope_attributes(message.delivered_attributes)
    return document


def confirmation(
    topic: dict[str, Any], subscription: dict[str, Any], message_id: str, base_url: str, *, restore: str = ""
) -> str:
    """The SubscriptionConfirmation message (HTTP/S, email-json, cross-account SQS), or with a
    `restore` token the UnsubscribeConfirmation an HTTP/S endpoint gets after unsubscribing."""
    arn = topic["TopicArn"]
    if restore:
        kind, token = "UnsubscribeConfirmation", restore
        text = (
            f"You have chosen to deactivate subscription {subscription['SubscriptionArn']}.\n"
            "To cancel this operation and restore the subscription, visit the SubscribeURL included in this message."
        )
    else:
        kind, token = "SubscriptionConfirmation", subscription["Token"]
        text = (
            f"You have chosen to subscribe to the topic {arn}.\n"
            "To confirm the subscription, visit the SubscribeURL included in this message."
        )
    document: dict[str, Any] = {
        "Type": kind,
        "MessageId": message_id,
        "Token": token,
        "TopicArn": arn,
        "Message": text,
        "SubscribeURL": subscribe_url(base_url, arn, token),
        "Timestamp": timestamp_text(clock.now()),
    }
    _sign(topic, document, base_url)
    return render(document)


def _sign(topic: dict[str, Any], document: dict[str, Any], base_url: str) -> None:
    # FIFO topics send no signature in their envelopes.
    if topics.is_fifo(topic):
        return
    version = topic["Attributes"].get("SignatureVersion") or "1"
    document["SignatureVersion"] = version
    document["Signature"] = _signature(signing.canonical_string(document), version)
    document["SigningCertURL"] = base_url + signing.CERTIFICATE_PATH


@functools.lru_cache(maxsize=256)
def _signature(canonical: str, version: str) -> str:
    # Every subscriber of one message signs the same canonical string: sign it once.
    return signing.sign_canonical(canonical, version)


# -- SQS ----------------------------------------------------------------------------------------


def _deliver_sqs(
    topic: dict[str, Any], subscription: dict[str, Any], message: Message, base_url: str
) -> None:
    params: dict[str, Any] = {}
    if subscriptions.is_raw(subscription):
        params["MessageBody"] = message.content_for("sqs")
        attributes = message.delivered_attributes
        if len(attributes) > MAX_RAW_SQS_ATTRIBUTES:
            # "Messages with more than 10 message attributes directed towards Raw Message Delivery
            # enabled Amazon SQS subscriptions will be discarded as client side errors."
            error = f"Raw message delivery to Amazon SQS carries at most 10 message attributes, not {len(attributes)}"
            dead_letter(subscription, params, "TooManyMessageAttributes", error)
            return
        if attributes:
            params["MessageAttributes"] = {name: dict(value) for name, value in attributes.items()}
    else:
        params["MessageBody"] = notification(topic, subscription, message, base_url)
    queue_arn = subscription["Endpoint"]
    if queue_arn.endswith(".fifo"):
        params.update(_fifo_ids(message, params["MessageBody"]))
    elif message.group_id is not None:
        params["MessageGroupId"] = message.group_id
    try:
        send_to_queue(queue_arn, params)
    except AwsError as problem:
        dead_letter(subscription, params, problem.code, problem.message)


def _fifo_ids(message: Message, body: str) -> dict[str, str]:
    ids = {"MessageGroupId": message.group_id or "default"}
    ids["MessageDeduplicationId"] = message.deduplication_id or hashlib.sha256(body.encode()).hexdigest()
    return ids


def dead_letter(subscription: dict[str, Any], params: dict[str, Any], code: str, error: str) -> None:
    """Move an undeliverable message to the subscription's DLQ, with the error attributes SNS adds."""
    policy = subscription["Attributes"].get("RedrivePolicy")
    if not policy:
        log.info("message to %s dropped: %s %s", subscription["SubscriptionArn"], code, error)
        return
    target = json.loads(policy)["deadLetterTargetArn"]
    attributes = dict(params.get("MessageAttributes") or {})
    for name, value in (("ErrorCode", code), ("ErrorMessage", error or code), ("RequestID", _request_id())):
        attributes[name] = {"DataType": "String", "StringValue": value}
    dlq: dict[str, Any] = {"MessageBody": params["MessageBody"], "MessageAttributes": attributes}
    if target.endswith(".fifo"):
        dlq["MessageGroupId"] = params.get("MessageGroupId") or "default"
        dlq["MessageDeduplicationId"] = (
            params.get("MessageDeduplicationId") or hashlib.sha256(params["MessageBody"].encode()).hexdigest()
        )
    try:
        send_to_queue(target, dlq)
    except AwsError as problem:
        log.warning("dead-letter queue %s refused a message: %s", target, problem)


def _request_id() -> str:
    return str(uuid.uuid4())


# -- Lambda -------------------------------------------------------------------------------------


def _deliver_lambda(
    topic: dict[str, Any], subscription: dict[str, Any], message: Message, base_url: str
) -> None:
    document = notification_document(topic, subscription, message, base_url)
    record = function_delivery.event_record(document, subscription["SubscriptionArn"])
    _spawn(_invoke_function(subscription, record, render(document)))


async def _invoke_function(
    subscription: dict[str, Any], record: function_delivery.SnsRecord, envelope: str
) -> None:
    try:
        await function_delivery.invoke(subscription["Endpoint"], record)
    except AwsError as problem:
        dead_letter(subscription, {"MessageBody": envelope}, problem.code, problem.message)


# -- email --------------------------------------------------------------------------------------


def _sender(topic: dict[str, Any]) -> str:
    return f"{topic['Attributes'].get('DisplayName') or 'AWS Notifications'} <no-reply@sns.amazonaws.com>"


def _deliver_email(
    topic: dict[str, Any], subscription: dict[str, Any], message: Message, base_url: str
) -> None:
    if subscription["Protocol"] == "email-json":
        body = notification(topic, subscription, message, base_url)
    else:
        footer = _EMAIL_FOOTER.format(url=unsubscribe_url(base_url, subscription["SubscriptionArn"]))
        body = message.content_for("email") + footer
    emails.capture(
        to=subscription["Endpoint"],
        subject=message.subject or "AWS Notification Message",
        body=body,
        topic_arn=topic["TopicArn"],
        subscription_arn=subscription["SubscriptionArn"],
        sender=_sender(topic),
    )


def send_confirmation(topic: dict[str, Any], subscription: dict[str, Any], base_url: str) -> None:
    """Ask a new subscription's endpoint to confirm (email, email-json, HTTP/S, cross-account SQS)."""
    protocol = subscription["Protocol"]
    message_id = str(uuid.uuid4())
    document = confirmation(topic, subscription, message_id, base_url)
    if protocol == "email":
        url = subscribe_url(base_url, topic["TopicArn"], subscription["Token"])
        body = (
            f"You have chosen to subscribe to the topic: \n{topic['TopicArn']}\n\nTo confirm this subscription, "
            f"click or visit the link below (If this was in error no action is necessary): \n"
            f"Confirm subscription: {url}\n\nPlease do not reply directly to this email. If you have any "
            "questions or comments regarding this email, please contact us at https://aws.amazon.com/support"
        )
    if protocol in ("email", "email-json"):
        emails.capture(
            to=subscription["Endpoint"],
            subject="AWS Notification - Subscription Confirmation",
            body=body if protocol == "email" else document,
            topic_arn=topic["TopicArn"],
            subscription_arn=subscription["SubscriptionArn"],
            sender=_sender(topic),
        )
    elif protocol == "sqs":
        try:
            send_to_queue(subscription["Endpoint"], {"MessageBody": document})
        except AwsError as problem:
            log.info("confirmation to %s failed: %s", subscription["Endpoint"], problem)
    else:
        headers = _http_headers(
            "SubscriptionConfirmation", message_id, topic, None, "text/plain; charset=UTF-8"
        )
        job = HttpJob(subscription["SubscriptionArn"], subscription["Endpoint"], document, headers, [])
        _start(job, confirming=True)


def send_unsubscribe_confirmation(
    topic: dict[str, Any], subscription: dict[str, Any], restore_token: str, base_url: str
) -> None:
    """Tell an HTTP/S endpoint it was unsubscribed, with a token that restores the subscription
    (https://docs.aws.amazon.com/sns/latest/dg/http-unsubscribe-confirmation-json.html)."""
    message_id = str(uuid.uuid4())
    document = confirmation(topic, subscription, message_id, base_url, restore=restore_token)
    arn = subscription["SubscriptionArn"]
    headers = _http_headers("UnsubscribeConfirmation", message_id, topic, arn, "text/plain; charset=UTF-8")
    _start(HttpJob(arn, subscription["Endpoint"], document, headers, []), confirming=True)


# -- HTTP/S -------------------------------------------------------------------------------------


def _http_headers(
    kind: str, message_id: str, topic: dict[str, Any], subscription_arn: str | None, content_type: str
) -> dict[str, str]:
    headers = {
        "x-amz-sns-message-type": kind,
        "x-amz-sns-message-id": message_id,
        "x-amz-sns-topic-arn": topic["TopicArn"],
        "Content-Type": content_type,
        "User-Agent": "Amazon Simple Notification Service Agent",
    }
    if subscription_arn is not None:
        headers["x-amz-sns-subscription-arn"] = subscription_arn
    return headers


def _deliver_http(
    topic: dict[str, Any], subscription: dict[str, Any], message: Message, base_url: str
) -> None:
    policy = subscriptions.effective_delivery_policy(subscription, topic)
    content_type = (policy.get("requestPolicy") or {}).get("headerContentType") or "text/plain; charset=UTF-8"
    arn = subscription["SubscriptionArn"]
    headers = _http_headers("Notification", message.message_id, topic, arn, content_type)
    if subscriptions.is_raw(subscription):
        body = message.content_for(subscription["Protocol"])
        headers["x-amz-sns-rawdelivery"] = "true"
    else:
        body = notification(topic, subscription, message, base_url)
    _start(HttpJob(arn, subscription["Endpoint"], body, headers, retry_delays(policy["healthyRetryPolicy"])))


def _start(job: HttpJob, *, confirming: bool = False) -> None:
    _spawn(_attempt(job, confirming))


def _spawn(work: Coroutine[Any, Any, None]) -> None:
    """Run a delivery coroutine on fogbank's event loop, from any thread."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        if _home is not None and _home.is_running():
            _home.call_soon_threadsafe(_spawn, work)
        else:
            asyncio.run(work)
        return
    task = loop.create_task(work)
    _pending.add(task)
    task.add_done_callback(_finished)


def _finished(task: asyncio.Task[Any]) -> None:
    _pending.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.error("delivery failed", exc_info=task.exception())


async def _attempt(job: HttpJob, confirming: bool) -> None:
    started = clock.now()
    loop = asyncio.get_running_loop()
    failure = await loop.run_in_executor(_executor(), _post, job.url, job.body, job.headers)
    if failure is None or confirming:
        return
    subscription = _current(job.subscription_arn)
    if subscription is None:
        return
    error, retryable = failure
    job.last_error = error
    if retryable and job.attempt < len(job.delays):
        # Due relative to the start of the failed attempt, so that advancing the clock right
        # after an endpoint saw a request reliably triggers the retry.
        due = started + job.delays[job.attempt]
        job.attempt += 1
        holder: list[clock.Timer] = []
        holder.append(clock.call_at(due, lambda: _retry(job, holder)))
        _timers[id(holder[0])] = holder[0]
        return
    code = "EndpointUnavailable" if retryable else "EndpointRejected"
    dead_letter(subscription, {"MessageBody": job.body}, code, error)


def _retry(job: HttpJob, holder: list[clock.Timer]) -> None:
    _timers.pop(id(holder[0]), None)
    _start(job)


def _current(subscription_arn: str) -> dict[str, Any] | None:
    try:
        return subscriptions.find(subscription_arn)
    except AwsError:
        return None


def _post(url: str, body: str, headers: dict[str, str]) -> tuple[str, bool] | None:
    """POST a message (in a thread). None when the endpoint answers 2xx; else the failure and
    whether it is retryable: SNS retries 5xx, 429 and unreachable endpoints, not other answers
    (https://docs.aws.amazon.com/sns/latest/dg/SendMessageToHttp.https.html)."""
    target, opener = _opener(url)
    request = urllib.request.Request(target, data=body.encode(), headers=headers, method="POST")
    try:
        with opener.open(request, timeout=HTTP_TIMEOUT) as response:
            response.read()
            return None
    except urllib.error.HTTPError as problem:
        problem.close()
        return f"HTTP {problem.code}", problem.code >= 500 or problem.code == 429
    except (urllib.error.URLError, OSError, ValueError) as problem:
        return f"Unable to reach the endpoint: {problem}", True


def _opener(url: str) -> tuple[str, urllib.request.OpenerDirector]:
    """Credentials in the URL (`https://user:password@host/`) answer Basic or Digest challenges
    (a 401 with WWW-Authenticate), as SNS does; they never travel in the URL itself."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is None:
        return url, _PLAIN
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc += f":{parts.port}"
    target = urllib.parse.urlunsplit(parts._replace(netloc=netloc))
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    user, password = urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or "")
    passwords.add_password(None, target, user, password)
    handlers = (
        urllib.request.HTTPBasicAuthHandler(passwords),
        urllib.request.HTTPDigestAuthHandler(passwords),
    )
    return target, urllib.request.build_opener(*handlers)


_PLAIN = urllib.request.build_opener()


def _executor() -> ThreadPoolExecutor:
    """SNS's own threads for HTTP/S POSTs, so that slow endpoints never starve the event loop's
    default executor that other services use."""
    global _threads
    if _threads is None:
        _threads = ThreadPoolExecutor(max_workers=HTTP_THREADS, thread_name_prefix="sns-http")
    return _threads


def stop() -> None:
    """Cancel pending retries and in-flight deliveries (shutdown and reset)."""
    global _threads
    if _threads is not None:
        _threads.shutdown(wait=False, cancel_futures=True)
        _threads = None
    for timer in list(_timers.values()):
        timer.cancel()
    _timers.clear()
    for task in list(_pending):
        task.cancel()


_DELIVERERS = {
    "sqs": _deliver_sqs,
    "http": _deliver_http,
    "https": _deliver_http,
    "email": _deliver_email,
    "email-json": _deliver_email,
    "lambda": _deliver_lambda,
}
