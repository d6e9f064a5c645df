"""The HTTP Task (`arn:aws:states:::http:invoke`) against a tiny loopback HTTP server, with
EventBridge connections for its authorization."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sfn_support import machine

HTTP = "arn:aws:states:::http:invoke"


class Recorder(BaseHTTPRequestHandler):
    """Answers `/missing` with 404, `/text` with plain text, anything else with a JSON echo."""

    seen: list[dict[str, Any]]

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        request = {
            "method": self.command,
            "path": self.path,
            "headers": {key.lower(): value for key, value in self.headers.items()},
            "body": body,
        }
        self.server.seen.append(request)  # type: ignore[attr-defined]
        if self.path.startswith("/token"):
            token = {"access_token": f"tok-{len(self.server.seen)}", "expires_in": 300}  # type: ignore[attr-defined]
            payload, status, kind = json.dumps(token).encode(), 200, "application/json"
        elif self.path.startswith("/missing"):
            payload, status, kind = b'{"message":"no such thing"}', 404, "application/json"
        elif self.path.startswith("/text"):
            payload, status, kind = b"plain words", 200, "text/plain"
        else:
            payload, status, kind = json.dumps({"echo": self.path}).encode(), 200, "application/json"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("X-Test", "yes")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[Any]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    httpd.seen = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"  # type: ignore[attr-defined]
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def connection(client_factory: Callable[..., Any], unique_name: Callable[[str], str]) -> Callable[..., str]:
    events = client_factory("events")

    def make(kind: str = "API_KEY", **auth: Any) -> str:
        if not auth:
            auth = {"ApiKeyAuthParameters": {"ApiKeyName": "x-api-key", "ApiKeyValue": "s3cret"}}
        created = events.create_connection(
            Name=unique_name("conn"), AuthorizationType=kind, AuthParameters=auth
        )
        return str(created["ConnectionArn"])

    return make


def _task(parameters: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return machine(("Call", {"Type": "Task", "Resource": HTTP, "Parameters": parameters, **extra}))


def test_http_invoke_get_with_query_parameters_returns_response(
    run_sync: Callable[..., dict[str, Any]], server: Any, connection: Callable[..., str]
) -> None:
    parameters = {
        "ApiEndpoint": f"{server.url}/items",
        "Method": "GET",
        "Authentication": {"ConnectionArn": connection()},
        "QueryParameters": {"colour": "dark blue", "size.$": "$.size"},
    }
    response = run_sync(_task(parameters), {"size": "10"})
    assert response["status"] == "SUCCEEDED", response
    output = json.loads(response["output"])
    assert output["StatusCode"] == 200
    assert output["StatusText"] == "OK"
    assert output["ResponseBody"] == {"echo": "/items?colour=dark%20blue&size=10"}
    assert output["Headers"]["x-test"] == ["yes"]
    assert output["Headers"]["content-type"] == ["application/json"]
    request = server.seen[-1]
    assert (request["method"], request["path"], request["body"]) == (
        "GET",
        "/items?colour=dark%20blue&size=10",
        "",
    )


def test_http_invoke_post_json_body_sends_json(
    run_sync: Callable[..., dict[str, Any]], server: Any, connection: Callable[..., str]
) -> None:
    parameters = {
        "ApiEndpoint": f"{server.url}/orders",
        "Method": "POST",
        "Authentication": {"ConnectionArn": connection()},
        "Headers": {"X-Trace": "abc"},
        "RequestBody": {"id.$": "$.id", "lines": [1, 2]},
    }
    response = run_sync(_task(parameters), {"id": "o-1"})
    assert response["status"] == "SUCCEEDED", response
    request = server.seen[-1]
    assert request["method"] == "POST"
    assert json.loads(request["body"]) == {"id": "o-1", "lines": [1, 2]}
    assert request["headers"]["content-type"] == "application/json"
    assert request["headers"]["x-trace"] == "abc"
    assert request["headers"]["user-agent"] == "Amazon|StepFunctions|HttpInvoke|us-east-1"


def test_http_invoke_api_key_connection_adds_key_header_and_invocation_parameters(
    run_sync: Callable[..., dict[str, Any]], server: Any, connection: Callable[..., str]
) -> None:
    arn = connection(
        "API_KEY",
        ApiKeyAuthParameters={"ApiKeyName": "x-api-key", "ApiKeyValue": "k-123"},
        InvocationHttpParameters={
            "HeaderParameters": [{"Key": "X-Tenant", "Value": "t1", "IsValueSecret": False}],
            "QueryStringParameters": [{"Key": "v", "Value": "2", "IsValueSecret": True}],
        },
    )
    parameters = {
        "ApiEndpoint": f"{server.url}/secure",
        "Method": "GET",
        "Authentication": {"ConnectionArn": arn},
    }
    assert run_sync(_task(parameters))["status"] == "SUCCEEDED"
    request = server.seen[-1]
    assert request["headers"]["x-api-key"] == "k-123"
    assert request["headers"]["x-tenant"] == "t1"
    assert request["path"] == "/secure?v=2"


def test_http_invoke_basic_connection_sends_basic_authorization(
    run_sync: Callable[..., dict[str, Any]], server: Any, connection: Callable[..., str]
) -> None:
    arn = connection("BASIC", BasicAuthParameters={"Username": "ann", "Password": "pw"})
    parameters = {
        "ApiEndpoint": f"{server.url}/b",
        "Method": "DELETE",
        "Authentication": {"ConnectionArn": arn},
    }
    assert run_sync(_task(parameters))["status"] == "SUCCEEDED"
    assert server.seen[-1]["headers"]["authorization"] == "Basic YW5uOnB3"
    assert server.seen[-1]["method"] == "DELETE"


def test_http_invoke_oauth_connection_caches_token_until_it_expires(
    run_sync: Callable[..., dict[str, Any]], server: Any, connection: Callable[..., str], fogbank: Any
) -> None:
    oauth = {
        "ClientParameters": {"ClientID": "app", "ClientSecret": "shh"},
        "AuthorizationEndpoint": f"{server.url}/token",
        "HttpMethod": "POST",
        "OAuthHttpParameters": {"BodyParameters": [{"Key": "grant_type", "Value": "client_credentials"}]},
    }
    arn = connection("OAUTH_CLIENT_CREDENTIALS", OAuthParameters=oauth)
    parameters = {"ApiEndpoint": f"{server.url}/o", "Method": "GET", "Authentication": {"ConnectionArn": arn}}
    for _ in range(2):
        assert run_sync(_task(parameters))["status"] == "SUCCEEDED"
    token_request, first, second = server.seen
    assert (token_request["method"], token_request["path"], token_request["body"]) == (
        "POST",
        "/token",
        "grant_type=client_credentials",
    )
    assert token_request["headers"]["authorization"] == "Basic YXBwOnNoaA=="
    assert first["headers"]["authorization"] == second["headers"]["authorization"] == "Bearer tok-1"
    fogbank.advance_clock("PT6M")
    assert run_sync(_task(parameters))["status"] == "SUCCEEDED"
    assert [request["path"] for request in server.seen[3:]] == ["/token", "/o"]
    assert server.seen[-1]["headers"]["authorization"] == "Bearer tok-4"


def test_http_invoke_url_encoded_body_uses_array_format(
    run_sync: Callable[..., dict[str, Any]], server: Any, connection: Callable[..., str]
) -> None:
    body = {"name": "a b", "tags": ["x", "y"], "meta": {"k": "v"}}
    expected = {
        "INDICES": "name=a%20b&tags%5B0%5D=x&tags%5B1%5D=y&meta%5Bk%5D=v",
        "BRACKETS": "name=a%20b&tags%5B%5D=x&tags%5B%5D=y&meta%5Bk%5D=v",
        "REPEAT": "name=a%20b&tags=x&tags=y&meta%5Bk%5D=v",
        "COMMAS": "name=a%20b&tags=x%2Cy&meta%5Bk%5D=v",
    }
    arn = connection()
    for array_format, text in expected.items():
        parameters = {
            "ApiEndpoint": f"{server.url}/form",
            "Method": "POST",
            "Authentication": {"ConnectionArn": arn},
            "RequestBody": body,
            "Transform": {
                "RequestBodyEncoding": "URL_ENCODED",
                "RequestEncodingOptions": {"ArrayFormat": array_format},
            },
        }
        assert run_sync(_task(parameters))["status"] == "SUCCEEDED"
        assert server.seen[-1]["body"] == text, array_format
        assert server.seen[-1]["headers"]["content-type"] == "application/x-www-form-urlencoded"


def test_http_invoke_text_response_is_returned_as_text(
    run_sync: Callable[..., dict[str, Any]], server: Any, connection: Callable[..., str]
) -> None:
    parameters = {
        "ApiEndpoint": f"{server.url}/text",
        "Method": "GET",
        "Authentication": {"ConnectionArn": connection()},
    }
    output = json.loads(run_sync(_task(parameters))["output"])
    assert output["ResponseBody"] == "plain words"


def test_http_invoke_not_found_is_caught_as_status_code_error(
    run_sync: Callable[..., dict[str, Any]], server: Any, connection: Callable[..., str]
) -> None:
    parameters = {
        "ApiEndpoint": f"{server.url}/missing",
        "Method": "GET",
        "Authentication": {"ConnectionArn": connection()},
    }
    catch = [{"ErrorEquals": ["States.Http.StatusCode.404"], "ResultPath": "$.failure", "Next": "Gone"}]
    definition = _task(parameters, Catch=catch)
    definition["States"]["Gone"] = {"Type": "Pass", "End": True}
    response = run_sync(definition)
    assert response["status"] == "SUCCEEDED", response
    failure = json.loads(response["output"])["failure"]
    assert failure["Error"] == "States.Http.StatusCode.404"
    cause = json.loads(failure["Cause"])
    assert (cause["StatusCode"], cause["StatusText"]) == (404, "Not Found")
    assert cause["ResponseBody"] == {"message": "no such thing"}


def test_http_invoke_uncaught_error_fails_execution(
    run_sync: Callable[..., dict[str, Any]], server: Any, connection: Callable[..., str]
) -> None:
    parameters = {
        "ApiEndpoint": f"{server.url}/missing",
        "Method": "GET",
        "Authentication": {"ConnectionArn": connection()},
    }
    response = run_sync(_task(parameters))
    assert (response["status"], response["error"]) == ("FAILED", "States.Http.StatusCode.404")


def test_http_invoke_unknown_connection_fails_task(
    run_sync: Callable[..., dict[str, Any]], server: Any
) -> None:
    arn = "arn:aws:events:us-east-1:000000000000:connection/nope/00000000-0000-0000-0000-000000000000"
    parameters = {"ApiEndpoint": f"{server.url}/x", "Method": "GET", "Authentication": {"ConnectionArn": arn}}
    response = run_sync(_task(parameters))
    assert response["status"] == "FAILED"
    assert response["error"] == "Events.ConnectionResource.ResourceNotFoundException"
    assert server.seen == []


def test_validate_state_machine_definition_http_task_missing_fields_reports_them(sfn: Any) -> None:
    definition = _task({"Method": "GET", "Authentication": {}})
    response = sfn.validate_state_machine_definition(definition=json.dumps(definition))
    assert response["result"] == "FAIL"
    assert response["diagnostics"] == [
        {
            "severity": "ERROR",
            "code": "SCHEMA_VALIDATION_FAILED",
            "message": 'The field "ApiEndpoint" is required but was missing',
            "location": "/States/Call/Parameters",
        },
        {
            "severity": "ERROR",
            "code": "SCHEMA_VALIDATION_FAILED",
            "message": 'The field "ConnectionArn" is required but was missing',
            "location": "/States/Call/Parameters/Authentication",
        },
    ]


def test_http_invoke_jsonata_arguments_call_endpoint(
    run_sync: Callable[..., dict[str, Any]], server: Any, connection: Callable[..., str]
) -> None:
    arguments = {
        "ApiEndpoint": "{% $states.input.base & '/users/' & $states.input.id %}",
        "Method": "PUT",
        "Authentication": {"ConnectionArn": connection()},
        "Headers": {"content-type": "application/json; charset=utf-8"},
        "RequestBody": {"name": "{% $uppercase($states.input.name) %}"},
    }
    task = {
        "Type": "Task",
        "Resource": HTTP,
        "Arguments": arguments,
        "Output": "{% $states.result.ResponseBody %}",
    }
    definition = machine(("Call", task), QueryLanguage="JSONata")
    response = run_sync(definition, {"base": server.url, "id": "u1", "name": "ann"})
    assert response["status"] == "SUCCEEDED", response
    assert json.loads(response["output"]) == {"echo": "/users/u1"}
    request = server.seen[-1]
    assert (request["method"], request["body"]) == ("PUT", '{"name":"ANN"}')
    assert request["headers"]["content-type"] == "application/json; charset=utf-8"


def test_test_state_http_task_trace_shows_request_and_response_without_secrets(
    sfn: Any, server: Any, connection: Callable[..., str]
) -> None:
    arn = connection()
    state = {
        "Type": "Task",
        "Resource": HTTP,
        "Parameters": {
            "ApiEndpoint": f"{server.url}/t",
            "Method": "GET",
            "Authentication": {"ConnectionArn": arn},
        },
        "End": True,
    }
    common = {"definition": json.dumps(state), "roleArn": "arn:aws:iam::000000000000:role/r", "input": "{}"}
    hidden = sfn.test_state(inspectionLevel="TRACE", **common)
    assert hidden["status"] == "SUCCEEDED"
    request, answer = hidden["inspectionData"]["request"], hidden["inspectionData"]["response"]
    assert (request["protocol"], request["method"], request["url"], request["body"]) == (
        "http",
        "GET",
        f"{server.url}/t",
        "",
    )
    assert "s3cret" not in request["headers"]
    assert (answer["statusCode"], answer["statusMessage"], answer["body"]) == ("200", "OK", '{"echo": "/t"}')
    assert "X-Test: yes" in answer["headers"]
    revealed = sfn.test_state(inspectionLevel="TRACE", revealSecrets=True, **common)
    assert "x-api-key: s3cret" in revealed["inspectionData"]["request"]["headers"]
    assert "request" not in sfn.test_state(inspectionLevel="DEBUG", **common)["inspectionData"]


def test_http_invoke_unreachable_endpoint_fails_with_socket_error(
    run_sync: Callable[..., dict[str, Any]], connection: Callable[..., str]
) -> None:
    import socket

    with socket.socket() as probe:  # a free port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    parameters = {
        "ApiEndpoint": f"http://127.0.0.1:{port}/x",
        "Method": "GET",
        "Authentication": {"ConnectionArn": connection()},
    }
    response = run_sync(_task(parameters))
    assert (response["status"], response["error"]) == ("FAILED", "States.Http.Socket")


def test_http_invoke_plain_http_to_remote_host_is_refused(
    run_sync: Callable[..., dict[str, Any]], connection: Callable[..., str]
) -> None:
    parameters = {
        "ApiEndpoint": "http://example.com/x",
        "Method": "GET",
        "Authentication": {"ConnectionArn": connection()},
    }
    response = run_sync(_task(parameters))
    assert (response["status"], response["error"]) == ("FAILED", "States.Runtime")
    assert "only HTTPS endpoints are supported" in response["cause"]
