"""HTTP/S delivery policies: the checks AWS applies to a topic's or a subscription's DeliveryPolicy
(https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html): retry counts and
delays within their ranges, a known backoff function, at most one hour of retrying."""

from __future__ import annotations

import json
from typing import Any

MAX_RETRY_SECONDS = 3600
BACKOFF_FUNCTIONS = ("arithmetic", "exponential", "geometric", "linear")
_RETRY_FIELDS = (
    "minDelayTarget",
    "maxDelayTarget",
    "numRetries",
    "numNoDelayRetries",
    "numMinDelayRetries",
    "numMaxDelayRetries",
)


class DeliveryPolicyError(ValueError):
    """An invalid delivery policy; the text follows `DeliveryPolicy: `."""


def parse(text: str, *, topic: bool) -> dict[str, Any]:
    """Parse and check a policy: a topic's has an `http` section with `default...` policies, a
    subscription's has the policies at its top level."""
    try:
        document = json.loads(text)
    except ValueError:
        raise DeliveryPolicyError("failed to parse JSON.") from None
    if not isinstance(document, dict):
        raise DeliveryPolicyError("must be a JSON object")
    if topic:
        http = document.get("http", {})
        if not isinstance(http, dict):
            raise DeliveryPolicyError("http must be a JSON object")
        _check_sections(
            http, "http.", ("defaultHealthyRetryPolicy", "defaultThrottlePolicy", "defaultRequestPolicy")
        )
    else:
        _check_sections(document, "", ("healthyRetryPolicy", "throttlePolicy", "requestPolicy"))
    return document


def _check_sections(container: dict[str, Any], prefix: str, names: tuple[str, str, str]) -> None:
    retry, throttle, request = names
    for name in names:
        if container.get(name) is not None and not isinstance(container[name], dict):
            raise DeliveryPolicyError(f"{prefix}{name} must be a JSON object")
    if container.get(retry):
        check_retry_policy(container[retry], prefix + retry)
    rate = (container.get(throttle) or {}).get("maxReceivesPerSecond")
    if rate is not None and (not isinstance(rate, int) or isinstance(rate, bool) or rate < 1):
        raise DeliveryPolicyError(f"{prefix}{throttle}.maxReceivesPerSecond must be an integer of at least 1")
    content_type = (container.get(request) or {}).get("headerContentType")
    if content_type is not None and not isinstance(content_type, str):
        raise DeliveryPolicyError(f"{prefix}{request}.headerContentType must be a string")


def check_retry_policy(policy: dict[str, Any], where: str) -> None:
    for name in _RETRY_FIELDS:
        value = policy.get(name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            raise DeliveryPolicyError(f"{where}.{name} must be a non-negative integer")
    low, high = policy.get("minDelayTarget", 20), policy.get("maxDelayTarget", 20)
    retries = policy.get("numRetries", 3)
    if not 1 <= low <= high:
        raise DeliveryPolicyError(f"{where}.minDelayTarget must be between 1 and maxDelayTarget")
    if high > MAX_RETRY_SECONDS:
        raise DeliveryPolicyError(f"{where}.maxDelayTarget must be at most {MAX_RETRY_SECONDS}")
    if retries > 100:
        raise DeliveryPolicyError(f"{where}.numRetries must be at most 100")
    phases = sum(
        policy.get(name, 0) for name in ("numNoDelayRetries", "numMinDelayRetries", "numMaxDelayRetries")
    )
    if phases > retries:
        raise DeliveryPolicyError(
            f"{where}.numRetries must be at least the sum of the retries of every phase"
        )
    backoff = policy.get("backoffFunction", "linear")
    if backoff not in BACKOFF_FUNCTIONS:
        raise DeliveryPolicyError(f"{where}.backoffFunction must be one of {', '.join(BACKOFF_FUNCTIONS)}")
    if sum(retry_delays(policy)) > MAX_RETRY_SECONDS:
        raise DeliveryPolicyError(
            f"{where}: the total retry time must be at most {MAX_RETRY_SECONDS} seconds"
        )


def retry_delays(policy: dict[str, Any]) -> list[float]:
    """Seconds before each retry: immediate retries, then retries at the minimum delay, the backoff
    phase (from minimum to maximum delay by the backoff function), then retries at the maximum."""
    low = float(policy.get("minDelayTarget", 20))
    high = max(float(policy.get("maxDelayTarget", 20)), low)
    total = int(policy.get("numRetries", 3))
    immediate = int(policy.get("numNoDelayRetries", 0))
    at_low = int(policy.get("numMinDelayRetries", 0))
    at_high = int(policy.get("numMaxDelayRetries", 0))
    backoff = max(total - immediate - at_low - at_high, 0)
    function = str(policy.get("backoffFunction", "linear"))
    delays = [0.0] * immediate + [low] * at_low
    for step in range(1, backoff + 1):
        delays.append(_backoff(function, low, high, step, backoff))
    return (delays + [high] * at_high)[:total]


def _backoff(function: str, low: float, high: float, step: int, steps: int) -> float:
    if steps <= 1 or high == low:
        return high if steps == 1 else low
    fraction = (step - 1) / (steps - 1)
    if function == "arithmetic":
        fraction = fraction * fraction
    elif function == "geometric":
        fraction = (2 ** (step - 1) - 1) / (2 ** (steps - 1) - 1)
    elif function == "exponential" and low > 0:
        return float(low * (high / low) ** fraction)
    return low + (high - low) * fraction
