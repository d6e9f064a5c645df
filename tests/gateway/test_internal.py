"""fogbank's internal endpoints over HTTP: health, clock, reset, LocalStack's well-known paths,
init hooks and `*.localhost.localstack.cloud` host names."""

from __future__ import annotations

import json
import os
import stat
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from fogbank.services.registry import PROVIDERS
from fogbank.testing.server import FogbankServer

SERVICES = set(PROVIDERS)
Factory = Callable[..., FogbankServer]


@pytest.fixture(scope="module")
def own() -> Iterator[FogbankServer]:
    """A server of this module's own, for resets and clock settings that would disturb others."""
    server = FogbankServer().start()
    yield server
    server.stop()


# -- health and info ----------------------------------------------------------------------------


def test_health_before_and_after_first_use_reports_available_then_running(fogbank_factory: Factory) -> None:
    server = fogbank_factory()
    status, body = server.call("GET", "/_fogbank/health")
    assert status == 200
    assert body == {
        "services": {name: "available" for name in SERVICES},
        "edition": "community",
        "version": body["version"],
        "persistence": "memory",
        "pid": server.process.pid if server.process else None,
    }
    server.client("sts").get_caller_identity()
    assert server.get("/_fogbank/health")["services"]["sts"] == "running"
    assert server.get("/_fogbank/health")["services"]["sqs"] == "available"


def test_localstack_health_has_localstack_shape(fogbank: FogbankServer) -> None:
    status, body = fogbank.call("GET", "/_localstack/health")
    assert status == 200
    assert set(body) == {"services", "edition", "version"}
    assert set(body["services"]) == SERVICES
    assert set(body["services"].values()) <= {"available", "running"}
    assert body["edition"] == "community" and isinstance(body["version"], str)


def test_localstack_health_head_and_trailing_slash_answer(fogbank: FogbankServer) -> None:
    assert fogbank.call_raw("HEAD", "/_localstack/health")[0] == 200
    assert fogbank.call("GET", "/_localstack/health/")[0] == 200


def test_localstack_info_reports_version(fogbank: FogbankServer) -> None:
    assert fogbank.call("GET", "/_localstack/info") == (
        200,
        {
            "version": fogbank.get("/_fogbank/health")["version"],
            "edition": "community",
            "is_license_activated": False,
        },
    )


def test_internal_unknown_path_answers_404_json(fogbank: FogbankServer) -> None:
    assert fogbank.call("GET", "/_fogbank/nothing-here") == (
        404,
        {"error": "no fogbank endpoint at /_fogbank/nothing-here"},
    )


def test_internal_wrong_method_answers_405(fogbank: FogbankServer) -> None:
    assert fogbank.call("GET", "/_fogbank/reset") == (405, {"error": "/_fogbank/reset accepts POST, not GET"})


# -- clock --------------------------------------------------------------------------------------


def test_clock_get_reports_now_epoch_and_offset(fogbank: FogbankServer) -> None:
    before = time.time()
    body = fogbank.get("/_fogbank/clock")
    assert set(body) == {"now", "epoch", "offset"}
    assert abs(body["epoch"] - (before + body["offset"])) < 5
    assert datetime.fromisoformat(body["now"]).timestamp() == pytest.approx(body["epoch"], abs=0.001)


def test_clock_advance_iso_duration_moves_offset(fogbank: FogbankServer) -> None:
    before = fogbank.get("/_fogbank/clock")["offset"]
    after = fogbank.advance_clock("PT15M")
    assert after["offset"] == pytest.approx(before + 900)


