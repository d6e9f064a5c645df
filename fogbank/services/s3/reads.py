"""Reading objects: GetObject / HeadObject answers with ranges (206 + Content-Range), part numbers,
response-* header overrides, checksums on request, and archived storage classes.

See https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
"""

from __future__ import annotations

from typing import Any

from fogbank.services.s3 import bodies, conditions, objects, restore
from fogbank.services.s3.errors import InvalidObjectState, InvalidPartNumber, InvalidRequest

# GetObject's response-* query parameters and the response member each one overrides.
OVERRIDES = {
    "ResponseCacheControl": "CacheControl",
    "ResponseContentDisposition": "ContentDisposition",
    "ResponseContentEncoding": "ContentEncoding",
    "ResponseContentLanguage": "ContentLanguage",
    "ResponseContentType": "ContentType",
    "ResponseExpires": "Expires",
}


def read_object(bucket: dict[str, Any], request: dict[str, Any], *, with_body: bool) -> dict[str, Any]:
    """The GetObject (with_body) or HeadObject answer for the version the request names."""
    version = objects.find(bucket["Name"], request["Key"], request.get("VersionId"))
    if with_body and not restore.is_readable(version):
        raise InvalidObjectState(
            "The operation is not valid for the object's storage class", StorageClass=version["StorageClass"]
        )
    conditions.check_read(request, version)
    if request.get("SSECustomerAlgorithm") or request.get("SSECustomerKey"):
        # fogbank stores no SSE-C objects (writes with customer keys are refused).
        raise InvalidRequest("The encryption parameters are not applicable to this object.")
    result = objects.describe(bucket, version, request.get("ChecksumMode"))
    if version["StorageClass"] in restore.ARCHIVED and (state := restore.restore_state(version)):
        result["Restore"] = state
    size = version["Size"]
    window = _part_window(version, request.get("PartNumber"))
    if window is None:
        window = bodies.parse_range(request.get("Range"), size)
    start, length = window if window is not None else (0, size)
    if window is not None:
        result["ContentRange"] = f"bytes {start}-{start + length - 1}/{size}"
        result["ContentLength"] = length
        # A checksum describes the whole object, not a range of it.
        for name in [n for n in result if n.startswith("Checksum")]:
            del result[name]
    for parameter, member in () if request.keys().isdisjoint(OVERRIDES) else OVERRIDES.items():
        if request.get(parameter) is not None:
            value = request[parameter]
            if isinstance(value, str):
                # Header values travel as bytes: UTF-8 text goes out as its bytes, as S3 sends it.
                value = value.encode().decode("latin-1")
            result[member] = (
                value.timestamp() if member == "Expires" and hasattr(value, "timestamp") else value
            )
    if with_body:
        result["Body"] = bodies.read(version.get("Blob"), start, length)
    return result


def _part_window(version: dict[str, Any], number: int | None) -> tuple[int, int] | None:
    """The byte window of part `number` of a multipart object (a single PUT is one part)."""
    if number is None:
        return None
    sizes = version.get("PartSizes") or [version["Size"]]
    if not 1 <= number <= len(sizes):
        raise InvalidPartNumber(
            "The requested partnumber is not satisfiable",
            PartNumberRequested=number,
            ActualPartCount=len(sizes),
        )
    start = sum(sizes[: number - 1])
    return start, sizes[number - 1]


def object_attributes(bucket: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    """GetObjectAttributes: only the attributes asked for (ETag without quotes, as S3 answers)."""
    version = objects.find(bucket["Name"], request["Key"], request.get("VersionId"))
    wanted = set(request.get("ObjectAttributes") or [])
    result: dict[str, Any] = {"LastModified": version["LastModified"]}
    if bucket.get("Versioning"):
        result["VersionId"] = version["VersionId"]
    if "ETag" in wanted:
        result["ETag"] = version["ETag"].strip('"')
    if "ObjectSize" in wanted:
        result["ObjectSize"] = version["Size"]
    if "StorageClass" in wanted:
        result["StorageClass"] = version["StorageClass"]
    checksum = version.get("Checksum")
    if "Checksum" in wanted and checksum:
        result["Checksum"] = {
            f"Checksum{checksum['Algorithm']}": checksum["Value"],
            "ChecksumType": checksum["Type"],
        }
    if "ObjectParts" in wanted and version.get("PartsCount"):
        result["ObjectParts"] = {"TotalPartsCount": version["PartsCount"]}
    return result
