"""Parsing and validating Amazon States Language definitions.

`diagnose()` returns AWS's diagnostics (`ValidateStateMachineDefinition`), `load()` raises
`InvalidDefinition` with the message CreateStateMachine gives:
`Invalid State Machine Definition: 'CODE: message at /location, ...'`.
https://docs.aws.amazon.com/step-functions/latest/apireference/API_ValidateStateMachineDefinition.html
"""

from __future__ import annotations

import json
import re
from typing import Any

from fogbank.services.stepfunctions import intrinsics, jsonata, jsonpath
from fogbank.services.stepfunctions.choice import COMPARISONS
from fogbank.services.stepfunctions.errors import InvalidDefinition

_COMMON = {"Type", "Comment", "QueryLanguage", "Assign"}
_FLOW = {"Next", "End"}
_JSONPATH_IO = {"InputPath", "OutputPath"}
_JSONATA_IO = {"Output"}
_ERRORS = {"Retry", "Catch"}
FIELDS: dict[str, set[str]] = {
    "Pass": _COMMON | _FLOW | _JSONPATH_IO | _JSONATA_IO | {"Result", "ResultPath", "Parameters"},
    "Task": _COMMON
    | _FLOW
    | _JSONPATH_IO
    | _JSONATA_IO
    | _ERRORS
    | {
        "Resource",
        "Parameters",
        "Arguments",
        "ResultSelector",
        "ResultPath",
        "TimeoutSeconds",
        "TimeoutSecondsPath",
        "HeartbeatSeconds",
        "HeartbeatSecondsPath",
        "Credentials",
    },
    "Choice": _COMMON | _JSONPATH_IO | _JSONATA_IO | {"Choices", "Default"},
    "Wait": _COMMON
    | _FLOW
    | _JSONPATH_IO
    | _JSONATA_IO
    | {"Seconds", "Timestamp", "SecondsPath", "TimestampPath"},
    "Succeed": _COMMON | _JSONPATH_IO | _JSONATA_IO,
    "Fail": {"Type", "Comment", "QueryLanguage", "Error", "Cause", "ErrorPath", "CausePath"},
    "Parallel": _COMMON
    | _FLOW
    | _JSONPATH_IO
    | _JSONATA_IO
    | _ERRORS
    | {
        "Branches",
        "Parameters",
        "Arguments",
        "ResultSelector",
        "ResultPath",
    },
    "Map": _COMMON
    | _FLOW
    | _JSONPATH_IO
    | _JSONATA_IO
    | _ERRORS
    | {
        "Iterator",
        "ItemProcessor",
        "ItemsPath",
        "Items",
        "ItemSelector",
        "Parameters",
        "ItemBatcher",
        "ItemReader",
        "ResultWriter",
        "ResultSelector",
        "ResultPath",
        "MaxConcurrency",
        "MaxConcurrencyPath",
        "ToleratedFailurePercentage",
        "ToleratedFailurePercentagePath",
        "ToleratedFailureCount",
        "ToleratedFailureCountPath",
        "Label",
    },
}
_PATH_FIELDS = (
    "InputPath",
    "OutputPath",
    "ItemsPath",
    "SecondsPath",
    "TimestampPath",
    "ErrorPath",
    "CausePath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
)
_JSONPATH_ONLY = {
    *_PATH_FIELDS,
    "Parameters",
    "ResultSelector",
    "ResultPath",
    "MaxConcurrencyPath",
    "ToleratedFailurePercentagePath",
    "ToleratedFailureCountPath",
    "Iterator",
    "Result",
}
_JSONATA_ONLY = {"Arguments", "Output", "Items"}


class Diagnostics:
    def __init__(self) -> None:
        self.found: list[dict[str, str]] = []

    def error(self, code: str, message: str, location: str) -> None:
        self.found.append({"severity": "ERROR", "code": code, "message": message, "location": location})


def diagnose(text: str, machine_type: str = "STANDARD") -> tuple[dict[str, Any] | None, list[dict[str, str]]]:
    """Parse and check a definition for a STANDARD or EXPRESS machine: (document, diagnostics)."""
    report = Diagnostics()
    try:
        document = json.loads(text)
    except ValueError as error:
        report.error("INVALID_JSON_DESCRIPTION", str(error), "")
        return None, report.found
    if not isinstance(document, dict):
        report.error("SCHEMA_VALIDATION_FAILED", "The definition must be a JSON object", "")
        return None, report.found
    language = document.get("QueryLanguage", "JSONPath")
    if language not in ("JSONPath", "JSONata"):
        report.error(
            "SCHEMA_VALIDATION_FAILED",
            f'The value "{language}" is not a valid QueryLanguage',
            "/QueryLanguage",
        )
    _machine(document, "", language, report)
    if machine_type == "EXPRESS":
        _express_only(document, "", report)
    return document, report.found


