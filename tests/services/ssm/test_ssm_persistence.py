"""Parameters survive a `kill -9` of a fogbank with a data directory."""

from __future__ import annotations

from pathlib import Path

from fogbank.testing.server import FogbankServer


def test_put_parameter_survives_kill_and_restart(tmp_path: Path) -> None:
    server = FogbankServer(data_dir=tmp_path).start()
    try:
        ssm = server.client("ssm")
        ssm.put_parameter(Name="/durable/p", Value="secret", Type="SecureString")
        ssm.put_parameter(Name="/durable/p", Value="secret2", Overwrite=True)
        ssm.label_parameter_version(Name="/durable/p", ParameterVersion=1, Labels=["first"])
        server.kill()
        server.start()

        parameter = server.client("ssm").get_parameter(Name="/durable/p:first", WithDecryption=True)[
            "Parameter"
        ]
    finally:
        server.stop()

    assert (parameter["Value"], parameter["Version"], parameter["Type"]) == ("secret", 1, "SecureString")
