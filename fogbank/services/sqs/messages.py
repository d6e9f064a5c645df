"""SQS messages: the stored record, checking and building a message from a send request, receipt
handles, and the view ReceiveMessage returns (system and message attributes, their MD5s).

Rules: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
and https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html
"""

from __future__ import annotations

import base64
import binascii
import random
import re
from dataclasses import dataclass, field
from typing import Any

from fogbank.ids import ordered_uuid
from fogbank.services.sqs.errors import (
    InvalidAttributeName,
    InvalidMessageContents,
    InvalidParameterValue,
    MissingParameter,
    ReceiptHandleIsInvalid,
    invalid_parameter,
)
from fogbank.services.sqs.md5 import md5_of_attributes, md5_of_body

# Characters SQS accepts in bodies and attribute values (the XML 1.0 character set), written as
# the characters outside it: the same matches for every code point, and compiling the negated
# class over the whole Unicode range cost 58 M instructions at start-up, this one 4 M.
_INVALID_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ATTRIBUTE_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,256}$")
MAX_ATTRIBUTES = 10


@dataclass(slots=True)
class Message:
    """One stored message. Times are epoch seconds on fogbank's clock; binary attribute values
    are kept as base64 text (records are JSON)."""

    id: str
    body: str
    md5_body: str
    sent: float
    visible_at: float
    order: int
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)
    md5_attributes: str | None = None
    trace_header: str | None = None
    md5_system: str | None = None
    sender: str = ""
    receive_count: int = 0
    first_receive: float = 0.0
    received_at: float = 0.0  # start of the current in-flight period
    receipt: str = ""
    group_id: str | None = None
    dedup_id: str | None = None
    sequence_number: str | None = None
    dead_letter_source: str | None = None


def check_body(body: str | None) -> str:
    if not body:
        raise MissingParameter("The request must contain the parameter MessageBody.")
    if _INVALID_CHARACTERS.search(body):
        raise InvalidMessageContents(
            "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | "
            "#xE000 to #xFFFD | #x10000 to #x10FFFF"
        )
    return body


def _check_attribute_name(name: str) -> None:
    lowered = name.lower()
    if (
        not _ATTRIBUTE_NAME.match(name)
        or lowered.startswith("aws.")
        or lowered.startswith("amazon.")
        or name.startswith(".")
        or name.endswith(".")
        or ".." in name
    ):
        raise InvalidParameterValue(
            f"Message (user) attribute name '{name}' is invalid. The attribute name can contain A-Z, a-z, "
            "0-9, underscore (_), hyphen (-), and period (.) characters."
        )


def _stored_value(name: str, value: dict[str, Any], kind: str) -> dict[str, Any]:
    """Check one attribute value and answer it in stored form; `kind` is `message` or `system`."""
    data_type = value.get("DataType") or ""
    base = data_type.partition(".")[0]
    label = "Message (user)" if kind == "message" else "Message system"
    if base not in ("String", "Number", "Binary"):
        raise InvalidParameterValue(
            f"The type of message (user) attribute '{name}' is invalid. You must use only the following "
            "supported type prefixes: Binary, Number, String."
        )
    if value.get("StringListValues") or value.get("BinaryListValues"):
        raise InvalidParameterValue(
            f"{label} attribute '{name}': StringListValue and BinaryListValue are reserved for future use "
            "and are not supported."
        )
    if base == "Binary":
        blob = value.get("BinaryValue")
        if not blob:
            raise InvalidParameterValue(
                f"{label} attribute '{name}' must contain a non-empty value of message attribute type '{data_type}'."
            )
        return {"DataType": data_type, "BinaryValue": base64.b64encode(blob).decode()}
    text = value.get("StringValue")
    if not text:
        raise InvalidParameterValue(
            f"{label} attribute '{name}' must contain a non-empty value of message attribute type '{data_type}'."
        )
    if _INVALID_CHARACTERS.search(text):
        raise InvalidMessageContents(f"{label} attribute '{name}' contains invalid characters.")
    if base == "Number":
        _check_number(name, text)
    return {"DataType": data_type, "StringValue": text}