def _express_only(machine: dict[str, Any], at: str, report: Diagnostics) -> None:
    """Express workflows cannot wait for jobs, tokens or activity workers.
    https://docs.aws.amazon.com/step-functions/latest/dg/concepts-standard-vs-express.html"""
    states = machine.get("States")
    for name, state in (states or {}).items() if isinstance(states, dict) else []:
        if not isinstance(state, dict):
            continue
        where = f"{at}/States/{name}"
        resource = state.get("Resource")
        if isinstance(resource, str):
            for suffix in (".sync:2", ".sync", ".waitForTaskToken"):
                if resource.endswith(suffix):
                    report.error(
                        "SCHEMA_VALIDATION_FAILED",
                        f"Express state machine does not support '{suffix.split(':')[0]}' service integration",
                        f"{where}/Resource",
                    )
                    break
            if ":activity:" in resource:
                report.error(
                    "SCHEMA_VALIDATION_FAILED",
                    "Express state machine does not support Activity ARN",
                    f"{where}/Resource",
                )
        for index, branch in enumerate(state.get("Branches") or []):
            if isinstance(branch, dict):
                _express_only(branch, f"{where}/Branches[{index}]", report)
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if isinstance(processor, dict):
            _express_only(processor, f"{where}/ItemProcessor", report)


def load(text: str, machine_type: str = "STANDARD") -> dict[str, Any]:
    document, found = diagnose(text, machine_type)
    if found or document is None:
        details = ", ".join(
            f"{item['code']}: {item['message']}" + (f" at {item['location']}" if item["location"] else "")
            for item in found
        )
        raise InvalidDefinition(f"Invalid State Machine Definition: '{details}'")
    return document


def _machine(machine: dict[str, Any], at: str, language: str, report: Diagnostics) -> None:
    states = machine.get("States")
    if not isinstance(states, dict) or not states:
        report.error("SCHEMA_VALIDATION_FAILED", 'The field "States" is required but was missing', at or "/")
        return
    start = machine.get("StartAt")
    if not isinstance(start, str):
        report.error("SCHEMA_VALIDATION_FAILED", 'The field "StartAt" is required but was missing', at or "/")
    elif start not in states:
        report.error("MISSING_TRANSITION_TARGET", f"Missing 'Next' target: {start}", f"{at}/StartAt")
    for name, state in states.items():
        location = f"{at}/States/{name}"
        if len(name) > 80:
            report.error("SCHEMA_VALIDATION_FAILED", "State names must be at most 80 characters", location)
        if not isinstance(state, dict):
            report.error("SCHEMA_VALIDATION_FAILED", "A state must be a JSON object", location)
            continue
        _state(state, states, location, state.get("QueryLanguage", language), report)
    if isinstance(start, str) and start in states:
        for name in sorted(set(states) - _reachable(start, states)):
            report.error("UNREACHABLE_STATE", f'State "{name}" is not reachable.', f"{at}/States/{name}")


def _targets(state: dict[str, Any]) -> list[str]:
    targets = [state["Next"]] if isinstance(state.get("Next"), str) else []
    if isinstance(state.get("Default"), str):
        targets.append(state["Default"])
    for rule in state.get("Choices") or []:
        if isinstance(rule, dict) and isinstance(rule.get("Next"), str):
            targets.append(rule["Next"])
    for catcher in state.get("Catch") or []:
        if isinstance(catcher, dict) and isinstance(catcher.get("Next"), str):
            targets.append(catcher["Next"])
    return targets


def _reachable(start: str, states: dict[str, Any]) -> set[str]:
    seen, pending = {start}, [start]
    while pending:
        state = states.get(pending.pop())
        for target in _targets(state) if isinstance(state, dict) else []:
            if target in states and target not in seen:
                seen.add(target)
                pending.append(target)
    return seen


def _state(
    state: dict[str, Any], states: dict[str, Any], at: str, language: str, report: Diagnostics
) -> None:
    kind = state.get("Type")
    if kind not in FIELDS:
        message = (
            'The field "Type" is required but was missing'
            if kind is None
            else f'"{kind}" is not a valid state type'
        )
        report.error("SCHEMA_VALIDATION_FAILED", message, at)
        return
    _fields(state, kind, at, language, report)
    _transitions(state, kind, states, at, report)
    _paths(state, at, report)
    _kind_rules(state, kind, at, language, report)
    _error_handlers(state, states, at, report)
    _task_limits(state, at, report)


