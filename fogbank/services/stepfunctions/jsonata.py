"""JSONata for `QueryLanguage: JSONata` states: `{% expression %}` strings anywhere in Arguments,
Output, Assign, Items, ItemSelector, Condition, Seconds/Timestamp and Error/Cause, evaluated with
the `$states` reserved variable and the workflow's variables.

The evaluator is the pure-Python `jsonata-python` package; Step Functions' own additions
(`$partition`, `$range`, `$hash`, `$random`, `$uuid`, `$parse`) are registered here. A failed
evaluation raises `States.QueryEvaluationError`, as AWS does.
https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
`$now()` and `$millis()` read fogbank's clock (`$now()` ignores picture and timezone arguments).
"""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from functools import lru_cache
from typing import Any

import jsonata as jsonata_engine
from jsonata.jexception import JException

from fogbank import clock
from fogbank.services.stepfunctions.errors import StatesError

_HASHES = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}


def is_expression(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}")


def _partition(items: list[Any], size: float) -> list[list[Any]]:
    step = int(size)
    return [items[i : i + step] for i in range(0, len(items), step)]


def _range(start: float, end: float, step: float) -> list[int]:
    return list(range(int(start), int(end) + (1 if step > 0 else -1), int(step)))


@lru_cache(maxsize=2048)
def compile_expression(text: str) -> Any:
    """Compile once; raises ValueError with the engine's message for a syntax error."""
    try:
        expression = jsonata_engine.Jsonata(text)
    except JException as error:
        raise ValueError(str(error)) from None
    expression.register_lambda("partition", _partition)
    expression.register_lambda("range", _range)
    expression.register_lambda(
        "hash", lambda data, algorithm: hashlib.new(_HASHES[algorithm], str(data).encode()).hexdigest()
    )
    expression.register_lambda(
        "random", lambda *seed: random.Random(seed[0]).random() if seed else random.random()
    )
    expression.register_lambda("uuid", lambda: str(uuid.uuid4()))
    expression.register_lambda("parse", lambda text: json.loads(text))
    # Time comes from fogbank's clock, so that advancing it moves $now() too.
    expression.register_lambda(
        "now", lambda *ignored: clock.now_datetime().isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )
    expression.register_lambda("millis", lambda: int(clock.now() * 1000))
    return expression


def evaluate(text: str, states: dict[str, Any], variables: dict[str, Any]) -> Any:
    """Evaluate one `{% ... %}` string."""
    body = text[2:-2].strip()
    try:
        expression = compile_expression(body)
        bindings = dict(variables)
        bindings["states"] = states
        return normalize(expression.evaluate(None, bindings))
    except (ValueError, JException, TypeError, KeyError) as error:
        raise StatesError(
            "States.QueryEvaluationError",
            f"An error occurred while evaluating the expression '{text}': {error}",
        ) from None


def evaluate_template(template: Any, states: dict[str, Any], variables: dict[str, Any]) -> Any:
    """Evaluate every `{% %}` string inside an object or array template, keeping literals."""
    if is_expression(template):
        return evaluate(template, states, variables)
    if isinstance(template, dict):
        return {key: evaluate_template(value, states, variables) for key, value in template.items()}
    if isinstance(template, list):
        return [evaluate_template(item, states, variables) for item in template]
    return template


def normalize(value: Any) -> Any:
    """JSONata numbers are doubles: whole ones print as integers in Step Functions' JSON."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dict):
        return {key: normalize(item) for key, item in value.items()}
    if isinstance(value, list):
        return [normalize(item) for item in value]
    if callable(value):
        raise StatesError("States.QueryEvaluationError", "The expression evaluated to a function")
    return value
