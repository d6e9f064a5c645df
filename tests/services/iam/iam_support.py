"""Helpers shared by the IAM behaviour tests: policy documents and error unpacking."""

from __future__ import annotations

import json
from typing import Any

LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}
S3_READ = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}],
}


def document(policy: dict[str, Any]) -> str:
    return json.dumps(policy)


def error_of(raised: Any) -> tuple[str, str, int]:
    """(code, message, HTTP status) of a botocore ClientError caught by pytest.raises."""
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )
