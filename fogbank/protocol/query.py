"""The `query` and `ec2` protocols: form-encoded `Action=...` requests, XML responses.

Input names follow botocore's query serializer: `Member.member.N` lists (`Member.N` when
flattened), `Member.entry.N.key` maps; EC2 always flattens and prefers `queryName`.
"""

from __future__ import annotations

from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape

from fogbank.errors import AwsError
from fogbank.protocol.codec import Codec
from fogbank.protocol.http import HttpRequest, HttpResponse
from fogbank.protocol.rest import read_scalar
from fogbank.protocol.xml import XmlWriter, error_fields_xml, escape


class MalformedInput(AwsError):
    code = "MalformedInput"


class QueryCodec(Codec):
    protocol = "query"
    ec2 = False

    def __init__(self, service: ServiceModel) -> None:
        super().__init__(service)
        self.namespace = self.metadata.get("xmlNamespace", "")
        self.writer = XmlWriter()
        self._tables: dict[Shape, tuple[tuple[str, str, Shape], ...]] = {}

    def validation_error_code(self) -> str:
        return "ValidationError"

    # -- requests ------------------------------------------------------------------------------

    def form(self, request: HttpRequest) -> dict[str, str]:
        return request.form()

    def find_operation(self, request: HttpRequest) -> OperationModel:
        action = self.form(request).get("Action", "")
        operation = self.operation(action)
        if operation is None:
            raise AwsError(
                f"The action {action} is not valid for this web service." if action else "Missing Action",
                code="InvalidAction" if action else "MissingAction",
            )
        return operation

    def parse(self, operation: OperationModel, request: HttpRequest) -> dict[str, Any]:
        shape = operation.input_shape
        if shape is None:
            return {}
        form = self.form(request)
        prefixes = set(form)
        for key in form:
            end = key.rfind(".")
            while end > 0:
                prefixes.add(key[:end])
                end = key.rfind(".", 0, end)
        return self._structure(shape, "", form, prefixes)

    def _members(self, shape: Shape) -> tuple[tuple[str, str, Shape], ...]:
        """(member name, wire name, member shape) of a structure, computed once per shape."""
        found = self._tables.get(shape)
        if found is None:
            found = self._tables[shape] = tuple(
                (name, self._name(member, name), member) for name, member in shape.members.items()
            )
        return found

    def _name(self, member: Shape, default: str) -> str:
        if not self.ec2 and member.type_name == "list" and member.serialization.get("flattened"):
            # A flattened list takes its member's name (SimpleDB's `Items` are sent as `Item.N`).
            inner = member.member.serialization.get("name")
            if inner:
                return str(inner)
        if self.ec2:
            query_name = member.serialization.get("queryName")
            if query_name:
                return str(query_name)
            name = member.serialization.get("name")
            return name[0].upper() + name[1:] if name else default
        return str(member.serialization.get("name", default))

    def _structure(
        self, shape: Shape, prefix: str, form: dict[str, str], prefixes: set[str]
    ) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for name, wire, member in self._members(shape):
            key = prefix + wire
            if key not in prefixes:
                continue
            value = self._value(member, key, form, prefixes)
            if value is not None:
                result[name] = value
        return result

    def _value(self, shape: Shape, key: str, form: dict[str, str], prefixes: set[str]) -> Any:
        kind = shape.type_name
        if kind == "structure":
            return self._structure(shape, key + ".", form, prefixes)
        if kind == "list":
            if form.get(key) == "":
                return []
            member = shape.member
            if self.ec2 or shape.serialization.get("flattened"):
                item_prefix = key
                if not self.ec2 and member.serialization.get("name"):
                    item_prefix = key.rpartition(".")[0]
                    item_prefix = (item_prefix + "." if item_prefix else "") + member.serialization["name"]
            else:
                item_prefix = f"{key}.{member.serialization.get('name', 'member')}"
            items = []
            index = 1
            while f"{item_prefix}.{index}" in prefixes:
                items.append(self._value(member, f"{item_prefix}.{index}", form, prefixes))
                index += 1
            return items
        if kind == "map":
            base = key if shape.serialization.get("flattened") else f"{key}.entry"
            key_name = shape.key.serialization.get("name", "key")
            value_name = shape.value.serialization.get("name", "value")
            entries = {}
            index = 1
            while f"{base}.{index}" in prefixes:
                entry_key = form.get(f"{base}.{index}.{key_name}")
                if entry_key is not None:
                    entries[entry_key] = self._value(
                        shape.value,
                        f"{base}.{index}.{value_name}",
                        form,
                        prefixes,
                    )
                index += 1
            return entries
        text = form.get(key)
        if text is None:
            return None
        try:
            return read_scalar(shape, text, "iso8601")
        except AwsError:
            raise AwsError(
                f"Value ({text}) for parameter {key} is invalid.", code=self.validation_error_code()
            ) from None

    # -- responses -----------------------------------------------------------------------------

    def serialize(self, operation: OperationModel, result: dict[str, Any], request_id: str) -> HttpResponse:
        name = operation.name
        out = [f'<{name}Response xmlns="{self.namespace}">']
        shape = operation.output_shape
        if self.ec2:
            out.append(f"<requestId>{request_id}</requestId>")
            if shape is not None:
                self.writer.members(shape, result, out)
        else:
            if shape is not None:
                wrapper = operation.output_shape.serialization.get("resultWrapper") or f"{name}Result"
                out.append(f"<{wrapper}>")
                self.writer.members(shape, result, out)
                out.append(f"</{wrapper}>")
            out.append(f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>")
        out.append(f"</{name}Response>")
        return HttpResponse(
            200, {"content-type": "text/xml", "x-amzn-requestid": request_id}, "".join(out).encode()
        )

    def serialize_error(
        self, error: AwsError, operation: OperationModel | None, request_id: str, request: HttpRequest
    ) -> HttpResponse:
        code = escape(self.query_error_code(error))
        message = escape(error.message)
        extra = error_fields_xml(self.writer, self.error_shapes.get(error.code), error.fields)
        if self.ec2:
            body = (
                f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message>{extra}</Error>"
                f"</Errors><RequestID>{request_id}</RequestID></Response>"
            )
        else:
            fault = "Sender" if error.sender_fault else "Receiver"
            body = (
                f'<ErrorResponse xmlns="{self.namespace}"><Error><Type>{fault}</Type><Code>{code}</Code>'
                f"<Message>{message}</Message>{extra}</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
            )
        headers = {"content-type": "text/xml", "x-amzn-requestid": request_id, **error.headers}
        return HttpResponse(error.status, headers, body.encode())


class Ec2Codec(QueryCodec):
    protocol = "ec2"
    ec2 = True

    def __init__(self, service: ServiceModel) -> None:
        super().__init__(service)
        # EC2 answers `xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"`; the model omits the slash.
        if self.namespace and not self.namespace.endswith("/"):
            self.namespace += "/"
