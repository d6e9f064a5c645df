"""S3 lifecycle configurations: validation (PutBucketLifecycleConfiguration) and the engine that
applies expiration on fogbank's clock.

S3 computes every lifecycle action time by adding the rule's days to the object's creation time
(or to the moment a version became noncurrent) and rounding up to the next midnight UTC
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-expire-general-considerations.html),
so actions only ever fall due at midnight UTC. The engine therefore sweeps every bucket that has a
lifecycle configuration at each midnight of the virtual clock (advancing the clock past midnights
runs the sweep at once), and deletes through S3's public operations: DeleteObject (a delete marker
in versioned buckets), DeleteObject with a VersionId for noncurrent versions and expired delete
markers, AbortMultipartUpload for stale uploads.

Not supported yet (refused with an error): transitions between storage classes.
"""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime
from typing import Any

from fogbank import clock
from fogbank.errors import AwsError, NotImplementedOperation
from fogbank.services.s3.errors import InvalidArgument, InvalidRequest, MalformedXML

log = logging.getLogger("fogbank.s3.lifecycle")
DAY = 86400.0
RULE_LIMIT = 1000
_MALFORMED = "The XML you provided was not well-formed or did not validate against our published schema"
_ACTIONS = ("Expiration", "NoncurrentVersionExpiration", "AbortIncompleteMultipartUpload")
_timer: clock.Timer | None = None


# -- configuration --------------------------------------------------------------------------------


