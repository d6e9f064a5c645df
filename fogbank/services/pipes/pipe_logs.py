"""Pipe logs: with `LogConfiguration.CloudwatchLogsLogDestination`, each batch (an execution)
writes JSON log records to the log group, by level as AWS documents
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-logs.html): `ERROR` writes
`ExecutionFailed`, `INFO` and `TRACE` also `ExecutionStarted` and `ExecutionSucceeded`.
Records carry `resourceArn`, `timestamp`, `executionId`, `messageType`, `logLevel` (and `error`);
the step-by-step TRACE records and `IncludeExecutionData` payloads are not written yet.
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


class Execution:
    """The log records of one batch through a pipe."""

    def __init__(self, account: str, region: str, record: dict[str, Any]) -> None:
        config = record.get("LogConfiguration") or {}
        self.group_arn = (config.get("CloudwatchLogsLogDestination") or {}).get("LogGroupArn")
        self.level = LEVELS.get(config.get("Level") or "OFF", 0)
        self.pipe_arn = record["Arn"]
        self.stream = record["Name"]
        self.account, self.region = account, region
        self.id = str(uuid.uuid4())

    def started(self, size: int) -> None:
        self.write("ExecutionStarted", "INFO", {"batchSize": size})

    def succeeded(self) -> None:
        self.write("ExecutionSucceeded", "INFO", {})

    def failed(self, error: str) -> None:
        self.write("ExecutionFailed", "ERROR", {"error": {"message": error}})

    def write(self, message_type: str, level: str, extra: dict[str, Any]) -> None:
        if not self.group_arn or self.level < LEVELS[level]:
            return
        document = {
            "resourceArn": self.pipe_arn,
            "timestamp": int(clock.now() * 1000),
            "executionId": self.id,
            "messageType": message_type,
            "logLevel": level,
            **extra,
        }
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
