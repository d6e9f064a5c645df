"""Log groups and log streams: the stored records (groups per account and region, streams per
group), their views as DescribeLogGroups/DescribeLogStreams show them, retention settings, and each
group's live event store (loaded on first use).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from fogbank import clock, state
from fogbank.services.catalog import RecordCatalog
from fogbank.services.logs.errors import InvalidParameterException, ResourceNotFoundException
from fogbank.services.logs.events import GroupEvents
from fogbank.state import Collection

# https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
DELIVERY_RETENTION_DAYS = 2  # DELIVERY-class log groups keep events 2 days, unchangeable


def now_ms() -> int:
    return int(clock.now() * 1000)


def check_retention(days: int) -> None:
    if days not in RETENTION_DAYS:
        allowed = ", ".join(str(value) for value in RETENTION_DAYS)
        raise InvalidParameterException(
            f"1 validation error detected: Value '{days}' at 'retentionInDays' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{allowed}]"
        )


@dataclass(slots=True)
class Group:
    account: str
    region: str
    record: dict[str, Any]
    events: GroupEvents

    @property
    def name(self) -> str:
        return str(self.record["logGroupName"])

    @property
    def arn(self) -> str:
        return f"arn:aws:logs:{self.region}:{self.account}:log-group:{self.name}"

    def streams(self) -> Collection[dict[str, Any]]:
        return state.collection("logs", f"streams/{self.record['GroupId']}", self.account, self.region)

    def cutoff_ms(self) -> int | None:
        days = self.record.get("retentionInDays")
        return None if days is None else now_ms() - int(days) * 86_400_000

    def expire(self) -> GroupEvents:
        """The group's events with those past the retention period removed."""
        self.events.trim(self.cutoff_ms())
        return self.events

    def stream(self, name: str) -> dict[str, Any]:
        found = self.streams().get(name)
        if found is None:
            raise ResourceNotFoundException("The specified log stream does not exist.")
        return found

    def view(self, metric_filters: int) -> dict[str, Any]:
        record = self.record
        shown: dict[str, Any] = {
            "logGroupName": self.name,
            "creationTime": record["creationTime"],
            "metricFilterCount": metric_filters,
            "arn": f"{self.arn}:*",
            "storedBytes": self.expire().stored_bytes,
            "logGroupClass": record["logGroupClass"],
            "logGroupArn": self.arn,
            "deletionProtectionEnabled": record.get("deletionProtectionEnabled", False),
        }
        for optional in ("retentionInDays", "kmsKeyId"):
            if record.get(optional) is not None:
                shown[optional] = record[optional]
        return shown

    def stream_view(self, stream: dict[str, Any]) -> dict[str, Any]:
        shown = {key: value for key, value in stream.items() if value is not None}
        shown["arn"] = f"{self.arn}:log-stream:{stream['logStreamName']}"
        shown["storedBytes"] = 0  # deprecated by AWS: always 0
        return shown


def new_stream(name: str) -> dict[str, Any]:
    return {"logStreamName": name, "creationTime": now_ms(), "uploadSequenceToken": f"{1:056d}"}


def new_group_record(name: str, request: dict[str, Any]) -> dict[str, Any]:
    group_class = request.get("logGroupClass") or "STANDARD"
    record: dict[str, Any] = {
        "logGroupName": name,
        "GroupId": uuid.uuid4().hex,
        "creationTime": now_ms(),
        "logGroupClass": group_class,
        "tags": dict(request.get("tags") or {}),
        "deletionProtectionEnabled": bool(request.get("deletionProtectionEnabled")),
    }
    if request.get("kmsKeyId"):
        record["kmsKeyId"] = request["kmsKeyId"]
    if group_class == "DELIVERY":
        record["retentionInDays"] = DELIVERY_RETENTION_DAYS
    return record


class Catalog(RecordCatalog[Group]):
    """Every account's and region's log groups, each with its events loaded on first use."""

    service, kind, name_key = "logs", "groups", "logGroupName"

    def build(self, account: str, region: str, record: dict[str, Any]) -> Group:
        events = GroupEvents(state.database(), f"{account}/{region}", record["GroupId"])
        events.load()
        return Group(account, region, record, events)

    def get(self, account: str, region: str, name: str) -> Group:
        found = self.find(account, region, name)
        if found is None:
            raise ResourceNotFoundException("The specified log group does not exist.")
        return found

    def add(self, account: str, region: str, record: dict[str, Any]) -> Group:
        self.records(account, region).put(record["logGroupName"], record)
        return self.get(account, region, record["logGroupName"])

    def save(self, group: Group) -> None:
        self.records(group.account, group.region).put(group.name, group.record)

    def remove(self, group: Group) -> None:
        group.events.drop()
        group.streams().clear()
        self.records(group.account, group.region).delete(group.name)
        self.detach(group.account, group.region, group.name)