def _fields(state: dict[str, Any], kind: str, at: str, language: str, report: Diagnostics) -> None:
    """Fields the state type has, in the query language the state uses."""
    for name in state:
        if name not in FIELDS[kind]:
            message = f'Field "{name}" is not supported by state type "{kind}"'
        elif language == "JSONata" and name in _JSONPATH_ONLY:
            message = f"The field '{name}' is not supported for JSONata"
        elif language == "JSONPath" and name in _JSONATA_ONLY:
            message = f"The field '{name}' is only supported for JSONata"
        else:
            continue
        report.error("SCHEMA_VALIDATION_FAILED", message, f"{at}/{name}")


def _has_errors(handler: Any) -> bool:
    return (
        isinstance(handler, dict)
        and isinstance(handler.get("ErrorEquals"), list)
        and bool(handler["ErrorEquals"])
    )


def _error_handlers(state: dict[str, Any], states: dict[str, Any], at: str, report: Diagnostics) -> None:
    for index, catcher in enumerate(state.get("Catch") or []):
        if not _has_errors(catcher):
            report.error(
                "SCHEMA_VALIDATION_FAILED", 'The field "ErrorEquals" is required', f"{at}/Catch[{index}]"
            )
        elif catcher.get("Next") not in states:
            report.error(
                "MISSING_TRANSITION_TARGET",
                f"Missing 'Next' target: {catcher.get('Next')}",
                f"{at}/Catch[{index}]/Next",
            )
    for index, retrier in enumerate(state.get("Retry") or []):
        if not _has_errors(retrier):
            report.error(
                "SCHEMA_VALIDATION_FAILED", 'The field "ErrorEquals" is required', f"{at}/Retry[{index}]"
            )
        else:
            _retrier_numbers(retrier, f"{at}/Retry[{index}]", report)


def _transitions(
    state: dict[str, Any], kind: str, states: dict[str, Any], at: str, report: Diagnostics
) -> None:
    if kind in ("Choice", "Succeed", "Fail"):
        return
    has_next, has_end = "Next" in state, state.get("End") is True
    if has_next and has_end:
        report.error("SCHEMA_VALIDATION_FAILED", 'Only one of "Next" or "End" can be present', at)
    elif not has_next and not has_end:
        report.error("SCHEMA_VALIDATION_FAILED", 'Exactly one of "Next" or "End" must be present', at)
    elif has_next and state["Next"] not in states:
        report.error("MISSING_TRANSITION_TARGET", f"Missing 'Next' target: {state['Next']}", f"{at}/Next")


def _paths(state: dict[str, Any], at: str, report: Diagnostics) -> None:
    for name in _PATH_FIELDS:
        value = state.get(name)
        if value is None or name not in state:
            continue
        if name in ("ErrorPath", "CausePath") and isinstance(value, str) and value.startswith("States."):
            continue  # intrinsic functions are allowed here (checked when they run)
        if not _valid_path(value):
            report.error(
                "SCHEMA_VALIDATION_FAILED",
                f"The value for the field '{name}' must be a valid JSONPath",
                f"{at}/{name}",
            )
    if (
        "ResultPath" in state
        and state["ResultPath"] is not None
        and not jsonpath.is_reference_path(state["ResultPath"])
    ):
        report.error(
            "SCHEMA_VALIDATION_FAILED",
            "The value for the field 'ResultPath' must be a valid ReferencePath",
            f"{at}/ResultPath",
        )
    _variable_names(state, at, report)
    for name in ("Parameters", "ResultSelector", "ItemSelector", "Assign"):
        if name in state:
            _template(state[name], f"{at}/{name}", report)


_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,79}")


def _variable_names(state: dict[str, Any], at: str, report: Diagnostics) -> None:
    """Assign names are identifiers of at most 80 characters; `states` is reserved.
    https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html"""
    assigns = [(state.get("Assign"), f"{at}/Assign")]
    assigns += [
        (rule.get("Assign"), f"{at}/Choices[{i}]/Assign")
        for i, rule in enumerate(state.get("Choices") or [])
        if isinstance(rule, dict)
    ]
    assigns += [
        (catcher.get("Assign"), f"{at}/Catch[{i}]/Assign")
        for i, catcher in enumerate(state.get("Catch") or [])
        if isinstance(catcher, dict)
    ]
    for assign, where in assigns:
        if assign is None:
            continue
        if not isinstance(assign, dict):
            report.error(
                "SCHEMA_VALIDATION_FAILED", "The value for the field 'Assign' must be an OBJECT", where
            )
            continue
        for key in assign:
            name = key.removesuffix(".$")
            if not _VARIABLE.fullmatch(name) or name == "states":
                report.error(
                    "SCHEMA_VALIDATION_FAILED",
                    f"The variable name '{name}' is invalid: names are letters, digits and underscores (at most 80, not starting with a digit), and 'states' is reserved",
                    f"{where}/{key}",
                )


