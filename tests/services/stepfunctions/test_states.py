"""Every state type and its fields, run through the API (JSONPath and JSONata)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sfn_support import machine

Run = Callable[..., dict[str, Any]]


def output(response: dict[str, Any]) -> Any:
    assert response["status"] == "SUCCEEDED", (response.get("error"), response.get("cause"))
    return json.loads(response["output"])


def test_start_sync_execution_pass_result_path_and_output_path_shape_output(run_sync: Run) -> None:
    definition = machine(
        ("Keep", {"Type": "Pass", "Result": {"v": 1}, "ResultPath": "$.added"}),
        ("Drop", {"Type": "Pass", "Result": "ignored", "ResultPath": None}),
        (
            "Pick",
            {
                "Type": "Pass",
                "InputPath": "$.added",
                "Parameters": {"value.$": "$.v", "name.$": "$$.State.Name", "static": [1]},
            },
        ),
        ("Out", {"Type": "Pass", "OutputPath": "$.value"}),
    )
    assert output(run_sync(definition, {"a": 1})) == 1


def test_start_sync_execution_intrinsics_in_parameters_compute_values(run_sync: Run) -> None:
    definition = machine(
        (
            "P",
            {
                "Type": "Pass",
                "Parameters": {
                    "greeting.$": "States.Format('Hello, {}!', $.name)",
                    "sum.$": "States.MathAdd($.a, $.b)",
                    "parts.$": "States.StringSplit($.csv, ',')",
                    "len.$": "States.ArrayLength(States.Array($.a, $.b))",
                    "exec.$": "$$.Execution.Input.name",
                },
            },
        )
    )
    result = output(run_sync(definition, {"name": "World", "a": 3, "b": 6, "csv": "x,y"}))
    assert result == {"greeting": "Hello, World!", "sum": 9, "parts": ["x", "y"], "len": 2, "exec": "World"}


def test_start_sync_execution_choice_rules_pick_branch(run_sync: Run) -> None:
    definition = machine(
        (
            "Decide",
            {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"},
                    {
                        "And": [
                            {"Variable": "$.s", "IsPresent": True},
                            {"Variable": "$.s", "StringMatches": "a*"},
                        ],
                        "Next": "Starts",
                    },
                ],
                "Default": "Other",
            },
        ),
        ("Big", {"Type": "Pass", "Result": "big", "End": True}),
        ("Starts", {"Type": "Pass", "Result": "starts-with-a", "End": True}),
        ("Other", {"Type": "Pass", "Result": "other", "End": True}),
    )
    assert output(run_sync(definition, {"n": 11})) == "big"
    assert output(run_sync(definition, {"n": 1, "s": "abc"})) == "starts-with-a"
    assert output(run_sync(definition, {"n": 1})) == "other"


def test_start_sync_execution_choice_without_match_fails_no_choice_matched(run_sync: Run) -> None:
    definition = machine(
        ("Decide", {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "Done"}]}),
        ("Done", {"Type": "Succeed"}),
    )
    response = run_sync(definition, {"n": 2})
    assert (response["status"], response["error"], response["cause"]) == (
        "FAILED",
        "States.NoChoiceMatched",
        "No Matches!",
    )


def test_start_sync_execution_fail_state_reports_error_and_cause(run_sync: Run) -> None:
    response = run_sync(machine(("F", {"Type": "Fail", "Error": "MyError", "Cause": "it broke"})))
    assert (response["status"], response["error"], response["cause"]) == ("FAILED", "MyError", "it broke")
    response = run_sync(
        machine(("F", {"Type": "Fail", "ErrorPath": "$.e", "CausePath": "States.Format('n={}', $.n)"})),
        {"e": "Dyn", "n": 4},
    )
    assert (response["error"], response["cause"]) == ("Dyn", "n=4")


def test_start_sync_execution_missing_input_path_fails_runtime(run_sync: Run) -> None:
    response = run_sync(machine(("P", {"Type": "Pass", "InputPath": "$.missing"})), {"a": 1})
    assert response["status"] == "FAILED"
    assert response["error"] == "States.Runtime"
    assert response["cause"] == (
        "An error occurred while executing the state 'P' (entered at the event id #2). "
        "Invalid path '$.missing' : No results for path: $['missing']"
    )


def test_start_sync_execution_parallel_collects_branch_outputs(run_sync: Run) -> None:
    definition = machine(
        (
            "Both",
            {
                "Type": "Parallel",
                "ResultSelector": {"first.$": "$[0]", "second.$": "$[1].v"},
                "Branches": [
                    machine(("A", {"Type": "Pass", "Result": 1})),
                    machine(("B", {"Type": "Pass", "Parameters": {"v.$": "$.x"}})),
                ],
            },
        )
    )
    assert output(run_sync(definition, {"x": 7})) == {"first": 1, "second": 7}


def test_start_sync_execution_parallel_branch_failure_is_caught(run_sync: Run) -> None:
    definition = machine(
        (
            "Both",
            {
                "Type": "Parallel",
                "Branches": [machine(("Boom", {"Type": "Fail", "Error": "E1", "Cause": "c"}))],
                "Catch": [{"ErrorEquals": ["E1"], "ResultPath": "$.err", "Next": "Handled"}],
            },
        ),
        ("Handled", {"Type": "Pass", "End": True}),
    )
    assert output(run_sync(definition, {"k": 1})) == {"k": 1, "err": {"Error": "E1", "Cause": "c"}}


def test_start_sync_execution_map_items_path_and_item_selector(run_sync: Run) -> None:
    definition = machine(
        (
            "Each",
            {
                "Type": "Map",
                "ItemsPath": "$.items",
                "MaxConcurrency": 2,
                "ItemSelector": {
                    "value.$": "$$.Map.Item.Value",
                    "index.$": "$$.Map.Item.Index",
                    "tax.$": "$.tax",
                },
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    **machine(
                        (
                            "Price",
                            {
                                "Type": "Pass",
                                "Parameters": {
                                    "total.$": "States.MathAdd($.value, $.tax)",
                                    "index.$": "$.index",
                                },
                            },
                        )
                    ),
                },
            },
        )
    )
    assert output(run_sync(definition, {"items": [1, 2, 3], "tax": 10})) == [
        {"total": 11, "index": 0},
        {"total": 12, "index": 1},
        {"total": 13, "index": 2},
    ]


def test_start_sync_execution_map_item_batcher_groups_items(run_sync: Run) -> None:
    definition = machine(
        (
            "Each",
            {
                "Type": "Map",
                "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"b": True}},
                "ItemProcessor": machine(("Id", {"Type": "Pass"})),
            },
        )
    )
    assert output(run_sync(definition, [1, 2, 3])) == [
        {"Items": [1, 2], "BatchInput": {"b": True}},
        {"Items": [3], "BatchInput": {"b": True}},
    ]


def test_start_sync_execution_map_tolerated_failures(run_sync: Run) -> None:
    inner = machine(
        (
            "Check",
            {
                "Type": "Choice",
                "Choices": [{"Variable": "$", "NumericEquals": 0, "Next": "Bad"}],
                "Default": "Good",
            },
        ),
        ("Bad", {"Type": "Fail", "Error": "Zero"}),
        ("Good", {"Type": "Succeed"}),
    )
    tolerant = machine(("Each", {"Type": "Map", "ToleratedFailureCount": 1, "ItemProcessor": inner}))
    assert output(run_sync(tolerant, [1, 0, 2])) == [1, {"Error": "Zero", "Cause": ""}, 2]
    response = run_sync(tolerant, [0, 0, 2])
    assert (response["status"], response["error"]) == ("FAILED", "States.ExceedToleratedFailureThreshold")
    strict = machine(("Each", {"Type": "Map", "ItemProcessor": inner}))
    response = run_sync(strict, [1, 0])
    assert (response["status"], response["error"]) == ("FAILED", "Zero")


def test_start_sync_execution_variables_assign_and_scoping(run_sync: Run) -> None:
    definition = machine(
        (
            "Set",
            {
                "Type": "Pass",
                "Result": {"n": 2},
                "ResultPath": None,
                "Assign": {"count.$": "$.n", "label": "x"},
            },
        ),
        (
            "Inner",
            {
                "Type": "Map",
                "ItemsPath": "$.list",
                "ItemSelector": {"v.$": "$$.Map.Item.Value", "c.$": "$count"},
                "ItemProcessor": machine(
                    (
                        "Shadow",
                        {
                            "Type": "Pass",
                            "Assign": {"count": 99},
                            "Parameters": {"seen.$": "$count", "v.$": "$.v"},
                        },
                    )
                ),
                "ResultPath": "$.mapped",
            },
        ),
        (
            "Read",
            {
                "Type": "Pass",
                "Parameters": {"count.$": "$count", "label.$": "$label", "mapped.$": "$.mapped"},
            },
        ),
    )
    result = output(run_sync(definition, {"list": [5]}))
    assert result == {"count": 2, "label": "x", "mapped": [{"seen": 2, "v": 5}]}


def test_start_sync_execution_jsonata_states(run_sync: Run) -> None:
    definition = machine(
        (
            "Compute",
            {
                "Type": "Pass",
                "Assign": {"total": "{% $sum($states.input.prices) %}"},
                "Output": {"count": "{% $count($states.input.prices) %}"},
            },
        ),
        (
            "Route",
            {
                "Type": "Choice",
                "Choices": [{"Condition": "{% $total > 10 %}", "Next": "Expensive"}],
                "Default": "Cheap",
            },
        ),
        (
            "Expensive",
            {
                "Type": "Pass",
                "Output": {
                    "total": "{% $total %}",
                    "count": "{% $states.input.count %}",
                    "kind": "expensive",
                },
                "End": True,
            },
        ),
        ("Cheap", {"Type": "Pass", "Output": "{% 'cheap' %}", "End": True}),
        QueryLanguage="JSONata",
    )
    assert output(run_sync(definition, {"prices": [5, 7.5]})) == {
        "total": 12.5,
        "count": 2,
        "kind": "expensive",
    }
    assert output(run_sync(definition, {"prices": [1]})) == "cheap"


def test_start_sync_execution_jsonata_map_and_fail(run_sync: Run) -> None:
    definition = machine(
        (
            "Each",
            {
                "Type": "Map",
                "Items": "{% $states.input.xs %}",
                "ItemSelector": {"x": "{% $states.context.Map.Item.Value %}"},
                "ItemProcessor": machine(("Double", {"Type": "Pass", "Output": "{% $states.input.x * 2 %}"})),
            },
        ),
        (
            "Check",
            {
                "Type": "Choice",
                "Choices": [{"Condition": "{% $sum($states.input) = 12 %}", "Next": "Stop"}],
                "Default": "Done",
            },
        ),
        ("Stop", {"Type": "Fail", "Error": "{% 'Sum' & $string($sum($states.input)) %}", "Cause": "twelve"}),
        ("Done", {"Type": "Succeed"}),
        QueryLanguage="JSONata",
    )
    response = run_sync(definition, {"xs": [1, 2, 3]})
    assert (response["status"], response["error"], response["cause"]) == ("FAILED", "Sum12", "twelve")


def test_start_sync_execution_output_over_256kb_fails_data_limit(run_sync: Run) -> None:
    definition = machine(("Big", {"Type": "Pass", "Parameters": {"a.$": "$.s", "b.$": "$.s", "c.$": "$.s"}}))
    response = run_sync(definition, {"s": "x" * 90000})
    assert (response["status"], response["error"]) == ("FAILED", "States.DataLimitExceeded")


def test_start_sync_execution_choice_rule_assign_and_jsonata_output(run_sync: Run) -> None:
    definition = machine(
        (
            "Pick",
            {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.n", "NumericGreaterThan": 1, "Assign": {"size": "big"}, "Next": "Show"}
                ],
                "Default": "Show",
                "Assign": {"size": "small"},
            },
        ),
        ("Show", {"Type": "Pass", "Parameters": {"size.$": "$size"}}),
    )
    assert output(run_sync(definition, {"n": 2})) == {"size": "big"}
    assert output(run_sync(definition, {"n": 0})) == {"size": "small"}
    jsonata_definition = machine(
        (
            "Pick",
            {
                "Type": "Choice",
                "Choices": [
                    {
                        "Condition": "{% $states.input.n > 1 %}",
                        "Output": {"doubled": "{% $states.input.n * 2 %}"},
                        "Next": "Done",
                    }
                ],
                "Default": "Done",
            },
        ),
        ("Done", {"Type": "Succeed"}),
        QueryLanguage="JSONata",
    )
    assert output(run_sync(jsonata_definition, {"n": 4})) == {"doubled": 8}
    assert output(run_sync(jsonata_definition, {"n": 1})) == {"n": 1}
