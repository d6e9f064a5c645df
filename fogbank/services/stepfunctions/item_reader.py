"""Map ItemReader: the items of a Map read from Amazon S3 — a JSON array, JSON Lines, a CSV file
(headers from the first row or given) or an object listing (`s3:listObjectsV2`).

Objects are read through S3's public operations. Failures raise `States.ItemReaderFailed`.
https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from fogbank.errors import AwsError
from fogbank.services import calls
from fogbank.services.stepfunctions.errors import StatesError


def _failed(message: str) -> StatesError:
    return StatesError("States.ItemReaderFailed", message)


async def _call(operation: str, params: dict[str, Any], account: str, region: str) -> dict[str, Any]:
    try:
        return await calls.call_async("s3", operation, params, account=account, region=region)
    except AwsError as error:
        raise _failed(
            f"{error.message} (Service: S3, Status Code: {error.status}, Error Code: {error.code})"
        ) from None


def _body_text(body: Any) -> str:
    if isinstance(body, bytes | bytearray):
        return bytes(body).decode()
    with open(body.path, "rb") as handle:  # a large body streamed from its file
        handle.seek(body.start)
        return handle.read(body.length).decode()


def _csv_items(text: str, config: dict[str, Any]) -> list[dict[str, str]]:
    rows = list(csv.reader(io.StringIO(text)))
    if config.get("CSVHeaderLocation", "FIRST_ROW") == "GIVEN":
        headers = config.get("CSVHeaders") or []
    else:
        headers, rows = (rows[0], rows[1:]) if rows else ([], [])
    return [dict(zip(headers, row, strict=False)) for row in rows]


def _parse(text: str, config: dict[str, Any]) -> list[Any]:
    kind = config.get("InputType", "JSON")
    try:
        if kind == "CSV":
            return _csv_items(text, config)
        if kind == "JSONL":
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        if kind == "JSON":
            items = json.loads(text)
            if not isinstance(items, list):
                raise _failed("The JSON object read by the ItemReader must be an array")
            return items
    except ValueError as error:
        raise _failed(f"The object read by the ItemReader is not valid {kind}: {error}") from None
    raise _failed(f"fogbank does not support the ItemReader InputType {kind} yet")


async def _listing(params: dict[str, Any], account: str, region: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    request: dict[str, Any] = {key: params[key] for key in ("Bucket", "Prefix") if key in params}
    while True:
        page = await _call("ListObjectsV2", request, account, region)
        for entry in page.get("Contents") or []:
            modified = entry.get("LastModified")
            items.append(
                {
                    "Etag": entry.get("ETag"),
                    "Key": entry["Key"],
                    "LastModified": modified.isoformat() if isinstance(modified, datetime) else modified,
                    "Size": entry.get("Size"),
                    "StorageClass": entry.get("StorageClass", "STANDARD"),
                }
            )
        if not page.get("IsTruncated"):
            return items
        request["ContinuationToken"] = page["NextContinuationToken"]


async def read_items(reader: dict[str, Any], params: dict[str, Any], account: str, region: str) -> list[Any]:
    """The items an ItemReader names (`params` are its evaluated Parameters/Arguments)."""
    resource = reader.get("Resource")
    config = reader.get("ReaderConfig") or {}
    if resource == "arn:aws:states:::s3:listObjectsV2":
        items: list[Any] = await _listing(params, account, region)
    elif resource == "arn:aws:states:::s3:getObject":
        request: dict[str, Any] = {
            key: params[key] for key in ("Bucket", "Key", "VersionId") if key in params
        }
        response = await _call("GetObject", request, account, region)
        items = _parse(_body_text(response.get("Body") or b""), config)
    else:
        raise _failed(f"fogbank does not support the ItemReader resource {resource} yet")
    limit = config.get("MaxItems")
    return items[: int(limit)] if isinstance(limit, int | float) and limit > 0 else items
