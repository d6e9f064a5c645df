"""Rule targets that are API destinations: each authorization type, path/header/query parameters,
retries of 5xx counted by advancing the clock, 4xx to the dead-letter queue."""

from __future__ import annotations

import base64
import json
import queue
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from events_support import Queue, receive

from fogbank.testing.http_endpoint import Endpoint, serve

ACCOUNT = "000000000000"


@pytest.fixture
def web() -> Iterator[Endpoint]:
    server_endpoint, server = serve()
    yield server_endpoint
    server.shutdown()
    server.server_close()


@pytest.fixture
def route_to(events: Any, unique_name: Callable[[str], str]) -> Callable[..., tuple[str, str]]:
    """A rule whose one target is a new API destination; returns (rule name, source)."""

    def make(
        auth_type: str, auth: dict[str, Any], url: str, method: str = "POST", **target: Any
    ) -> tuple[str, str]:
        connection = events.create_connection(
            Name=unique_name("conn"), AuthorizationType=auth_type, AuthParameters=auth
        )["ConnectionArn"]
        destination = events.create_api_destination(
            Name=unique_name("dest"), ConnectionArn=connection, InvocationEndpoint=url, HttpMethod=method
        )["ApiDestinationArn"]
        source, rule = unique_name("src"), unique_name("rule")
        events.put_rule(Name=rule, EventPattern=json.dumps({"source": [source]}))
        answer = events.put_targets(Rule=rule, Targets=[{"Id": "api", "Arn": destination, **target}])
        assert answer["FailedEntryCount"] == 0, answer
        return rule, source

    return make


def put(events: Any, source: str, detail: dict[str, Any]) -> str:
    entry = {"Source": source, "DetailType": "test", "Detail": json.dumps(detail)}
    return str(events.put_events(Entries=[entry])["Entries"][0]["EventId"])


def test_api_key_target_sends_event_with_key_header(
    events: Any, web: Endpoint, route_to: Callable[..., tuple[str, str]]
) -> None:
    auth = {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "k-123"}}
    _, source = route_to("API_KEY", auth, web.url + "/hook")
    event_id = put(events, source, {"order": 7})
    got = web.next()
    assert (got.method, got.path, got.headers["x-api-key"]) == ("POST", "/hook", "k-123")
    assert got.headers["content-type"] == "application/json; charset=utf-8"
    body = got.json()
    assert (body["id"], body["source"], body["detail"]) == (event_id, source, {"order": 7})


def test_basic_target_sends_basic_authorization(
    events: Any, web: Endpoint, route_to: Callable[..., tuple[str, str]]
) -> None:
    auth = {"BasicAuthParameters": {"Username": "ann", "Password": "pw"}}
    _, source = route_to("BASIC", auth, web.url + "/basic", method="PUT", InputPath="$.detail")
    put(events, source, {"n": 1})
    got = web.next()
    assert got.method == "PUT"
    assert got.headers["authorization"] == "Basic " + base64.b64encode(b"ann:pw").decode()
    assert got.json() == {"n": 1}


def test_oauth_target_fetches_token_once_until_expiry(
    events: Any,
    fogbank: Any,
    web: Endpoint,
    route_to: Callable[..., tuple[str, str]],
    unique_name: Callable[[str], str],
) -> None:
    auth = {
        "OAuthParameters": {
            "ClientParameters": {"ClientID": "client", "ClientSecret": "shh"},
            "AuthorizationEndpoint": web.url + "/token",
            "HttpMethod": "POST",
            "OAuthHttpParameters": {
                "BodyParameters": [{"Key": "grant_type", "Value": "client_credentials"}],
                "HeaderParameters": [{"Key": "x-tenant", "Value": "t1"}],
            },
        }
    }
    _, source = route_to("OAUTH_CLIENT_CREDENTIALS", auth, web.url + "/oauth")
    put(events, source, {"n": 1})
    assert web.next().headers["authorization"] == "Bearer token-1"
    token_request = web.tokens.get(timeout=1)
    assert token_request.headers["authorization"] == "Basic " + base64.b64encode(b"client:shh").decode()
    assert (token_request.headers["x-tenant"], token_request.body) == ("t1", b"grant_type=client_credentials")
    put(events, source, {"n": 2})
    assert web.next().headers["authorization"] == "Bearer token-1"  # cached
    fogbank.advance_clock("PT61S")  # the token said expires_in 60
    put(events, source, {"n": 3})
    assert web.next().headers["authorization"] == "Bearer token-2"
    assert web.tokens.qsize() == 1


