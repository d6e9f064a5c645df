"""Fixtures for the DynamoDB behaviour tests: clients and a table factory."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.config import Config

ACCESS_KEY = SECRET_KEY = "test"
REGION = "us-east-1"


@pytest.fixture
def ddb(client_factory: Callable[..., Any]) -> Any:
    return client_factory("dynamodb")


@pytest.fixture
def resource(endpoint: str) -> Any:
    return boto3.resource(
        "dynamodb",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(retries={"max_attempts": 1}),
    )


@pytest.fixture
def make_table(ddb: Any, unique_name: Callable[[str], str]) -> Callable[..., str]:
    """Create an on-demand table (`pk` S hash, optional `sk` range of `range_type`) and answer its name."""

    def make(range_type: str | None = "S", *, hash_type: str = "S", **extra: Any) -> str:
        name = f"{unique_name('tbl')}-{uuid.uuid4().hex[:8]}"  # parametrized ids can share a suffix
        keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
        definitions = [{"AttributeName": "pk", "AttributeType": hash_type}]
        if range_type:
            keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
            definitions.append({"AttributeName": "sk", "AttributeType": range_type})
        definitions += extra.pop("definitions", [])
        ddb.create_table(
            TableName=name,
            KeySchema=keys,
            AttributeDefinitions=definitions,
            BillingMode=extra.pop("BillingMode", "PAY_PER_REQUEST"),
            **extra,
        )
        return name

    return make
