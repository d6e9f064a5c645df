"""Shape-driven XML for the `query`, `ec2` and `rest-xml` protocols: writing elements and reading
them back, with botocore's rules for element names, flattened lists and maps, and scalars."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree

from botocore.model import Shape

from fogbank.errors import SerializationException
from fogbank.protocol.values import decode_blob, encode_blob, format_timestamp, parse_timestamp


def escape(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#xD;")
    return text


def escape_attribute(text: str) -> str:
    return escape(text).replace('"', "&quot;")


def member_element_name(member: Shape, member_name: str) -> str:
    """The element name of a structure member (a flattened list takes its member's name)."""
    if member.type_name == "list" and member.serialization.get("flattened"):
        name = member.member.serialization.get("name")
        if name:
            return str(name)
    return str(member.serialization.get("name", member_name))


def scalar_text(shape: Shape, value: Any, timestamp_default: str = "iso8601") -> str:
    kind = shape.type_name
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "timestamp":
        return str(format_timestamp(value, shape.serialization.get("timestampFormat") or timestamp_default))
    if kind == "blob":
        return encode_blob(value)
    if kind in ("float", "double") and isinstance(value, float) and value.is_integer():
        return str(value)
    return escape(str(value))


ElementWriter = Callable[[str, Any, list[str]], None]  # (tag, value, out)
MembersWriter = Callable[[dict[str, Any], list[str]], None]


class XmlWriter:
    """Writes provider dicts as XML text fragments, appended to a list of strings. Each shape's
    writer is compiled once (member tags, flattening, scalar conversions) and reused."""

    def __init__(self, timestamp_default: str = "iso8601") -> None:
        self.timestamp_default = timestamp_default
        # Keyed by the shape object: member references carry their own traits (a list is
        # `flattened` or renamed where it is used), so two uses of one named shape may differ.
        self._elements: dict[Shape, ElementWriter] = {}
        self._members: dict[Shape, MembersWriter] = {}

    def members(self, shape: Shape, value: dict[str, Any], out: list[str]) -> None:
        self._members_writer(shape)(value, out)

    def element(self, tag: str, shape: Shape, value: Any, out: list[str]) -> None:
        self._element_writer(shape)(tag, value, out)

    def _members_writer(self, shape: Shape) -> MembersWriter:
        found = self._members.get(shape)
        if found is not None:
            return found
        entries: list[tuple[str, str, ElementWriter]] = []

        def write_members(value: dict[str, Any], out: list[str]) -> None:
            for name, tag, write in entries:
                item = value.get(name)
                if item is not None:
                    write(tag, item, out)

        self._members[shape] = write_members  # registered first: shapes may be recursive
        for name, member in shape.members.items():
            location = member.serialization.get("location")
            if member.serialization.get("xmlAttribute") or (location and location != "body"):
                continue
            entries.append((name, member_element_name(member, name), self._element_writer(member)))
        return write_members

    def _element_writer(self, shape: Shape) -> ElementWriter:
        found = self._elements.get(shape)
        if found is not None:
            return found
        slot: list[ElementWriter] = []
        self._elements[shape] = lambda tag, value, out: slot[0](tag, value, out)  # recursion guard
        compiled = self._compile(shape)
        slot.append(compiled)
        self._elements[shape] = compiled
        return compiled

    def _compile(self, shape: Shape) -> ElementWriter:
        kind = shape.type_name
        if kind == "structure":
            return self._structure(shape)
        if kind == "list":
            return self._list(shape)
        if kind == "map":
            return self._map(shape)
        text = _scalar_converter(shape, self.timestamp_default)

        def write_scalar(tag: str, value: Any, out: list[str]) -> None:
            out.append(f"<{tag}>{text(value)}</{tag}>")

        return write_scalar

    def _structure(self, shape: Shape) -> ElementWriter:
        static = ""
        namespace = shape.serialization.get("xmlNamespace")
        if isinstance(namespace, dict) and namespace.get("prefix"):
            static = f' xmlns:{namespace["prefix"]}="{escape_attribute(namespace["uri"])}"'
        attributes = [
            (name, member.serialization.get("name", name))
            for name, member in shape.members.items()
            if member.serialization.get("xmlAttribute")
        ]
        write_members = self._members_writer(shape)

        def write_structure(tag: str, value: Any, out: list[str]) -> None:
            opening = static
            for name, attribute in attributes:
                if value.get(name) is not None:
                    opening += f' {attribute}="{escape_attribute(str(value[name]))}"'
            out.append(f"<{tag}{opening}>")
            write_members(value, out)
            out.append(f"</{tag}>")

        return write_structure

    def _list(self, shape: Shape) -> ElementWriter:
        member = shape.member
        write_item = self._element_writer(member)
        if shape.serialization.get("flattened"):

            def write_flattened(tag: str, value: Any, out: list[str]) -> None:
                for item in value:
                    write_item(tag, item, out)

            return write_flattened
        inner = member.serialization.get("name", "member")

        def write_list(tag: str, value: Any, out: list[str]) -> None:
            out.append(f"<{tag}>")
            for item in value:
                write_item(inner, item, out)
            out.append(f"</{tag}>")

        return write_list

    def _map(self, shape: Shape) -> ElementWriter:
        key_tag = shape.key.serialization.get("name", "key")
        value_tag = shape.value.serialization.get("name", "value")
        write_value = self._element_writer(shape.value)
        flattened = bool(shape.serialization.get("flattened"))

        def write_map(tag: str, value: Any, out: list[str]) -> None:
            entry = tag if flattened else "entry"
            if not flattened:
                out.append(f"<{tag}>")
            for key, item in value.items():
                out.append(f"<{entry}><{key_tag}>{escape(str(key))}</{key_tag}>")
                write_value(value_tag, item, out)
                out.append(f"</{entry}>")
            if not flattened:
                out.append(f"</{tag}>")

        return write_map


def _scalar_converter(shape: Shape, timestamp_default: str) -> Callable[[Any], str]:
    kind = shape.type_name
    if kind == "boolean":
        return lambda value: "true" if value else "false"
    if kind == "timestamp":
        style = shape.serialization.get("timestampFormat") or timestamp_default
        return lambda value: str(format_timestamp(value, style))
    if kind == "blob":
        return encode_blob
    return lambda value: escape(str(value))


def error_fields_xml(writer: XmlWriter, shape: Shape | None, fields: dict[str, Any]) -> str:
    """An error's extra members as XML elements: modeled members through the error shape."""
    if not fields:
        return ""
    out: list[str] = []
    declared = shape.members if shape is not None else {}
    if shape is not None:
        writer.members(shape, {name: value for name, value in fields.items() if name in declared}, out)
    for key, value in fields.items():
        if key not in declared:
            out.append(f"<{key}>{escape(str(value))}</{key}>")
    return "".join(out)


def parse_document(raw: bytes) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(raw)
    except ElementTree.ParseError:
        raise SerializationException(
            "The XML you provided was not well-formed or did not validate against our published schema"
        ) from None


def local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


class XmlReader:
    """Reads XML elements into provider dicts following the shape."""

    def structure(self, shape: Shape, node: ElementTree.Element) -> dict[str, Any]:
        children: dict[str, list[ElementTree.Element]] = {}
        for child in node:
            children.setdefault(local_name(child.tag), []).append(child)
        result: dict[str, Any] = {}
        for name, member in shape.members.items():
            if member.serialization.get("location") not in (None, "body"):
                continue
            if member.serialization.get("xmlAttribute"):
                wire = member.serialization.get("name", name)
                for key, value in node.attrib.items():
                    if local_name(key) == wire.rpartition(":")[2]:
                        result[name] = value
                continue
            found = children.get(member_element_name(member, name))
            if not found:
                continue
            if member.type_name in ("list", "map") and member.serialization.get("flattened"):
                result[name] = self._flattened(member, found)
            else:
                result[name] = self.value(member, found[0])
        return result

    def value(self, shape: Shape, node: ElementTree.Element) -> Any:
        kind = shape.type_name
        if kind == "structure":
            return self.structure(shape, node)
        if kind == "list":
            inner = shape.member.serialization.get("name", "member")
            return [self.value(shape.member, child) for child in node if local_name(child.tag) == inner]
        if kind == "map":
            return self._map_entries(shape, [child for child in node if local_name(child.tag) == "entry"])
        return read_scalar_text(shape, node.text or "")

    def _flattened(self, shape: Shape, nodes: list[ElementTree.Element]) -> Any:
        if shape.type_name == "list":
            return [self.value(shape.member, node) for node in nodes]
        return self._map_entries(shape, nodes)

    def _map_entries(self, shape: Shape, entries: list[ElementTree.Element]) -> dict[str, Any]:
        key_tag = shape.key.serialization.get("name", "key")
        value_tag = shape.value.serialization.get("name", "value")
        result = {}
        for entry in entries:
            key_node = next((c for c in entry if local_name(c.tag) == key_tag), None)
            value_node = next((c for c in entry if local_name(c.tag) == value_tag), None)
            if key_node is not None and value_node is not None:
                result[key_node.text or ""] = self.value(shape.value, value_node)
        return result


def read_scalar_text(shape: Shape, text: str) -> Any:
    kind = shape.type_name
    try:
        if kind in ("integer", "long"):
            return int(text.strip())
        if kind in ("float", "double"):
            return float(text.strip())
    except ValueError:
        raise SerializationException(f"Invalid number: {text!r}") from None
    if kind == "boolean":
        flag = text.strip()
        if flag not in ("true", "false"):
            raise SerializationException(f"Invalid boolean value: {text!r}")
        return flag == "true"
    if kind == "timestamp":
        return parse_timestamp(text)
    if kind == "blob":
        return decode_blob(text.strip())
    return text
