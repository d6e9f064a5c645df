"""Amazon Kinesis Data Streams operations (JSON from boto3 and the CLI; CBOR from the Java SDK).

Resource policies are stored and reported, not evaluated yet (no IAM enforcement).

Not supported yet: warm throughput and record distribution strategies, the
newer queue and channel operations, account settings, and DryRun (refused with a clear error).
Enhanced monitoring is stored and reported, but no CloudWatch metrics are published yet. KMS encryption is recorded and reported on the stream
and its records; the key is not checked against a KMS service. Shard throughput limits are emulated
only with FOGBANK_KINESIS_THROUGHPUT_LIMITS=1 (see `throughput.py`).
"""

from __future__ import annotations

import json
import re
from typing import Any

from fogbank import state
from fogbank.context import RequestContext
from fogbank.errors import NotImplementedOperation
from fogbank.services.kinesis import consumers, describing, iterators, records, resharding, subscriptions
from fogbank.services.kinesis.errors import (
    InvalidArgumentException,
    ResourceInUseException,
    ResourceNotFoundException,
    ValidationException,
    stream_not_found,
)
from fogbank.services.kinesis.shards import ShardLog
from fogbank.services.kinesis.streams import ON_DEMAND_SHARDS, Catalog, Stream, new_stream_record
from fogbank.services.provider import Provider

MAX_RETENTION_HOURS = 8760
MIN_RETENTION_HOURS = 24
MAX_TAGS = 50
STREAM_NAME = re.compile(r"[a-zA-Z0-9_.-]+")


def stream_name_of(request: dict[str, Any]) -> str:
    """The stream a request names, by StreamName or StreamARN (`arn:...:stream/<name>`)."""
    arn = request.get("StreamARN")
    if arn:
        resource = arn.split(":", 5)[-1]
        if not resource.startswith("stream/"):
            raise InvalidArgumentException(f"Invalid StreamARN {arn}.")
        return str(resource.split("/")[1])
    name = request.get("StreamName")
    if not name:
        raise InvalidArgumentException("Either StreamName or StreamARN must be provided.")
    return str(name)


def check_stream_name(name: str) -> None:
    if not STREAM_NAME.fullmatch(name):
        raise ValidationException(
            f"1 validation error detected: Value '{name}' at 'streamName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
        )


def refuse_dry_run(request: dict[str, Any]) -> None:
    if request.get("DryRun"):
        raise NotImplementedOperation("DryRun requests are not supported by fogbank's Kinesis yet")