def test_clock_advance_seconds_moves_offset(fogbank: FogbankServer) -> None:
    before = fogbank.get("/_fogbank/clock")["offset"]
    assert fogbank.advance_clock(30)["offset"] == pytest.approx(before + 30)
    assert fogbank.advance_clock(0.5)["offset"] == pytest.approx(before + 30.5)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b'{"advance": "soon"}',
            "bad clock command: not an ISO 8601 duration (such as PT15M, PT2H, P1DT6H or PT0.5S): 'soon'",
        ),
        (b'{"advance": "P1M"}', "bad clock command: 'P1M': years and months have no fixed length"),
        (b'{"advance": -5}', "bad clock command: the clock only moves forward by a finite amount, not -5.0"),
        (
            b'{"advance": true}',
            "bad clock command: advance must be an ISO 8601 duration or a number of seconds, not True",
        ),
        (
            b'{"set": "yesterday"}',
            "bad clock command: set must be an ISO 8601 time such as 2030-01-01T00:00:00Z, not 'yesterday'",
        ),
        (b'{"set": 5}', "bad clock command: set must be an ISO 8601 time"),
        (b'{"go": 1}', 'bad clock command: unknown command {"go":1}'),
        (b"[1]", "bad clock command: the body must be a JSON object"),
        (b"{not json", "bad clock command: the body is not JSON"),
    ],
)
def test_clock_bad_command_answers_400_with_reason(fogbank: FogbankServer, body: bytes, message: str) -> None:
    before = fogbank.get("/_fogbank/clock")["offset"]
    status, answer = fogbank.call("POST", "/_fogbank/clock", body)
    assert status == 400
    assert answer["error"].startswith(message)
    assert answer["error"].endswith('{"set": "2030-01-01T00:00:00Z"} or {"reset": true}')
    assert fogbank.get("/_fogbank/clock")["offset"] == before


def test_clock_set_iso_time_then_reset_returns_to_wall_time(own: FogbankServer) -> None:
    body = own.post("/_fogbank/clock", {"set": "2035-06-01T12:00:00Z"})
    assert body["now"].startswith("2035-06-01T12:00:0")
    assert body["now"].endswith("+00:00")
    naive = own.post("/_fogbank/clock", {"set": "2036-01-01T00:00:00"})  # no zone: UTC
    assert naive["now"].startswith("2036-01-01T00:00:0")
    zoned = own.post("/_fogbank/clock", {"set": "2036-01-01T02:00:00+02:00"})
    assert zoned["now"].startswith("2036-01-01T00:00:0")
    assert own.post("/_fogbank/clock", {"reset": True})["offset"] == 0.0
    assert (
        abs(datetime.fromisoformat(own.get("/_fogbank/clock")["now"]) - datetime.now(UTC)).total_seconds() < 5
    )


# -- reset --------------------------------------------------------------------------------------


def queue_names(server: FogbankServer) -> list[str]:
    return sorted(url.rsplit("/", 1)[1] for url in server.client("sqs").list_queues().get("QueueUrls", []))


def test_reset_all_deletes_every_service_state(own: FogbankServer) -> None:
    own.client("sqs").create_queue(QueueName="reset-all")
    own.client("sqs", region="eu-west-1", access_key="333333333333").create_queue(QueueName="elsewhere")
    assert own.post("/_fogbank/reset") == {"reset": "all"}
    assert queue_names(own) == []
    assert own.client("sqs", region="eu-west-1", access_key="333333333333").list_queues().get(
        "QueueUrls"
    ) in (None, [])
    assert own.get("/_fogbank/health")["services"]["sqs"] == "running"  # the list above loaded it again


def test_reset_one_service_keeps_the_others(own: FogbankServer) -> None:
    own.client("sqs").create_queue(QueueName="kept")
    assert own.post("/_fogbank/reset", {"service": "sts"}) == {"reset": "sts"}
    assert queue_names(own) == ["kept"]
    assert own.post("/_fogbank/reset", {"service": "sqs"}) == {"reset": "sqs"}
    assert own.get("/_fogbank/health")["services"]["sqs"] == "available"
    assert queue_names(own) == []


