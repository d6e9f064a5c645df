"""Log groups: create, describe (prefix, pattern, class, pagination), delete, retention policies,
KMS keys, tags (both APIs) and deletion protection."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from aws_errors import error_of

ACCOUNT = "000000000000"


def test_create_log_group_described_with_aws_fields(logs: Any, make_group: Callable[..., str]) -> None:
    name = make_group(kmsKeyId="arn:aws:kms:us-east-1:000000000000:key/abc")
    group = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]
    arn = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{name}"
    assert group == {
        "logGroupName": name,
        "creationTime": group["creationTime"],
        "metricFilterCount": 0,
        "arn": f"{arn}:*",
        "storedBytes": 0,
        "kmsKeyId": "arn:aws:kms:us-east-1:000000000000:key/abc",
        "logGroupClass": "STANDARD",
        "logGroupArn": arn,
        "deletionProtectionEnabled": False,
    }


def test_create_log_group_existing_is_resource_already_exists(
    logs: Any, make_group: Callable[..., str]
) -> None:
    name = make_group()
    assert error_of(lambda: logs.create_log_group(logGroupName=name)) == (
        "ResourceAlreadyExistsException",
        "The specified log group already exists",
        400,
    )


def test_delete_log_group_then_missing_is_not_found(logs: Any, make_group: Callable[..., str]) -> None:
    name = make_group("s")
    logs.delete_log_group(logGroupName=name)
    assert error_of(lambda: logs.delete_log_group(logGroupName=name)) == (
        "ResourceNotFoundException",
        "The specified log group does not exist.",
        400,
    )
    logs.create_log_group(logGroupName=name)
    assert logs.describe_log_streams(logGroupName=name)["logStreams"] == []


def test_describe_log_groups_prefix_pattern_and_pagination(client_factory: Callable[..., Any]) -> None:
    logs = client_factory("logs", access_key=f"{random.randrange(10**11, 10**12)}")
    for name in ("/app/api", "/app/worker", "/aws/lambda/Fn", "/other"):
        logs.create_log_group(logGroupName=name)
    assert [g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePrefix="/app/")["logGroups"]] == [
        "/app/api",
        "/app/worker",
    ]
    assert [
        g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePattern="LAMBDA")["logGroups"]
    ] == [
        "/aws/lambda/Fn",
    ]
    first = logs.describe_log_groups(limit=3)
    assert len(first["logGroups"]) == 3
    second = logs.describe_log_groups(limit=3, nextToken=first["nextToken"])
    assert [g["logGroupName"] for g in second["logGroups"]] == ["/other"] and "nextToken" not in second
    paginated = logs.get_paginator("describe_log_groups").paginate(PaginationConfig={"PageSize": 1})
    assert [g["logGroupName"] for page in paginated for g in page["logGroups"]] == [
        "/app/api",
        "/app/worker",
        "/aws/lambda/Fn",
        "/other",
    ]
    assert error_of(lambda: logs.describe_log_groups(logGroupNamePrefix="/a", logGroupNamePattern="b")) == (
        "InvalidParameterException",
        "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.",
        400,
    )


def test_describe_log_groups_by_class(client_factory: Callable[..., Any]) -> None:
    logs = client_factory("logs", access_key=f"{random.randrange(10**11, 10**12)}")
    logs.create_log_group(logGroupName="standard")
    logs.create_log_group(logGroupName="rare", logGroupClass="INFREQUENT_ACCESS")
    logs.create_log_group(logGroupName="delivery", logGroupClass="DELIVERY")
    rare = logs.describe_log_groups(logGroupClass="INFREQUENT_ACCESS")["logGroups"]
    assert [(g["logGroupName"], g["logGroupClass"]) for g in rare] == [("rare", "INFREQUENT_ACCESS")]
    delivery = logs.describe_log_groups(logGroupNamePrefix="delivery")["logGroups"][0]
    assert delivery["retentionInDays"] == 2
    code, _, _ = error_of(lambda: logs.put_retention_policy(logGroupName="delivery", retentionInDays=7))
    assert code == "InvalidParameterException"


def test_put_retention_policy_shown_and_deleted(logs: Any, make_group: Callable[..., str]) -> None:
    name = make_group()
    logs.put_retention_policy(logGroupName=name, retentionInDays=7)
    assert logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["retentionInDays"] == 7
    logs.delete_retention_policy(logGroupName=name)
    assert "retentionInDays" not in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]


def test_put_retention_policy_unsupported_days_is_invalid(logs: Any, make_group: Callable[..., str]) -> None:
    name = make_group()
    code, message, status = error_of(lambda: logs.put_retention_policy(logGroupName=name, retentionInDays=2))
    assert (code, status) == ("InvalidParameterException", 400)
    assert message.startswith(
        "1 validation error detected: Value '2' at 'retentionInDays' failed to satisfy constraint: "
        "Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90,"
    )


def test_associate_and_disassociate_kms_key(logs: Any, make_group: Callable[..., str]) -> None:
    name = make_group()
    logs.associate_kms_key(logGroupName=name, kmsKeyId="arn:aws:kms:us-east-1:000000000000:key/k")
    assert logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["kmsKeyId"].endswith("key/k")
    logs.disassociate_kms_key(logGroupName=name)
    assert "kmsKeyId" not in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]


def test_tag_resource_and_legacy_tag_log_group_share_tags(logs: Any, make_group: Callable[..., str]) -> None:
    name = make_group(tags={"team": "a"})
    arn = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{name}"
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "a"}
    logs.tag_resource(resourceArn=arn, tags={"env": "dev"})
    logs.tag_log_group(logGroupName=name, tags={"cost": "1"})
    assert logs.list_tags_log_group(logGroupName=name)["tags"] == {"team": "a", "env": "dev", "cost": "1"}
    logs.untag_resource(resourceArn=arn, tagKeys=["team"])
    logs.untag_log_group(logGroupName=name, tags=["cost"])
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"env": "dev"}
    missing = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/no/such/group"
    assert (
        error_of(lambda: logs.list_tags_for_resource(resourceArn=missing))[0] == "ResourceNotFoundException"
    )


def test_delete_log_group_with_deletion_protection_is_refused(
    logs: Any, make_group: Callable[..., str]
) -> None:
    name = make_group(deletionProtectionEnabled=True)
    code, _, status = error_of(lambda: logs.delete_log_group(logGroupName=name))
    assert (code, status) == ("InvalidOperationException", 400)
    logs.put_log_group_deletion_protection(logGroupIdentifier=name, deletionProtectionEnabled=False)
    logs.delete_log_group(logGroupName=name)


def test_create_log_group_invalid_name_is_invalid_parameter(logs: Any) -> None:
    assert error_of(lambda: logs.create_log_group(logGroupName="bad name!")) == (
        "InvalidParameterException",
        "1 validation error detected: Value 'bad name!' at 'logGroupName' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: [.\-_/#A-Za-z0-9]+",
        400,
    )


def test_list_log_groups_pattern_alternatives_and_prefix(client_factory: Callable[..., Any]) -> None:
    logs = client_factory("logs", access_key=f"{random.randrange(10**11, 10**12)}")
    for name in ("/app/api", "/app/worker", "/aws/lambda/Fn", "/other"):
        logs.create_log_group(logGroupName=name)
    found = logs.list_log_groups(logGroupNamePattern="^/app|lambda")["logGroups"]
    assert [g["logGroupName"] for g in found] == ["/app/api", "/app/worker", "/aws/lambda/Fn"]
    assert found[0]["logGroupClass"] == "STANDARD"
    assert found[0]["logGroupArn"].startswith("arn:aws:logs:us-east-1:")
    assert found[0]["logGroupArn"].endswith(":log-group:/app/api")
    first = logs.list_log_groups(limit=3)
    assert len(first["logGroups"]) == 3
    assert [g["logGroupName"] for g in logs.list_log_groups(nextToken=first["nextToken"])["logGroups"]] == [
        "/other"
    ]


def test_put_describe_delete_resource_policy(client_factory: Callable[..., Any]) -> None:
    logs = client_factory("logs", access_key=f"{random.randrange(10**11, 10**12)}")
    document = '{"Version": "2012-10-17", "Statement": []}'
    put = logs.put_resource_policy(policyName="events", policyDocument=document)
    assert (
        put["resourcePolicy"]["policyName"] == "events" and put["resourcePolicy"]["policyScope"] == "ACCOUNT"
    )
    described = logs.describe_resource_policies()["resourcePolicies"]
    assert [(p["policyName"], p["policyDocument"]) for p in described] == [("events", document)]
    logs.delete_resource_policy(policyName="events")
    assert logs.describe_resource_policies()["resourcePolicies"] == []
    assert error_of(lambda: logs.put_resource_policy(policyName="bad", policyDocument="{not json"))[0] == (
        "InvalidParameterException"
    )
    assert (
        error_of(lambda: logs.delete_resource_policy(policyName="events"))[0] == "ResourceNotFoundException"
    )
