"""Subscription filter policies on the shared event-pattern matcher (`fogbank.events.patterns`):
what is SNS's own lives here — its error texts, its limits, the operators it offers, and how
message attributes become a document the matcher reads.

Semantics: https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html — exact
strings, numbers, booleans and null; `prefix`, `suffix`, `equals-ignore-case`, `anything-but`
(values, `prefix`, `suffix`), `numeric` ranges, `exists`, `cidr`, `$or`; nested keys for the
message-body scope; arrays in the message match when any element matches. SNS has no `wildcard`.
Limits: https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html
(5 keys; 150 combinations, counted as SNS counts them).

In the attribute scope, `String` attributes offer their text, `Number` attributes a number (so a
numeric rule never matches a String attribute), `String.Array` attributes their elements, and
`Binary` attributes are ignored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from fogbank.events import patterns

Scope = Literal["MessageAttributes", "MessageBody"]
MAX_KEYS = 5
MAX_COMBINATIONS = 150
SNS = patterns.Dialect(
    prefix="FilterPolicy: ",
    operators=patterns.EVENTBRIDGE.operators - {"wildcard"},
    anything_but_operators=frozenset(("prefix", "suffix")),
    folded_affixes=False,
    max_or_combinations=MAX_COMBINATIONS,
)
# The error of an invalid policy; `str(error)` is AWS's text after the `Invalid parameter: ` prefix.
FilterPolicyError = patterns.InvalidPattern


def parse(document: str) -> dict[str, Any]:
    """Parse the JSON text of a policy (SNS takes policies as strings)."""
    try:
        policy = json.loads(document)
    except ValueError:
        raise FilterPolicyError("failed to parse JSON.", SNS.prefix) from None
    if not isinstance(policy, dict):
        raise FilterPolicyError("Filter policy must be a JSON object", SNS.prefix)
    return policy


def validate(policy: dict[str, Any], scope: Scope = "MessageAttributes") -> None:
    """Raise `FilterPolicyError` with AWS's message when the policy is not acceptable. An empty
    policy (`{}`) filters nothing."""
    if len(policy) > MAX_KEYS:
        raise FilterPolicyError(f"Filter policy can not have more than {MAX_KEYS} keys", SNS.prefix)
    if _combinations(policy, scope, depth=1, combinations=1) > MAX_COMBINATIONS:
        raise FilterPolicyError("Filter policy is too complex", SNS.prefix)
    if policy:
        patterns.validate(policy, SNS)


def _combinations(node: dict[str, Any], scope: Scope, depth: int, combinations: int) -> int:
    """Count combinations as SNS does: the product of the array sizes, each weighted by its
    nesting depth; `$or` alternatives add up. Malformed parts are left to the shared validation."""
    for key, value in node.items():
        if key == "$or" and isinstance(value, list):
            alternatives = [item for item in value if isinstance(item, dict)]
            combinations = sum(_combinations(item, scope, depth, combinations) for item in alternatives)
        elif isinstance(value, dict):
            if scope == "MessageAttributes":
                raise FilterPolicyError(
                    "Filter policy scope MessageAttributes does not support nested filter policy", ""
                )
            combinations = _combinations(value, scope, depth + 1, combinations)
        elif isinstance(value, list):
            combinations *= len(value) * depth
    return combinations


@dataclass(slots=True)
class Policy:
    """A compiled policy for one scope."""

    pattern: patterns.Pattern | None  # None: the empty policy, which lets everything through
    scope: Scope

    def matches_attributes(self, attributes: dict[str, dict[str, Any]]) -> bool:
        """Match SNS message attributes (`{"name": {"DataType": ..., "StringValue": ...}}`)."""
        return self.pattern is None or self.pattern.matches(attribute_document(attributes))

    def matches_body(self, body: str) -> bool:
        """Match a message body; a body that is not a JSON object never matches a policy."""
        if self.pattern is None:
            return True
        try:
            document = json.loads(body)
        except ValueError:
            return False
        return isinstance(document, dict) and self.pattern.matches(document)


def compile_policy(policy: dict[str, Any], scope: Scope = "MessageAttributes") -> Policy:
    """Compile a validated policy."""
    return Policy(patterns.compile_pattern(policy) if policy else None, scope)


def attribute_document(attributes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Message attributes as the document the matcher reads: name → the values they offer."""
    document: dict[str, Any] = {}
    for name, attribute in attributes.items():
        value = attribute_value(attribute)
        if value is not _IGNORED:
            document[name] = value
    return document


_IGNORED: Any = object()


def attribute_value(attribute: dict[str, Any]) -> Any:
    """What an attribute offers to the policy: `String` its text, `Number` a number (unparseable:
    nothing), `String.Array` its scalar elements; `Binary` is ignored."""
    data_type = str(attribute.get("DataType") or attribute.get("Type") or "")
    text = attribute.get("StringValue", attribute.get("Value"))
    base = data_type.split(".", 1)[0]
    if data_type == "String.Array":
        try:
            items = json.loads(text) if isinstance(text, str) else text
        except ValueError:
            return []
        return (
            [item for item in items if not isinstance(item, dict | list)] if isinstance(items, list) else []
        )
    if base == "Number":
        try:
            return float(str(text))
        except (TypeError, ValueError):
            return []
    if base == "String":
        return text
    return _IGNORED
