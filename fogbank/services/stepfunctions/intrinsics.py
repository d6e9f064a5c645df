"""The `States.*` intrinsic functions of JSONPath states, with their parser.

Arguments are string literals in single quotes (`\\'`, `\\{`, `\\}` and `\\\\` escape), numbers,
`true`/`false`/`null`, paths (`$.x`, `$$.Execution.Id`, `$variable`) and nested calls. A failing
function raises `States.IntrinsicFailure` as AWS does.
https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from fogbank.services.stepfunctions import jsonpath
from fogbank.services.stepfunctions.errors import StatesError

MAX_STRING = 10000
MAX_RANGE = 1000


@dataclass(slots=True)
class Call:
    name: str
    args: list[Any]  # literals, `PathArg`s or nested `Call`s


@dataclass(slots=True)
class PathArg:
    path: str


_ESCAPED = {"{": "\ue000", "}": "\ue001"}
_UNESCAPE = str.maketrans({"\ue000": "{", "\ue001": "}"})
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")
_FUNCTION = re.compile(r"States\.[A-Za-z0-9]+")
_PATH = re.compile(r"\$[^,()\s]*")


@lru_cache(maxsize=2048)
def parse(text: str) -> Call:
    """Parse `States.Name(args)`; raises ValueError naming what is wrong."""
    call, end = _call(text.strip(), 0)
    if end != len(text.strip()):
        raise ValueError(f"unexpected text after the function call: {text.strip()[end:]!r}")
    return call


def _call(text: str, position: int) -> tuple[Call, int]:
    match = _FUNCTION.match(text, position)
    if not match:
        raise ValueError(f"expected a States.* function at position {position}")
    name = match.group(0)
    if name not in FUNCTIONS:
        raise ValueError(f"the function '{name}' is not a valid intrinsic function")
    position = _skip(text, match.end())
    if position >= len(text) or text[position] != "(":
        raise ValueError(f"expected '(' after {name}")
    args: list[Any] = []
    position = _skip(text, position + 1)
    if position < len(text) and text[position] == ")":
        return Call(name, args), position + 1
    while True:
        arg, position = _argument(text, _skip(text, position))
        args.append(arg)
        position = _skip(text, position)
        if position < len(text) and text[position] == ",":
            position += 1
            continue
        if position < len(text) and text[position] == ")":
            return Call(name, args), position + 1
        raise ValueError(f"expected ',' or ')' in {name}")


def _skip(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\n":
        position += 1
    return position


def _argument(text: str, position: int) -> tuple[Any, int]:
    if text.startswith("'", position):
        return _string(text, position + 1)
    if text.startswith("States.", position):
        return _call(text, position)
    if text.startswith("$", position):
        match = _PATH.match(text, position)
        assert match is not None
        jsonpath.parse(match.group(0))
        return PathArg(match.group(0)), match.end()
    for word, value in (("true", True), ("false", False), ("null", None)):
        if text.startswith(word, position):
            return value, position + len(word)
    match = _NUMBER.match(text, position)
    if match:
        number = match.group(0)
        return (float(number) if match.group(1) or match.group(2) else int(number)), match.end()
    raise ValueError(f"invalid argument at position {position}")


def _string(text: str, position: int) -> tuple[str, int]:
    chars: list[str] = []
    while position < len(text):
        char = text[position]
        if char == "\\" and position + 1 < len(text):
            following = text[position + 1]
            # Escaped braces stay marked so that States.Format can tell them from placeholders.
            chars.append(_ESCAPED.get(following, following))
            position += 2
        elif char == "'":
            return "".join(chars), position + 1
        else:
            chars.append(char)
            position += 1
    raise ValueError("unterminated string literal")


def evaluate(text: str, scope: jsonpath.Scope) -> Any:
    """Run an intrinsic expression such as `States.Format('Hi {}', $.name)`."""
    try:
        call = parse(text)
    except ValueError as error:
        raise StatesError(
            "States.IntrinsicFailure", f"Invalid intrinsic function '{text}': {error}"
        ) from None
    return _run(call, scope)


def _run(call: Call, scope: jsonpath.Scope) -> Any:
    values = [_value(arg, scope) for arg in call.args]
    if call.name != "States.Format":
        values = [value.translate(_UNESCAPE) if isinstance(value, str) else value for value in values]
    try:
        return FUNCTIONS[call.name](values)
    except StatesError:
        raise
    except (TypeError, ValueError, IndexError, KeyError, OverflowError) as error:
        raise StatesError("States.IntrinsicFailure", f"The function '{call.name}' failed: {error}") from None


def _value(arg: Any, scope: jsonpath.Scope) -> Any:
    if isinstance(arg, Call):
        return _run(arg, scope)
    if isinstance(arg, PathArg):
        try:
            return jsonpath.resolve(arg.path, scope)
        except jsonpath.PathNotFound:
            raise StatesError(
                "States.Runtime", f"The JSONPath '{arg.path}' could not be found in the input"
            ) from None
    return arg


def _raw_string(arg: Any) -> str:
    return arg if isinstance(arg, str) else jsonpath.dumps(arg)


def _arity(values: list[Any], low: int, high: int | None = None) -> None:
    high = low if high is None else high
    if not low <= len(values) <= high:
        raise ValueError(f"expected {low}{'' if high == low else f' to {high}'} arguments, got {len(values)}")


def _integer(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        raise ValueError(f"{what} must be an integer, got {jsonpath.dumps(value)}")
    return int(value)


def _array(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"expected an array, got {jsonpath.dumps(value)}")
    return value


def _string_arg(value: Any, limit: int = MAX_STRING) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {jsonpath.dumps(value)}")
    if len(value) > limit:
        raise ValueError(f"the string is longer than {limit} characters")
    return value


def _format(values: list[Any]) -> str:
    if not values or not isinstance(values[0], str):
        raise ValueError("the first argument must be a format string")
    template, args = values[0], values[1:]
    pieces = template.split("{}")
    if len(pieces) - 1 != len(args):
        raise ValueError(f"the format string has {len(pieces) - 1} placeholders but {len(args)} arguments")
    out = pieces[0]
    for arg, piece in zip(args, pieces[1:], strict=True):
        out += _raw_string(arg) + piece
    return out.translate(_UNESCAPE)


def _partition(values: list[Any]) -> list[list[Any]]:
    _arity(values, 2)
    items, size = _array(values[0]), _integer(values[1], "the chunk size")
    if size <= 0:
        raise ValueError("the chunk size must be greater than 0")
    return [items[i : i + size] for i in range(0, len(items), size)]


def _range(values: list[Any]) -> list[int]:
    _arity(values, 3)
    start, end, step = (_integer(value, "every argument") for value in values)
    if step == 0:
        raise ValueError("the step must not be 0")
    items = list(range(start, end + (1 if step > 0 else -1), step))
    if len(items) > MAX_RANGE:
        raise ValueError(f"the range has more than {MAX_RANGE} items")
    return items


def _get_item(values: list[Any]) -> Any:
    _arity(values, 2)
    items, index = _array(values[0]), _integer(values[1], "the index")
    if not 0 <= index < len(items):
        raise ValueError(f"the index {index} is out of bounds for an array of length {len(items)}")
    return items[index]


def _unique(values: list[Any]) -> list[Any]:
    _arity(values, 1)
    seen: list[Any] = []
    for item in _array(values[0]):
        if item not in seen:
            seen.append(item)
    return seen


_HASHES = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}


def _hash(values: list[Any]) -> str:
    _arity(values, 2)
    algorithm = values[1]
    if algorithm not in _HASHES:
        raise ValueError(f"the algorithm must be one of {', '.join(_HASHES)}")
    data = _string_arg(_raw_string(values[0]))
    return hashlib.new(_HASHES[algorithm], data.encode()).hexdigest()


def _merge(values: list[Any]) -> dict[str, Any]:
    _arity(values, 3)
    first, second, deep = values
    if not isinstance(first, dict) or not isinstance(second, dict):
        raise ValueError("both arguments must be JSON objects")
    if deep is not False:
        raise ValueError("only shallow merging (false) is supported, as in AWS")
    return {**first, **second}


def _math_random(values: list[Any]) -> int:
    _arity(values, 2, 3)
    start, end = _integer(values[0], "the start"), _integer(values[1], "the end")
    generator = random.Random(_integer(values[2], "the seed")) if len(values) == 3 else random
    if end <= start:
        raise ValueError("the end must be greater than the start")
    return generator.randrange(start, end)


def _math_add(values: list[Any]) -> int:
    _arity(values, 2)
    return _integer(values[0], "the first value") + _integer(values[1], "the second value")


def _split(values: list[Any]) -> list[str]:
    _arity(values, 2)
    text, delimiters = _string_arg(values[0]), _string_arg(values[1])
    if not delimiters:
        return [text]
    parts = re.split("[" + re.escape(delimiters) + "]", text)
    return [part for part in parts if part]


def _decode(values: list[Any]) -> str:
    _arity(values, 1)
    try:
        return base64.b64decode(_string_arg(values[0]), validate=True).decode()
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError(f"the input is not valid Base64: {error}") from None


def _contains(values: list[Any]) -> bool:
    _arity(values, 2)
    return values[1] in _array(values[0])


def _uuid(values: list[Any]) -> str:
    _arity(values, 0)
    return str(uuid.uuid4())


def _single(function: Callable[[Any], Any]) -> Callable[[list[Any]], Any]:
    def run(values: list[Any]) -> Any:
        _arity(values, 1)
        return function(values[0])

    return run


FUNCTIONS: dict[str, Callable[[list[Any]], Any]] = {
    "States.Format": _format,
    "States.StringToJson": _single(lambda value: json.loads(_string_arg(value, 1 << 30))),
    "States.JsonToString": _single(jsonpath.dumps),
    "States.Array": list,
    "States.ArrayPartition": _partition,
    "States.ArrayContains": _contains,
    "States.ArrayRange": _range,
    "States.ArrayGetItem": _get_item,
    "States.ArrayLength": _single(lambda value: len(_array(value))),
    "States.ArrayUnique": _unique,
    "States.Base64Encode": _single(lambda value: base64.b64encode(_string_arg(value).encode()).decode()),
    "States.Base64Decode": _decode,
    "States.Hash": _hash,
    "States.JsonMerge": _merge,
    "States.MathRandom": _math_random,
    "States.MathAdd": _math_add,
    "States.StringSplit": _split,
    "States.UUID": _uuid,
}