def test_reset_service_in_query_string_and_localstack_alias(own: FogbankServer) -> None:
    own.client("sqs").create_queue(QueueName="q1")
    assert own.call("POST", "/_fogbank/reset?service=sqs", b"") == (200, {"reset": "sqs"})
    assert queue_names(own) == []
    own.client("sqs").create_queue(QueueName="q2")
    assert own.call("POST", "/_localstack/state/reset", b"") == (200, {"reset": "all"})
    assert queue_names(own) == []


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (
            b'{"service": "nosuch"}',
            400,
            f"unknown service 'nosuch'; fogbank implements {', '.join(sorted(PROVIDERS))}",
        ),
        (
            b'{"service": 5}',
            400,
            'the body must be a JSON object: send {"service": "sqs"}, or nothing to reset everything',
        ),
        (b"nope", 400, "the body is not JSON"),
    ],
)
def test_reset_bad_request_answers_400_and_resets_nothing(
    own: FogbankServer, body: bytes, status: int, message: str
) -> None:
    own.client("sqs").create_queue(QueueName="survivor")
    answer = own.call("POST", "/_fogbank/reset", body)
    assert answer[0] == status and answer[1]["error"].startswith(message)
    assert "survivor" in queue_names(own)


# -- LocalStack host names ----------------------------------------------------------------------


def client_via_host(server: FogbankServer, service: str, host: str) -> Any:
    """A client that connects to 127.0.0.1 but sends (and signs) another Host header, as a client
    resolving `*.localhost.localstack.cloud` through public DNS would."""
    client = server.client(service)

    def set_host(request: Any, **_: Any) -> None:
        request.headers["Host"] = f"{host}:{server.port}"

    client.meta.events.register_first("before-sign.*.*", set_host)
    return client


