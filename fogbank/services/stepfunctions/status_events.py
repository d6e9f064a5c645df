""" "Step Functions Execution Status Change" events sent to the account's default EventBridge bus
when a STANDARD execution starts, succeeds, fails, times out or is aborted (Express executions
send none, as in AWS).
https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fogbank.errors import AwsError
from fogbank.services import calls, registry

log = logging.getLogger("fogbank.stepfunctions")


def _millis(epoch: float | None) -> int | None:
    return None if epoch is None else int(epoch * 1000)


def detail(record: dict[str, Any]) -> dict[str, Any]:
    closed = record["status"] != "RUNNING"
    return {
        "executionArn": record["executionArn"],
        "stateMachineArn": record["stateMachineArn"],
        "name": record["name"],
        "status": record["status"],
        "startDate": _millis(record["startDate"]),
        "stopDate": _millis(record.get("stopDate")),
        "input": record["input"],
        "output": record.get("output"),
        "inputDetails": {"included": True},
        "outputDetails": {"included": True} if closed else None,
        "error": record.get("error"),
        "cause": record.get("cause"),
        "redriveCount": record.get("redriveCount", 0),
        "redriveDate": _millis(record.get("redriveDate")),
        "stateMachineVersionArn": record.get("stateMachineVersionArn"),
        "stateMachineAliasArn": record.get("stateMachineAliasArn"),
    }


def announce(record: dict[str, Any], account: str, region: str) -> None:
    """Send the event (when fogbank has EventBridge); a failure to send never fails the execution."""
    if record.get("type") == "EXPRESS" or not registry.is_implemented("events"):
        return
    entry = {
        "Source": "aws.states",
        "DetailType": "Step Functions Execution Status Change",
        "Resources": [record["executionArn"]],
        "Detail": json.dumps(detail(record)),
    }
    try:
        calls.call("events", "PutEvents", {"Entries": [entry]}, account=account, region=region)
    except AwsError:
        log.exception("could not send the status change event of %s", record["executionArn"])
