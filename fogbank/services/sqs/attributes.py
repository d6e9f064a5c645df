"""Queue attributes: AWS's defaults, validation of the settable ones, and the full view that
GetQueueAttributes returns (settable values plus computed ones).

Limits and defaults: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
"""

from __future__ import annotations

from collections.abc import Callable

from fogbank.services.sqs.errors import InvalidAttributeName, InvalidAttributeValue
from fogbank.services.sqs.redrive import normalize_redrive_allow_policy, normalize_redrive_policy_text

# Settable attribute → inclusive integer range.
INTEGER_RANGES: dict[str, tuple[int, int]] = {
    "DelaySeconds": (0, 900),
    "MaximumMessageSize": (1024, 262144),
    "MessageRetentionPeriod": (60, 1209600),
    "ReceiveMessageWaitTimeSeconds": (0, 20),
    "VisibilityTimeout": (0, 43200),
    "KmsDataKeyReusePeriodSeconds": (60, 86400),
}
STANDARD_DEFAULTS: dict[str, str] = {
    "DelaySeconds": "0",
    "MaximumMessageSize": "262144",
    "MessageRetentionPeriod": "345600",
    "ReceiveMessageWaitTimeSeconds": "0",
    "VisibilityTimeout": "30",
    "SqsManagedSseEnabled": "true",
}
FIFO_DEFAULTS: dict[str, str] = {
    "FifoQueue": "true",
    "ContentBasedDeduplication": "false",
    "DeduplicationScope": "queue",
    "FifoThroughputLimit": "perQueue",
}
FIFO_ONLY = frozenset(FIFO_DEFAULTS)
ENUMS: dict[str, tuple[str, ...]] = {
    "DeduplicationScope": ("messageGroup", "queue"),
    "FifoThroughputLimit": ("perQueue", "perMessageGroupId"),
}
BOOLEANS = frozenset({"FifoQueue", "ContentBasedDeduplication", "SqsManagedSseEnabled"})
COMPUTED = frozenset(
    {
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
        "CreatedTimestamp",
        "LastModifiedTimestamp",
        "QueueArn",
    }
)
SETTABLE = (
    frozenset(INTEGER_RANGES)
    | BOOLEANS
    | FIFO_ONLY
    | {"Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId"}
)


def _invalid(name: str) -> InvalidAttributeValue:
    return InvalidAttributeValue(f"Invalid value for the parameter {name}.")


def _integer(name: str, value: str) -> str:
    low, high = INTEGER_RANGES[name]
    try:
        number = int(value.strip())
    except ValueError:
        raise _invalid(name) from None
    if not low <= number <= high:
        raise _invalid(name)
    return str(number)


def _boolean(name: str, value: str) -> str:
    if value.lower() not in ("true", "false"):
        raise _invalid(name)
    return value.lower()


def _policy(name: str, value: str) -> str:
    import orjson

    if value == "":
        return value
    try:
        document = orjson.loads(value)
    except orjson.JSONDecodeError:
        raise _invalid(name) from None
    if not isinstance(document, dict):
        raise _invalid(name)
    return value


def normalize(
    attributes: dict[str, str],
    *,
    is_fifo: bool,
    creating: bool,
    find_arn: Callable[[str], dict[str, str] | None],
) -> dict[str, str]:
    """Validated, normalized copies of settable attributes (booleans lower-cased, JSON compacted).
    `find_arn` answers the attributes of a queue by ARN (redrive targets) or None."""
    result: dict[str, str] = {}
    for name, value in attributes.items():
        if name in COMPUTED or name not in SETTABLE or (name in FIFO_ONLY and not is_fifo):
            raise InvalidAttributeName(f"Unknown Attribute {name}.")
        if name == "FifoQueue" and not creating:
            raise InvalidAttributeName(f"Unknown Attribute {name}.")
        result[name] = _normalize_one(name, value, is_fifo, find_arn)
    if result.get("SqsManagedSseEnabled") == "true" and result.get("KmsMasterKeyId"):
        raise InvalidAttributeName(
            "You can use one type of server-side encryption (SSE) at one time. You can either enable "
            "KMS SSE or SQS SSE."
        )
    if (
        result.get("FifoThroughputLimit") == "perMessageGroupId"
        and result.get("DeduplicationScope") == "queue"
    ):
        raise InvalidAttributeValue(
            "The perMessageGroupId value is allowed only when the value for DeduplicationScope is messageGroup"
        )
    return result


def _normalize_one(
    name: str, value: str, is_fifo: bool, find_arn: Callable[[str], dict[str, str] | None]
) -> str:
    if name in INTEGER_RANGES:
        return _integer(name, value)
    if name in BOOLEANS:
        return _boolean(name, value)
    if name in ENUMS:
        if value not in ENUMS[name]:
            raise _invalid(name)
        return value
    if name == "Policy":
        return _policy(name, value)
    if name == "RedrivePolicy":
        return normalize_redrive_policy_text(value, is_fifo, find_arn)
    if name == "RedriveAllowPolicy":
        return normalize_redrive_allow_policy(value)
    return value


def stored_defaults(is_fifo: bool) -> dict[str, str]:
    return {**STANDARD_DEFAULTS, **FIFO_DEFAULTS} if is_fifo else dict(STANDARD_DEFAULTS)


def effective(stored: dict[str, str], name: str, is_fifo: bool) -> str | None:
    """The value a settable attribute has now (stored, else its default), or None if unset."""
    value = stored.get(name)
    if value is not None:
        return value
    if name == "SqsManagedSseEnabled" and stored.get("KmsMasterKeyId"):
        return "false"
    if name == "KmsDataKeyReusePeriodSeconds" and stored.get("KmsMasterKeyId"):
        return "300"
    return stored_defaults(is_fifo).get(name)


def check_names(names: list[str]) -> None:
    """GetQueueAttributes names: `All`, or known attributes (FIFO-only ones included)."""
    for name in names:
        if name != "All" and name not in SETTABLE and name not in COMPUTED:
            raise InvalidAttributeName(f"Unknown Attribute {name}.")
