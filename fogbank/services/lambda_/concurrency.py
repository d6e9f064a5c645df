"""Concurrency that takes effect: each function's in-flight invocations are counted; a function
with reserved concurrency runs at most that many at once, the others share the account's
unreserved pool (https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html).
Past the limit, synchronous invokes get `TooManyRequestsException` and asynchronous events wait.
"""

from __future__ import annotations

from typing import Any

from fogbank.services.lambda_ import functions
from fogbank.services.lambda_.errors import InvalidParameterValueException, TooManyRequestsException

ACCOUNT_LIMIT = 1000
MINIMUM_UNRESERVED = 100

_in_flight: dict[tuple[str, str, str], int] = {}
_unreserved_in_flight: dict[tuple[str, str], int] = {}
_reserved_totals: dict[tuple[str, str], int] = {}


def reserved_total(account: str, region: str) -> int:
    key = (account, region)
    total = _reserved_totals.get(key)
    if total is None:
        records = functions.collection(account, region).values()
        total = _reserved_totals[key] = sum(record.get("reserved") or 0 for record in records)
    return total


def forget_totals(account: str, region: str) -> None:
    _reserved_totals.pop((account, region), None)


def check_reservation(account: str, region: str, name: str, wanted: int) -> None:
    record = functions.collection(account, region).get(name) or {}
    others = reserved_total(account, region) - (record.get("reserved") or 0)
    if ACCOUNT_LIMIT - others - wanted < MINIMUM_UNRESERVED:
        raise InvalidParameterValueException(
            f"Specified ReservedConcurrentExecutions for function decreases account's "
            f"UnreservedConcurrentExecution below its minimum value of [{MINIMUM_UNRESERVED}]."
        )


def acquire(account: str, region: str, name: str, record: dict[str, Any]) -> bool:
    """Take one slot for an invocation or raise `TooManyRequestsException`; returns whether the
    slot came from the shared unreserved pool (to be given back with `release`)."""
    reserved = record.get("reserved")
    key = (account, region, name)
    running = _in_flight.get(key, 0)
    if reserved is not None:
        if running >= reserved:
            raise TooManyRequestsException(
                "Rate Exceeded.", Reason="ReservedFunctionConcurrentInvocationLimitExceeded"
            )
    else:
        pool = (account, region)
        shared = _unreserved_in_flight.get(pool, 0)
        if shared >= ACCOUNT_LIMIT - reserved_total(account, region):
            raise TooManyRequestsException("Rate Exceeded.", Reason="ConcurrentInvocationLimitExceeded")
        _unreserved_in_flight[pool] = shared + 1
    _in_flight[key] = running + 1
    return reserved is None


def release(account: str, region: str, name: str, shared: bool) -> None:
    key = (account, region, name)
    _in_flight[key] = max(_in_flight.get(key, 1) - 1, 0)
    if shared:
        pool = (account, region)
        _unreserved_in_flight[pool] = max(_unreserved_in_flight.get(pool, 1) - 1, 0)


def reset() -> None:
    _in_flight.clear()
    _unreserved_in_flight.clear()
    _reserved_totals.clear()
