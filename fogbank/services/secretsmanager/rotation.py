"""Rotation: checking a RotateSecret request, and CancelRotateSecret's bookkeeping.

Rotating a secret means Secrets Manager invoking its Lambda rotation function (createSecret,
setSecret, testSecret, finishSecret) — even with RotateImmediately=false it runs testSecret. fogbank
has no Lambda yet, so every RotateSecret that would invoke a function fails clearly, changing nothing.
https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_lambda.html
"""

from __future__ import annotations

import re
from typing import Any

from fogbank.services.secretsmanager.errors import InvalidParameterException, InvalidRequestException
from fogbank.services.secretsmanager.versions import PENDING, holder_of

Record = dict[str, Any]

_RATE = re.compile(r"rate\((\d+) (hours?|days?)\)")
_DURATION = re.compile(r"(\d+)h")


def check_rules(rules: Record) -> None:
    """RotationRules: either AutomaticallyAfterDays or a ScheduleExpression; a window of 1–24 hours."""
    expression = rules.get("ScheduleExpression")
    if expression and rules.get("AutomaticallyAfterDays"):
        raise InvalidParameterException(
            "You can't specify both AutomaticallyAfterDays and ScheduleExpression in RotationRules."
        )
    if expression and not (_RATE.fullmatch(expression) or expression.startswith("cron(")):
        raise InvalidParameterException(
            f"The schedule expression {expression} is not valid: use rate(N days), rate(N hours) or cron(...)."
        )
    duration = rules.get("Duration")
    if duration:
        match = _DURATION.fullmatch(duration)
        if not match or not 1 <= int(match.group(1)) <= 24:
            raise InvalidParameterException(
                f"The rotation window duration {duration} must be between 1h and 24h."
            )


def start(record: Record, request: Record) -> None:
    """RotateSecret: validate, then fail clearly because the rotation function can't be invoked."""
    if request.get("ExternalSecretRotationMetadata") or request.get("ExternalSecretRotationRoleArn"):
        raise InvalidRequestException("Managed external secret rotation is not supported by fogbank yet.")
    if request.get("RotationRules"):
        check_rules(request["RotationRules"])
    function = request.get("RotationLambdaARN") or record.get("RotationLambdaARN")
    if not function:
        raise InvalidRequestException("No Lambda rotation function ARN is associated with this secret.")
    raise InvalidRequestException(
        f"Rotation functions are not supported by fogbank yet: rotating this secret requires invoking the Lambda "
        f"function {function}, and fogbank has no Lambda yet. The secret was not changed."
    )


def cancel(record: Record) -> str | None:
    """CancelRotateSecret turns automatic rotation off; it answers the version of an unfinished rotation
    (the one labelled AWSPENDING), whose label AWS leaves for the caller to remove."""
    record["RotationEnabled"] = False
    record.pop("NextRotationDate", None)
    return holder_of(record, PENDING)
