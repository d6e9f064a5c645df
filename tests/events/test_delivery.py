"""The shared delivery engine driven directly: retries on the clock with back-off until
MaximumRetryAttempts or MaximumEventAgeInSeconds, immediate dead-lettering of failures that need
the user to act, and the error codes written to the dead-letter queue. The dead-letter queue here
is replaced by recording what would be sent (the SQS path is covered over HTTP in
tests/services/events/test_delivery.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fogbank import clock
from fogbank.errors import AwsError
from fogbank.events import delivery


@pytest.fixture(autouse=True)
def fresh_clock() -> Iterator[None]:
    clock.reset()
    clock._timers.clear()
    yield
    delivery.stop()
    clock.reset()
    clock._timers.clear()


@pytest.fixture
def dead_letters(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(
        delivery, "send_to_queue", lambda arn, params: sent.append({"arn": arn, **params}) or {}
    )
    return sent


class Target:
    """A target that fails with `error` for its first `failures` attempts."""

    def __init__(self, error: AwsError, failures: int) -> None:
        self.error, self.failures, self.calls = error, failures, []

    def __call__(self) -> None:
        self.calls.append(clock.now())
        if len(self.calls) <= self.failures:
            raise self.error


def attempt(target: Target, **options: Any) -> delivery.Attempt:
    options.setdefault("dead_letter_arn", "arn:aws:sqs:us-east-1:000000000000:dlq")
    return delivery.Attempt(
        send=target,
        rule_arn="arn:rule",
        target_arn="arn:target",
        body='{"id": "e"}',
        event_time=clock.now(),
        **options,
    )


def attributes(message: dict[str, Any]) -> dict[str, str]:
    return {name: value["StringValue"] for name, value in message["MessageAttributes"].items()}


def test_submit_throttled_target_retries_with_backoff_then_succeeds(
    dead_letters: list[dict[str, Any]],
) -> None:
    target = Target(AwsError("slow down", code="ThrottlingException"), failures=3)
    start = clock.now()
    delivery.submit(attempt(target))
    assert len(target.calls) == 1
    clock.advance(0.9)
    assert len(target.calls) == 1
    clock.advance(0.2)  # 1 s: first retry
    assert len(target.calls) == 2
    clock.advance(2)  # 2 s later: second retry
    clock.advance(4)  # 4 s later: third retry succeeds
    assert [round(t - start) for t in target.calls] == [0, 1, 3, 7]
    assert dead_letters == []


def test_submit_retries_exhausted_dead_letters_with_attributes(dead_letters: list[dict[str, Any]]) -> None:
    target = Target(AwsError("boom", code="InternalFailure", status=500), failures=100)
    delivery.submit(attempt(target, max_retries=2))
    clock.advance(3600)
    assert len(target.calls) == 3
    assert len(dead_letters) == 1
    assert dead_letters[0]["MessageBody"] == '{"id": "e"}'
    assert attributes(dead_letters[0]) == {
        "RULE_ARN": "arn:rule",
        "TARGET_ARN": "arn:target",
        "ERROR_CODE": "UNKNOWN",
        "ERROR_MESSAGE": "boom",
        "RETRY_ATTEMPTS": "2",
        "EXHAUSTED_RETRY_CONDITION": "MaximumRetryAttempts",
    }


def test_submit_event_too_old_dead_letters_on_age(dead_letters: list[dict[str, Any]]) -> None:
    target = Target(AwsError("slow", code="ThrottlingException"), failures=1000)
    delivery.submit(attempt(target, max_age=60))
    clock.advance(600)
    # back-off 1, 2, 4, 8, 16 s: the next retry (32 s later, at 63 s) would be older than 60 s
    assert len(target.calls) == 6
    assert attributes(dead_letters[0])["EXHAUSTED_RETRY_CONDITION"] == "MaximumEventAgeInSeconds"
    assert attributes(dead_letters[0])["ERROR_CODE"] == "THROTTLING"


def test_submit_missing_resource_dead_letters_without_retry(dead_letters: list[dict[str, Any]]) -> None:
    target = Target(AwsError("gone", code="AWS.SimpleQueueService.NonExistentQueue"), failures=1)
    delivery.submit(attempt(target))
    clock.advance(3600)
    assert len(target.calls) == 1
    assert attributes(dead_letters[0])["ERROR_CODE"] == "NO_RESOURCE"
    assert attributes(dead_letters[0])["RETRY_ATTEMPTS"] == "0"
    assert "EXHAUSTED_RETRY_CONDITION" not in attributes(dead_letters[0])


def test_submit_without_dead_letter_queue_drops_event(dead_letters: list[dict[str, Any]]) -> None:
    target = Target(AwsError("gone", code="ResourceNotFoundException"), failures=1)
    delivery.submit(attempt(target, dead_letter_arn=None))
    clock.advance(3600)
    assert len(target.calls) == 1
    assert dead_letters == []


def test_error_code_maps_aws_errors_to_dead_letter_codes() -> None:
    assert delivery.error_code(AwsError("", code="AccessDeniedException")) == "NO_PERMISSIONS"
    assert delivery.error_code(AwsError("", code="InvalidParameterValue")) == "INVALID_PARAMETER"
    assert delivery.error_code(AwsError("", code="Other", status=503)) == "THIRD_PARTY_FAILURE"
    assert delivery.error_code(AwsError("", code="Other")) == "SDK_CLIENT_ERROR"
