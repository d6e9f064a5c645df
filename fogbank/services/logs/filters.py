"""Subscription filters and metric filters, stored in their log group's record.

Both are validated (the filter pattern must compile) and reported as AWS reports them, and
TestMetricFilter evaluates patterns. Subscription filters deliver to Kinesis streams and Lambda
functions (`subscriptions.py`). Not yet done: metric filters publish no CloudWatch metrics
(fogbank has no CloudWatch metrics service yet).
"""

from __future__ import annotations

from typing import Any

from fogbank.services.logs import subscriptions
from fogbank.services.logs.errors import (
    InvalidParameterException,
    LimitExceededException,
    ResourceNotFoundException,
)
from fogbank.services.logs.groups import Group, now_ms
from fogbank.services.logs.patterns import PatternError, compile_pattern

MAX_SUBSCRIPTION_FILTERS = 2
MAX_METRIC_FILTERS = 100


def check_pattern(pattern: str, kind: str = "filter") -> None:
    try:
        compile_pattern(pattern)
    except PatternError:
        raise InvalidParameterException(f"Invalid {kind} pattern") from None


def put_subscription(group: Group, request: dict[str, Any]) -> None:
    check_pattern(request["filterPattern"])
    found = group.record.setdefault("subscriptionFilters", {})
    name = request["filterName"]
    if name not in found and len(found) >= MAX_SUBSCRIPTION_FILTERS:
        raise LimitExceededException("Resource limit exceeded.")
    if request.get("distribution") not in (None, "ByLogStream", "Random"):
        raise InvalidParameterException(f"Invalid distribution: {request['distribution']}")
    subscriptions.check_destination(request["destinationArn"], group.account, group.name, name)
    found[name] = {
        "filterName": name,
        "logGroupName": group.name,
        "filterPattern": request["filterPattern"],
        "destinationArn": request["destinationArn"],
        "distribution": request.get("distribution") or "ByLogStream",
        "applyOnTransformedLogs": bool(request.get("applyOnTransformedLogs")),
        "creationTime": now_ms(),
        **({"roleArn": request["roleArn"]} if request.get("roleArn") else {}),
    }


def put_metric(group: Group, request: dict[str, Any]) -> None:
    check_pattern(request["filterPattern"], "metric filter")
    found = group.record.setdefault("metricFilters", {})
    name = request["filterName"]
    if name not in found and len(found) >= MAX_METRIC_FILTERS:
        raise LimitExceededException("Resource limit exceeded.")
    found[name] = {
        "filterName": name,
        "filterPattern": request["filterPattern"],
        "metricTransformations": request["metricTransformations"],
        "creationTime": now_ms(),
        "logGroupName": group.name,
        "applyOnTransformedLogs": bool(request.get("applyOnTransformedLogs")),
    }


def delete(group: Group, kind: str, name: str) -> None:
    found = group.record.get(kind) or {}
    if name not in found:
        raise ResourceNotFoundException("The specified resource does not exist.")
    del found[name]


def listed(filters: list[dict[str, Any]], request: dict[str, Any]) -> list[dict[str, Any]]:
    prefix = request.get("filterNamePrefix") or ""
    chosen = [f for f in filters if f["filterName"].startswith(prefix)]
    if request.get("metricName") or request.get("metricNamespace"):
        chosen = [
            f
            for f in chosen
            if any(
                t["metricName"] == request.get("metricName", t["metricName"])
                and t["metricNamespace"] == request.get("metricNamespace", t["metricNamespace"])
                for t in f["metricTransformations"]
            )
        ]
    return sorted(chosen, key=lambda f: (f.get("logGroupName", ""), f["filterName"]))


def evaluate(pattern: str, messages: list[str]) -> list[dict[str, Any]]:
    check_pattern(pattern, "metric filter")
    matcher = compile_pattern(pattern)
    matches = []
    for number, message in enumerate(messages, start=1):
        extracted = matcher(message)
        if extracted is not None:
            matches.append({"eventNumber": number, "eventMessage": message, "extractedValues": extracted})
    return matches
