"""Secrets survive a `kill -9` of a fogbank with a data directory."""

from __future__ import annotations

from pathlib import Path

from fogbank.testing.server import FogbankServer


def test_create_secret_survives_kill_and_restart(tmp_path: Path) -> None:
    server = FogbankServer(data_dir=tmp_path).start()
    try:
        sm = server.client("secretsmanager")
        arn = sm.create_secret(Name="durable", SecretString="one")["ARN"]
        sm.put_secret_value(SecretId="durable", SecretString="two")
        server.kill()
        server.start()

        restarted = server.client("secretsmanager")
        current = restarted.get_secret_value(SecretId=arn)
        previous = restarted.get_secret_value(SecretId="durable", VersionStage="AWSPREVIOUS")
    finally:
        server.stop()

    assert (current["SecretString"], previous["SecretString"]) == ("two", "one")
