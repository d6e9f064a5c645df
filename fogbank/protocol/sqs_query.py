"""SQS's legacy query protocol: `Action=SendMessage&QueueUrl=...` form requests answered in XML.

botocore's current SQS model speaks JSON only and has lost the query protocol's wire names, so this
codec rebuilds them: it copies the JSON model and adds the flattened names of the 2012-11-05 query
API (`Attribute.N.Name/Value`, `MessageAttribute.N.Value.StringValue`, `AttributeName.N`,
`SendMessageBatchRequestEntry.N.Id`, repeated `<QueueUrl>` elements, ...), then lets the generic
query codec parse and write with them. Requests may also be POSTed to the queue URL itself, whose
path then names the queue. https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/
"""

from __future__ import annotations

import copy
import re
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape

from fogbank.protocol.http import HttpRequest
from fogbank.protocol.models import _loader
from fogbank.protocol.query import QueryCodec
from fogbank.protocol.sqs_json import without_attribute_names

NAMESPACE = "http://queue.amazonaws.com/doc/2012-11-05/"
_QUEUE_PATH = re.compile(r"^/(\d+)/([A-Za-z0-9_.-]+)/?$")

# (structure, member) → legacy element / parameter name.
_MEMBER_NAMES = {
    ("CreateQueueRequest", "Attributes"): "Attribute",
    ("CreateQueueRequest", "tags"): "Tag",
    ("GetQueueAttributesRequest", "AttributeNames"): "AttributeName",
    ("GetQueueAttributesResult", "Attributes"): "Attribute",
    ("SetQueueAttributesRequest", "Attributes"): "Attribute",
    ("ReceiveMessageRequest", "AttributeNames"): "AttributeName",
    ("ReceiveMessageRequest", "MessageAttributeNames"): "MessageAttributeName",
    ("ReceiveMessageRequest", "MessageSystemAttributeNames"): "MessageSystemAttributeName",
    ("ReceiveMessageResult", "Messages"): "Message",
    ("Message", "Attributes"): "Attribute",
    ("Message", "MessageAttributes"): "MessageAttribute",
    ("SendMessageRequest", "MessageAttributes"): "MessageAttribute",
    ("SendMessageRequest", "MessageSystemAttributes"): "MessageSystemAttribute",
    ("SendMessageBatchRequestEntry", "MessageAttributes"): "MessageAttribute",
    ("SendMessageBatchRequestEntry", "MessageSystemAttributes"): "MessageSystemAttribute",
    ("MessageAttributeValue", "StringListValues"): "StringListValue",
    ("MessageAttributeValue", "BinaryListValues"): "BinaryListValue",
    ("MessageSystemAttributeValue", "StringListValues"): "StringListValue",
    ("MessageSystemAttributeValue", "BinaryListValues"): "BinaryListValue",
    ("ListQueuesResult", "QueueUrls"): "QueueUrl",
    ("ListDeadLetterSourceQueuesResult", "queueUrls"): "QueueUrl",
    ("ListQueueTagsResult", "Tags"): "Tag",
    ("TagQueueRequest", "Tags"): "Tag",
    ("UntagQueueRequest", "TagKeys"): "TagKey",
    ("AddPermissionRequest", "AWSAccountIds"): "AWSAccountId",
    ("AddPermissionRequest", "Actions"): "ActionName",
    ("ListMessageMoveTasksResult", "Results"): "ListMessageMoveTasksResultEntry",
}
for _operation in ("SendMessage", "DeleteMessage", "ChangeMessageVisibility"):
    _MEMBER_NAMES[(f"{_operation}BatchRequest", "Entries")] = f"{_operation}BatchRequestEntry"
    _MEMBER_NAMES[(f"{_operation}BatchResult", "Successful")] = f"{_operation}BatchResultEntry"
    _MEMBER_NAMES[(f"{_operation}BatchResult", "Failed")] = "BatchResultErrorEntry"

# Map shape → (key name, value name).
_MAP_NAMES = {
    "QueueAttributeMap": ("Name", "Value"),
    "MessageBodyAttributeMap": ("Name", "Value"),
    "MessageBodySystemAttributeMap": ("Name", "Value"),
    "MessageSystemAttributeMap": ("Name", "Value"),
    "TagMap": ("Key", "Value"),
}


def legacy_model() -> ServiceModel:
    """The JSON model of SQS dressed with the query protocol's names."""
    data = copy.deepcopy(_loader().load_service_model("sqs", "service-2"))
    data["metadata"].update({"protocol": "query", "protocols": ["query"], "xmlNamespace": NAMESPACE})
    for name, operation in data["operations"].items():
        if "output" in operation:
            operation["output"]["resultWrapper"] = f"{name}Result"
    shapes = data["shapes"]
    for (structure, member), name in _MEMBER_NAMES.items():
        reference = shapes[structure]["members"][member]
        reference["locationName"] = name
        target = shapes[reference["shape"]]
        if target["type"] == "list":
            target["member"]["locationName"] = name
            target["flattened"] = True
    for shape_name, (key, value) in _MAP_NAMES.items():
        shapes[shape_name]["key"]["locationName"] = key
        shapes[shape_name]["value"]["locationName"] = value
        shapes[shape_name]["flattened"] = True
    return ServiceModel(data, service_name="sqs")


class SqsQueryCodec(QueryCodec):
    """The generic query codec over the rebuilt legacy model; QueueUrl may come from the path."""

    def __init__(self, service: ServiceModel) -> None:
        super().__init__(legacy_model())

    def parse(self, operation: OperationModel, request: HttpRequest) -> dict[str, Any]:
        params = super().parse(operation, request)
        shape = operation.input_shape
        if shape is not None and "QueueUrl" in shape.members and "QueueUrl" not in params:
            match = _QUEUE_PATH.match(request.path)
            if match:
                params["QueueUrl"] = f"{request.base_url}{request.path.rstrip('/')}"
        return params

    def validate(self, shape: Shape | None, params: dict[str, Any]) -> list[str]:
        return super().validate(shape, without_attribute_names(params))
