"""What a published message is: its validation (size, subject, structure, attributes, FIFO ids)
and the JSON documents SNS builds from it (notification and confirmation envelopes).

Formats: https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from fogbank import clock
from fogbank.services.sns.errors import ParameterValueInvalid, ValidationError, invalid

MAX_MESSAGE_BYTES = 256 * 1024
_ATTRIBUTE_NAME = re.compile(r"^[A-Za-z0-9_\-.]+$")
_FIFO_ID = re.compile(r"^[\x21-\x7e]{1,128}$")  # alphanumerics and punctuation


@dataclass(slots=True)
class Message:
    """One message as published, ready to be formatted for each subscription."""

    message: str
    subject: str | None = None
    structure: dict[str, str] | None = None  # MessageStructure=json: protocol → message
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)
    group_id: str | None = None
    deduplication_id: str | None = None
    message_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    sequence_number: str | None = None
    timestamp: float = field(default_factory=clock.now)

    @property
    def delivered_attributes(self) -> dict[str, dict[str, Any]]:
        """Attributes travel with the message only when it is a plain string, not a JSON structure
        (https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html); filters still see them."""
        return self.attributes if self.structure is None else {}

    def content_for(self, protocol: str) -> str:
        """The text a protocol receives: its own key of a JSON structure, else `default`."""
        if self.structure is None:
            return self.message
        return self.structure.get(protocol, self.structure["default"])


def timestamp_text(epoch: float) -> str:
    """SNS timestamps: ISO 8601 in UTC with milliseconds (`2019-11-03T23:28:01.631Z`)."""
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


# -- validation ---------------------------------------------------------------------------------


def check_subject(subject: str | None) -> None:
    """Subjects are 1-100 printable ASCII characters without line breaks (Publish API reference)."""
    if subject is None:
        return
    if not subject or len(subject) > 100 or not all(32 <= ord(char) < 127 for char in subject):
        raise invalid("Subject")


def parse_structure(message: str, structure: str | None) -> dict[str, str] | None:
    """MessageStructure=json: the message is a JSON object of protocol → text with a `default`.
    Keys whose values are not strings are ignored, as AWS does."""
    if structure is None:
        return None
    if structure != "json":
        raise invalid("MessageStructure")
    try:
        document = json.loads(message)
    except ValueError:
        raise invalid("Message Structure - JSON message body failed to parse") from None
    if not isinstance(document, dict):
        raise invalid("Message Structure - JSON message body failed to parse")
    texts = {key: value for key, value in document.items() if isinstance(value, str)}
    if "default" not in texts:
        raise invalid("Message Structure - No default entry in JSON message body")
    return texts


def check_message(message: str | None) -> str:
    if not message:
        raise invalid("Empty message")
    return message


def message_size(message: str, attributes: dict[str, dict[str, Any]]) -> int:
    """Bytes counted against the 256 KiB limit: the message plus every attribute's name, type
    and value (https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html)."""
    size = len(message.encode())
    for name, attribute in attributes.items():
        size += len(name.encode()) + len(str(attribute.get("DataType", "")).encode())
        value = attribute.get("BinaryValue")
        size += (
            len(value) if isinstance(value, bytes) else len(str(attribute.get("StringValue", "")).encode())
        )
    return size


def check_size(message: str, attributes: dict[str, dict[str, Any]]) -> None:
    if message_size(message, attributes) > MAX_MESSAGE_BYTES:
        raise invalid("Message too long")


def check_attributes(attributes: dict[str, dict[str, Any]], entry: int | None = None) -> None:
    """Message attributes: names, data types String/Number/Binary (with custom suffixes) and
    String.Array, and a non-empty value in the field the type requires."""
    for name, attribute in attributes.items():
        _check_attribute_name(name)
        data_type = attribute.get("DataType")
        if data_type is None:
            where = f"publishBatchRequestEntries.{entry}.member." if entry else ""
            raise ValidationError(
                f"1 validation error detected: Value null at '{where}messageAttributes.{name}.member.dataType' "
                "failed to satisfy constraint: Member must not be null"
            )
        _check_attribute_value(name, data_type, attribute)


def _check_attribute_name(name: str) -> None:
    if len(name.encode()) > 256:
        raise ParameterValueInvalid("Length of message attribute name must be less than 256 bytes.")
    if name.startswith("."):
        raise ParameterValueInvalid("Invalid message attribute name starting with character '.' was found.")
    if name.lower().startswith(("aws.", "amazon.")):
        raise ParameterValueInvalid(
            f"Invalid message attribute name '{name}': names starting with 'AWS.' or 'Amazon.' are reserved."
        )
    if name.endswith("."):
        raise ParameterValueInvalid("Invalid message attribute name ending with character '.' was found.")
    if not _ATTRIBUTE_NAME.match(name):
        bad = next(char for char in name if not re.match(r"[A-Za-z0-9_\-.]", char))
        raise ParameterValueInvalid(
            f"Invalid non-alphanumeric character '#x{ord(bad):X}' was found in the message attribute name. "
            "Can only include alphanumeric characters, hyphens, underscores, or dots."
        )
    if ".." in name:
        raise ParameterValueInvalid("Message attribute name can not have successive '.' character.")


def _check_attribute_value(name: str, data_type: str, attribute: dict[str, Any]) -> None:
    base = data_type.split(".", 1)[0]
    if base not in ("String", "Number", "Binary"):
        raise ParameterValueInvalid(
            f"The message attribute '{name}' has an invalid message attribute type, the set of supported "
            "type prefixes is Binary, Number, and String."
        )
    field_name = "BinaryValue" if base == "Binary" else "StringValue"
    if "StringValue" not in attribute and "BinaryValue" not in attribute:
        raise ParameterValueInvalid(
            f"The message attribute '{name}' must contain non-empty message attribute value for message "
            f"attribute type '{data_type}'."
        )
    if field_name not in attribute:
        raise ParameterValueInvalid(
            f"The message attribute '{name}' with type '{data_type}' must use field '{field_name[:-5]}'."
        )
    value = attribute[field_name]
    if value in ("", b""):
        raise ParameterValueInvalid(
            f"The message attribute '{name}' must contain non-empty message attribute value for message "
            f"attribute type '{data_type}'."
        )
    if base == "Number":
        _check_number(name, value)
    elif data_type == "String.Array":
        _check_string_array(name, value)


def _check_number(name: str, value: str) -> None:
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if number != number or abs(number) == float("inf"):
        raise ParameterValueInvalid(f"Could not cast message attribute '{name}' value to number.")


def _check_string_array(name: str, value: str) -> None:
    try:
        items = json.loads(value)
    except ValueError:
        items = None
    if not isinstance(items, list) or any(isinstance(item, dict | list) for item in items):
        raise ParameterValueInvalid(
            f"Invalid attribute value '{value}' for message attribute '{name}' of type 'String.Array': "
            "the value must be a JSON array of strings, numbers, true, false or null."
        )


def check_fifo_id(name: str, value: str | None) -> None:
    if value is not None and not _FIFO_ID.match(value):
        raise invalid(
            f"{name} Reason: {name} can only include alphanumeric and punctuation characters. "
            "1 to 128 in length."
        )


# -- envelopes ----------------------------------------------------------------------------------


def envelope_attributes(attributes: dict[str, dict[str, Any]]) -> dict[str, dict[str, str]]:
    """Message attributes inside a JSON envelope: `{"Type": ..., "Value": ...}`, binaries in base64."""
    result = {}
    for name, attribute in attributes.items():
        binary = attribute.get("BinaryValue")
        value = (
            base64.b64encode(binary).decode() if isinstance(binary, bytes) else attribute.get("StringValue")
        )
        result[name] = {"Type": attribute["DataType"], "Value": value}
    return result


def subscribe_url(base_url: str, topic_arn: str, token: str) -> str:
    return f"{base_url}/?Action=ConfirmSubscription&TopicArn={quote(topic_arn, safe=':')}&Token={token}"


def unsubscribe_url(base_url: str, subscription_arn: str) -> str:
    return f"{base_url}/?Action=Unsubscribe&SubscriptionArn={quote(subscription_arn, safe=':')}"


def render(document: dict[str, Any]) -> str:
    """JSON laid out as SNS sends it: one `"Key" : value` per line, nested values compact."""
    lines = [
        f"  {json.dumps(key)} : {json.dumps(value, separators=(',', ':'), ensure_ascii=False)}"
        for key, value in document.items()
    ]
    return "{\n" + ",\n".join(lines) + "\n}"
