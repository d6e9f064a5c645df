"""Distributed Map ResultWriter: the child executions' results written to Amazon S3 as AWS writes
them — `<Prefix>/<map run id>/SUCCEEDED_0.json`, `FAILED_0.json` (one array of execution
descriptions each) and `manifest.json` — and the Map state's result naming the manifest.
https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html
Not supported yet: WriterConfig (output transformations and JSONL/CSV output).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from fogbank.errors import AwsError
from fogbank.services import calls
from fogbank.services.stepfunctions.errors import StatesError


def _iso(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _described(child: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "ExecutionArn": child["executionArn"],
        "Input": child["input"],
        "InputDetails": {"Included": True},
        "Name": child["name"],
        "RedriveCount": child.get("redriveCount", 0),
        "StartDate": _iso(child["startDate"]),
        "StateMachineArn": child["stateMachineArn"],
        "Status": child["status"],
        "StopDate": _iso(child.get("stopDate")),
    }
    if "output" in child:
        entry.update(Output=child["output"], OutputDetails={"Included": True})
    for key in ("error", "cause"):
        if key in child:
            entry[key.capitalize()] = child[key]
    return entry


def check(writer: dict[str, Any]) -> None:
    if "WriterConfig" in writer:
        raise StatesError(
            "States.ResultWriterFailed", "fogbank does not support ResultWriter WriterConfig yet"
        )
    if writer.get("Resource") != "arn:aws:states:::s3:putObject":
        raise StatesError(
            "States.ResultWriterFailed",
            f"The ResultWriter resource must be arn:aws:states:::s3:putObject, not {writer.get('Resource')}",
        )


async def write(
    map_run_arn: str, params: dict[str, Any], children: list[dict[str, Any]], account: str, region: str
) -> dict[str, Any]:
    """Write the result files and the manifest; answers the Map state's result."""
    bucket = params.get("Bucket")
    if not isinstance(bucket, str):
        raise StatesError("States.ResultWriterFailed", "The ResultWriter needs a Bucket")
    prefix = str(params.get("Prefix") or "").rstrip("/")
    folder = f"{prefix}/{map_run_arn.rsplit(':', 1)[1]}" if prefix else map_run_arn.rsplit(":", 1)[1]
    files: dict[str, list[dict[str, Any]]] = {"FAILED": [], "PENDING": [], "SUCCEEDED": []}
    for status in ("SUCCEEDED", "FAILED"):
        chosen = [
            _described(child)
            for child in children
            if (child["status"] == "SUCCEEDED") == (status == "SUCCEEDED")
        ]
        if chosen:
            key = f"{folder}/{status}_0.json"
            body = json.dumps(chosen).encode()
            await _put(bucket, key, body, account, region)
            files[status].append({"Key": key, "Size": len(body)})
    manifest_key = f"{folder}/manifest.json"
    manifest = {"DestinationBucket": bucket, "MapRunArn": map_run_arn, "ResultFiles": files}
    await _put(bucket, manifest_key, json.dumps(manifest).encode(), account, region)
    return {"MapRunArn": map_run_arn, "ResultWriterDetails": {"Bucket": bucket, "Key": manifest_key}}


async def _put(bucket: str, key: str, body: bytes, account: str, region: str) -> None:
    try:
        await calls.call_async(
            "s3", "PutObject", {"Bucket": bucket, "Key": key, "Body": body}, account=account, region=region
        )
    except AwsError as error:
        raise StatesError(
            "States.ResultWriterFailed",
            f"{error.message} (Service: S3, Status Code: {error.status}, Error Code: {error.code})",
        ) from None
