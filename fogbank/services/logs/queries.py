"""Logs Insights queries: StartQuery runs the query at once over the queried groups' events
(`insights.py`) and stores its results; GetQueryResults, StopQuery and DescribeQueries read them."""

from __future__ import annotations

import uuid
from typing import Any

from fogbank import state
from fogbank.services.logs import insights
from fogbank.services.logs.errors import (
    InvalidParameterException,
    MalformedQueryException,
    ResourceNotFoundException,
)
from fogbank.services.logs.groups import Group, now_ms


def collection(account: str, region: str) -> Any:
    return state.collection("logs", "queries", account, region)


def start(account: str, region: str, groups: list[Group], request: dict[str, Any]) -> str:
    if request.get("queryLanguage", "CWLI") != "CWLI":
        raise InvalidParameterException(
            f"Query language {request['queryLanguage']} is not supported by fogbank yet."
        )
    low, high = request["startTime"] * 1000, request["endTime"] * 1000 + 999
    if low > high:
        raise InvalidParameterException("endTime must be greater than or equal to startTime")
    rows, size = _rows(account, groups, low, high)
    scanned = len(rows)
    try:
        results = insights.run(request["queryString"], rows, request.get("limit"))
    except insights.QueryError as problem:
        raise MalformedQueryException(
            f"unexpected symbol found in query: {problem}",
            queryCompileError={
                "location": {"start": 0, "end": len(request["queryString"])},
                "message": str(problem),
            },
        ) from None
    query_id = str(uuid.uuid4())
    record = {
        "queryId": query_id,
        "queryString": request["queryString"],
        "status": "Complete",
        "createTime": now_ms(),
        "logGroupName": groups[0].name,
        "queryLanguage": "CWLI",
        "bytesScanned": float(size),
        "results": [insights.result_fields(row) for row in results],
        "statistics": {
            "recordsMatched": float(len(results)),
            "recordsScanned": float(scanned),
            "bytesScanned": float(size),
        },
    }
    with state.atomic():
        collection(account, region).put(query_id, record)
    return query_id


def _rows(account: str, groups: list[Group], low: int, high: int) -> tuple[list[insights.Row], int]:
    """The queried events as rows, oldest first, and the bytes of their messages."""
    rows, size = [], 0
    for group in groups:
        store = group.expire()
        for stream in list(store.streams):
            for event in store.window(stream, low, high + 1):
                rows.append(insights.row_of(event, group.name, account))
                size += len(event.message.encode())
    rows.sort(key=lambda row: row["@timestamp"])
    return rows, size


def get(account: str, region: str, query_id: str) -> dict[str, Any]:
    found = collection(account, region).get(query_id)
    if found is None:
        raise ResourceNotFoundException("The specified query could not be found.")
    return dict(found)


def describe(account: str, region: str, request: dict[str, Any]) -> list[dict[str, Any]]:
    chosen = []
    for record in sorted(collection(account, region).values(), key=lambda r: r["createTime"], reverse=True):
        if request.get("logGroupName") and record["logGroupName"] != request["logGroupName"]:
            continue
        if request.get("status") and record["status"] != request["status"]:
            continue
        chosen.append(
            {
                key: record[key]
                for key in (
                    "queryLanguage",
                    "queryId",
                    "queryString",
                    "status",
                    "createTime",
                    "logGroupName",
                    "bytesScanned",
                )
            }
        )
    return chosen[: request.get("maxResults", 1000)]