def validate_lifecycle(configuration: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The rules of a PutBucketLifecycleConfiguration request, or S3's error for the first problem."""
    rules = (configuration or {}).get("Rules") or []
    if not rules:
        raise MalformedXML(_MALFORMED)
    if len(rules) > RULE_LIMIT:
        raise InvalidRequest(
            f"The number of lifecycle rules should not exceed allowed limit of {RULE_LIMIT} rules"
        )
    seen: set[str] = set()
    for rule in rules:
        rule_id = rule.get("ID")
        if rule_id is not None:
            if len(rule_id) > 255:
                raise InvalidArgument(
                    "ID length should not exceed allowed limit of 255",
                    ArgumentName="ID",
                    ArgumentValue=rule_id,
                )
            if rule_id in seen:
                raise InvalidArgument(
                    "Rule ID must be unique. Found same ID for more than one rule",
                    ArgumentName="ID",
                    ArgumentValue=rule_id,
                )
            seen.add(rule_id)
        if rule.get("Status") not in ("Enabled", "Disabled"):
            raise MalformedXML(_MALFORMED)
        _check_filter(rule)
        _check_actions(rule)
    return rules


def _check_filter(rule: dict[str, Any]) -> None:
    has_filter = "Filter" in rule
    if has_filter == ("Prefix" in rule):
        raise MalformedXML(_MALFORMED)
    if has_filter:
        chosen = [
            name
            for name in ("Prefix", "Tag", "And", "ObjectSizeGreaterThan", "ObjectSizeLessThan")
            if name in (rule["Filter"] or {})
        ]
        if len(chosen) > 1:
            raise MalformedXML(_MALFORMED)


def _check_actions(rule: dict[str, Any]) -> None:
    if rule.get("Transitions") or rule.get("NoncurrentVersionTransitions") or rule.get("Transition"):
        raise NotImplementedOperation(
            "fogbank does not emulate storage classes, so lifecycle transitions are not supported yet: "
            "remove Transitions and NoncurrentVersionTransitions from the rule"
        )
    if not any(rule.get(action) for action in _ACTIONS):
        raise InvalidRequest("At least one action needs to be specified in a rule")
    tagged = bool(_filter_tags(rule))
    expiration = rule.get("Expiration")
    if expiration:
        if sum(name in expiration for name in ("Days", "Date", "ExpiredObjectDeleteMarker")) != 1:
            raise MalformedXML(_MALFORMED)
        _positive(expiration, "Days", "Expiration")
        date = expiration.get("Date")
        if isinstance(date, datetime) and (date.hour, date.minute, date.second, date.microsecond) != (
            0,
            0,
            0,
            0,
        ):
            raise InvalidArgument(
                "'Date' must be at midnight GMT", ArgumentName="Date", ArgumentValue=date.isoformat()
            )
        if "ExpiredObjectDeleteMarker" in expiration and tagged:
            raise InvalidRequest("ExpiredObjectDeleteMarker cannot be specified with tags.")
    if rule.get("NoncurrentVersionExpiration"):
        _positive(rule["NoncurrentVersionExpiration"], "NoncurrentDays", "NoncurrentVersionExpiration")
    if rule.get("AbortIncompleteMultipartUpload"):
        if tagged:
            raise InvalidRequest("AbortIncompleteMultipartUpload cannot be specified with tags.")
        _positive(
            rule["AbortIncompleteMultipartUpload"], "DaysAfterInitiation", "AbortIncompleteMultipartUpload"
        )


def _positive(action: dict[str, Any], field: str, name: str) -> None:
    if field in action and (action[field] is None or action[field] <= 0):
        raise InvalidArgument(
            f"'{field}' for {name} action must be a positive integer",
            ArgumentName=field,
            ArgumentValue=str(action[field]),
        )


def _filter_tags(rule: dict[str, Any]) -> list[dict[str, Any]]:
    filter_ = rule.get("Filter") or {}
    if filter_.get("Tag"):
        return [filter_["Tag"]]
    return list((filter_.get("And") or {}).get("Tags") or [])


# -- matching -------------------------------------------------------------------------------------


def rule_applies(rule: dict[str, Any], key: str, size: int, tags: list[dict[str, str]]) -> bool:
    from fogbank.services.s3.tagging import tags_match

    if rule.get("Status") != "Enabled":
        return False
    filter_ = rule.get("Filter") or {}
    conditions = filter_.get("And") or filter_
    prefix = rule.get("Prefix") if "Prefix" in rule else conditions.get("Prefix")
    if prefix and not key.startswith(prefix):
        return False
    if conditions.get("ObjectSizeGreaterThan") is not None and not size > conditions["ObjectSizeGreaterThan"]:
        return False
    if conditions.get("ObjectSizeLessThan") is not None and not size < conditions["ObjectSizeLessThan"]:
        return False
    return tags_match(_filter_tags(rule), tags)


def due_after(start: float, days: int) -> float:
    """`start` plus `days`, rounded up to the next midnight UTC (S3's rule)."""
    return math.ceil((start + days * DAY) / DAY) * DAY


def next_midnight(instant: float) -> float:
    return (math.floor(instant / DAY) + 1) * DAY


# -- the engine -----------------------------------------------------------------------------------


def ensure_scheduled(*, catch_up: bool = False) -> None:
    """Make sure a sweep is due at the next midnight UTC of the virtual clock (`catch_up`: at once,
    for actions that fell due while fogbank was stopped)."""
    global _timer
    if catch_up:
        cancel()
    if _timer is None or _timer.cancelled:
        due = clock.now() if catch_up else next_midnight(clock.now())
        _timer = clock.call_at(due, _sweep_and_reschedule)


def cancel() -> None:
    global _timer
    if _timer is not None:
        _timer.cancel()
        _timer = None


def _sweep_and_reschedule() -> None:
    global _timer
    _timer = None
    if sweep():
        ensure_scheduled()


def sweep() -> bool:
    """Apply every due lifecycle action; returns whether any bucket still has a configuration."""
    from fogbank.services.s3.buckets import find_bucket
    from fogbank.services.s3.subresources import buckets_with, read_config

    active = False
    for name in buckets_with("lifecycle"):
        bucket = find_bucket(name)
        rules = read_config(bucket, "lifecycle") if bucket else None
        if not bucket or not rules:
            continue
        active = True
        try:
            BucketSweep(bucket, rules["Rules"]).run()
        except AwsError as error:  # a bucket deleted mid-sweep, say: the next sweep tries again
            log.warning("lifecycle sweep of bucket %s failed: %s", name, error)
    return active


class BucketSweep:
    """One pass of one bucket's rules over its objects, versions and uploads."""

    def __init__(self, bucket: dict[str, Any], rules: list[dict[str, Any]]) -> None:
        self.bucket = bucket
        self.rules = [rule for rule in rules if rule.get("Status") == "Enabled"]
        self.now = clock.now()

    def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        from fogbank.services.calls import call

        params = {"Bucket": self.bucket["Name"], **params}
        return call("s3", operation, params, account=self.bucket["Account"], region=self.bucket["Region"])

    def expire(self, key: str, version_id: str | None) -> None:
        """Delete an object (or one version) and announce it as S3 does: LifecycleExpiration events
        (https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-configure-notification.html)."""
        from fogbank.services.calls import internal_context
        from fogbank.services.s3.notifications import lifecycle_deletes, notify

        params: dict[str, Any] = {"Key": key}
        if version_id is not None:
            params["VersionId"] = version_id
        with lifecycle_deletes():  # DeleteObject's own ObjectRemoved:* event is not S3's here
            result = self.call("DeleteObject", params)
        event = "LifecycleExpiration:DeleteMarkerCreated"
        if version_id is not None or not result.get("DeleteMarker"):
            event = "LifecycleExpiration:Delete"
        ctx = internal_context("s3", "DeleteObject", self.bucket["Account"], self.bucket["Region"])
        info = {"Key": key, "VersionId": result.get("VersionId") or version_id}
        notify(ctx, self.bucket["Name"], event, info, principal="s3.amazonaws.com")

    def run(self) -> None:
        if any(rule.get("Expiration") or rule.get("NoncurrentVersionExpiration") for rule in self.rules):
            if self.bucket.get("Versioning"):
                self.sweep_versions()
            else:
                self.sweep_objects()
        if any(rule.get("AbortIncompleteMultipartUpload") for rule in self.rules):
            self.sweep_uploads()

    def tags(self, key: str, entry: dict[str, Any]) -> list[dict[str, str]]:
        from fogbank.services.s3 import objects
        from fogbank.services.s3.tagging import object_tags

        if not any(_filter_tags(rule) for rule in self.rules):
            return []
        try:
            version = objects.find(self.bucket["Name"], key, entry.get("VersionId"))
        except AwsError:
            return []
        return object_tags(version)

    def expired(self, key: str, entry: dict[str, Any]) -> bool:
        """Whether an Expiration (days or date) of a matching rule is due for this current object."""
        modified = _epoch(entry.get("LastModified"))
        for rule in self.rules:
            expiration = rule.get("Expiration") or {}
            if not ("Days" in expiration or "Date" in expiration):
                continue
            if not rule_applies(rule, key, entry.get("Size", 0), self.tags(key, entry)):
                continue
            due = (
                _epoch(expiration["Date"])
                if "Date" in expiration
                else due_after(modified, expiration["Days"])
            )
            if due <= self.now:
                return True
        return False

    def sweep_objects(self) -> None:
        token: str | None = None
        while True:
            page = self.call("ListObjectsV2", {"ContinuationToken": token} if token else {})
            for entry in page.get("Contents") or []:
                if self.expired(entry["Key"], entry):
                    self.expire(entry["Key"], None)
            token = page.get("NextContinuationToken")
            if not page.get("IsTruncated") or not token:
                return

    def sweep_versions(self) -> None:
        history: dict[str, list[dict[str, Any]]] = {}
        markers: dict[str, str] = {}
        for version in self._all_versions():
            history.setdefault(version["Key"], []).append(version)
            if version.get("IsDeleteMarker"):
                markers[version["VersionId"]] = version["Key"]
        for key, versions in history.items():
            versions.sort(key=lambda item: _epoch(item.get("LastModified")), reverse=True)
            self.sweep_key(key, versions, markers)

    def _all_versions(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        params: dict[str, Any] = {}
        while True:
            page = self.call("ListObjectVersions", params)
            found += page.get("Versions") or []
            found += [{**marker, "IsDeleteMarker": True} for marker in page.get("DeleteMarkers") or []]
            if not page.get("IsTruncated"):
                return found
            params = {
                "KeyMarker": page.get("NextKeyMarker"),
                "VersionIdMarker": page.get("NextVersionIdMarker"),
            }

    def sweep_key(self, key: str, versions: list[dict[str, Any]], markers: dict[str, str]) -> None:
        """Newest first: expire the current version, then noncurrent ones, then a lone delete marker."""
        current = versions[0]
        if not current.get("IsDeleteMarker") and self.expired(key, current):
            self.expire(key, None)  # leaves a delete marker in a versioned bucket
            return  # the next sweep sees the new history
        survivors = [current]
        noncurrent_since = _epoch(current.get("LastModified"))
        for position, version in enumerate(versions[1:]):
            if self.noncurrent_expired(key, version, noncurrent_since, position):
                self.expire(key, version["VersionId"])
            else:
                survivors.append(version)
            noncurrent_since = _epoch(version.get("LastModified"))
        if len(survivors) == 1 and current.get("IsDeleteMarker") and self.marker_expires(key):
            self.expire(key, current["VersionId"])

    def noncurrent_expired(self, key: str, version: dict[str, Any], since: float, newer: int) -> bool:
        """`since`: when this version became noncurrent (its successor's creation); `newer`: how many
        noncurrent versions are newer than it (NewerNoncurrentVersions keeps that many)."""
        for rule in self.rules:
            action = rule.get("NoncurrentVersionExpiration")
            if not action or not rule_applies(rule, key, version.get("Size", 0), self.tags(key, version)):
                continue
            if newer < (action.get("NewerNoncurrentVersions") or 0):
                continue
            if due_after(since, action.get("NoncurrentDays") or 0) <= self.now:
                return True
        return False

    def marker_expires(self, key: str) -> bool:
        for rule in self.rules:
            expiration = rule.get("Expiration") or {}
            if expiration.get("ExpiredObjectDeleteMarker") and rule_applies(rule, key, 0, []):
                return True
            # A Days/Date expiration also removes expired object delete markers (S3 docs).
            if ("Days" in expiration or "Date" in expiration) and rule_applies(rule, key, 0, []):
                return True
        return False

    def sweep_uploads(self) -> None:
        page = self.call("ListMultipartUploads", {})
        for upload in page.get("Uploads") or []:
            initiated = _epoch(upload.get("Initiated"))
            for rule in self.rules:
                action = rule.get("AbortIncompleteMultipartUpload")
                if not action or not rule_applies(rule, upload["Key"], 0, []):
                    continue
                if due_after(initiated, action["DaysAfterInitiation"]) <= self.now:
                    self.call("AbortMultipartUpload", {"Key": upload["Key"], "UploadId": upload["UploadId"]})
                    break


def _epoch(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, datetime):
        return value.replace(tzinfo=value.tzinfo or UTC).timestamp()
    return float(value)
