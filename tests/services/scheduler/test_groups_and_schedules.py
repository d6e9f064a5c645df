"""Schedule groups and schedules: create, get, update, list with filters and pages, delete, tags,
and the validation errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from scheduler_support import ROLE, Queue, error_of

ACCOUNT = "000000000000"
OFF = {"Mode": "OFF"}


def test_create_schedule_group_get_list_tag_delete(scheduler: Any, unique_name: Callable[[str], str]) -> None:
    name = unique_name("group")
    arn = scheduler.create_schedule_group(Name=name, Tags=[{"Key": "team", "Value": "a"}])["ScheduleGroupArn"]
    assert arn == f"arn:aws:scheduler:us-east-1:{ACCOUNT}:schedule-group/{name}"
    got = scheduler.get_schedule_group(Name=name)
    assert (got["Arn"], got["Name"], got["State"]) == (arn, name, "ACTIVE")
    assert got["CreationDate"] == got["LastModificationDate"]
    scheduler.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "dev"}])
    scheduler.untag_resource(ResourceArn=arn, TagKeys=["team"])
    assert scheduler.list_tags_for_resource(ResourceArn=arn)["Tags"] == [{"Key": "env", "Value": "dev"}]
    listed = scheduler.list_schedule_groups(NamePrefix=name)["ScheduleGroups"]
    assert [group["Name"] for group in listed] == [name]
    assert any(g["Name"] == "default" for g in scheduler.list_schedule_groups()["ScheduleGroups"])
    scheduler.delete_schedule_group(Name=name)
    with pytest.raises(ClientError) as raised:
        scheduler.get_schedule_group(Name=name)
    assert error_of(raised.value) == (
        "ResourceNotFoundException",
        f"Schedule group {name} does not exist.",
        404,
    )


def test_create_schedule_group_twice_conflicts(scheduler: Any, unique_name: Callable[[str], str]) -> None:
    name = unique_name("group")
    scheduler.create_schedule_group(Name=name)
    with pytest.raises(ClientError) as raised:
        scheduler.create_schedule_group(Name=name)
    assert error_of(raised.value) == ("ConflictException", f"Schedule group {name} already exists.", 409)
    with pytest.raises(ClientError) as raised:
        scheduler.delete_schedule_group(Name="default")
    assert error_of(raised.value) == ("ValidationException", "You cannot delete the default group.", 400)


def test_create_schedule_get_returns_settings_with_defaults(
    scheduler: Any, make_queue: Callable[..., Queue], unique_name: Callable[[str], str]
) -> None:
    queue, name = make_queue(), unique_name("s")
    arn = scheduler.create_schedule(
        Name=name,
        ScheduleExpression="cron(0 9 * * ? *)",
        ScheduleExpressionTimezone="Europe/Paris",
        FlexibleTimeWindow={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 10},
        Description="daily",
        Target={"Arn": queue.arn, "RoleArn": ROLE, "Input": "hello"},
    )["ScheduleArn"]
    assert arn == f"arn:aws:scheduler:us-east-1:{ACCOUNT}:schedule/default/{name}"
    got = scheduler.get_schedule(Name=name)
    got.pop("ResponseMetadata")
    created, modified = got.pop("CreationDate"), got.pop("LastModificationDate")
    assert created == modified
    assert got == {
        "Arn": arn,
        "Name": name,
        "GroupName": "default",
        "ScheduleExpression": "cron(0 9 * * ? *)",
        "ScheduleExpressionTimezone": "Europe/Paris",
        "Description": "daily",
        "State": "ENABLED",
        "FlexibleTimeWindow": {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 10},
        "ActionAfterCompletion": "NONE",
        "Target": {
            "Arn": queue.arn,
            "RoleArn": ROLE,
            "Input": "hello",
            "RetryPolicy": {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185},
        },
    }


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"ScheduleExpression": "rate(5 minute)"}, "Invalid Schedule Expression rate(5 minute)."),
        ({"ScheduleExpressionTimezone": "Mars/Olympus"}, "Invalid time zone: Mars/Olympus."),
        (
            {"FlexibleTimeWindow": {"Mode": "FLEXIBLE"}},
            "MaximumWindowInMinutes must be provided when Mode is FLEXIBLE.",
        ),
        (
            {"Target": {"Arn": f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/c", "RoleArn": ROLE}},
            f"Targets of type ecs (arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/c) are not supported by fogbank yet.",
        ),
        (
            {"Target": {"Arn": "arn:aws:scheduler:::aws-sdk:ec2:runInstances", "RoleArn": ROLE}},
            "Universal target arn:aws:scheduler:::aws-sdk:ec2:runInstances names a service fogbank does not serve yet.",
        ),
    ],
)
def test_create_schedule_invalid_settings_fail(
    scheduler: Any,
    make_queue: Callable[..., Queue],
    unique_name: Callable[[str], str],
    settings: dict[str, Any],
    message: str,
) -> None:
    request: dict[str, Any] = {
        "Name": unique_name("s"),
        "ScheduleExpression": "rate(5 minutes)",
        "FlexibleTimeWindow": OFF,
        "Target": {"Arn": make_queue().arn, "RoleArn": ROLE},
        **settings,
    }
    with pytest.raises(ClientError) as raised:
        scheduler.create_schedule(**request)
    assert error_of(raised.value) == ("ValidationException", message, 400)


def test_create_schedule_existing_conflicts_and_missing_is_not_found(
    scheduler: Any, make_queue: Callable[..., Queue], unique_name: Callable[[str], str]
) -> None:
    name, target = unique_name("s"), {"Arn": make_queue().arn, "RoleArn": ROLE}
    scheduler.create_schedule(
        Name=name, ScheduleExpression="rate(1 hour)", FlexibleTimeWindow=OFF, Target=target
    )
    with pytest.raises(ClientError) as raised:
        scheduler.create_schedule(
            Name=name, ScheduleExpression="rate(1 hour)", FlexibleTimeWindow=OFF, Target=target
        )
    assert error_of(raised.value) == ("ConflictException", f"Schedule {name} already exists.", 409)
    scheduler.delete_schedule(Name=name)
    with pytest.raises(ClientError) as raised:
        scheduler.get_schedule(Name=name)
    assert error_of(raised.value) == ("ResourceNotFoundException", f"Schedule {name} does not exist.", 404)
    with pytest.raises(ClientError) as raised:
        scheduler.create_schedule(
            Name=name,
            GroupName="no-group",
            ScheduleExpression="rate(1 hour)",
            FlexibleTimeWindow=OFF,
            Target=target,
        )
    assert error_of(raised.value) == (
        "ResourceNotFoundException",
        "Schedule group no-group does not exist.",
        404,
    )


def test_update_schedule_replaces_settings(
    scheduler: Any, make_queue: Callable[..., Queue], unique_name: Callable[[str], str]
) -> None:
    name, target = unique_name("s"), {"Arn": make_queue().arn, "RoleArn": ROLE}
    scheduler.create_schedule(
        Name=name, ScheduleExpression="rate(1 hour)", FlexibleTimeWindow=OFF, Target=target, Description="old"
    )
    scheduler.update_schedule(
        Name=name, ScheduleExpression="rate(2 hours)", FlexibleTimeWindow=OFF, Target=target, State="DISABLED"
    )
    got = scheduler.get_schedule(Name=name)
    assert (got["ScheduleExpression"], got["State"], "Description" in got) == (
        "rate(2 hours)",
        "DISABLED",
        False,
    )
    assert got["LastModificationDate"] > got["CreationDate"]


def test_list_schedules_filters_and_pages(
    scheduler: Any, make_queue: Callable[..., Queue], unique_name: Callable[[str], str]
) -> None:
    group, target = unique_name("group"), {"Arn": make_queue().arn, "RoleArn": ROLE}
    scheduler.create_schedule_group(Name=group)
    for name, state in (("a-1", "ENABLED"), ("a-2", "DISABLED"), ("b-1", "ENABLED")):
        scheduler.create_schedule(
            Name=name,
            GroupName=group,
            ScheduleExpression="rate(1 day)",
            FlexibleTimeWindow=OFF,
            Target=target,
            State=state,
        )
    listed = scheduler.list_schedules(GroupName=group, NamePrefix="a-")["Schedules"]
    assert [(s["Name"], s["State"], s["GroupName"], s["Target"]) for s in listed] == [
        ("a-1", "ENABLED", group, {"Arn": target["Arn"]}),
        ("a-2", "DISABLED", group, {"Arn": target["Arn"]}),
    ]
    assert [s["Name"] for s in scheduler.list_schedules(GroupName=group, State="ENABLED")["Schedules"]] == [
        "a-1",
        "b-1",
    ]
    first = scheduler.list_schedules(GroupName=group, MaxResults=2)
    second = scheduler.list_schedules(GroupName=group, MaxResults=2, NextToken=first["NextToken"])
    assert [s["Name"] for s in first["Schedules"] + second["Schedules"]] == ["a-1", "a-2", "b-1"]
    scheduler.delete_schedule_group(Name=group)
    with pytest.raises(ClientError) as raised:
        scheduler.list_schedules(GroupName=group)
    assert error_of(raised.value)[0] == "ResourceNotFoundException"
