"""Amazon CloudWatch Logs operations: log groups (retention on fogbank's clock, classes, KMS key
and tags stored), log streams, PutLogEvents, GetLogEvents, FilterLogEvents with filter patterns,
subscription and metric filters, TestMetricFilter.

Logs Insights queries run a subset of the query language (see `insights.py`) at StartQuery time.

Subscription filters deliver to Kinesis streams and Lambda functions (`subscriptions.py`).

Not supported yet: subscription filters to Firehose or to CloudWatch Logs destinations (refused),
metric filters publish no metrics; OpenSearch PPL/SQL query languages, Live Tail, exports, deliveries,
destinations, data protection, account and resource policies, anomaly detection and the other
operations answer 501. The KMS key is stored, not used; resource policies are stored and reported,
not evaluated yet. PutLogEvents' `entity` (telemetry
metadata for CloudWatch's related-resource views, which fogbank has not) is accepted and unused.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from fogbank import state
from fogbank.context import RequestContext
from fogbank.services import pagination
from fogbank.services.logs import filters, insights, policies, queries, reading, writing
from fogbank.services.logs.errors import (
    InvalidOperationException,
    InvalidParameterException,
    ResourceAlreadyExistsException,
    ResourceNotFoundException,
)
from fogbank.services.logs.groups import Catalog, Group, check_retention, new_group_record, new_stream, now_ms
from fogbank.services.provider import Provider

MAX_TAGS = 50
GROUP_NAME = re.compile(r"[.\-_/#A-Za-z0-9]+")
STREAM_NAME = re.compile(r"[^:*]*")


def check_name(value: str, member: str, pattern: re.Pattern[str]) -> None:
    """The model's name patterns, which AWS checks (the generic validator leaves patterns alone)."""
    if not pattern.fullmatch(value):
        raise InvalidParameterException(
            f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
            f"Member must satisfy regular expression pattern: {pattern.pattern}"
        )


def group_name_from(identifier: str) -> str:
    """A log group name from a name or an ARN (`arn:aws:logs:<r>:<a>:log-group:<name>[:*]`)."""
    if identifier.startswith("arn:"):
        name = identifier.partition(":log-group:")[2]
        if not name:
            raise InvalidParameterException(f"Invalid ARN: {identifier}")
        return name[:-2] if name.endswith(":*") else name
    return identifier


def _page(names: list[str], token: str | None, limit: int) -> tuple[list[str], str | None]:
    """A page of sorted names after the token's name, and the token for the next page."""
    if token:
        try:
            after = pagination.read_json_token(token)["after"]
        except (ValueError, KeyError, TypeError):
            raise InvalidParameterException("The specified nextToken is invalid.") from None
        names = [name for name in names if name > after]
    page = names[:limit]
    more = len(names) > limit
    return page, pagination.json_token({"after": page[-1]}) if more else None


def _matches_any(name: str, pattern: str) -> bool:
    """ListLogGroups' pattern: alternatives separated by `|`, each a case-insensitive substring,
    or a prefix when it starts with `^`."""
    lowered = name.lower()
    for alternative in pattern.lower().split("|"):
        if lowered.startswith(alternative[1:]) if alternative.startswith("^") else alternative in lowered:
            return True
    return False


