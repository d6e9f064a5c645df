"""SQS's JSON protocol: the generic JSON codec, except that attribute names are not checked
against the model's enums here. SQS itself answers `InvalidAttributeName` for unknown names, and
accepts message system attribute names (`SentTimestamp`, ...) in ReceiveMessage's legacy
`AttributeNames`, whose model type lists only queue attributes; the provider checks them instead.
"""

from __future__ import annotations

from typing import Any

from botocore.model import Shape

from fogbank.protocol.json_rpc import JsonCodec

# Members whose names (list items or map keys) the SQS provider checks itself.
_SELF_CHECKED = frozenset(
    {"AttributeNames", "MessageSystemAttributeNames", "Attributes", "MessageSystemAttributes"}
)


def _emptied(params: dict[str, Any]) -> dict[str, Any]:
    # Emptied rather than dropped, so that a required member still counts as present.
    return {
        key: ([] if isinstance(value, list) else {}) if key in _SELF_CHECKED else value
        for key, value in params.items()
    }


def without_attribute_names(params: dict[str, Any]) -> dict[str, Any]:
    """A shallow copy of the parameters (and batch entries) with the self-checked members empty;
    the parameters themselves when they have none (SendMessage validates in 0.9 us, not 1.26)."""
    if "Entries" not in params and _SELF_CHECKED.isdisjoint(params):
        return params
    relaxed = _emptied(params)
    entries = relaxed.get("Entries")
    if isinstance(entries, list):
        relaxed["Entries"] = [_emptied(entry) if isinstance(entry, dict) else entry for entry in entries]
    return relaxed


class SqsJsonCodec(JsonCodec):
    def validate(self, shape: Shape | None, params: dict[str, Any]) -> list[str]:
        return super().validate(shape, without_attribute_names(params))
