"""Helpers for Lambda tests (also used by the event source mapping tests): execution roles,
packages built in the test, payload reading, error reading."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from typing import Any

import pytest

TRUST_LAMBDA = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def build_zip(files: dict[str, str | bytes], executable: tuple[str, ...] = ()) -> bytes:
    """A deployment package: file name → content; names in `executable` get mode 0755."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if name in executable else 0o644) << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def execution_role(iam: Any, name: str) -> str:
    """The ARN of role `name` that Lambda may assume, created on first use (kept for the session)."""
    try:
        return str(iam.get_role(RoleName=name)["Role"]["Arn"])
    except iam.exceptions.NoSuchEntityException:
        document = json.dumps(TRUST_LAMBDA)
        return str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=document)["Role"]["Arn"])


def payload_of(response: dict[str, Any]) -> Any:
    return json.loads(response["Payload"].read())


# Node.js functions need `node` on the machine (fogbank runs it; it is not a Python dependency).
requires_node = pytest.mark.skipif(
    shutil.which("node") is None, reason="node is not installed on this machine"
)
