"""How data flows through one state in either query language.

JSONPath: InputPath → Parameters → (work) → ResultSelector → ResultPath → OutputPath, with Assign
reading the result. JSONata: Arguments → (work) → Output and Assign over `$states`.
Assign and Output see the variables as they were when the state was entered.
https://docs.aws.amazon.com/step-functions/latest/dg/concepts-input-output-filtering.html
https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fogbank.services.stepfunctions import intrinsics, jsonata, jsonpath
from fogbank.services.stepfunctions.errors import StatesError
from fogbank.services.stepfunctions.history import Lane


@dataclass(slots=True)
class Frame:
    """What a sequence of states shares: its history lane, the variables it sees, the query
    language its states default to and, inside a Map iteration, the item being processed."""

    lane: Lane
    variables: dict[str, Any]
    language: str = "JSONPath"
    map_item: dict[str, Any] | None = None

    def nested(self, lane: Lane, language: str, map_item: dict[str, Any] | None = None) -> Frame:
        # Inner scopes read the outer variables; their own assignments stay inside.
        return Frame(lane, dict(self.variables), language, map_item)


@dataclass(slots=True)
class StateData:
    """The data one state works with: raw input, context object and the variables it sees."""

    name: str
    state: dict[str, Any]
    raw: Any
    context: dict[str, Any]
    frame: Frame
    jsonata: bool = field(default=False)
    inspection: dict[str, Any] | None = None  # TestState's inspectionData, filled as data flows
    assigned: dict[str, Any] = field(default_factory=dict)  # variables this state assigned
    assigned_callback: dict[str, Any] = field(default_factory=dict)  # a waiting task's token details

    def inspect(self, name: str, value: Any) -> None:
        if self.inspection is not None:
            self.inspection[name] = jsonpath.dumps(value)

    def scope(self, document: Any) -> jsonpath.Scope:
        return jsonpath.Scope(document, self.context, self.frame.variables)

    def states(self, **extra: Any) -> dict[str, Any]:
        return {"input": self.raw, "context": self.context, **extra}


def _assign(data: StateData, assigned: dict[str, Any]) -> None:
    data.frame.variables.update(assigned)
    data.assigned.update(assigned)


def no_results(path: str) -> StatesError:
    return StatesError("States.Runtime", f"Invalid path '{path}' : No results for path: {_bracketed(path)}")


def _bracketed(path: str) -> str:
    try:
        parsed = jsonpath.parse(path)
    except ValueError:
        return path
    parts = [
        f"[{step.value}]" if step.kind == "index" else f"['{step.value}']"
        for step in parsed.steps
        if step.kind in ("key", "index")
    ]
    return "$" + "".join(parts)


def read_path(data: StateData, path: str, document: Any) -> Any:
    try:
        return jsonpath.resolve(path, data.scope(document))
    except jsonpath.PathNotFound:
        raise no_results(path) from None


def effective_input(data: StateData) -> Any:
    """JSONPath InputPath (null gives {}); JSONata states take the raw input."""
    if data.jsonata:
        return data.raw
    if "InputPath" in data.state and data.state["InputPath"] is None:
        effective = {}
    else:
        effective = read_path(data, data.state.get("InputPath", "$"), data.raw)
    data.inspect("afterInputPath", effective)
    return effective


def template(data: StateData, value: Any, document: Any) -> Any:
    if data.jsonata:
        return jsonata.evaluate_template(value, data.states(), data.frame.variables)
    return jsonpath.apply_template(value, data.scope(document), intrinsics.evaluate)


def arguments(data: StateData, effective: Any) -> Any:
    """Parameters (JSONPath) or Arguments (JSONata); without them, the effective input."""
    name = "Arguments" if data.jsonata else "Parameters"
    built = template(data, data.state[name], effective) if name in data.state else effective
    data.inspect(f"after{name}", built)
    return built


def finish(data: StateData, result: Any, *, default_output: Any = None, use_result: bool = True) -> Any:
    """Everything after the work: result shaping, variable assignment and the state's output."""
    if use_result:
        data.inspect("result", result)
    if data.jsonata:
        states = data.states(result=result) if use_result else data.states()
        assigned = _jsonata_assign(data, states)
        if "Output" in data.state:
            output = jsonata.evaluate_template(data.state["Output"], states, data.frame.variables)
        else:
            output = result if use_result else default_output
        _assign(data, assigned)
        return output
    if "ResultSelector" in data.state:
        result = jsonpath.apply_template(
            data.state["ResultSelector"], data.scope(result), intrinsics.evaluate
        )
        data.inspect("afterResultSelector", result)
    assigned = _jsonpath_assign(data, data.state.get("Assign"), result)
    if use_result:
        merged = jsonpath.merge_result(data.raw, result, data.state.get("ResultPath", "$"))
        data.inspect("afterResultPath", merged)
    else:
        merged = default_output
    output = _output_path(data, merged)
    _assign(data, assigned)
    return output


def _output_path(data: StateData, merged: Any) -> Any:
    if "OutputPath" in data.state and data.state["OutputPath"] is None:
        return {}
    return read_path(data, data.state.get("OutputPath", "$"), merged)


def _jsonpath_assign(data: StateData, assign: Any, document: Any) -> dict[str, Any]:
    if not assign:
        return {}
    return jsonpath.apply_template(assign, data.scope(document), intrinsics.evaluate)  # type: ignore[no-any-return]


def _jsonata_assign(data: StateData, states: dict[str, Any]) -> dict[str, Any]:
    assign = data.state.get("Assign")
    if not assign:
        return {}
    return jsonata.evaluate_template(assign, states, data.frame.variables)  # type: ignore[no-any-return]


def catch_output(data: StateData, catcher: dict[str, Any], error: StatesError) -> Any:
    """The output of a state whose error a Catcher caught; the catcher's Assign applies."""
    error_output = {"Error": error.error, "Cause": error.cause}
    if data.jsonata:
        states = data.states(errorOutput=error_output)
        assigned = jsonata.evaluate_template(catcher.get("Assign") or {}, states, data.frame.variables)
        if "Output" in catcher:
            output = jsonata.evaluate_template(catcher["Output"], states, data.frame.variables)
        else:
            output = error_output
        _assign(data, assigned)
        return output
    assigned = _jsonpath_assign(data, catcher.get("Assign"), error_output)
    output = jsonpath.merge_result(data.raw, error_output, catcher.get("ResultPath", "$"))
    _assign(data, assigned)
    return output


def number_field(data: StateData, name: str, document: Any, default: Any = None) -> Any:
    """A field that may be given literally, as `<name>Path` (JSONPath) or as JSONata."""
    if f"{name}Path" in data.state:
        return read_path(data, data.state[f"{name}Path"], document)
    value = data.state.get(name, default)
    if data.jsonata and jsonata.is_expression(value):
        return jsonata.evaluate(value, data.states(), data.frame.variables)
    return value
