"""S3's errors (codes as S3 answers them)."""

from __future__ import annotations

from fogbank.errors import AwsError


class NoSuchBucket(AwsError):
    status = 404
