"""Model validation through a running server, for a `json` service (SQS) and a `query` service
(STS): clients with their own validation switched off send invalid input; fogbank answers the
service's validation error in AWS's message style before any provider code runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import botocore.exceptions
import pytest

from fogbank.services.sqs.provider import SqsProvider

NO_CLIENT_VALIDATION = {"parameter_validation": False}


def _error(call: Callable[[], Any]) -> dict[str, Any]:
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        call()
    return raised.value.response  # type: ignore[no-any-return]


def test_create_queue_missing_name_answers_validation_error(client_factory: Callable[..., Any]) -> None:
    sqs = client_factory("sqs", **NO_CLIENT_VALIDATION)
    error = _error(lambda: sqs.create_queue())
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Message"] == (
        "1 validation error detected: Value null at 'queueName' failed to satisfy constraint: "
        "Member must not be null"
    )
    # The code is the one SQS declares for model validation (the protocol's default otherwise).
    assert error["Error"]["Code"] == (SqsProvider.validation_error_code or "ValidationException")


def test_send_message_batch_missing_members_answers_each_problem(client_factory: Callable[..., Any]) -> None:
    """Several problems are counted and joined, in model order, with nested paths."""
    sqs = client_factory("sqs", **NO_CLIENT_VALIDATION)
    error = _error(
        lambda: sqs.send_message_batch(
            QueueUrl="http://localhost/000000000000/none", Entries=[{"Id": "a"}, {"MessageBody": "x"}]
        )
    )
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Message"] == (
        "2 validation errors detected: "
        "Value null at 'entries.1.member.messageBody' failed to satisfy constraint: Member must not be null; "
        "Value null at 'entries.2.member.id' failed to satisfy constraint: Member must not be null"
    )


def test_assume_role_out_of_bounds_answers_validation_error(client_factory: Callable[..., Any]) -> None:
    sts = client_factory("sts", **NO_CLIENT_VALIDATION)
    error = _error(
        lambda: sts.assume_role(
            RoleArn="arn:aws:iam::000000000000:role/r", RoleSessionName="s", DurationSeconds=60
        )
    )
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Code"] == "ValidationError"
    assert error["Error"]["Type"] == "Sender"
    assert error["Error"]["Message"] == (
        "2 validation errors detected: "
        "Value 's' at 'roleSessionName' failed to satisfy constraint: "
        "Member must have length greater than or equal to 2; "
        "Value '60' at 'durationSeconds' failed to satisfy constraint: "
        "Member must have value greater than or equal to 900"
    )


def test_assume_role_missing_members_answers_validation_error(client_factory: Callable[..., Any]) -> None:
    sts = client_factory("sts", **NO_CLIENT_VALIDATION)
    error = _error(lambda: sts.assume_role())
    assert error["Error"]["Code"] == "ValidationError"
    assert error["Error"]["Message"] == (
        "2 validation errors detected: "
        "Value null at 'roleArn' failed to satisfy constraint: Member must not be null; "
        "Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null"
    )