def _check_number(name: str, text: str) -> None:
    try:
        float(text)
    except ValueError:
        raise InvalidParameterValue(
            f"Can't cast the value of message (user) attribute '{name}' to a number."
        ) from None


def stored_attributes(attributes: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    if not attributes:
        return {}
    if len(attributes) > MAX_ATTRIBUTES:
        raise InvalidParameterValue(
            f"Number of message attributes [{len(attributes)}] exceeds the allowed maximum [{MAX_ATTRIBUTES}]."
        )
    result = {}
    for name, value in attributes.items():
        _check_attribute_name(name)
        result[name] = _stored_value(name, value or {}, "message")
    return result


def stored_trace_header(system: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """The only system attribute a sender may set is AWSTraceHeader (a String)."""
    if not system:
        return {}
    result = {}
    for name, value in system.items():
        if name != "AWSTraceHeader":
            raise InvalidParameterValue(f"Message system attribute name '{name}' is invalid.")
        stored = _stored_value(name, value or {}, "system")
        if stored["DataType"] != "String":
            raise InvalidParameterValue(f"Message system attribute '{name}' must be of type String.")
        result[name] = stored
    return result


def message_size(body: str, attributes: dict[str, dict[str, Any]]) -> int:
    """Body plus attribute names, types and values, as SQS counts against MaximumMessageSize."""
    size = len(body.encode("utf-8"))
    for name, value in attributes.items():
        size += len(name.encode("utf-8")) + len(value["DataType"].encode("utf-8"))
        if "BinaryValue" in value:
            size += len(base64.b64decode(value["BinaryValue"]))
        else:
            size += len(value["StringValue"].encode("utf-8"))
    return size


def entry_size(entry: dict[str, Any]) -> int:
    """The size a send request entry counts toward a batch's limit (before any validation, so an
    invalid entry fails on its own, not the whole batch)."""
    size = len(str(entry.get("MessageBody") or "").encode("utf-8"))
    for name, value in (entry.get("MessageAttributes") or {}).items():
        value = value or {}
        size += len(name.encode("utf-8")) + len(str(value.get("DataType") or "").encode("utf-8"))
        blob = value.get("BinaryValue")
        size += (
            len(blob) if isinstance(blob, bytes) else len(str(value.get("StringValue") or "").encode("utf-8"))
        )
    return size


def check_delay(delay: int) -> None:
    if not 0 <= delay <= 900:
        raise invalid_parameter("DelaySeconds", delay, "DelaySeconds must be >= 0 and <= 900.")


def build(entry: dict[str, Any], *, max_size: int, now: float, sender: str) -> Message:
    """A new message (not yet stored or scheduled) from a SendMessage request or batch entry."""
    body = check_body(entry.get("MessageBody"))
    attributes = stored_attributes(entry.get("MessageAttributes"))
    system = stored_trace_header(entry.get("MessageSystemAttributes"))
    if message_size(body, attributes) > max_size:
        raise InvalidParameterValue(
            f"One or more parameters are invalid. Reason: Message must be shorter than {max_size} bytes."
        )
    trace = system.get("AWSTraceHeader")
    return Message(
        id=ordered_uuid(),  # messages are stored by id: in key order, they append
        body=body,
        md5_body=md5_of_body(body),
        sent=now,
        visible_at=now,
        order=0,
        attributes=attributes,
        md5_attributes=md5_of_attributes(attributes),
        trace_header=trace["StringValue"] if trace else None,
        md5_system=md5_of_attributes(system),
        sender=sender,
    )


# -- receipt handles ---------------------------------------------------------------------------


def new_receipt(message: Message, queue_arn: str) -> str:
    """A fresh receipt handle for this receive; only the latest one is remembered on the message."""
    nonce = f"{random.getrandbits(72):018x}"
    message.receipt = nonce
    return base64.b64encode(f"{queue_arn} {message.id} {nonce}".encode()).decode()


def read_receipt(handle: str, queue_arn: str) -> tuple[str, str]:
    """The message id and nonce inside a receipt handle issued by this queue."""
    try:
        arn, message_id, nonce = base64.b64decode(handle, validate=True).decode().split(" ")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ReceiptHandleIsInvalid(
            f'The input receipt handle "{handle}" is not a valid receipt handle.'
        ) from None
    if arn != queue_arn:
        raise ReceiptHandleIsInvalid(f'The input receipt handle "{handle}" is not a valid receipt handle.')
    return message_id, nonce


# -- the received view -------------------------------------------------------------------------

SYSTEM_ATTRIBUTES = (
    "SenderId",
    "SentTimestamp",
    "ApproximateReceiveCount",
    "ApproximateFirstReceiveTimestamp",
    "SequenceNumber",
    "MessageDeduplicationId",
    "MessageGroupId",
    "AWSTraceHeader",
    "DeadLetterQueueSourceArn",
)


def check_system_names(names: set[str]) -> None:
    """ReceiveMessage's AttributeNames and MessageSystemAttributeNames: system attribute names,
    `All`, or (legacy, ignored) queue attribute names."""
    from fogbank.services.sqs.attributes import COMPUTED, SETTABLE

    for name in names:
        if name != "All" and name not in SYSTEM_ATTRIBUTES and name not in SETTABLE and name not in COMPUTED:
            raise InvalidAttributeName(f"Unknown Attribute {name}.")


def system_attributes(message: Message, names: set[str]) -> dict[str, str]:
    """The requested system attributes that apply to this message (`All` for all of them)."""
    every = "All" in names
    values = {
        "SenderId": message.sender,
        "SentTimestamp": str(int(message.sent * 1000)),
        "ApproximateReceiveCount": str(message.receive_count),
        "ApproximateFirstReceiveTimestamp": str(int(message.first_receive * 1000)),
        "SequenceNumber": message.sequence_number,
        "MessageDeduplicationId": message.dedup_id,
        "MessageGroupId": message.group_id,
        "AWSTraceHeader": message.trace_header,
        "DeadLetterQueueSourceArn": message.dead_letter_source,
    }
    return {name: value for name, value in values.items() if value is not None and (every or name in names)}


def select_attributes(message: Message, names: list[str]) -> dict[str, dict[str, Any]]:
    """Message attributes matching `All`, `.*`, exact names or `prefix.*` patterns."""
    if not message.attributes or not names:
        return {}
    if "All" in names or ".*" in names:
        return message.attributes
    prefixes = tuple(name[:-1] for name in names if name.endswith(".*"))
    exact = set(names)
    return {
        name: value
        for name, value in message.attributes.items()
        if name in exact or (prefixes and name.startswith(prefixes))
    }


def wire_attributes(stored: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Stored attributes in the provider's output form (binary values as bytes)."""
    result = {}
    for name, value in stored.items():
        if "BinaryValue" in value:
            result[name] = {
                "DataType": value["DataType"],
                "BinaryValue": base64.b64decode(value["BinaryValue"]),
            }
        else:
            result[name] = value
    return result


def received_view(
    message: Message, handle: str, system_names: set[str], attribute_names: list[str]
) -> dict[str, Any]:
    view: dict[str, Any] = {
        "MessageId": message.id,
        "ReceiptHandle": handle,
        "MD5OfBody": message.md5_body,
        "Body": message.body,
    }
    if system_names:
        chosen = system_attributes(message, system_names)
        if chosen:
            view["Attributes"] = chosen
    selected = select_attributes(message, attribute_names)
    if selected:
        view["MessageAttributes"] = wire_attributes(selected)
        view["MD5OfMessageAttributes"] = (
            message.md5_attributes if selected is message.attributes else md5_of_attributes(selected)
        )
    return view
