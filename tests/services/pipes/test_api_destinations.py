"""Pipes with an API destination as enrichment and as target (a local HTTP endpoint)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from fogbank.testing.http_endpoint import Endpoint, serve


@pytest.fixture
def web() -> Iterator[Endpoint]:
    server_endpoint, server = serve()
    yield server_endpoint
    server.shutdown()
    server.server_close()


@pytest.fixture
def destination(client_factory: Callable[..., Any], unique_name: Callable[[str], str]) -> Callable[..., str]:
    events = client_factory("events")

    def make(url: str) -> str:
        connection = events.create_connection(
            Name=unique_name("conn"),
            AuthorizationType="API_KEY",
            AuthParameters={"ApiKeyAuthParameters": {"ApiKeyName": "x-key", "ApiKeyValue": "v"}},
        )["ConnectionArn"]
        return str(
            events.create_api_destination(
                Name=unique_name("dest"), ConnectionArn=connection, InvocationEndpoint=url, HttpMethod="POST"
            )["ApiDestinationArn"]
        )

    return make


def test_create_pipe_api_destination_enrichment_and_target_receive_events(
    pipes_client: Any,
    sqs: Any,
    web: Endpoint,
    queue: Callable[[str], tuple[str, str]],
    pipe_names: Callable[[], str],
    destination: Callable[..., str],
    role_arn: str,
) -> None:
    source_url, source_arn = queue("source")
    pipes_client.create_pipe(
        Name=pipe_names(),
        RoleArn=role_arn,
        Source=source_arn,
        SourceParameters={"SqsQueueParameters": {"BatchSize": 1}},
        Enrichment=destination(web.url + "/enrich"),
        EnrichmentParameters={
            "InputTemplate": '{"text": <$.body>}',
            "HttpParameters": {"QueryStringParameters": {"stage": "enrich"}},
        },
        Target=destination(web.url + "/orders/*"),
        TargetParameters={
            "HttpParameters": {"PathParameterValues": ["o-1"], "HeaderParameters": {"x-t": "1"}}
        },
    )
    sqs.send_message(QueueUrl=source_url, MessageBody='"hello"')
    enrichment = web.next(timeout=20)
    assert (enrichment.path, enrichment.query, enrichment.headers["x-key"]) == (
        "/enrich",
        {"stage": "enrich"},
        "v",
    )
    assert enrichment.json() == [{"text": "hello"}]
    target = web.next()
    assert (target.path, target.headers["x-t"]) == ("/orders/o-1", "1")
    assert target.json() == {"enriched": {"text": "hello"}}


def test_create_pipe_missing_api_destination_target_fails(
    pipes_client: Any, queue: Callable[[str], tuple[str, str]], pipe_names: Callable[[], str], role_arn: str
) -> None:
    _, source_arn = queue("source")
    arn = "arn:aws:events:us-east-1:000000000000:api-destination/ghost/00000000-0000-0000-0000-000000000000"
    with pytest.raises(pipes_client.exceptions.ValidationException) as info:
        pipes_client.create_pipe(Name=pipe_names(), RoleArn=role_arn, Source=source_arn, Target=arn)
    assert info.value.response["Error"]["Message"] == f"API destination {arn} does not exist."
    assert info.value.response["fieldList"][0]["name"] == "Target"
