"""EventBridge connections and API destinations: CRUD, states, secrets and AWS's errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from events_support import error_of

ACCOUNT = "000000000000"
API_KEY = {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "s3cret"}}


def test_create_connection_api_key_is_authorized_with_secret(
    events: Any, client_factory: Callable[..., Any], unique_name: Callable[[str], str]
) -> None:
    name = unique_name("conn")
    created = events.create_connection(Name=name, AuthorizationType="API_KEY", AuthParameters=API_KEY)
    assert created["ConnectionState"] == "AUTHORIZED"
    assert created["ConnectionArn"].startswith(f"arn:aws:events:us-east-1:{ACCOUNT}:connection/{name}/")
    described = events.describe_connection(Name=name)
    assert described["AuthParameters"] == {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key"}}
    assert (described["Name"], described["AuthorizationType"]) == (name, "API_KEY")
    ident = created["ConnectionArn"].rsplit("/", 1)[1]
    secret_arn = described["SecretArn"]
    assert f":secret:events!connection/{name}/{ident}-" in secret_arn
    value = client_factory("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"]
    assert json.loads(value)["AuthParameters"] == API_KEY


def test_describe_connection_hides_secret_parameters(events: Any, unique_name: Callable[[str], str]) -> None:
    name = unique_name("conn")
    http = {
        "HeaderParameters": [
            {"Key": "open", "Value": "visible", "IsValueSecret": False},
            {"Key": "hidden", "Value": "classified", "IsValueSecret": True},
        ]
    }
    events.create_connection(
        Name=name,
        AuthorizationType="BASIC",
        AuthParameters={
            "BasicAuthParameters": {"Username": "ann", "Password": "pw"},
            "InvocationHttpParameters": http,
        },
    )
    shown = events.describe_connection(Name=name)["AuthParameters"]
    assert shown == {
        "BasicAuthParameters": {"Username": "ann"},
        "InvocationHttpParameters": {
            "HeaderParameters": [
                {"Key": "open", "Value": "visible", "IsValueSecret": False},
                {"Key": "hidden", "IsValueSecret": True},
            ]
        },
    }


def test_create_connection_existing_name_fails(events: Any, unique_name: Callable[[str], str]) -> None:
    name = unique_name("conn")
    events.create_connection(Name=name, AuthorizationType="API_KEY", AuthParameters=API_KEY)
    with pytest.raises(ClientError) as caught:
        events.create_connection(Name=name, AuthorizationType="API_KEY", AuthParameters=API_KEY)
    assert error_of(caught.value) == (
        "ResourceAlreadyExistsException",
        f"Connection {name} already exists.",
        400,
    )


def test_create_connection_parameters_of_other_type_fails(
    events: Any, unique_name: Callable[[str], str]
) -> None:
    with pytest.raises(ClientError) as caught:
        events.create_connection(Name=unique_name("conn"), AuthorizationType="BASIC", AuthParameters=API_KEY)
    code, message, status = error_of(caught.value)
    assert (code, status) == ("ValidationException", 400)
    assert "BasicAuthParameters must be specified" in message


def test_describe_connection_missing_fails(events: Any) -> None:
    with pytest.raises(ClientError) as caught:
        events.describe_connection(Name="no-such-connection")
    assert error_of(caught.value) == (
        "ResourceNotFoundException",
        "Failed to describe the connection(s). Connection 'no-such-connection' does not exist.",
        400,
    )


def test_update_connection_changes_key_and_keeps_name(
    events: Any, client_factory: Callable[..., Any], unique_name: Callable[[str], str]
) -> None:
    name = unique_name("conn")
    events.create_connection(Name=name, AuthorizationType="API_KEY", AuthParameters=API_KEY)
    updated = events.update_connection(
        Name=name, AuthParameters={"ApiKeyAuthParameters": {"ApiKeyValue": "new-value"}}
    )
    assert updated["ConnectionState"] == "AUTHORIZED"
    described = events.describe_connection(Name=name)
    value = client_factory("secretsmanager").get_secret_value(SecretId=described["SecretArn"])["SecretString"]
    assert json.loads(value)["AuthParameters"]["ApiKeyAuthParameters"] == {
        "ApiKeyName": "x-api-key",
        "ApiKeyValue": "new-value",
    }


def test_deauthorize_connection_sets_deauthorized(events: Any, unique_name: Callable[[str], str]) -> None:
    name = unique_name("conn")
    events.create_connection(Name=name, AuthorizationType="API_KEY", AuthParameters=API_KEY)
    assert events.deauthorize_connection(Name=name)["ConnectionState"] == "DEAUTHORIZING"
    assert events.describe_connection(Name=name)["ConnectionState"] == "DEAUTHORIZED"
    listed = events.list_connections(NamePrefix=name, ConnectionState="DEAUTHORIZED")["Connections"]
    assert [c["Name"] for c in listed] == [name]


def test_delete_connection_removes_it_and_its_secret(
    events: Any, client_factory: Callable[..., Any], unique_name: Callable[[str], str]
) -> None:
    name = unique_name("conn")
    events.create_connection(Name=name, AuthorizationType="API_KEY", AuthParameters=API_KEY)
    secret = events.describe_connection(Name=name)["SecretArn"]
    assert events.delete_connection(Name=name)["ConnectionState"] == "DELETING"
    assert events.list_connections(NamePrefix=name)["Connections"] == []
    with pytest.raises(ClientError) as caught:
        client_factory("secretsmanager").get_secret_value(SecretId=secret)
    assert error_of(caught.value)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as caught:
        events.delete_connection(Name=name)
    assert error_of(caught.value)[0] == "ResourceNotFoundException"


def test_list_connections_filters_by_prefix(events: Any, unique_name: Callable[[str], str]) -> None:
    prefix = unique_name("pre")
    for suffix in ("a", "b"):
        events.create_connection(Name=prefix + suffix, AuthorizationType="API_KEY", AuthParameters=API_KEY)
    listed = events.list_connections(NamePrefix=prefix)["Connections"]
    assert [(c["Name"], c["ConnectionState"], c["AuthorizationType"]) for c in listed] == [
        (prefix + "a", "AUTHORIZED", "API_KEY"),
        (prefix + "b", "AUTHORIZED", "API_KEY"),
    ]
    assert "AuthParameters" not in listed[0]


def test_create_api_destination_crud(events: Any, unique_name: Callable[[str], str]) -> None:
    connection = events.create_connection(
        Name=unique_name("conn"), AuthorizationType="API_KEY", AuthParameters=API_KEY
    )["ConnectionArn"]
    name = unique_name("dest")
    created = events.create_api_destination(
        Name=name, ConnectionArn=connection, InvocationEndpoint="https://example.com/*", HttpMethod="POST"
    )
    assert created["ApiDestinationState"] == "ACTIVE"
    assert created["ApiDestinationArn"].startswith(
        f"arn:aws:events:us-east-1:{ACCOUNT}:api-destination/{name}/"
    )
    events.update_api_destination(Name=name, HttpMethod="PUT", InvocationRateLimitPerSecond=10)
    described = events.describe_api_destination(Name=name)
    assert {k: described[k] for k in ("Name", "ConnectionArn", "InvocationEndpoint", "HttpMethod")} == {
        "Name": name,
        "ConnectionArn": connection,
        "InvocationEndpoint": "https://example.com/*",
        "HttpMethod": "PUT",
    }
    assert described["InvocationRateLimitPerSecond"] == 10
    listed = events.list_api_destinations(ConnectionArn=connection)["ApiDestinations"]
    assert [d["Name"] for d in listed] == [name]
    events.delete_api_destination(Name=name)
    with pytest.raises(ClientError) as caught:
        events.describe_api_destination(Name=name)
    code, _, status = error_of(caught.value)
    assert (code, status) == ("ResourceNotFoundException", 400)


def test_create_api_destination_missing_connection_fails(
    events: Any, unique_name: Callable[[str], str]
) -> None:
    arn = f"arn:aws:events:us-east-1:{ACCOUNT}:connection/ghost/00000000-0000-0000-0000-000000000000"
    with pytest.raises(ClientError) as caught:
        events.create_api_destination(
            Name=unique_name("dest"),
            ConnectionArn=arn,
            InvocationEndpoint="https://example.com",
            HttpMethod="POST",
        )
    assert error_of(caught.value) == ("ResourceNotFoundException", "Connection 'ghost' does not exist.", 400)


def test_create_api_destination_plain_http_remote_fails(
    events: Any, unique_name: Callable[[str], str]
) -> None:
    connection = events.create_connection(
        Name=unique_name("conn"), AuthorizationType="API_KEY", AuthParameters=API_KEY
    )["ConnectionArn"]
    with pytest.raises(ClientError) as caught:
        events.create_api_destination(
            Name=unique_name("dest"),
            ConnectionArn=connection,
            InvocationEndpoint="http://example.com",
            HttpMethod="POST",
        )
    code, message, status = error_of(caught.value)
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith("Parameter InvocationEndpoint is not valid.")


def test_create_secret_managed_name_from_user_fails(
    client_factory: Callable[..., Any], unique_name: Callable[[str], str]
) -> None:
    """Only EventBridge itself may create `events!connection/...` secrets."""
    with pytest.raises(ClientError) as caught:
        client_factory("secretsmanager").create_secret(
            Name=f"events!connection/{unique_name('c')}/x", SecretString="s"
        )
    code, _, status = error_of(caught.value)
    assert (code, status) == ("InvalidParameterException", 400)


def test_connections_and_api_destinations_survive_restart(
    fogbank_factory: Callable[..., Any], tmp_path: Any
) -> None:
    first = fogbank_factory(data_dir=tmp_path)
    events = first.client("events")
    connection = events.create_connection(Name="kept", AuthorizationType="API_KEY", AuthParameters=API_KEY)
    events.create_api_destination(
        Name="kept",
        ConnectionArn=connection["ConnectionArn"],
        InvocationEndpoint="https://example.com",
        HttpMethod="GET",
    )
    first.stop()
    second = fogbank_factory(data_dir=tmp_path)
    events = second.client("events")
    described = events.describe_connection(Name="kept")
    assert (described["ConnectionArn"], described["ConnectionState"]) == (
        connection["ConnectionArn"],
        "AUTHORIZED",
    )
    value = second.client("secretsmanager").get_secret_value(SecretId=described["SecretArn"])["SecretString"]
    assert json.loads(value)["AuthParameters"] == API_KEY
    assert events.describe_api_destination(Name="kept")["ConnectionArn"] == connection["ConnectionArn"]


def test_create_connection_oauth_plain_http_remote_endpoint_fails(
    events: Any, unique_name: Callable[[str], str]
) -> None:
    oauth = {
        "ClientParameters": {"ClientID": "c", "ClientSecret": "s"},
        "AuthorizationEndpoint": "http://auth.example.com/token",
        "HttpMethod": "POST",
    }
    with pytest.raises(ClientError) as caught:
        events.create_connection(
            Name=unique_name("conn"),
            AuthorizationType="OAUTH_CLIENT_CREDENTIALS",
            AuthParameters={"OAuthParameters": oauth},
        )
    code, message, status = error_of(caught.value)
    assert (code, status) == ("ValidationException", 400)
    assert message.startswith("Parameter AuthParameters.OAuthParameters.AuthorizationEndpoint is not valid.")