def _valid_path(value: Any) -> bool:
    try:
        return isinstance(value, str) and jsonpath.parse(value) is not None
    except ValueError:
        return False


def _template(template: Any, at: str, report: Diagnostics) -> None:
    if isinstance(template, list):
        for index, item in enumerate(template):
            _template(item, f"{at}[{index}]", report)
    if not isinstance(template, dict):
        return
    for key, value in template.items():
        if not key.endswith(".$"):
            _template(value, f"{at}/{key}", report)
        elif not isinstance(value, str):
            report.error(
                "SCHEMA_VALIDATION_FAILED", f"The value for the field '{key}' must be a STRING", f"{at}/{key}"
            )
        elif value.startswith("States."):
            try:
                intrinsics.parse(value)
            except ValueError as error:
                report.error(
                    "SCHEMA_VALIDATION_FAILED",
                    f"The value for the field '{key}' must be a valid JSONPath or a valid intrinsic function call ({error})",
                    f"{at}/{key}",
                )
        elif not _valid_path(value):
            report.error(
                "SCHEMA_VALIDATION_FAILED",
                f"The value for the field '{key}' must be a valid JSONPath or a valid intrinsic function call",
                f"{at}/{key}",
            )


# Retrier fields: (lowest, highest, must be an integer). https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
_RETRIER_LIMITS: dict[str, tuple[float, float, bool]] = {
    "IntervalSeconds": (1, 99999999, True),
    "MaxAttempts": (0, 99999999, True),
    "BackoffRate": (1.0, float("inf"), False),
    "MaxDelaySeconds": (1, 31622400, True),
}


def _number_in(value: Any, low: float, high: float, integer: bool) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return low <= value <= high and (not integer or float(value).is_integer())


def _retrier_numbers(retrier: dict[str, Any], at: str, report: Diagnostics) -> None:
    for name, (low, high, integer) in _RETRIER_LIMITS.items():
        if name in retrier and not _number_in(retrier[name], low, high, integer):
            report.error(
                "SCHEMA_VALIDATION_FAILED",
                f"The value of the field '{name}' must be {'an integer' if integer else 'a number'} between {low} and {high}",
                f"{at}/{name}",
            )
    if retrier.get("JitterStrategy", "NONE") not in ("FULL", "NONE"):
        report.error(
            "SCHEMA_VALIDATION_FAILED",
            "The value of the field 'JitterStrategy' must be FULL or NONE",
            f"{at}/JitterStrategy",
        )


def _task_limits(state: dict[str, Any], at: str, report: Diagnostics) -> None:
    """TimeoutSeconds and HeartbeatSeconds: positive integers, the heartbeat below the timeout."""
    timeout, heartbeat = state.get("TimeoutSeconds"), state.get("HeartbeatSeconds")
    for name, value in (("TimeoutSeconds", timeout), ("HeartbeatSeconds", heartbeat)):
        if (
            value is not None
            and not jsonata.is_expression(value)
            and not _number_in(value, 1, 99999999, True)
        ):
            report.error(
                "SCHEMA_VALIDATION_FAILED",
                f"The value of the field '{name}' must be a positive integer",
                f"{at}/{name}",
            )
    if isinstance(timeout, int) and isinstance(heartbeat, int) and heartbeat >= timeout:
        report.error(
            "SCHEMA_VALIDATION_FAILED",
            "The value of the field 'HeartbeatSeconds' must be smaller than the value of the field 'TimeoutSeconds'",
            f"{at}/HeartbeatSeconds",
        )


