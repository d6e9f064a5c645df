"""Pipe logs: with `LogConfiguration.CloudwatchLogsLogDestination`, each batch through a pipe (an
execution) writes one JSON record per execution step to the log group (a log stream named after
the pipe), for the steps the configured `Level` includes, as AWS documents
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-logs.html and
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-logs-schema.html): `ERROR`
writes failures, `INFO` also the execution and stage steps, `TRACE` also the transformation and
invocation steps. Records carry `executionId`, `timestamp`, `messageType`, `resourceArn`,
`logLevel`, `error` on failures, and with `IncludeExecutionData: ["ALL"]` the batch as `payload`
(`awsRequest` / `awsResponse` are not written yet).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import orjson

from fogbank import clock
from fogbank.errors import AwsError
from fogbank.services import calls

log = logging.getLogger("fogbank.pipes")

LEVELS = {"OFF": 0, "ERROR": 1, "INFO": 2, "TRACE": 3}
INFO_STEPS = (
    "ExecutionStarted",
    "ExecutionSucceeded",
    "EnrichmentStageEntered",
    "EnrichmentStageSucceeded",
    "TargetStageEntered",
    "TargetStageSucceeded",
    "TargetStageSkipped",
)


def step_level(message_type: str) -> str:
    if message_type.endswith("Failed") or message_type == "ExecutionTimeout":
        return "ERROR"
    return "INFO" if message_type in INFO_STEPS else "TRACE"


class Execution:
    """The log records of one batch through a pipe."""

    def __init__(self, account: str, region: str, record: dict[str, Any]) -> None:
        config = record.get("LogConfiguration") or {}
        self.group_arn: str = (config.get("CloudwatchLogsLogDestination") or {}).get("LogGroupArn") or ""
        self.level = LEVELS.get(config.get("Level") or "OFF", 0)
        self.with_data = "ALL" in (config.get("IncludeExecutionData") or [])
        self.pipe_arn = record["Arn"]
        self.stream = record["Name"]
        self.account, self.region = account, region
        self.id = str(uuid.uuid4())

    def step(self, message_type: str, batch: Any = None, error: str | None = None) -> None:
        level = step_level(message_type)
        if not self.group_arn or self.level < LEVELS[level]:
            return
        document: dict[str, Any] = {
            "executionId": self.id,
            "timestamp": int(clock.now() * 1000),
            "messageType": message_type,
            "resourceArn": self.pipe_arn,
            "logLevel": level,
        }
        if self.with_data and batch is not None:
            document["payload"] = orjson.dumps(batch).decode()
        if error is not None:
            document["error"] = {"message": error}
        self.write(document)

    def write(self, document: dict[str, Any]) -> None:
        parts = self.group_arn.split(":")  # arn:aws:logs:<region>:<account>:log-group:<name>[:*]
        group, account, region = parts[6], parts[4] or self.account, parts[3] or self.region
        event = {"timestamp": document["timestamp"], "message": orjson.dumps(document).decode()}
        try:
            _ensure_stream(group, self.stream, account, region)
            params = {"logGroupName": group, "logStreamName": self.stream, "logEvents": [event]}
            calls.call("logs", "PutLogEvents", params, account=account, region=region)
        except AwsError as error:
            log.warning("pipe %s could not write its log: %s", self.pipe_arn, error)


def _ensure_stream(group: str, stream: str, account: str, region: str) -> None:
    try:
        params = {"logGroupName": group, "logStreamName": stream}
        calls.call("logs", "CreateLogStream", params, account=account, region=region)
    except AwsError as error:
        if error.code != "ResourceAlreadyExistsException":
            raise
