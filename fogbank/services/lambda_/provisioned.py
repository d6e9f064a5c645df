"""Provisioned concurrency that takes effect: PutProvisionedConcurrencyConfig starts that many
execution environments of the version (or alias's version) at once, initialized with
`AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency` and kept warm; the status is READY once
they are all initialized (https://docs.aws.amazon.com/lambda/latest/dg/provisioned-concurrency.html).
"""

from __future__ import annotations

import asyncio
from typing import Any

from fogbank.errors import AwsError
from fogbank.runtime import pool
from fogbank.services.lambda_ import execution, functions
from fogbank.services.lambda_.errors import InvalidParameterValueException
from fogbank.services.lambda_.functions import LATEST

_tasks: set[asyncio.Task[None]] = set()


class ProvisionedConcurrencyConfigNotFoundException(AwsError):
    status = 404


def _spec_key(
    account: str, region: str, record: dict[str, Any], name: str, qualifier: str
) -> tuple[str, Any]:
    config, _ = functions.version_config(account, region, record, name, qualifier)
    spec = execution.spec_for(account, region, config)
    return spec.key, spec


def put(
    account: str, region: str, record: dict[str, Any], name: str, qualifier: str | None, wanted: int
) -> dict[str, Any]:
    if not qualifier or qualifier == LATEST:
        raise InvalidParameterValueException(
            "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
        )
    key, spec = _spec_key(account, region, record, name, qualifier)
    record["provisioned"][qualifier] = {"Requested": wanted, "LastModified": functions.now_text()}
    task = asyncio.get_running_loop().create_task(pool.provision(spec, wanted))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
    return view(account, region, record, name, qualifier)


def require(record: dict[str, Any], qualifier: str | None) -> dict[str, Any]:
    found = record["provisioned"].get(qualifier or "")
    if found is None:
        raise ProvisionedConcurrencyConfigNotFoundException(
            "No Provisioned Concurrency Config found for this function", Type="User"
        )
    return dict(found)


def view(account: str, region: str, record: dict[str, Any], name: str, qualifier: str) -> dict[str, Any]:
    found = require(record, qualifier)
    key, _ = _spec_key(account, region, record, name, qualifier)
    ready = min(pool.provisioned_ready(key), found["Requested"])
    return {
        "RequestedProvisionedConcurrentExecutions": found["Requested"],
        "AvailableProvisionedConcurrentExecutions": ready,
        "AllocatedProvisionedConcurrentExecutions": ready,
        "Status": "READY" if ready >= found["Requested"] else "IN_PROGRESS",
        "LastModified": found["LastModified"],
    }


def delete(account: str, region: str, record: dict[str, Any], name: str, qualifier: str | None) -> None:
    require(record, qualifier)
    key, _ = _spec_key(account, region, record, name, qualifier or "")
    del record["provisioned"][qualifier or ""]
    pool.unprovision(key)
