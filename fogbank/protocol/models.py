"""botocore's service models: loaded lazily, one at a time, and an index of every service's
routing metadata (signing name, endpoint prefix, JSON target prefix, protocols) cached on disk."""

from __future__ import annotations

import functools
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import botocore
import orjson
from botocore.loaders import Loader
from botocore.model import ServiceModel


@functools.cache
def _loader() -> Loader:
    return Loader()


@functools.cache
def service_model(name: str) -> ServiceModel:
    """The botocore model of one service, by its botocore name (`sqs`, `s3`, `dynamodbstreams`)."""
    data = _loader().load_service_model(name, "service-2")
    return ServiceModel(data, service_name=name)


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    name: str
    protocols: tuple[str, ...]
    signing_name: str
    endpoint_prefix: str
    target_prefix: str | None
    service_id: str


class ServiceIndex:
    """Routing metadata of every service botocore knows, for detection of any request."""

    def __init__(self, services: list[ServiceInfo]) -> None:
        self.services = {info.name: info for info in services}
        self.by_target_prefix: dict[str, ServiceInfo] = {}
        self.by_signing_name: dict[str, list[ServiceInfo]] = {}
        self.by_endpoint_prefix: dict[str, list[ServiceInfo]] = {}
        for info in services:
            if info.target_prefix:
                self.by_target_prefix.setdefault(info.target_prefix, info)
            self.by_signing_name.setdefault(info.signing_name, []).append(info)
            self.by_endpoint_prefix.setdefault(info.endpoint_prefix, []).append(info)


def _cache_path() -> Path:
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "fogbank"
    return root / f"service-index-{botocore.__version__}.json"


def _build_index() -> list[ServiceInfo]:
    loader = _loader()
    services = []
    for name in loader.list_available_services("service-2"):
        meta = loader.load_service_model(name, "service-2")["metadata"]
        services.append(
            ServiceInfo(
                name=name,
                protocols=tuple(meta.get("protocols") or [meta["protocol"]]),
                signing_name=meta.get("signingName") or meta.get("endpointPrefix") or name,
                endpoint_prefix=meta.get("endpointPrefix") or name,
                target_prefix=meta.get("targetPrefix"),
                service_id=meta.get("serviceId", name),
            )
        )
    return services


_index: ServiceIndex | None = None
_index_lock = threading.Lock()


def service_index() -> ServiceIndex:
    """The index, read from the on-disk cache or built once (a few seconds) and cached."""
    global _index
    if _index is not None:
        return _index
    with _index_lock:
        if _index is None:
            path = _cache_path()
            try:
                rows = orjson.loads(path.read_bytes())
                services = [ServiceInfo(**{**row, "protocols": tuple(row["protocols"])}) for row in rows]
            except (OSError, ValueError, TypeError):
                services = _build_index()
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    tmp = path.with_suffix(f".{os.getpid()}.tmp")
                    tmp.write_bytes(orjson.dumps(services))
                    os.replace(tmp, path)
                except OSError:
                    pass  # a read-only home only costs the rebuild next time
            _index = ServiceIndex(services)
    return _index


def warm_index_in_background() -> None:
    threading.Thread(target=service_index, name="fogbank-service-index", daemon=True).start()