class LogsProvider(Provider):
    service = "logs"

    def __init__(self) -> None:
        self.catalog = Catalog()

    def stop(self) -> None:
        self.catalog.forget_all()

    def _group(self, ctx: RequestContext, request: dict[str, Any]) -> Group:
        name, identifier = request.get("logGroupName"), request.get("logGroupIdentifier")
        if name and identifier:
            raise InvalidParameterException(
                "LogGroup name and LogGroup ARN are mutually exclusive parameters."
            )
        if not name and not identifier:
            raise InvalidParameterException("Either logGroupName or logGroupIdentifier must be specified.")
        return self.catalog.get(ctx.account, ctx.region, group_name_from(str(name or identifier)))

    # -- public API for other services ---------------------------------------------------------

    def write_events(
        self, account: str, region: str, group: str, stream: str, events: list[tuple[int, str]]
    ) -> None:
        """Write a service's own log events (Lambda function logs), creating the log group and
        stream when missing, as the service itself does in AWS."""
        with state.atomic():
            found = self.catalog.find(account, region, group)
            if found is None:
                found = self.catalog.add(account, region, new_group_record(group, {}))
            writing.store(found, writing.ensure_stream(found, stream), events, now_ms())

    # -- log groups ----------------------------------------------------------------------------

    def create_log_group(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        name = request["logGroupName"]
        check_name(name, "logGroupName", GROUP_NAME)
        if self.catalog.find(ctx.account, ctx.region, name) is not None:
            raise ResourceAlreadyExistsException("The specified log group already exists")
        with state.atomic():
            self.catalog.add(ctx.account, ctx.region, new_group_record(name, request))
        return {}

    def delete_log_group(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        group = self._group(ctx, request)
        if group.record.get("deletionProtectionEnabled"):
            raise InvalidOperationException(
                f"Log group {group.name} has deletion protection enabled. Disable it before deleting the log group."
            )
        with state.atomic():
            self.catalog.remove(group)
        return {}

    def put_log_group_deletion_protection(
        self, ctx: RequestContext, request: dict[str, Any]
    ) -> dict[str, Any]:
        group = self.catalog.get(ctx.account, ctx.region, group_name_from(request["logGroupIdentifier"]))
        group.record["deletionProtectionEnabled"] = bool(request["deletionProtectionEnabled"])
        with state.atomic():
            self.catalog.save(group)
        return {}

    def describe_log_groups(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        prefix, pattern = request.get("logGroupNamePrefix"), request.get("logGroupNamePattern")
        if prefix and pattern:
            raise InvalidParameterException(
                "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters."
            )
        names = self.catalog.names(ctx.account, ctx.region)
        if prefix:
            names = [name for name in names if name.startswith(prefix)]
        if pattern:
            names = [name for name in names if pattern.lower() in name.lower()]
        if request.get("logGroupIdentifiers"):
            wanted = {group_name_from(identifier) for identifier in request["logGroupIdentifiers"]}
            names = [name for name in names if name in wanted]
        groups = [self.catalog.get(ctx.account, ctx.region, name) for name in names]
        if request.get("logGroupClass"):
            groups = [g for g in groups if g.record["logGroupClass"] == request["logGroupClass"]]
        page, token = _page([g.name for g in groups], request.get("nextToken"), request.get("limit", 50))
        shown = [self.catalog.get(ctx.account, ctx.region, name) for name in page]
        result: dict[str, Any] = {
            "logGroups": [g.view(len(g.record.get("metricFilters") or {})) for g in shown]
        }
        if token:
            result["nextToken"] = token
        return result

    def put_retention_policy(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        group = self._group(ctx, request)
        check_retention(request["retentionInDays"])
        self._refuse_delivery_retention(group)
        group.record["retentionInDays"] = request["retentionInDays"]
        with state.atomic():
            group.expire()
            self.catalog.save(group)
        return {}

    def delete_retention_policy(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        group = self._group(ctx, request)
        self._refuse_delivery_retention(group)
        group.record.pop("retentionInDays", None)
        with state.atomic():
            self.catalog.save(group)
        return {}

    @staticmethod
    def _refuse_delivery_retention(group: Group) -> None:
        if group.record["logGroupClass"] == "DELIVERY":
            raise InvalidParameterException(
                "Retention policy cannot be changed for log groups of the DELIVERY class."
            )

    def associate_kms_key(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        group = self._group(ctx, request)
        group.record["kmsKeyId"] = request["kmsKeyId"]
        with state.atomic():
            self.catalog.save(group)
        return {}

    def disassociate_kms_key(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        group = self._group(ctx, request)
        group.record.pop("kmsKeyId", None)
        with state.atomic():
            self.catalog.save(group)
        return {}

    # -- log streams ---------------------------------------------------------------------------

    def create_log_stream(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        group = self._group(ctx, request)
        name = request["logStreamName"]
        check_name(name, "logStreamName", STREAM_NAME)
        if name in group.streams():
            raise ResourceAlreadyExistsException("The specified log stream already exists")
        with state.atomic():
            group.streams().put(name, new_stream(name))
        return {}

    def delete_log_stream(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        group = self._group(ctx, request)
        group.stream(request["logStreamName"])
        with state.atomic():
            group.events.drop_stream(request["logStreamName"])
            group.streams().delete(request["logStreamName"])
        return {}

    def describe_log_streams(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        group = self._group(ctx, request)
        prefix = request.get("logStreamNamePrefix")
        by_time = request.get("orderBy") == "LastEventTime"
        if by_time and prefix:
            raise InvalidParameterException("Cannot order by LastEventTime with a logStreamNamePrefix.")
        streams = [s for s in group.streams().values() if not prefix or s["logStreamName"].startswith(prefix)]
        if by_time:
            streams.sort(key=lambda s: (s.get("lastEventTimestamp") or 0, s["logStreamName"]))
        else:
            streams.sort(key=lambda s: s["logStreamName"])
        if request.get("descending"):
            streams.reverse()
        keys = [f"{index:010d}" for index in range(len(streams))]  # positions keep the chosen order
        page, token = _page(keys, request.get("nextToken"), request.get("limit", 50))
        result: dict[str, Any] = {"logStreams": [group.stream_view(streams[int(key)]) for key in page]}
        if token:
            result["nextToken"] = token
        return result

    # -- events --------------------------------------------------------------------------------

    def put_log_events(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        group = self._group(ctx, request)
        writing.check_batch(request["logEvents"])
        with state.atomic():
            return writing.put_log_events(group, request["logStreamName"], request["logEvents"])

    def get_log_events(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        group = self._group(ctx, request)
        group.stream(request["logStreamName"])
        events = group.expire().window(
            request["logStreamName"], request.get("startTime"), request.get("endTime")
        )
        return reading.get_log_events(events, request)

    def filter_log_events(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        group = self._group(ctx, request)
        names, prefix = request.get("logStreamNames"), request.get("logStreamNamePrefix")
        if names and prefix:
            raise InvalidParameterException(
                "logStreamNames and logStreamNamePrefix are mutually exclusive parameters."
            )
        streams = list(group.streams().keys())
        if names:
            missing = [name for name in names if name not in group.streams()]
            if missing:
                raise ResourceNotFoundException("The specified log stream does not exist.")
            streams = list(names)
        elif prefix:
            streams = [name for name in streams if name.startswith(prefix)]
        with state.atomic():
            store = group.expire()
        return reading.filter_log_events(store, streams, request)

    # -- tags ----------------------------------------------------------------------------------

    def _tagged(self, ctx: RequestContext, arn: str) -> Group:
        if ":log-group:" not in arn:
            raise ResourceNotFoundException("The specified resource does not exist.")
        return self.catalog.get(ctx.account, ctx.region, group_name_from(arn))

    def _tag(self, group: Group, tags: dict[str, str]) -> None:
        merged = {**group.record["tags"], **tags}
        if len(merged) > MAX_TAGS:
            raise InvalidParameterException(f"A log group can have at most {MAX_TAGS} tags.")
        group.record["tags"] = merged
        with state.atomic():
            self.catalog.save(group)

    def _untag(self, group: Group, keys: list[str]) -> None:
        for key in keys:
            group.record["tags"].pop(key, None)
        with state.atomic():
            self.catalog.save(group)

    def tag_resource(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        self._tag(self._tagged(ctx, request["resourceArn"]), request["tags"])
        return {}

    def untag_resource(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        self._untag(self._tagged(ctx, request["resourceArn"]), request["tagKeys"])
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return {"tags": dict(self._tagged(ctx, request["resourceArn"]).record["tags"])}

    def tag_log_group(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        self._tag(self._group(ctx, request), request["tags"])
        return {}

    def untag_log_group(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        self._untag(self._group(ctx, request), request["tags"])
        return {}

    def list_tags_log_group(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return {"tags": dict(self._group(ctx, request).record["tags"])}

    # -- subscription and metric filters -------------------------------------------------------

    def put_subscription_filter(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        group = self._group(ctx, request)
        filters.put_subscription(group, request)
        with state.atomic():
            self.catalog.save(group)
        return {}

    def describe_subscription_filters(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        group = self._group(ctx, request)
        found = filters.listed(list((group.record.get("subscriptionFilters") or {}).values()), request)
        return self._filter_page("subscriptionFilters", found, request)

    def delete_subscription_filter(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        group = self._group(ctx, request)
        filters.delete(group, "subscriptionFilters", request["filterName"])
        with state.atomic():
            self.catalog.save(group)
        return {}

    def put_metric_filter(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        group = self._group(ctx, request)
        filters.put_metric(group, request)
        with state.atomic():
            self.catalog.save(group)
        return {}

    def describe_metric_filters(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        if request.get("logGroupName"):
            groups = [self._group(ctx, request)]
        else:
            groups = [
                self.catalog.get(ctx.account, ctx.region, n)
                for n in self.catalog.names(ctx.account, ctx.region)
            ]
        every = [f for g in groups for f in (g.record.get("metricFilters") or {}).values()]
        return self._filter_page("metricFilters", filters.listed(every, request), request)

    def delete_metric_filter(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        group = self._group(ctx, request)
        filters.delete(group, "metricFilters", request["filterName"])
        with state.atomic():
            self.catalog.save(group)
        return {}

    def test_metric_filter(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return {"matches": filters.evaluate(request["filterPattern"], request["logEventMessages"])}

    def list_log_groups(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        for member in ("dataSources", "fieldIndexNames", "logGroupTags"):
            if request.get(member):
                raise InvalidParameterException(
                    f"ListLogGroups {member} filters are not supported by fogbank yet."
                )
        names = self.catalog.names(ctx.account, ctx.region)
        if request.get("logGroupNamePattern"):
            names = [name for name in names if _matches_any(name, request["logGroupNamePattern"])]
        records = self.catalog.records(ctx.account, ctx.region)
        if request.get("logGroupClass"):
            names = [name for name in names if records[name]["logGroupClass"] == request["logGroupClass"]]
        page, token = _page(names, request.get("nextToken"), request.get("limit", 50))
        arn = f"arn:aws:logs:{ctx.region}:{ctx.account}:log-group:"
        result: dict[str, Any] = {
            "logGroups": [
                {"logGroupName": n, "logGroupArn": arn + n, "logGroupClass": records[n]["logGroupClass"]}
                for n in page
            ]
        }
        if token:
            result["nextToken"] = token
        return result

    def get_log_record(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        """The fields of one event by the `@ptr` a Logs Insights query returned."""
        group_name, _, event_id = request["logRecordPointer"].rpartition("/")
        group = self.catalog.find(ctx.account, ctx.region, group_name)
        found = group.expire().find(event_id) if group is not None and event_id.isdigit() else None
        if group is None or found is None:
            raise InvalidParameterException("The specified logRecordPointer is invalid.")
        row = insights.row_of(found, group.name, ctx.account)
        del row["@ptr"]
        return {
            "logRecord": {
                name: value if isinstance(value, str) else orjson.dumps(value).decode()
                for name, value in row.items()
            }
        }

    # -- resource policies ---------------------------------------------------------------------

    def put_resource_policy(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        policy = policies.put(ctx.account, ctx.region, request)
        return {"resourcePolicy": policy, "revisionId": policy["revisionId"]}

    def describe_resource_policies(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return {"resourcePolicies": policies.describe(ctx.account, ctx.region, request)}

    def delete_resource_policy(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        policies.delete(ctx.account, ctx.region, request)
        return {}

    # -- Logs Insights ---------------------------------------------------------------------------

    def start_query(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        given = [m for m in ("logGroupName", "logGroupNames", "logGroupIdentifiers") if request.get(m)]
        if len(given) != 1:
            raise InvalidParameterException(
                "Exactly one of logGroupName, logGroupNames or logGroupIdentifiers must be specified."
            )
        value = request[given[0]]
        names = [value] if isinstance(value, str) else list(value)
        groups = [self.catalog.get(ctx.account, ctx.region, group_name_from(name)) for name in names]
        return {"queryId": queries.start(ctx.account, ctx.region, groups, request)}

    def get_query_results(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        found = queries.get(ctx.account, ctx.region, request["queryId"])
        return {key: found[key] for key in ("queryLanguage", "results", "statistics", "status")}

    def stop_query(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        queries.get(ctx.account, ctx.region, request["queryId"])
        return {"success": False}  # queries complete when they start: nothing left to stop

    def describe_queries(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return {"queries": queries.describe(ctx.account, ctx.region, request)}

    @staticmethod
    def _filter_page(member: str, found: list[dict[str, Any]], request: dict[str, Any]) -> dict[str, Any]:
        keys = [f"{index:010d}" for index in range(len(found))]
        page, token = _page(keys, request.get("nextToken"), request.get("limit", 50))
        result: dict[str, Any] = {member: [found[int(key)] for key in page]}
        if token:
            result["nextToken"] = token
        return result
