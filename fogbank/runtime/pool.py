"""The pool of execution environments: warm reuse per function version and configuration, new
environments when all are busy, idle ones reaped on fogbank's clock, all ended on shutdown.

Environments of one `EnvironmentSpec.key` (function ARN, version, revision, code) serve one
invocation at a time each; a configuration change makes a new key, and the old environments are
retired at once when idle.
"""

from __future__ import annotations

import logging
import shutil

from fogbank import clock
from fogbank.runtime import zygotes
from fogbank.runtime.environments import (
    Environment,
    EnvironmentSpec,
    Invocation,
    Outcome,
    unavailable_outcome,
)
from fogbank.runtime.runtimes import RuntimeUnavailable

log = logging.getLogger("fogbank.lambda")

# Lambda keeps idle environments for minutes; fogbank reaps them after this long on its clock.
IDLE_SECONDS = 600.0

_environments: dict[str, list[Environment]] = {}


async def run(spec: EnvironmentSpec, invocation: Invocation) -> Outcome:
    """Run an invocation on a warm environment of `spec.key`, or on a new one."""
    environment = _idle(spec.key)
    if environment is None:
        environment = Environment(spec)
        try:
            await environment.start()
        except RuntimeUnavailable as problem:
            environment.kill()
            shutil.rmtree(environment.tmp, ignore_errors=True)
            return unavailable_outcome(problem, invocation.request_id, spec.version)
        _environments.setdefault(spec.key, []).append(environment)
    try:
        return await environment.invoke(invocation)
    finally:
        if not environment.alive:
            _discard(environment)
        else:
            _schedule_reap(environment)


def _idle(key: str) -> Environment | None:
    for environment in _environments.get(key, ()):
        if environment.alive and not environment.busy:
            environment.busy = True  # claimed before the first await of its invocation
            return environment
    return None


def _reap(environment: Environment) -> None:
    """One pending reap check per environment: due while it was used again, it looks later."""
    environment.reap_scheduled = False
    if not environment.alive or environment.provisioned:
        return
    due = environment.idle_since + IDLE_SECONDS
    if environment.busy or clock.now() < due:
        environment.reap_scheduled = True
        clock.call_at(due if not environment.busy else clock.now() + IDLE_SECONDS, lambda: _reap(environment))
        return
    environment.kill()
    _discard(environment)


def _discard(environment: Environment) -> None:
    found = _environments.get(environment.spec.key)
    if found and environment in found:
        found.remove(environment)
        if not found:
            del _environments[environment.spec.key]


def retire(prefix: str, keep: str | None = None) -> None:
    """End the idle environments whose key starts with `prefix` (a function's ARN) except those
    of `keep`; busy ones finish their invocation and are then reaped."""
    for key in [key for key in _environments if key.startswith(prefix) and key != keep]:
        for environment in list(_environments[key]):
            if not environment.busy:
                environment.kill()
                _discard(environment)


def count(prefix: str = "") -> int:
    return sum(len(found) for key, found in _environments.items() if key.startswith(prefix))


def shut_down() -> None:
    for found in list(_environments.values()):
        for environment in found:
            environment.kill()
            shutil.rmtree(environment.tmp, ignore_errors=True)
    _environments.clear()
    zygotes.shut_down()


async def provision(spec: EnvironmentSpec, wanted: int) -> None:
    """Start environments of `spec.key` until `wanted` provisioned ones are initialized and idle."""
    have = [
        environment
        for environment in _environments.get(spec.key, ())
        if environment.provisioned and environment.alive
    ]
    started = []
    for _ in range(max(wanted - len(have), 0)):
        environment = Environment(spec, provisioned=True)
        try:
            await environment.start()
        except RuntimeUnavailable:
            environment.kill()
            shutil.rmtree(environment.tmp, ignore_errors=True)
            return
        _environments.setdefault(spec.key, []).append(environment)
        started.append(environment)
    for environment in started:
        await environment.initialized.wait()


def provisioned_ready(key: str) -> int:
    found = _environments.get(key, ())
    return sum(
        1
        for environment in found
        if environment.provisioned and environment.alive and environment.initialized.is_set()
    )


def unprovision(key: str) -> None:
    """Provisioned environments of `key` become ordinary ones (reaped once idle long enough)."""
    for environment in _environments.get(key, ()):
        if environment.provisioned:
            environment.provisioned = False
            _schedule_reap(environment)


def _schedule_reap(environment: Environment) -> None:
    if not environment.reap_scheduled and environment.alive:
        environment.reap_scheduled = True
        clock.call_later(IDLE_SECONDS, lambda: _reap(environment))
