"""Unit tests of the interpreter's pure modules: JSONPath, intrinsics, choice rules, definitions,
retry/catch matching and JSONata."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fogbank.services.stepfunctions import choice, definition, intrinsics, jsonata, jsonpath
from fogbank.services.stepfunctions.errors import InvalidDefinition, StatesError
from fogbank.services.stepfunctions.errors_handling import Retries, find_catcher, matches

DOC = {"a": {"b": [1, 2, 3]}, "items": [{"n": 1, "k": "x"}, {"n": 5, "k": "y"}], "s": "hi", "weird key": 7}


def scope(document: Any = None, variables: dict[str, Any] | None = None) -> jsonpath.Scope:
    context = {"Execution": {"Id": "arn:exec", "Name": "e1"}, "State": {"Name": "S"}}
    return jsonpath.Scope(DOC if document is None else document, context, variables or {})


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$", DOC),
        ("$.a.b", [1, 2, 3]),
        ("$.a.b[1]", 2),
        ("$.a.b[-1]", 3),
        ("$['weird key']", 7),
        ("$.items[*].n", [1, 5]),
        ("$.a.b[0:2]", [1, 2]),
        ("$.a.b[0,2]", [1, 3]),
        ("$..k", ["x", "y"]),
        ("$.items[?(@.n > 2)].k", ["y"]),
        ("$.items[?(@.k == 'x')].n", [1]),
        ("$$.Execution.Name", "e1"),
    ],
)
def test_resolve_path_selects_values(path: str, expected: Any) -> None:
    assert jsonpath.resolve(path, scope()) == expected


def test_resolve_variable_path_reads_workflow_variable() -> None:
    assert jsonpath.resolve("$order.total", scope(variables={"order": {"total": 12}})) == 12


def test_resolve_missing_definite_path_raises_not_found() -> None:
    with pytest.raises(jsonpath.PathNotFound):
        jsonpath.resolve("$.nope", scope())


def test_apply_template_dynamic_fields_and_intrinsics() -> None:
    template = {
        "x.$": "$.s",
        "n": {"y.$": "$.a.b[0]", "lit": [1, {"z.$": "$$.State.Name"}]},
        "f.$": "States.Format('{}!', $.s)",
    }
    built = jsonpath.apply_template(template, scope(), intrinsics.evaluate)
    assert built == {"x": "hi", "n": {"y": 1, "lit": [1, {"z": "S"}]}, "f": "hi!"}


def test_apply_template_missing_path_raises_runtime_error() -> None:
    with pytest.raises(StatesError) as raised:
        jsonpath.apply_template({"x.$": "$.missing"}, scope({"a": 1}), intrinsics.evaluate)
    assert raised.value.error == "States.Runtime"
    assert (
        raised.value.cause
        == "The JSONPath '$.missing' specified for the field 'x.$' could not be found in the input '{\"a\":1}'"
    )


@pytest.mark.parametrize(
    ("result_path", "expected"),
    [
        (None, {"a": 1}),
        ("$", 9),
        ("$.r", {"a": 1, "r": 9}),
        ("$.x.y", {"a": 1, "x": {"y": 9}}),
        ("$.a", {"a": 9}),
    ],
)
def test_merge_result_places_result(result_path: str | None, expected: Any) -> None:
    assert jsonpath.merge_result({"a": 1}, 9, result_path) == expected


def test_merge_result_into_non_object_raises_match_failure() -> None:
    with pytest.raises(StatesError) as raised:
        jsonpath.merge_result([1], 2, "$.a")
    assert raised.value.error == "States.ResultPathMatchFailure"


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("States.Format('Hello, {} {}', $.s, 3)", "Hello, hi 3"),
        ("States.Format('esc \\{\\} {}', 'x')", "esc {} x"),
        ("States.StringToJson('{\"a\":1}')", {"a": 1}),
        ("States.JsonToString($.a)", '{"b":[1,2,3]}'),
        ("States.Array(1, 'two', $.s)", [1, "two", "hi"]),
        ("States.ArrayPartition(States.ArrayRange(1, 5, 1), 2)", [[1, 2], [3, 4], [5]]),
        ("States.ArrayContains($.a.b, 2)", True),
        ("States.ArrayRange(10, 1, -3)", [10, 7, 4, 1]),
        ("States.ArrayGetItem($.a.b, 2)", 3),
        ("States.ArrayLength($.a.b)", 3),
        ("States.ArrayUnique(States.Array(1, 1, 2, 1))", [1, 2]),
        ("States.Base64Encode('Data to encode')", "RGF0YSB0byBlbmNvZGU="),
        ("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')", "Data to encode"),
        ("States.Hash('input data', 'SHA-1')", "aaff4a450a104cd177d28d18d74485e8cae074b7"),
        (
            'States.JsonMerge(States.StringToJson(\'{"a":1,"b":2}\'), States.StringToJson(\'{"b":3}\'), false)',
            {"a": 1, "b": 3},
        ),
        ("States.MathAdd(111, -1)", 110),
        ("States.StringSplit('This.is+a,test=string', '.+,=')", ["This", "is", "a", "test", "string"]),
    ],
)
def test_intrinsic_evaluate_returns_aws_result(expression: str, expected: Any) -> None:
    assert intrinsics.evaluate(expression, scope()) == expected


def test_intrinsic_uuid_and_random_are_well_formed() -> None:
    assert len(intrinsics.evaluate("States.UUID()", scope())) == 36
    value = intrinsics.evaluate("States.MathRandom(1, 10)", scope())
    assert 1 <= value < 10
    assert intrinsics.evaluate("States.MathRandom(1, 1000, 7)", scope()) == intrinsics.evaluate(
        "States.MathRandom(1, 1000, 7)", scope()
    )


@pytest.mark.parametrize(
    "expression",
    [
        "States.ArrayGetItem($.a.b, 9)",
        "States.MathAdd('a', 1)",
        "States.Format('{} {}', 1)",
        "States.JsonMerge($.a, $.a, true)",
    ],
)
def test_intrinsic_invalid_arguments_raise_intrinsic_failure(expression: str) -> None:
    with pytest.raises(StatesError) as raised:
        intrinsics.evaluate(expression, scope())
    assert raised.value.error == "States.IntrinsicFailure"


def test_intrinsic_parse_rejects_unknown_function() -> None:
    with pytest.raises(ValueError, match="not a valid intrinsic function"):
        intrinsics.parse("States.Nope(1)")


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"Variable": "$.n", "NumericEquals": 5}, True),
        ({"Variable": "$.n", "NumericGreaterThanPath": "$.m"}, True),
        ({"Variable": "$.n", "NumericLessThanEquals": 4}, False),
        ({"Variable": "$.s", "StringEquals": 5}, False),
        ({"Variable": "$.s", "StringMatches": "log-*t\\*t"}, True),
        ({"Variable": "$.s", "StringGreaterThan": "log"}, True),
        ({"Variable": "$.b", "BooleanEquals": False}, True),
        ({"Variable": "$.t", "TimestampLessThan": "2030-01-01T00:00:00Z"}, True),
        ({"Variable": "$.t", "IsTimestamp": True}, True),
        ({"Variable": "$.missing", "IsPresent": False}, True),
        ({"Variable": "$.z", "IsNull": True}, True),
        ({"Variable": "$.n", "IsNumeric": True}, True),
        ({"Variable": "$.s", "IsString": True}, True),
        ({"Variable": "$.b", "IsBoolean": True}, True),
        (
            {
                "And": [
                    {"Variable": "$.n", "NumericGreaterThan": 1},
                    {"Not": {"Variable": "$.b", "BooleanEquals": True}},
                ]
            },
            True,
        ),
        ({"Or": [{"Variable": "$.n", "NumericEquals": 1}, {"Variable": "$.s", "StringEquals": "no"}]}, False),
    ],
)
def test_choice_evaluate_rule(rule: dict[str, Any], expected: bool) -> None:
    document = {"n": 5, "m": 3, "s": "log-t*t", "b": False, "t": "2024-05-01T10:00:00.5+02:00", "z": None}
    assert choice.evaluate(rule, scope(document)) is expected


def test_choice_missing_variable_raises_runtime_error() -> None:
    with pytest.raises(StatesError) as raised:
        choice.evaluate({"Variable": "$.nope", "NumericEquals": 1}, scope({}))
    assert raised.value.error == "States.Runtime"
    assert (
        raised.value.cause
        == "Invalid path '$.nope': The choice state's condition path references an invalid value."
    )


def test_definition_diagnose_valid_definition_has_no_diagnostics() -> None:
    _, found = definition.diagnose(json.dumps({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}))
    assert found == []


@pytest.mark.parametrize(
    ("document", "code", "location"),
    [
        ("{not json", "INVALID_JSON_DESCRIPTION", ""),
        ({"StartAt": "B", "States": {"A": {"Type": "Succeed"}}}, "MISSING_TRANSITION_TARGET", "/StartAt"),
        (
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "X"}}},
            "MISSING_TRANSITION_TARGET",
            "/States/A/Next",
        ),
        (
            {"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "B": {"Type": "Succeed"}}},
            "UNREACHABLE_STATE",
            "/States/B",
        ),
        (
            {"StartAt": "A", "States": {"A": {"Type": "Nope", "End": True}}},
            "SCHEMA_VALIDATION_FAILED",
            "/States/A",
        ),
        ({"StartAt": "A", "States": {"A": {"Type": "Pass"}}}, "SCHEMA_VALIDATION_FAILED", "/States/A"),
        (
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True, "Foo": 1}}},
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/Foo",
        ),
        (
            {
                "StartAt": "A",
                "States": {"A": {"Type": "Pass", "End": True, "Parameters": {"x.$": "States.Nope()"}}},
            },
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/Parameters/x.$",
        ),
        (
            {
                "QueryLanguage": "JSONata",
                "StartAt": "A",
                "States": {"A": {"Type": "Pass", "End": True, "InputPath": "$"}},
            },
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/InputPath",
        ),
        (
            {
                "QueryLanguage": "JSONata",
                "StartAt": "A",
                "States": {"A": {"Type": "Pass", "End": True, "Output": "{% $states.input.( %}"}},
            },
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/Output",
        ),
        (
            {"StartAt": "A", "States": {"A": {"Type": "Wait", "End": True}}},
            "SCHEMA_VALIDATION_FAILED",
            "/States/A",
        ),
        (
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True, "Assign": {"states": 1}}}},
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/Assign/states",
        ),
        (
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True, "Assign": {"1x.$": "$"}}}},
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/Assign/1x.$",
        ),
        (
            {
                "StartAt": "A",
                "States": {"A": {"Type": "Choice", "Choices": [{"Variable": "$.x", "Next": "A"}]}},
            },
            "SCHEMA_VALIDATION_FAILED",
            "/States/A/Choices[0]",
        ),
    ],
)
def test_definition_diagnose_invalid_definition_reports_code(document: Any, code: str, location: str) -> None:
    text = document if isinstance(document, str) else json.dumps(document)
    _, found = definition.diagnose(text)
    assert (code, location) in [(item["code"], item["location"]) for item in found]
    assert all(item["severity"] == "ERROR" for item in found)


def test_definition_load_invalid_raises_invalid_definition_message() -> None:
    with pytest.raises(InvalidDefinition) as raised:
        definition.load(json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "X"}}}))
    assert (
        raised.value.message
        == "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: X at /States/A/Next'"
    )


@pytest.mark.parametrize(
    ("names", "error", "expected"),
    [
        (["States.ALL"], "Custom", True),
        (["States.ALL"], "States.Runtime", False),
        (["States.TaskFailed"], "Lambda.Unknown", True),
        (["States.TaskFailed"], "States.Timeout", False),
        (["States.Timeout"], "States.HeartbeatTimeout", True),
        (["A", "B"], "B", True),
        (["A"], "B", False),
    ],
)
def test_matches_error_names(names: list[str], error: str, expected: bool) -> None:
    assert matches(names, error) is expected


def test_retries_delay_backoff_max_delay_and_attempts() -> None:
    retriers = [
        {
            "ErrorEquals": ["E"],
            "IntervalSeconds": 2,
            "BackoffRate": 3,
            "MaxAttempts": 4,
            "MaxDelaySeconds": 10,
        }
    ]
    retries = Retries()
    assert [retries.delay(retriers, "E") for _ in range(5)] == [2.0, 6.0, 10.0, 10.0, None]


def test_retries_full_jitter_stays_within_delay() -> None:
    retriers = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 4, "JitterStrategy": "FULL"}]
    delay = Retries().delay(retriers, "E")
    assert delay is not None and 0 <= delay <= 4


def test_find_catcher_first_match_wins() -> None:
    catchers = [{"ErrorEquals": ["A"], "Next": "1"}, {"ErrorEquals": ["States.ALL"], "Next": "2"}]
    assert find_catcher(catchers, "B") == catchers[1]
    assert find_catcher(catchers[:1], "B") is None


def test_jsonata_evaluate_with_states_and_variables() -> None:
    states = {"input": {"a": [1, 2, 3]}, "context": {}}
    assert jsonata.evaluate("{% $sum($states.input.a) + $bonus %}", states, {"bonus": 4}) == 10
    assert jsonata.evaluate_template({"x": "{% $states.input.a[0] %}", "y": "lit"}, states, {}) == {
        "x": 1,
        "y": "lit",
    }
    assert jsonata.evaluate("{% $partition([1,2,3], 2) %}", states, {}) == [[1, 2], [3]]


def test_jsonata_bad_expression_raises_query_evaluation_error() -> None:
    with pytest.raises(StatesError) as raised:
        jsonata.evaluate("{% $states.input.( %}", {"input": {}}, {})
    assert raised.value.error == "States.QueryEvaluationError"


def test_jsonata_now_and_millis_read_fogbank_clock() -> None:
    from fogbank import clock

    millis = jsonata.evaluate("{% $millis() %}", {"input": {}}, {})
    assert abs(millis - clock.now() * 1000) < 5000
    assert jsonata.evaluate("{% $now() %}", {"input": {}}, {}).endswith("Z")
