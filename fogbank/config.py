"""fogbank's settings, from the command line and the environment (LocalStack's names accepted)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "fogbank"


def default_config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "fogbank"


def _listen_from_env() -> tuple[str, int]:
    """`GATEWAY_LISTEN` as LocalStack reads it: `host:port` (first of a comma list), `:port`,
    `host`, or `[::]:port` for IPv6."""
    value = os.environ.get("GATEWAY_LISTEN", "").split(",")[0].strip()
    if not value:
        return "127.0.0.1", 4566
    host, colon, port = value.rpartition(":")
    if not colon or host.endswith(":") and not host.startswith("["):  # "host" alone, or a bare IPv6 address
        host, port = value, ""
    if not (port or "4566").isdigit():
        raise ValueError(f"GATEWAY_LISTEN={value!r}: expected host:port, :port or host")
    return host.strip("[]") or "127.0.0.1", int(port or 4566)


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


@dataclass(slots=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 4566
    data_dir: Path = field(default_factory=default_data_dir)
    config_dir: Path = field(default_factory=default_config_dir)
    ephemeral: bool = False
    verify_signatures: bool = False
    debug: bool = False

    @classmethod
    def from_environment(cls) -> Settings:
        host, port = _listen_from_env()
        data_dir = os.environ.get("FOGBANK_DATA_DIR")
        config_dir = os.environ.get("FOGBANK_CONFIG_DIR")
        return cls(
            host=host,
            port=port,
            data_dir=Path(data_dir) if data_dir else default_data_dir(),
            config_dir=Path(config_dir) if config_dir else default_config_dir(),
            ephemeral=_truthy(os.environ.get("FOGBANK_EPHEMERAL")),
            verify_signatures=_truthy(os.environ.get("FOGBANK_VERIFY_SIGNATURES")),
            debug=_truthy(os.environ.get("FOGBANK_DEBUG") or os.environ.get("DEBUG")),
        )

    @property
    def url(self) -> str:
        host = "localhost" if self.host in ("0.0.0.0", "127.0.0.1", "::") else self.host
        return f"http://{host}:{self.port}"

    @property
    def database_path(self) -> Path | None:
        return None if self.ephemeral else self.data_dir / "state.sqlite"

    @property
    def blob_dir(self) -> Path:
        """Where large payloads live (S3 objects); a temporary folder when ephemeral."""
        return self.data_dir / "blobs"


settings = Settings.from_environment()