def _kind_rules(state: dict[str, Any], kind: str, at: str, language: str, report: Diagnostics) -> None:
    if kind == "Task" and not isinstance(state.get("Resource"), str):
        report.error("SCHEMA_VALIDATION_FAILED", 'The field "Resource" is required but was missing', at)
    elif kind == "Task" and state["Resource"] == "arn:aws:states:::http:invoke":
        _http_task(state, at, report)
    elif kind == "Wait":
        given = [name for name in ("Seconds", "Timestamp", "SecondsPath", "TimestampPath") if name in state]
        if len(given) != 1:
            report.error(
                "SCHEMA_VALIDATION_FAILED",
                "A Wait state must have exactly one of Seconds, Timestamp, SecondsPath or TimestampPath",
                at,
            )
    elif kind == "Choice":
        _choices(state, at, language, report)
    elif kind == "Parallel":
        branches = state.get("Branches")
        if not isinstance(branches, list) or not branches:
            report.error("SCHEMA_VALIDATION_FAILED", 'The field "Branches" is required but was missing', at)
        for index, branch in enumerate(branches or []):
            if isinstance(branch, dict):
                _machine(branch, f"{at}/Branches[{index}]", language, report)
    elif kind == "Map":
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if not isinstance(processor, dict):
            report.error(
                "SCHEMA_VALIDATION_FAILED", 'The field "ItemProcessor" is required but was missing', at
            )
        else:
            _machine(processor, f"{at}/ItemProcessor", processor.get("QueryLanguage", language), report)
    _jsonata_expressions(state, at, language, report)


def _http_task(state: dict[str, Any], at: str, report: Diagnostics) -> None:
    """An HTTP Task names its endpoint, method and connection (static or `.$` / JSONata values).
    https://docs.aws.amazon.com/step-functions/latest/dg/call-https-apis.html"""
    field = "Arguments" if "Arguments" in state else "Parameters"
    given = state.get(field)
    if isinstance(given, str):  # one JSONata expression: checked when it runs
        return
    given = given if isinstance(given, dict) else {}
    auth = given.get("Authentication")
    checks = [(name, given, f"{at}/{field}") for name in ("ApiEndpoint", "Method", "Authentication")]
    if isinstance(auth, dict):
        checks.append(("ConnectionArn", auth, f"{at}/{field}/Authentication"))
    for name, where, path in checks:
        if name not in where and f"{name}.$" not in where:
            report.error("SCHEMA_VALIDATION_FAILED", f'The field "{name}" is required but was missing', path)


def _choices(state: dict[str, Any], at: str, language: str, report: Diagnostics) -> None:
    rules = state.get("Choices")
    if not isinstance(rules, list) or not rules:
        report.error("SCHEMA_VALIDATION_FAILED", 'The field "Choices" is required but was missing', at)
        return
    for index, rule in enumerate(rules):
        where = f"{at}/Choices[{index}]"
        if not isinstance(rule, dict) or "Next" not in rule:
            report.error("SCHEMA_VALIDATION_FAILED", 'The field "Next" is required but was missing', where)
        elif language == "JSONata" and "Condition" not in rule:
            report.error(
                "SCHEMA_VALIDATION_FAILED", 'The field "Condition" is required but was missing', where
            )
        elif language == "JSONPath":
            _rule(rule, where, report, top=True)


def _rule(rule: Any, at: str, report: Diagnostics, top: bool = False) -> None:
    if not isinstance(rule, dict):
        report.error("SCHEMA_VALIDATION_FAILED", "A choice rule must be a JSON object", at)
        return
    if "And" in rule or "Or" in rule:
        for index, child in enumerate(rule.get("And") or rule.get("Or") or []):
            _rule(child, f"{at}/{'And' if 'And' in rule else 'Or'}[{index}]", report)
        return
    if "Not" in rule:
        _rule(rule["Not"], f"{at}/Not", report)
        return
    operators = [key for key in rule if key in COMPARISONS]
    if len(operators) != 1:
        report.error(
            "SCHEMA_VALIDATION_FAILED", "A choice rule must have exactly one comparison operator", at
        )
    if not _valid_path(rule.get("Variable")):
        report.error("SCHEMA_VALIDATION_FAILED", 'The field "Variable" must be a valid JSONPath', at)


def _jsonata_expressions(state: dict[str, Any], at: str, language: str, report: Diagnostics) -> None:
    if language != "JSONata":
        return
    for name, value in state.items():
        if name in ("Branches", "ItemProcessor", "Iterator"):
            continue
        for text in _expressions(value):
            try:
                jsonata.compile_expression(text[2:-2].strip())
            except ValueError as error:
                report.error(
                    "SCHEMA_VALIDATION_FAILED",
                    f"The JSONata expression '{text}' specified for the field '{name}' is invalid: {error}",
                    f"{at}/{name}",
                )


def _expressions(value: Any) -> list[str]:
    if jsonata.is_expression(value):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _expressions(item)]
    if isinstance(value, list):
        return [text for item in value for text in _expressions(item)]
    return []
