"""Event buses: create, describe, list, delete, resource policies and tags."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from events_support import error_of

ACCOUNT = "000000000000"


def test_create_event_bus_describe_returns_it(events: Any, unique_name: Callable[[str], str]) -> None:
    name = unique_name("bus")
    created = events.create_event_bus(Name=name, Description="orders", Tags=[{"Key": "team", "Value": "a"}])
    arn = f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/{name}"
    assert created["EventBusArn"] == arn
    assert created["Description"] == "orders"
    described = events.describe_event_bus(Name=name)
    assert (described["Name"], described["Arn"], described["Description"]) == (name, arn, "orders")
    assert described["CreationTime"] == described["LastModifiedTime"]
    assert events.describe_event_bus(Name=arn)["Name"] == name
    assert events.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "team", "Value": "a"}]


def test_describe_event_bus_default_always_exists(events: Any) -> None:
    described = events.describe_event_bus()
    assert described["Name"] == "default"
    assert described["Arn"] == f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/default"


def test_create_event_bus_existing_name_fails(events: Any, make_bus: Callable[..., str]) -> None:
    name = make_bus()
    with pytest.raises(ClientError) as raised:
        events.create_event_bus(Name=name)
    assert error_of(raised.value) == (
        "ResourceAlreadyExistsException",
        f"Event bus {name} already exists.",
        400,
    )
    with pytest.raises(ClientError) as raised:
        events.create_event_bus(Name="default")
    assert error_of(raised.value)[0] == "ResourceAlreadyExistsException"


def test_describe_event_bus_missing_fails(events: Any) -> None:
    with pytest.raises(ClientError) as raised:
        events.describe_event_bus(Name="no-such-bus")
    assert error_of(raised.value) == (
        "ResourceNotFoundException",
        "Event bus no-such-bus does not exist.",
        400,
    )


def test_delete_event_bus_removes_it_and_default_cannot_go(events: Any, make_bus: Callable[..., str]) -> None:
    name = make_bus()
    events.put_rule(Name="r", EventBusName=name, EventPattern='{"source": ["x"]}')
    events.delete_event_bus(Name=name)
    with pytest.raises(ClientError):
        events.describe_event_bus(Name=name)
    events.delete_event_bus(Name=name)  # deleting a missing bus succeeds
    with pytest.raises(ClientError) as raised:
        events.delete_event_bus(Name="default")
    assert error_of(raised.value) == ("ValidationException", "Cannot delete event bus default.", 400)


def test_list_event_buses_prefix_and_pages(events: Any, unique_name: Callable[[str], str]) -> None:
    prefix = unique_name("listed")
    for number in range(3):
        events.create_event_bus(Name=f"{prefix}-{number}")
    first = events.list_event_buses(NamePrefix=prefix, Limit=2)
    assert [bus["Name"] for bus in first["EventBuses"]] == [f"{prefix}-0", f"{prefix}-1"]
    second = events.list_event_buses(NamePrefix=prefix, Limit=2, NextToken=first["NextToken"])
    assert [bus["Name"] for bus in second["EventBuses"]] == [f"{prefix}-2"]
    assert "NextToken" not in second
    assert any(bus["Name"] == "default" for bus in events.list_event_buses()["EventBuses"])


def test_put_permission_builds_policy_and_remove_permission_drops_it(
    events: Any, make_bus: Callable[..., str]
) -> None:
    name = make_bus()
    events.put_permission(
        EventBusName=name, Action="events:PutEvents", Principal="111111111111", StatementId="s1"
    )
    arn = f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/{name}"
    policy = json.loads(events.describe_event_bus(Name=name)["Policy"])
    assert policy == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "s1",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
                "Action": "events:PutEvents",
                "Resource": arn,
            }
        ],
    }
    with pytest.raises(ClientError) as raised:
        events.remove_permission(EventBusName=name, StatementId="nope")
    assert error_of(raised.value) == (
        "ResourceNotFoundException",
        "Statement with the provided id does not exist.",
        400,
    )
    events.remove_permission(EventBusName=name, StatementId="s1")
    assert "Policy" not in events.describe_event_bus(Name=name)


def test_put_permission_whole_policy_replaces_it(events: Any, make_bus: Callable[..., str]) -> None:
    name = make_bus()
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "all", "Effect": "Allow", "Principal": "*", "Action": "events:PutEvents", "Resource": "*"}
        ],
    }
    events.put_permission(EventBusName=name, Policy=json.dumps(document))
    assert json.loads(events.describe_event_bus(Name=name)["Policy"]) == document
    events.remove_permission(EventBusName=name, RemoveAllPermissions=True)
    assert "Policy" not in events.describe_event_bus(Name=name)


def test_tag_resource_rule_and_bus_round_trip(events: Any, make_bus: Callable[..., str]) -> None:
    name = make_bus()
    rule_arn = events.put_rule(Name="tagged", EventBusName=name, EventPattern='{"source": ["x"]}')["RuleArn"]
    assert rule_arn == f"arn:aws:events:us-east-1:{ACCOUNT}:rule/{name}/tagged"
    events.tag_resource(ResourceARN=rule_arn, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    events.untag_resource(ResourceARN=rule_arn, TagKeys=["a"])
    assert events.list_tags_for_resource(ResourceARN=rule_arn)["Tags"] == [{"Key": "b", "Value": "2"}]
    with pytest.raises(ClientError) as raised:
        events.list_tags_for_resource(ResourceARN=f"arn:aws:events:us-east-1:{ACCOUNT}:rule/{name}/missing")
    assert error_of(raised.value) == (
        "ResourceNotFoundException",
        f"Rule missing does not exist on EventBus {name}.",
        400,
    )


def test_create_event_bus_kms_key_is_refused(events: Any, unique_name: Callable[[str], str]) -> None:
    with pytest.raises(ClientError) as raised:
        events.create_event_bus(Name=unique_name("bus"), KmsKeyIdentifier="alias/mine")
    assert error_of(raised.value) == (
        "ValidationException",
        "KmsKeyIdentifier is not supported by fogbank yet.",
        400,
    )