class KinesisProvider(Provider):
    service = "kinesis"

    def __init__(self) -> None:
        self.catalog = Catalog()

    def stop(self) -> None:
        subscriptions.end_all()
        self.catalog.forget_all()

    # -- public API for engines (event source mappings) ----------------------------------------

    def stream(self, account: str, region: str, name_or_arn: str) -> Stream:
        """A live stream by name or ARN (ResourceNotFoundException when missing)."""
        key = "StreamARN" if name_or_arn.startswith("arn:") else "StreamName"
        return self.catalog.get(account, region, stream_name_of({key: name_or_arn}))

    def shard_log(self, account: str, region: str, name_or_arn: str, shard_id: str) -> ShardLog:
        """The ordered record log of one shard, trimmed to retention: read with `read(tick, limit)`,
        position with `first_tick()` / `end_tick` / `tick_at_time(t)`, wait with `wait_for(tick)`."""
        return self.stream(account, region, name_or_arn).log(shard_id)

    def _get(self, ctx: RequestContext, request: dict[str, Any]) -> Stream:
        """The stream a request names by StreamName, StreamARN or StreamId."""
        if request.get("StreamId") and not request.get("StreamName") and not request.get("StreamARN"):
            return self.catalog.by_id(ctx.account, ctx.region, request["StreamId"])
        return self.catalog.get(ctx.account, ctx.region, stream_name_of(request))

    # -- streams -------------------------------------------------------------------------------

    def create_stream(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        name = request["StreamName"]
        check_stream_name(name)
        count = request.get("ShardCount")
        # Neither a mode nor a shard count: an on-demand stream, as AWS creates since on-demand mode.
        default_mode = "PROVISIONED" if count is not None else "ON_DEMAND"
        mode = (request.get("StreamModeDetails") or {}).get("StreamMode", default_mode)
        if mode == "PROVISIONED" and count is None:
            raise InvalidArgumentException("ShardCount is required for streams in PROVISIONED mode.")
        if mode == "ON_DEMAND" and count is not None:
            raise InvalidArgumentException("ShardCount is not supported for streams in ON_DEMAND mode.")
        self._refuse_unsupported(request, ("WarmThroughputMiBps", "RecordDistributionStrategy"))
        if self.catalog.find(ctx.account, ctx.region, name) is not None:
            raise ResourceInUseException(f"Stream {name} under account {ctx.account} already exists.")
        record = new_stream_record(
            ctx.arn("kinesis", f"stream/{name}"),
            name,
            count or ON_DEMAND_SHARDS,
            mode,
            request.get("Tags") or {},
        )
        if request.get("MaxRecordSizeInKiB"):
            record["MaxRecordSizeInKiB"] = request["MaxRecordSizeInKiB"]
        with state.atomic():
            self.catalog.add(ctx.account, ctx.region, record)
        return {}

    @staticmethod
    def _refuse_unsupported(request: dict[str, Any], members: tuple[str, ...]) -> None:
        for member in members:
            if request.get(member) is not None:
                raise NotImplementedOperation(f"{member} is not supported by fogbank's Kinesis yet")

    def delete_stream(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        stream = self._get(ctx, request)
        if stream.record["Consumers"] and not request.get("EnforceConsumerDeletion"):
            raise ResourceInUseException(
                f"Stream {stream.name} under account {ctx.account} has registered consumers. Deregister "
                "them first or use EnforceConsumerDeletion."
            )
        with state.atomic():
            self.catalog.remove(stream)
        stream.record["Consumers"].clear()  # (the deleted record) its subscriptions end
        subscriptions.wake_all()
        return {}

    def describe_stream(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        stream = self._get(ctx, request)
        limit = request.get("Limit", 100)
        return {
            "StreamDescription": describing.description(stream, limit, request.get("ExclusiveStartShardId"))
        }

    def describe_stream_summary(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return {"StreamDescriptionSummary": describing.summary(self._get(ctx, request))}

    def list_streams(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        names = self.catalog.names(ctx.account, ctx.region)
        start = request.get("ExclusiveStartStreamName")
        if request.get("NextToken"):
            start = describing.read_token(request["NextToken"], expires=False).get("after")
        if start:
            names = [name for name in names if name > start]
        limit = request.get("Limit", 100)
        page = names[:limit]
        result: dict[str, Any] = {
            "StreamNames": page,
            "HasMoreStreams": len(names) > limit,
            "StreamSummaries": [
                describing.stream_summary(self.catalog.unloaded(ctx.account, ctx.region, n)) for n in page
            ],
        }
        if len(names) > limit:
            result["NextToken"] = describing.make_token(after=page[-1])
        return result

    def describe_limits(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        streams = [
            self.catalog.unloaded(ctx.account, ctx.region, n)
            for n in self.catalog.names(ctx.account, ctx.region)
        ]
        return {
            "ShardLimit": resharding.SHARD_LIMIT,
            "OpenShardCount": sum(len(s.open_shards()) for s in streams),
            "OnDemandStreamCount": sum(1 for s in streams if s.record["StreamMode"] == "ON_DEMAND"),
            "OnDemandStreamCountLimit": 50,
        }

    def update_stream_mode(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        self._refuse_unsupported(request, ("WarmThroughputMiBps",))
        stream = self._get(ctx, request)
        stream.record["StreamMode"] = request["StreamModeDetails"]["StreamMode"]
        with state.atomic():
            self.catalog.save(stream)
        return {}

    def update_max_record_size(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        stream = self._get(ctx, request)
        stream.record["MaxRecordSizeInKiB"] = request["MaxRecordSizeInKiB"]
        with state.atomic():
            self.catalog.save(stream)
        return {}

    # -- retention, encryption, monitoring -----------------------------------------------------

    def increase_stream_retention_period(
        self, ctx: RequestContext, request: dict[str, Any]
    ) -> dict[str, Any]:
        stream = self._get(ctx, request)
        hours, current = request["RetentionPeriodHours"], stream.record["RetentionPeriodHours"]
        if hours < current:
            raise InvalidArgumentException(
                f"Requested retention period ({hours} hours) for stream {stream.name} can not be shorter than "
                f"existing retention period ({current} hours). Use DecreaseRetentionPeriod API."
            )
        if hours > MAX_RETENTION_HOURS:
            raise InvalidArgumentException(
                f"Maximum allowed retention period is {MAX_RETENTION_HOURS} hours. Requested retention period "
                f"({hours} hours) is too long."
            )
        return self._set_retention(stream, hours)

    def decrease_stream_retention_period(
        self, ctx: RequestContext, request: dict[str, Any]
    ) -> dict[str, Any]:
        stream = self._get(ctx, request)
        hours, current = request["RetentionPeriodHours"], stream.record["RetentionPeriodHours"]
        if hours > current:
            raise InvalidArgumentException(
                f"Requested retention period ({hours} hours) for stream {stream.name} can not be longer than "
                f"existing retention period ({current} hours). Use IncreaseRetentionPeriod API."
            )
        if hours < MIN_RETENTION_HOURS:
            raise InvalidArgumentException(
                f"Minimum allowed retention period is {MIN_RETENTION_HOURS} hours. Requested retention period "
                f"({hours} hours) is too short."
            )
        return self._set_retention(stream, hours)

    def _set_retention(self, stream: Stream, hours: int) -> dict[str, Any]:
        stream.record["RetentionPeriodHours"] = hours
        with state.atomic():
            self.catalog.save(stream)
        return {}

    def start_stream_encryption(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        stream = self._get(ctx, request)
        stream.record["EncryptionType"] = request["EncryptionType"]
        stream.record["KeyId"] = request["KeyId"]
        with state.atomic():
            self.catalog.save(stream)
        return {}

    def stop_stream_encryption(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        stream = self._get(ctx, request)
        stream.record["EncryptionType"] = "NONE"
        stream.record.pop("KeyId", None)
        with state.atomic():
            self.catalog.save(stream)
        return {}

    def enable_enhanced_monitoring(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return self._monitoring(ctx, request, enable=True)

    def disable_enhanced_monitoring(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        return self._monitoring(ctx, request, enable=False)

    def _monitoring(self, ctx: RequestContext, request: dict[str, Any], *, enable: bool) -> dict[str, Any]:
        stream = self._get(ctx, request)
        asked = set(
            describing.ALL_METRICS if "ALL" in request["ShardLevelMetrics"] else request["ShardLevelMetrics"]
        )
        current = list(stream.record["ShardLevelMetrics"])
        desired = set(current) | asked if enable else set(current) - asked
        stream.record["ShardLevelMetrics"] = [m for m in describing.ALL_METRICS if m in desired]
        with state.atomic():
            self.catalog.save(stream)
        return {
            "StreamName": stream.name,
            "StreamARN": stream.arn,
            "CurrentShardLevelMetrics": current,
            "DesiredShardLevelMetrics": stream.record["ShardLevelMetrics"],
        }

    # -- records -------------------------------------------------------------------------------

    def put_record(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        refuse_dry_run(request)
        stream = self._get(ctx, request)
        records.check_data(stream, request["Data"])
        return records.put(
            stream,
            request["Data"],
            request["PartitionKey"],
            request.get("ExplicitHashKey"),
            request.get("SequenceNumberForOrdering"),
        )

    def put_records(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        refuse_dry_run(request)
        stream = self._get(ctx, request)
        entries = request["Records"]
        records.check_batch(stream, entries)
        with state.atomic():
            results = [records.put_entry(stream, entry) for entry in entries]
        answer: dict[str, Any] = {
            "FailedRecordCount": sum(1 for result in results if "ErrorCode" in result),
            "Records": results,
        }
        if stream.record["EncryptionType"] == "KMS":
            answer["EncryptionType"] = "KMS"
        return answer

    def get_shard_iterator(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        refuse_dry_run(request)
        stream = self._get(ctx, request)
        log = stream.log(request["ShardId"])
        tick = records.starting_tick(stream, log, request)
        return {"ShardIterator": records.shard_iterator(stream, request["ShardId"], tick)}

    def get_records(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        refuse_dry_run(request)
        position = iterators.decode(request["ShardIterator"])
        stream = self.catalog.find(position.account, position.region, position.stream)
        if stream is None or stream.record["StreamId"] != position.stream_id:
            raise stream_not_found(position.stream, position.account)
        return records.get_records(stream, position, request.get("Limit", 10000))

    # -- shards --------------------------------------------------------------------------------

    def list_shards(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        token = request.get("NextToken")
        if token and (request.get("StreamName") or request.get("StreamARN")):
            raise InvalidArgumentException("NextToken and StreamName cannot be provided together.")
        after = request.get("ExclusiveStartShardId")
        shard_filter = request.get("ShardFilter")
        limit = request.get("MaxResults", 1000)
        if token:
            fields = describing.read_token(token)
            request = {"StreamName": fields["stream"]}
            after, shard_filter = fields["after"], fields.get("filter")
        stream = self._get(ctx, request)
        shards = describing.filtered_shards(stream, _filter_in(shard_filter))
        if after:
            shards = [s for s in shards if s["ShardId"] > after]
        page = shards[:limit]
        result: dict[str, Any] = {"Shards": [describing.shard_view(s) for s in page]}
        if len(shards) > limit:
            result["NextToken"] = describing.make_token(
                stream=stream.name, after=page[-1]["ShardId"], filter=_filter_out(shard_filter)
            )
        return result

    def split_shard(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        stream = self._get(ctx, request)
        with state.atomic():
            resharding.split(stream, request["ShardToSplit"], request["NewStartingHashKey"])
            self.catalog.save(stream)
        return {}

    def merge_shards(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        stream = self._get(ctx, request)
        with state.atomic():
            resharding.merge(stream, request["ShardToMerge"], request["AdjacentShardToMerge"])
            self.catalog.save(stream)
        return {}

    def update_shard_count(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        stream = self._get(ctx, request)
        with state.atomic():
            before = resharding.update_shard_count(stream, request["TargetShardCount"])
            self.catalog.save(stream)
        return {
            "StreamName": stream.name,
            "StreamARN": stream.arn,
            "CurrentShardCount": before,
            "TargetShardCount": request["TargetShardCount"],
        }

    # -- tags ----------------------------------------------------------------------------------

    def add_tags_to_stream(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        stream = self._get(ctx, request)
        self._tag(stream, stream.record["Tags"], request["Tags"])
        return {}

    def remove_tags_from_stream(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        stream = self._get(ctx, request)
        self._untag(stream, stream.record["Tags"], request["TagKeys"])
        return {}

    def list_tags_for_stream(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        tags = sorted(self._get(ctx, request).record["Tags"].items())
        start = request.get("ExclusiveStartTagKey")
        if start:
            tags = [(k, v) for k, v in tags if k > start]
        limit = request.get("Limit", 50)
        return {"Tags": [{"Key": k, "Value": v} for k, v in tags[:limit]], "HasMoreTags": len(tags) > limit}

    def tag_resource(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        stream, tags = self._tagged(ctx, request["ResourceARN"])
        self._tag(stream, tags, request["Tags"])
        return {}

    def untag_resource(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        stream, tags = self._tagged(ctx, request["ResourceARN"])
        self._untag(stream, tags, request["TagKeys"])
        return {}

    def list_tags_for_resource(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        _, tags = self._tagged(ctx, request["ResourceARN"])
        return {"Tags": [{"Key": k, "Value": v} for k, v in sorted(tags.items())]}

    def _tagged(self, ctx: RequestContext, arn: str) -> tuple[Stream, dict[str, str]]:
        """The stream and the tag map of a stream or consumer ARN."""
        if "/consumer/" in arn:
            stream_name, _ = consumers.split_arn(arn)
            stream = self.catalog.get(ctx.account, ctx.region, stream_name)
            return stream, consumers.find(stream, None, arn).setdefault("Tags", {})
        stream = self.catalog.get(ctx.account, ctx.region, stream_name_of({"StreamARN": arn}))
        return stream, stream.record["Tags"]

    def _tag(self, stream: Stream, tags: dict[str, str], added: dict[str, str]) -> None:
        if len(set(tags) | set(added)) > MAX_TAGS:
            raise InvalidArgumentException(
                f"Failed to add tags to stream {stream.name} under account {stream.account} because a given "
                f"stream cannot have more than {MAX_TAGS} tags associated with it."
            )
        tags.update(added)
        with state.atomic():
            self.catalog.save(stream)

    def _untag(self, stream: Stream, tags: dict[str, str], keys: list[str]) -> None:
        for key in keys:
            tags.pop(key, None)
        with state.atomic():
            self.catalog.save(stream)

    # -- resource policies ---------------------------------------------------------------------

    def put_resource_policy(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        stream, holder = self._policy_holder(ctx, request["ResourceARN"])
        try:
            json.loads(request["Policy"])
        except ValueError:
            raise InvalidArgumentException("Policy is not a valid JSON document.") from None
        holder["Policy"] = request["Policy"]
        with state.atomic():
            self.catalog.save(stream)
        return {}

    def get_resource_policy(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        _, holder = self._policy_holder(ctx, request["ResourceARN"])
        return {"Policy": holder.get("Policy") or "{}"}

    def delete_resource_policy(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        stream, holder = self._policy_holder(ctx, request["ResourceARN"])
        if not holder.pop("Policy", None):
            raise ResourceNotFoundException(
                f"No resource policy found for resource ARN {request['ResourceARN']}."
            )
        with state.atomic():
            self.catalog.save(stream)
        return {}

    def _policy_holder(self, ctx: RequestContext, arn: str) -> tuple[Stream, dict[str, Any]]:
        """The stream, and the record (stream or consumer) that holds an ARN's resource policy."""
        if "/consumer/" in arn:
            stream = self.catalog.get(ctx.account, ctx.region, consumers.split_arn(arn)[0])
            return stream, consumers.find(stream, None, arn)
        stream = self.catalog.get(ctx.account, ctx.region, stream_name_of({"StreamARN": arn}))
        return stream, stream.record

    # -- consumers -----------------------------------------------------------------------------

    def register_stream_consumer(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        stream = self._get(ctx, request)
        consumer = consumers.register(stream, request["ConsumerName"])
        consumer["Tags"] = dict(request.get("Tags") or {})
        with state.atomic():
            self.catalog.save(stream)
        return {"Consumer": consumers.view(consumer)}

    def describe_stream_consumer(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        stream, consumer = self._consumer(ctx, request)
        return {"ConsumerDescription": consumers.view(consumer, stream)}

    def deregister_stream_consumer(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        stream, consumer = self._consumer(ctx, request)
        del stream.record["Consumers"][consumer["ConsumerName"]]
        with state.atomic():
            self.catalog.save(stream)
        subscriptions.wake_all()  # its subscriptions end
        return {}

    def list_stream_consumers(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        stream = self._get(ctx, request)
        found = sorted(stream.record["Consumers"].values(), key=lambda c: c["ConsumerName"])
        if request.get("NextToken"):
            after = describing.read_token(request["NextToken"]).get("after", "")
            found = [c for c in found if c["ConsumerName"] > after]
        limit = request.get("MaxResults", 100)
        result: dict[str, Any] = {"Consumers": [consumers.view(c) for c in found[:limit]]}
        if len(found) > limit:
            result["NextToken"] = describing.make_token(after=found[limit - 1]["ConsumerName"])
        return result

    def subscribe_to_shard(self, ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
        refuse_dry_run(request)
        stream, consumer = self._consumer(ctx, {"ConsumerARN": request["ConsumerARN"]})
        log = stream.log(request["ShardId"])
        position = request["StartingPosition"]
        tick = records.starting_tick(
            stream,
            log,
            {
                "ShardIteratorType": position["Type"],
                "StartingSequenceNumber": position.get("SequenceNumber"),
                "Timestamp": position.get("Timestamp"),
            },
        )
        subscriptions.claim(consumer["ConsumerARN"], request["ShardId"])
        return {"EventStream": subscriptions.events(stream, log, consumer["ConsumerARN"], tick)}

    def _consumer(self, ctx: RequestContext, request: dict[str, Any]) -> tuple[Stream, dict[str, Any]]:
        arn = request.get("ConsumerARN")
        if arn:
            stream = self.catalog.get(ctx.account, ctx.region, consumers.split_arn(arn)[0])
            return stream, consumers.find(stream, None, arn)
        if not request.get("StreamARN") or not request.get("ConsumerName"):
            raise InvalidArgumentException(
                "Either ConsumerARN or both StreamARN and ConsumerName must be provided."
            )
        stream = self._get(ctx, request)
        return stream, consumers.find(stream, request["ConsumerName"], None)


def _filter_in(shard_filter: dict[str, Any] | None) -> dict[str, Any] | None:
    """A ShardFilter from a request or a NextToken (whose Timestamp is epoch seconds)."""
    if shard_filter and isinstance(shard_filter.get("Timestamp"), int | float):
        from datetime import UTC, datetime

        return {**shard_filter, "Timestamp": datetime.fromtimestamp(shard_filter["Timestamp"], UTC)}
    return shard_filter


def _filter_out(shard_filter: dict[str, Any] | None) -> dict[str, Any] | None:
    if (
        shard_filter
        and shard_filter.get("Timestamp") is not None
        and not isinstance(shard_filter["Timestamp"], int | float)
    ):
        return {**shard_filter, "Timestamp": shard_filter["Timestamp"].timestamp()}
    return shard_filter