def test_oauth_connection_becomes_authorized_after_first_token(
    events: Any, web: Endpoint, unique_name: Callable[[str], str], route_to: Callable[..., tuple[str, str]]
) -> None:
    auth = {
        "OAuthParameters": {
            "ClientParameters": {"ClientID": "c", "ClientSecret": "s"},
            "AuthorizationEndpoint": web.url + "/token",
            "HttpMethod": "POST",
        }
    }
    name = unique_name("conn")
    created = events.create_connection(
        Name=name, AuthorizationType="OAUTH_CLIENT_CREDENTIALS", AuthParameters=auth
    )
    assert created["ConnectionState"] == "AUTHORIZING"
    destination = events.create_api_destination(
        Name=unique_name("dest"),
        ConnectionArn=created["ConnectionArn"],
        InvocationEndpoint=web.url + "/x",
        HttpMethod="POST",
    )["ApiDestinationArn"]
    source, rule = unique_name("src"), unique_name("rule")
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": [source]}))
    events.put_targets(Rule=rule, Targets=[{"Id": "api", "Arn": destination}])
    put(events, source, {})
    web.next()
    described = events.describe_connection(Name=name)
    assert described["ConnectionState"] == "AUTHORIZED"
    assert described["AuthParameters"]["OAuthParameters"]["ClientParameters"] == {"ClientID": "c"}


def test_http_parameters_fill_path_headers_and_query(
    events: Any, web: Endpoint, route_to: Callable[..., tuple[str, str]]
) -> None:
    auth = {
        "ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "k"},
        "InvocationHttpParameters": {
            "HeaderParameters": [{"Key": "x-conn", "Value": "c", "IsValueSecret": True}],
            "QueryStringParameters": [{"Key": "from", "Value": "connection"}],
            "BodyParameters": [{"Key": "extra", "Value": "added"}],
        },
    }
    http = {
        "PathParameterValues": ["orders", "42"],
        "HeaderParameters": {"x-target": "t"},
        "QueryStringParameters": {"mode": "fast"},
    }
    _, source = route_to("API_KEY", auth, web.url + "/*/items/*", HttpParameters=http, InputPath="$.detail")
    put(events, source, {"n": 5})
    got = web.next()
    assert got.path == "/orders/items/42"
    assert got.query == {"from": "connection", "mode": "fast"}
    assert (got.headers["x-conn"], got.headers["x-target"]) == ("c", "t")
    assert got.json() == {"n": 5, "extra": "added"}


def _dead_lettered(sqs: Any, dlq: Queue) -> dict[str, str]:
    """The DLQ message's attributes, plus EVENT_ID: the id of the event in its body."""
    (message,) = receive(sqs, dlq.url)
    attributes = {key: value["StringValue"] for key, value in message["MessageAttributes"].items()}
    return {**attributes, "EVENT_ID": json.loads(message["Body"])["id"]}


