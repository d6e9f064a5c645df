"""Function URLs: configuration operations, the HTTP event payload 2.0, response mapping, AWS_IAM
auth and CORS, over plain HTTP on the URL's host and on the path fallback."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from lambda_support import requires_node

ECHO_EVENT = """
import json
def handler(event, context):
    if event["rawPath"] == "/plain":
        return {"just": "data"}
    return {
        "statusCode": 201,
        "headers": {"Content-Type": "application/json", "X-Custom": "yes"},
        "body": json.dumps(event),
    }
"""


def request(
    url: str, method: str = "GET", body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    call = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(call, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def path_url(endpoint: str, function_url: str) -> str:
    url_id = function_url.split("//", 1)[1].split(".", 1)[0]
    return f"{endpoint}/lambda-url/{url_id}"


def test_create_function_url_config_answers_url_and_settings(
    create_function: Any, lambda_client: Any
) -> None:
    function = create_function({"app.py": ECHO_EVENT})
    name = function["FunctionName"]
    created = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert created["FunctionArn"] == function["FunctionArn"]
    assert created["AuthType"] == "NONE" and created["InvokeMode"] == "BUFFERED"
    assert (
        created["FunctionUrl"].startswith("http://")
        and ".lambda-url.us-east-1.localhost:" in created["FunctionUrl"]
    )
    got = lambda_client.get_function_url_config(FunctionName=name)
    assert got["FunctionUrl"] == created["FunctionUrl"]
    with pytest.raises(ClientError) as caught:
        lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE")
    assert caught.value.response["Error"]["Code"] == "ResourceConflictException"
    updated = lambda_client.update_function_url_config(FunctionName=name, AuthType="AWS_IAM")
    assert updated["AuthType"] == "AWS_IAM"
    assert [
        item["FunctionUrl"]
        for item in lambda_client.list_function_url_configs(FunctionName=name)["FunctionUrlConfigs"]
    ] == [created["FunctionUrl"]]
    lambda_client.delete_function_url_config(FunctionName=name)
    with pytest.raises(ClientError) as caught:
        lambda_client.get_function_url_config(FunctionName=name)
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_function_url_response_cookies_send_one_set_cookie_header_each(
    create_function: Any, lambda_client: Any, endpoint: str
) -> None:
    code = 'def handler(event, context):\n    return {"statusCode": 200, "cookies": ["a=1", "b=2; Path=/"], "body": "x"}\n'
    name = create_function({"app.py": code})["FunctionName"]
    url = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    host, _, path = path_url(endpoint, url).split("//", 1)[1].partition("/")
    connection = http.client.HTTPConnection(host, timeout=30)
    try:
        connection.request("GET", f"/{path}/")
        response = connection.getresponse()
        body = response.read()
        pairs = [(key.lower(), value) for key, value in response.getheaders()]
    finally:
        connection.close()
    assert (response.status, body) == (200, b"x")
    assert [value for key, value in pairs if key == "set-cookie"] == ["a=1", "b=2; Path=/"]


def test_function_url_builds_http_event_v2(create_function: Any, lambda_client: Any, endpoint: str) -> None:
    name = create_function({"app.py": ECHO_EVENT})["FunctionName"]
    url = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    url_id = url.split("//", 1)[1].split(".", 1)[0]
    status, headers, body = request(
        path_url(endpoint, url) + "/orders/7?size=2&tag=a&tag=b",
        "POST",
        b'{"item": 1}',
        {"Content-Type": "application/json", "Cookie": "a=1; b=2", "User-Agent": "tester"},
    )
    assert status == 201
    assert headers["x-custom"] == "yes"
    event = json.loads(body)
    assert event["version"] == "2.0" and event["routeKey"] == "$default"
    assert event["rawPath"] == "/orders/7"
    assert event["rawQueryString"] == "size=2&tag=a&tag=b"
    assert event["queryStringParameters"] == {"size": "2", "tag": "a,b"}
    assert event["cookies"] == ["a=1", "b=2"]
    assert event["headers"]["content-type"] == "application/json" and "cookie" not in event["headers"]
    assert event["body"] == '{"item": 1}' and event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["apiId"] == context["domainPrefix"] == url_id
    assert context["domainName"] == f"{url_id}.lambda-url.us-east-1.on.aws"
    assert context["http"] == {
        "method": "POST",
        "path": "/orders/7",
        "protocol": "HTTP/1.1",
        "sourceIp": "127.0.0.1",
        "userAgent": "tester",
    }
    assert context["stage"] == "$default" and context["accountId"] == "anonymous"
    assert isinstance(context["timeEpoch"], int) and context["time"].endswith("+0000")


def test_function_url_plain_return_becomes_json_200(
    create_function: Any, lambda_client: Any, endpoint: str
) -> None:
    name = create_function({"app.py": ECHO_EVENT})["FunctionName"]
    url = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    status, headers, body = request(path_url(endpoint, url) + "/plain")
    assert (status, headers["content-type"], json.loads(body)) == (200, "application/json", {"just": "data"})


def test_function_url_host_name_routes_to_function(
    create_function: Any, lambda_client: Any, endpoint: str
) -> None:
    name = create_function({"app.py": ECHO_EVENT})["FunctionName"]
    url = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    host = url.split("//", 1)[1].rstrip("/")
    status, _, body = request(endpoint + "/plain", headers={"Host": host})
    assert (status, json.loads(body)) == (200, {"just": "data"})


def test_function_url_function_error_answers_502(
    create_function: Any, lambda_client: Any, endpoint: str
) -> None:
    name = create_function({"app.py": "def handler(e, c):\n    raise ValueError('x')\n"})["FunctionName"]
    url = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    status, _, body = request(path_url(endpoint, url) + "/")
    assert (status, json.loads(body)) == (502, {"Message": "Internal Server Error"})


def test_function_url_aws_iam_needs_signature(
    create_function: Any, lambda_client: Any, endpoint: str
) -> None:
    name = create_function({"app.py": ECHO_EVENT})["FunctionName"]
    url = lambda_client.create_function_url_config(FunctionName=name, AuthType="AWS_IAM")["FunctionUrl"]
    target = path_url(endpoint, url) + "/secure"
    status, _, body = request(target)
    assert (status, json.loads(body)) == (403, {"Message": "Forbidden"})
    signed = AWSRequest(method="GET", url=target)
    SigV4Auth(Credentials("111111111111", "test"), "lambda", "us-east-1").add_auth(signed)
    status, _, body = request(target, headers=dict(signed.headers))
    event = json.loads(body)
    assert status == 201
    assert event["requestContext"]["accountId"] == "000000000000"
    assert event["requestContext"]["authorizer"]["iam"]["accessKey"] == "111111111111"
    assert event["requestContext"]["authorizer"]["iam"]["userArn"] == "arn:aws:iam::111111111111:root"


def test_function_url_cors_preflight_and_headers(
    create_function: Any, lambda_client: Any, endpoint: str
) -> None:
    name = create_function({"app.py": ECHO_EVENT})["FunctionName"]
    cors = {
        "AllowOrigins": ["https://app.example"],
        "AllowMethods": ["GET", "POST"],
        "AllowHeaders": ["x-token"],
        "MaxAge": 60,
    }
    url = lambda_client.create_function_url_config(FunctionName=name, AuthType="NONE", Cors=cors)[
        "FunctionUrl"
    ]
    status, headers, _ = request(
        path_url(endpoint, url) + "/",
        "OPTIONS",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "POST"},
    )
    assert status == 200
    assert headers["access-control-allow-origin"] == "https://app.example"
    assert headers["access-control-allow-methods"] == "GET,POST"
    assert headers["access-control-allow-headers"] == "x-token"
    assert headers["access-control-max-age"] == "60"
    status, headers, _ = request(
        path_url(endpoint, url) + "/plain", headers={"Origin": "https://app.example"}
    )
    assert headers["access-control-allow-origin"] == "https://app.example"
    _, headers, _ = request(path_url(endpoint, url) + "/plain", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in headers


@requires_node
def test_function_url_response_stream_mode_sends_prelude_status_and_large_body(
    create_function: Any, lambda_client: Any, endpoint: str
) -> None:
    code = """
exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const stream = awslambda.HttpResponseStream.from(responseStream, { statusCode: 206, headers: { "X-Streamed": "yes" } });
  const block = "x".repeat(1024 * 1024);
  for (let i = 0; i < 7; i++) stream.write(block);
  stream.end();
});
"""
    name = create_function({"index.js": code}, Runtime="nodejs20.x", Handler="index.handler", Timeout=30)[
        "FunctionName"
    ]
    url = lambda_client.create_function_url_config(
        FunctionName=name, AuthType="NONE", InvokeMode="RESPONSE_STREAM"
    )
    assert url["InvokeMode"] == "RESPONSE_STREAM"
    status, headers, body = request(path_url(endpoint, url["FunctionUrl"]) + "/big")
    assert (status, headers["x-streamed"], len(body)) == (206, "yes", 7 * 1024 * 1024)
