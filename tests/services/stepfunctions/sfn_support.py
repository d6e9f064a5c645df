"""Helpers shared by the Step Functions tests."""

from __future__ import annotations

from typing import Any

ROLE = "arn:aws:iam::000000000000:role/sfn-role"


def machine(*states: tuple[str, dict[str, Any]], **top: Any) -> dict[str, Any]:
    """A definition whose states run in the given order (the last one ends)."""
    named = dict(states)
    names = list(named)
    for index, name in enumerate(names):
        state = named[name]
        if state["Type"] not in ("Choice", "Succeed", "Fail") and "Next" not in state and "End" not in state:
            state.update({"Next": names[index + 1]} if index + 1 < len(names) else {"End": True})
    return {"StartAt": names[0], "States": named, **top}


def history_types(sfn: Any, execution_arn: str) -> list[str]:
    events = sfn.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
    return [event["type"] for event in events]


def build_zip(files: dict[str, str]) -> bytes:
    """A Lambda deployment package built in the test."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), content)
    return buffer.getvalue()


def wait_closed(sfn: Any, arn: str, seconds: float = 30.0) -> dict[str, Any]:
    """DescribeExecution until the execution has left RUNNING (Lambda cold starts take real time;
    nothing here waits on fogbank's clock)."""
    import time

    deadline = time.monotonic() + seconds
    while True:
        described = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING" or time.monotonic() > deadline:
            return dict(described)


def eventually(check: Any, seconds: float = 10.0) -> Any:
    """Poll `check()` until it answers something truthy (work woken by a clock advance runs on
    the server's event loop right after the advance answers); answers the last result."""
    import time

    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
