"""DynamoDB's JSON protocol: the generic JSON codec with DynamoDB's own error namespace, and
attribute values passed through in their wire form.

DynamoDB answers errors as `com.amazonaws.dynamodb.v20120810#Code`, not the endpoint-prefix form
the generic codec builds. Attribute values (`{"S": "x"}`, `{"B": "<base64>"}`) stay exactly as the
client sent them: the DynamoDB provider validates and normalises them itself (it must answer
DynamoDB's own messages, e.g. "Supplied AttributeValue is empty, ..."), stores them in that form and
returns them untouched, so no request or response walks every attribute twice.
"""

from __future__ import annotations

import functools
from typing import Any

from botocore.model import ServiceModel, Shape

from fogbank.protocol.documents import passthrough
from fogbank.protocol.json_rpc import JsonCodec


class DynamoDbJsonCodec(JsonCodec):
    def __init__(self, service: ServiceModel) -> None:
        super().__init__(service)
        self.error_namespace = "com.amazonaws.dynamodb.v20120810#"
        # Seed the compiled-shape caches: AttributeValue (recursive) reads and writes as is.
        self.reader._cache["AttributeValue"] = passthrough
        self.writer._cache["AttributeValue"] = None

    def validate(self, shape: Shape | None, params: dict[str, Any]) -> list[str]:
        """Model checks, except inside top-level attribute maps (Item, Key, ExpressionAttributeValues,
        ExclusiveStartKey): the provider validates those values itself, with DynamoDB's messages."""
        if shape is None:
            return []
        sent = _attribute_members(shape).intersection(params)
        if sent:
            # A copy with those maps emptied (`copy` then assignment: 0.3 -> 0.15 us for PutItem).
            params = params.copy()
            for name in sent:
                params[name] = {}
        return super().validate(shape, params)


@functools.cache
def _attribute_members(shape: Shape) -> frozenset[str]:
    """The members of an input shape that are maps of attribute values."""
    return frozenset(
        name
        for name, member in shape.members.items()
        if member.type_name == "map" and member.value.name == "AttributeValue"
    )
