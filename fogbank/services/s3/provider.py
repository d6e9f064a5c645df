"""Amazon S3 operations (buckets, objects, multipart uploads, versioning)."""

from __future__ import annotations

from fogbank.services.provider import Provider
from fogbank.services.s3.configuration import BucketConfiguration


class S3Provider(BucketConfiguration, Provider):
    service = "s3"
