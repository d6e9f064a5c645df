"""PutTargets checks: the settings fogbank honours for a target, and a clear per-target failure
for the ones it cannot honour yet (never a silent acceptance)."""

from __future__ import annotations

import json
from typing import Any

from fogbank.events import inputs, targets
from fogbank.services.events import api_destinations
from fogbank.services.events.errors import ValidationException

MAX_TARGETS_PER_RULE = 5
UNSUPPORTED_PARAMETERS = (
    "RunCommandParameters",
    "EcsParameters",
    "BatchParameters",
    "RedshiftDataParameters",
    "SageMakerPipelineParameters",
    "AppSyncParameters",
)


def check_request(target: dict[str, Any]) -> None:
    """Errors AWS raises for the whole PutTargets request."""
    given = [name for name in ("Input", "InputPath", "InputTransformer") if target.get(name) is not None]
    if len(given) > 1:
        raise ValidationException(
            f"Only one of Input, InputPath, or InputTransformer must be provided for target {target['Id']}."
        )
    if target.get("Input") is not None:
        try:
            json.loads(target["Input"])
        except ValueError:
            raise ValidationException(f"Input for target {target['Id']} is not a valid JSON text.") from None
    try:
        if target.get("InputPath"):
            inputs.check_path(target["InputPath"])
        if target.get("InputTransformer"):
            inputs.check_transformer(target["InputTransformer"])
    except inputs.InvalidInput as error:
        raise ValidationException(str(error)) from None
    _check_fifo(target)
    dead_letter = (target.get("DeadLetterConfig") or {}).get("Arn")
    if dead_letter and not dead_letter.startswith("arn:aws:sqs:"):
        raise ValidationException(
            "Parameter DeadLetterConfig.Arn is not valid. Reason: Only SQS queues are supported."
        )


def _check_fifo(target: dict[str, Any]) -> None:
    arn = target["Arn"]
    group = (target.get("SqsParameters") or {}).get("MessageGroupId")
    if arn.startswith("arn:aws:sqs:") and arn.endswith(".fifo") and not group:
        raise ValidationException(f"Parameter(s) SqsParameters must be specified for target: {target['Id']}.")
    if group and not (arn.startswith("arn:aws:sqs:") and arn.endswith(".fifo")):
        raise ValidationException(
            f"Parameter(s) SqsParameters not supported for target: {target['Id']}. Only FIFO queues take them."
        )


def failure(target: dict[str, Any]) -> dict[str, str] | None:
    """A per-target failure entry when fogbank cannot deliver to this target as configured."""
    for name in UNSUPPORTED_PARAMETERS:
        if target.get(name):
            return _failed(target, f"{name} is not supported by fogbank yet.")
    if target.get("HttpParameters") and not api_destinations.is_arn(target["Arn"]):
        return _failed(target, "HttpParameters are only supported by fogbank for API destination targets.")
    if api_destinations.is_arn(target["Arn"]):
        return (
            None
            if api_destinations.find(target["Arn"])
            else _failed(target, f"API destination {target['Arn']} does not exist.")
        )
    if target.get("KinesisParameters") and not target["Arn"].startswith("arn:aws:kinesis:"):
        return _failed(target, "KinesisParameters are only valid for Kinesis stream targets.")
    try:
        targets.check(target["Arn"])
    except targets.UnsupportedTarget as error:
        return _failed(target, str(error))
    return None


def _failed(target: dict[str, Any], message: str) -> dict[str, str]:
    return {"TargetId": target["Id"], "ErrorCode": "ValidationException", "ErrorMessage": message}


def stored(target: dict[str, Any]) -> dict[str, Any]:
    """The target as ListTargetsByRule returns it (empty members dropped)."""
    return {name: value for name, value in target.items() if value not in (None, {}, [])}