@pytest.mark.parametrize("host", ["localhost.localstack.cloud", "sqs.us-east-1.localhost.localstack.cloud"])
def test_localstack_cloud_host_names_route_like_localhost(
    fogbank: FogbankServer, host: str, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("host")
    client = client_via_host(fogbank, "sqs", host)
    url = client.create_queue(QueueName=name)["QueueUrl"]
    assert url.endswith(f"/000000000000/{name}")
    assert client.get_queue_url(QueueName=name)["QueueUrl"] == url
    identity = client_via_host(fogbank, "sts", host.replace("sqs.us-east-1", "sts")).get_caller_identity()
    assert identity["Account"] == "000000000000"


def test_localstack_cloud_s3_virtual_host_serves_the_bucket(
    fogbank: FogbankServer, unique_name: Callable[[str], str]
) -> None:
    bucket = unique_name("vhost")[:63]
    s3 = fogbank.client("s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="docs/a.txt", Body=b"virtual host")
    host = f"{bucket}.s3.localhost.localstack.cloud:{fogbank.port}"
    status, body = fogbank.call_raw("GET", "/docs/a.txt", headers={"Host": host})
    assert (status, body) == (200, b"virtual host")


# -- init hooks ---------------------------------------------------------------------------------


def write_script(folder: Path, name: str, text: str, executable: bool = True) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    if executable:
        path.chmod(path.stat().st_mode | stat.S_IXUSR)


def wait_until_ready(server: FogbankServer, timeout: float = 60) -> dict[str, Any]:
    """Init scripts are separate processes (the AWS CLI takes a second to start): poll their status."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        document: dict[str, Any] = server.get("/_localstack/init")
        if document["completed"]["READY"]:
            return document
        time.sleep(0.1)
    raise AssertionError(f"init scripts did not finish: {server.get('/_localstack/init')}")


def test_init_ready_scripts_run_in_order_with_aws_endpoint(fogbank_factory: Factory, tmp_path: Path) -> None:
    ready = tmp_path / "init" / "ready.d"
    # The AWS CLI v1 ignores AWS_ENDPOINT_URL, so scripts pass it on; boto3 reads it by itself.
    write_script(
        ready,
        "10-queue.sh",
        "#!/bin/sh\nset -e\n"
        'aws --endpoint-url "$AWS_ENDPOINT_URL" sqs create-queue --queue-name from-init-hook\n',
    )
    write_script(ready, "20-fails.sh", "#!/bin/sh\nexit 3\n")
    write_script(ready, "30-not-executable.sh", "#!/bin/sh\nexit 0\n", executable=False)
    write_script(
        ready,
        "40-python.py",
        "import os, pathlib, boto3\n"
        "boto3.client('sqs').create_queue(QueueName='from-python-hook')\n"
        "pathlib.Path(os.environ['MARKER']).write_text(os.environ['AWS_ENDPOINT_URL'])\n",
        executable=False,
    )
    write_script(ready, "sub/50-nested.sh", "#!/bin/sh\nexit 0\n")
    environment = {
        "FOGBANK_CONFIG_DIR": str(tmp_path),
        "MARKER": str(tmp_path / "marker"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    server = fogbank_factory(env=environment)

    document = wait_until_ready(server)
    assert document == {
        "completed": {"BOOT": True, "START": True, "READY": True, "SHUTDOWN": False},
        "scripts": [
            {"stage": "READY", "name": "10-queue.sh", "state": "SUCCESSFUL"},
            {"stage": "READY", "name": "20-fails.sh", "state": "ERROR"},
            {"stage": "READY", "name": "30-not-executable.sh", "state": "ERROR"},
            {"stage": "READY", "name": "40-python.py", "state": "SUCCESSFUL"},
            {"stage": "READY", "name": "sub/50-nested.sh", "state": "SUCCESSFUL"},
        ],
    }
    assert queue_names(server) == ["from-init-hook", "from-python-hook"]
    assert (tmp_path / "marker").read_text() == f"http://localhost:{server.port}"
    assert server.get("/_localstack/init/ready") == {"completed": True, "scripts": document["scripts"]}
    assert server.get("/_localstack/init/boot") == {"completed": True, "scripts": []}


def test_init_without_scripts_is_ready_at_once(fogbank_factory: Factory, tmp_path: Path) -> None:
    server = fogbank_factory(env={"FOGBANK_CONFIG_DIR": str(tmp_path)})
    assert wait_until_ready(server, timeout=5)["scripts"] == []
    assert server.call("GET", "/_localstack/init/teardown") == (
        404,
        {"error": "unknown init stage 'teardown': use boot, start, ready or shutdown"},
    )


def test_clock_advance_makes_a_15_minute_sqs_delay_pass(
    fogbank: FogbankServer, unique_name: Callable[[str], str]
) -> None:
    sqs = fogbank.client("sqs")
    url = sqs.create_queue(QueueName=unique_name("delay"))["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=900)
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages", []) == []
    fogbank.advance_clock("PT14M50S")
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages", []) == []
    fogbank.advance_clock("PT15S")
    messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)["Messages"]
    assert [message["Body"] for message in messages] == ["later"]


# -- the server ---------------------------------------------------------------------------------


def test_websocket_upgrade_reaches_the_app_which_refuses_without_endpoint(fogbank: FogbankServer) -> None:
    """WebSocket support is loaded on the first upgrade; no fogbank endpoint takes WebSockets yet,
    so the handshake is refused with 403 (an HTTP server without WebSocket support would not
    answer the upgrade at all), and the server goes on serving."""
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    with pytest.raises(InvalidStatus) as refused:
        connect(f"ws://127.0.0.1:{fogbank.port}/some/socket", open_timeout=10)
    assert refused.value.response.status_code == 403
    assert fogbank.get("/_fogbank/health")["services"]


def test_http_keep_alive_and_chunked_request_body_are_served(fogbank: FogbankServer) -> None:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", fogbank.port, timeout=10)
    for _ in range(3):  # one connection, several requests
        connection.request("GET", "/_fogbank/clock")
        response = connection.getresponse()
        assert response.status == 200 and "epoch" in json.loads(response.read())
    connection.request(
        "POST", "/_fogbank/clock", body=iter([b'{"advance":', b' "PT1S"}']), encode_chunked=True
    )
    response = connection.getresponse()
    assert response.status == 200 and "offset" in json.loads(response.read())
    connection.close()
