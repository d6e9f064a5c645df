"""Deployment packages: zip files uploaded inline or read from S3 (through S3's public GetObject),
stored once by content, and unpacked once into a read-only folder that serves as the task root
(`/var/task`) of every version with that code. Layer contents are stored and unpacked the same way.

Hot reload (LocalStack's convention): `Code={"S3Bucket": "hot-reload", "S3Key": "/abs/local/dir"}`
makes the function run straight from that local folder. Nothing is copied, so edits to the files
apply to the next cold start; fogbank starts a fresh execution environment for every invoke of a
hot-reloaded function so that edits are seen at once. CodeSha256 is then the hash of the path.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from fogbank.config import settings
from fogbank.errors import AwsError
from fogbank.gateway.exchange import Exchange
from fogbank.protocol.http import FileBody, HttpResponse
from fogbank.services import calls
from fogbank.services.lambda_.errors import InvalidParameterValueException, RequestTooLargeException

HOT_RELOAD_BUCKET = "hot-reload"
# https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
MAX_ZIPPED_UPLOAD = 50 * 1024 * 1024
MAX_UNZIPPED = 262144000


def root() -> Path:
    return settings.data_dir / "lambda"


def from_request(account: str, region: str, code: dict[str, Any]) -> dict[str, Any]:
    """Store the code a `FunctionCode` (or layer `Content`) names; returns the code record."""
    if code.get("ImageUri"):
        raise InvalidParameterValueException("Container image functions are not supported by fogbank yet.")
    if code.get("ZipFile") is not None and code.get("S3Bucket"):
        raise InvalidParameterValueException(
            "Please do not provide other FunctionCode parameters when providing a ZipFile."
        )
    if code.get("ZipFile") is not None:
        return store_zip(code["ZipFile"])
    bucket, key = code.get("S3Bucket"), code.get("S3Key")
    if not bucket or not key:
        raise InvalidParameterValueException("Please provide a source for function code.")
    if bucket == HOT_RELOAD_BUCKET:
        return hot_reload(key)
    return store_zip(_read_s3(account, region, bucket, key, code.get("S3ObjectVersion")))


def hot_reload(directory: str) -> dict[str, Any]:
    path = Path(directory)
    if not path.is_absolute() or not path.is_dir():
        raise InvalidParameterValueException(
            f"Hot reload needs S3Key to be an absolute path of a local directory; {directory} is not one."
        )
    digest = hashlib.sha256(str(path).encode()).digest()
    return {"sha": base64.b64encode(digest).decode(), "size": 0, "hot_reload": str(path)}


def _read_s3(account: str, region: str, bucket: str, key: str, version: str | None) -> bytes:
    params: dict[str, Any] = {"Bucket": bucket, "Key": key}
    if version:
        params["VersionId"] = version
    try:
        body = calls.call("s3", "GetObject", params, account=account, region=region)["Body"]
    except AwsError as error:
        raise InvalidParameterValueException(
            f"Error occurred while GetObject. S3 Error Code: {error.code}. S3 Error Message: {error.message}"
        ) from None
    if isinstance(body, FileBody):
        with open(body.path, "rb") as handle:
            handle.seek(body.start)
            return handle.read(body.length)
    return bytes(body)


def store_zip(data: bytes) -> dict[str, Any]:
    if len(data) > MAX_ZIPPED_UPLOAD:
        raise RequestTooLargeException(
            "Request must be smaller than 70167211 bytes for the CreateFunction operation"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise InvalidParameterValueException(
            "Could not unzip uploaded file. Please check your file, then try to upload again."
        ) from None
    if unzipped > MAX_UNZIPPED:
        raise InvalidParameterValueException(f"Unzipped size must be smaller than {MAX_UNZIPPED} bytes")
    digest = hashlib.sha256(data).digest()
    name = digest.hex()
    path = root() / "zips" / f"{name}.zip"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(path, data)
    return {"sha": base64.b64encode(digest).decode(), "size": len(data), "zip": name}


def _write_atomically(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent)
    with os.fdopen(handle, "wb") as sink:
        sink.write(data)
    os.replace(temporary, path)


def zip_path(record: dict[str, Any]) -> Path | None:
    return root() / "zips" / f"{record['zip']}.zip" if record.get("zip") else None


def unpacked(record: dict[str, Any]) -> Path:
    """The folder holding the code's files, unpacked on first use (shared by equal packages)."""
    if record.get("hot_reload"):
        return Path(record["hot_reload"])
    target: Path = root() / "code" / record["zip"]
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".unpack-"))
    with zipfile.ZipFile(root() / "zips" / f"{record['zip']}.zip") as archive:
        extract(archive, staging)
    try:
        staging.rename(target)
    except OSError:  # another environment unpacked the same package first
        shutil.rmtree(staging, ignore_errors=True)
    return target


def extract(archive: zipfile.ZipFile, destination: Path) -> None:
    """Unpack keeping the Unix permission bits (a custom runtime's `bootstrap` must stay
    executable); files without recorded permissions get 0644 as Lambda gives them."""
    for info in archive.infolist():
        written = Path(archive.extract(info, destination))
        mode = (info.external_attr >> 16) & 0o777
        if not info.is_dir():
            written.chmod(mode | 0o444 if mode else 0o644)


async def serve_download(exchange: Exchange) -> HttpResponse:
    """`GET /_fogbank/lambda/code?sha=<hex>`: the zip that GetFunction's `Code.Location` and
    GetLayerVersion's `Content.Location` point at (AWS answers presigned S3 URLs there)."""
    name = exchange.request.query_value("sha") or ""
    path = root() / "zips" / f"{name}.zip"
    if not re.fullmatch(r"[0-9a-f]{64}", name) or not path.is_file():
        return HttpResponse(404, {"content-type": "application/json"}, b'{"error": "no such code package"}')
    size = path.stat().st_size
    return HttpResponse(200, {"content-type": "application/zip"}, FileBody(path, 0, size))
