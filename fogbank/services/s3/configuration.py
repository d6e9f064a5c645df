"""Bucket sub-resources (tagging, CORS, policy, ACL, lifecycle, encryption, website, notifications,
...): the operations that read and write a bucket's configuration documents."""

from __future__ import annotations


class BucketConfiguration:
    """Mixed into `S3Provider`: one method per bucket-configuration operation."""