def test_server_error_is_retried_on_the_clock_then_delivered(
    events: Any, fogbank: Any, web: Endpoint, route_to: Callable[..., tuple[str, str]]
) -> None:
    web.statuses = [500, 503]
    auth = {"ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "v"}}
    _, source = route_to("API_KEY", auth, web.url + "/flaky", RetryPolicy={"MaximumRetryAttempts": 5})
    put(events, source, {"n": 1})
    web.next()  # 500
    assert _advance_until_request(fogbank, web) == 1  # 503
    assert _advance_until_request(fogbank, web) == 1  # 200
    fogbank.advance_clock("PT10M")
    assert web.quiet()


def _advance_until_request(fogbank: Any, web: Endpoint) -> int:
    """Advance the clock one second at a time until the next retry reaches the endpoint."""
    for _ in range(20):
        fogbank.advance_clock("PT1S")
        try:
            web.requests.get(timeout=0.1)
            return 1
        except queue.Empty:
            continue
    return 0


def test_server_error_exhausting_retries_goes_to_dead_letter_queue(
    events: Any,
    sqs: Any,
    fogbank: Any,
    web: Endpoint,
    make_queue: Callable[..., Queue],
    route_to: Callable[..., tuple[str, str]],
) -> None:
    web.statuses = [500, 500, 500]
    dlq = make_queue()
    auth = {"ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "v"}}
    rule, source = route_to(
        "API_KEY",
        auth,
        web.url + "/down",
        RetryPolicy={"MaximumRetryAttempts": 2},
        DeadLetterConfig={"Arn": dlq.arn},
    )
    put(events, source, {})
    web.next()
    assert _advance_until_request(fogbank, web) + _advance_until_request(fogbank, web) == 2
    attributes = _dead_lettered(sqs, dlq)
    assert attributes["ERROR_CODE"] == "THIRD_PARTY_FAILURE"
    assert (attributes["RETRY_ATTEMPTS"], attributes["EXHAUSTED_RETRY_CONDITION"]) == (
        "2",
        "MaximumRetryAttempts",
    )
    assert attributes["RULE_ARN"] == f"arn:aws:events:us-east-1:{ACCOUNT}:rule/{rule}"


def test_client_error_goes_to_dead_letter_queue_without_retry(
    events: Any,
    sqs: Any,
    fogbank: Any,
    web: Endpoint,
    make_queue: Callable[..., Queue],
    route_to: Callable[..., tuple[str, str]],
) -> None:
    web.statuses = [400]
    dlq = make_queue()
    auth = {"ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "v"}}
    _, source = route_to("API_KEY", auth, web.url + "/bad", DeadLetterConfig={"Arn": dlq.arn})
    event_id = put(events, source, {})
    web.next()
    attributes = _dead_lettered(sqs, dlq)
    assert attributes["ERROR_CODE"] == "SDK_CLIENT_ERROR"
    assert attributes["RETRY_ATTEMPTS"] == "0"
    assert "EXHAUSTED_RETRY_CONDITION" not in attributes
    assert attributes["ERROR_MESSAGE"].startswith("Received a 400 response from the API destination endpoint")
    assert attributes["TARGET_ARN"].split(":")[5].startswith("api-destination/")
    fogbank.advance_clock("PT5M")
    assert web.quiet()
    assert attributes["EVENT_ID"] == event_id


def test_throttled_response_is_retried(
    events: Any, fogbank: Any, web: Endpoint, route_to: Callable[..., tuple[str, str]]
) -> None:
    web.statuses = [429]
    auth = {"ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "v"}}
    _, source = route_to("API_KEY", auth, web.url + "/busy")
    put(events, source, {})
    web.next()
    assert _advance_until_request(fogbank, web) == 1


def test_put_targets_http_parameters_on_queue_target_fails(
    events: Any, make_queue: Callable[..., Queue], unique_name: Callable[[str], str]
) -> None:
    rule = unique_name("rule")
    events.put_rule(Name=rule, EventPattern='{"source": ["x"]}')
    queue_arn = make_queue().arn
    answer = events.put_targets(
        Rule=rule, Targets=[{"Id": "q", "Arn": queue_arn, "HttpParameters": {"HeaderParameters": {"a": "b"}}}]
    )
    assert answer["FailedEntries"] == [
        {
            "TargetId": "q",
            "ErrorCode": "ValidationException",
            "ErrorMessage": "HttpParameters are only supported by fogbank for API destination targets.",
        }
    ]


def test_oauth_token_refused_deauthorizes_connection_and_dead_letters(
    events: Any,
    sqs: Any,
    web: Endpoint,
    make_queue: Callable[..., Queue],
    unique_name: Callable[[str], str],
) -> None:
    web.token_status = 401
    dlq = make_queue()
    name = unique_name("conn")
    auth = {
        "OAuthParameters": {
            "ClientParameters": {"ClientID": "c", "ClientSecret": "wrong"},
            "AuthorizationEndpoint": web.url + "/token",
            "HttpMethod": "POST",
        }
    }
    connection = events.create_connection(
        Name=name, AuthorizationType="OAUTH_CLIENT_CREDENTIALS", AuthParameters=auth
    )
    destination = events.create_api_destination(
        Name=unique_name("dest"),
        ConnectionArn=connection["ConnectionArn"],
        InvocationEndpoint=web.url + "/never",
        HttpMethod="POST",
    )["ApiDestinationArn"]
    source, rule = unique_name("src"), unique_name("rule")
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": [source]}))
    events.put_targets(
        Rule=rule, Targets=[{"Id": "api", "Arn": destination, "DeadLetterConfig": {"Arn": dlq.arn}}]
    )
    put(events, source, {})
    attributes = _dead_lettered(sqs, dlq)
    assert (attributes["ERROR_CODE"], attributes["RETRY_ATTEMPTS"]) == ("NO_PERMISSIONS", "0")
    described = events.describe_connection(Name=name)
    assert described["ConnectionState"] == "DEAUTHORIZED"
    assert described["StateReason"] == f"Failed to obtain an OAuth token from {web.url}/token: HTTP 401"
    assert web.quiet()


def test_deauthorized_connection_target_is_not_called(
    events: Any,
    sqs: Any,
    web: Endpoint,
    make_queue: Callable[..., Queue],
    route_to: Callable[..., tuple[str, str]],
) -> None:
    dlq = make_queue()
    auth = {"ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "v"}}
    rule, source = route_to("API_KEY", auth, web.url + "/x", DeadLetterConfig={"Arn": dlq.arn})
    (target,) = events.list_targets_by_rule(Rule=rule)["Targets"]
    connection = events.describe_api_destination(Name=target["Arn"].split("/")[1])["ConnectionArn"]
    events.deauthorize_connection(Name=connection.split("/")[1])
    put(events, source, {})
    assert _dead_lettered(sqs, dlq)["ERROR_CODE"] == "NO_PERMISSIONS"
    assert web.quiet()


def test_invocation_rate_limit_holds_extra_calls_until_next_second(
    events: Any, fogbank: Any, web: Endpoint, route_to: Callable[..., tuple[str, str]]
) -> None:
    auth = {"ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "v"}}
    rule, source = route_to("API_KEY", auth, web.url + "/slow")
    (target,) = events.list_targets_by_rule(Rule=rule)["Targets"]
    events.update_api_destination(Name=target["Arn"].split("/")[1], InvocationRateLimitPerSecond=1)
    entry = {"Source": source, "DetailType": "test", "Detail": "{}"}
    events.put_events(Entries=[entry, entry, entry])
    web.next()
    early = _drain(web, 0.5)
    assert early <= 1  # one call per second: at most one more second can start within 0.5 s
    arrived = early + sum(_advance_until_request(fogbank, web) for _ in range(2 - early))
    assert arrived == 2


def _drain(web: Endpoint, seconds: float) -> int:
    """How many requests arrive within `seconds` of real time (no clock advance)."""
    deadline, count = time.monotonic() + seconds, 0
    while (left := deadline - time.monotonic()) > 0:
        try:
            web.requests.get(timeout=left)
            count += 1
        except queue.Empty:
            break
    return count


def test_unreachable_endpoint_is_connection_failure_in_dead_letter_queue(
    events: Any,
    sqs: Any,
    make_queue: Callable[..., Queue],
    route_to: Callable[..., tuple[str, str]],
) -> None:
    closed, server = serve()
    server.shutdown()
    server.server_close()  # nothing listens on this port any more
    dlq = make_queue()
    auth = {"ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "v"}}
    _, source = route_to(
        "API_KEY",
        auth,
        closed.url + "/gone",
        RetryPolicy={"MaximumRetryAttempts": 0},
        DeadLetterConfig={"Arn": dlq.arn},
    )
    put(events, source, {})
    attributes = _dead_lettered(sqs, dlq)
    assert (attributes["ERROR_CODE"], attributes["EXHAUSTED_RETRY_CONDITION"]) == (
        "CONNECTION_FAILURE",
        "MaximumRetryAttempts",
    )
