"""The services fogbank implements, loaded lazily on first use."""

from __future__ import annotations

import importlib
import sys
import threading

from fogbank.services.provider import Provider

# botocore service name → provider class. Importing a provider happens on its first request.
PROVIDERS: dict[str, str] = {
    "s3": "fogbank.services.s3.provider:S3Provider",
    "sqs": "fogbank.services.sqs.provider:SqsProvider",
    "sns": "fogbank.services.sns.provider:SnsProvider",
    "iam": "fogbank.services.iam.provider:IamProvider",
    "sts": "fogbank.services.sts.provider:StsProvider",
    "ssm": "fogbank.services.ssm.provider:SsmProvider",
    "secretsmanager": "fogbank.services.secretsmanager.provider:SecretsManagerProvider",
    "lambda": "fogbank.services.lambda_.provider:LambdaProvider",
    "dynamodb": "fogbank.services.dynamodb.provider:DynamoDbProvider",
    "dynamodbstreams": "fogbank.services.dynamodbstreams.provider:DynamoDbStreamsProvider",
    "stepfunctions": "fogbank.services.stepfunctions.provider:StepFunctionsProvider",
    "kinesis": "fogbank.services.kinesis.provider:KinesisProvider",
    "events": "fogbank.services.events.provider:EventsProvider",
    "scheduler": "fogbank.services.scheduler.provider:SchedulerProvider",
    "logs": "fogbank.services.logs.provider:LogsProvider",
    "pipes": "fogbank.services.pipes.provider:PipesProvider",
}

# Services with stored work to continue as soon as fogbank starts (service → the kind of record
# whose presence means there may be some), e.g. Step Functions executions waiting in a Wait state.
RESUME_AT_START: dict[str, str] = {
    "stepfunctions": "executions",
    "events": "rules",
    "scheduler": "schedules",
    "pipes": "pipes",
}

# Engines that run without a request (module with `start()` / `stop()`), by the service owning
# their state: started when fogbank starts and after a state import, stopped when that service
# is unloaded (reset).
ENGINES: dict[str, str] = {"lambda": "fogbank.engines.event_sources.engine"}

_loaded: dict[str, Provider] = {}
_lock = threading.Lock()


def is_implemented(service: str) -> bool:
    return service in PROVIDERS


def provider(service: str) -> Provider:
    found = _loaded.get(service)
    if found is not None:
        return found
    with _lock:
        found = _loaded.get(service)
        if found is None:
            module_name, _, class_name = PROVIDERS[service].partition(":")
            found = getattr(importlib.import_module(module_name), class_name)()
            found.start()
            _loaded[service] = found
    return found


def loaded() -> dict[str, Provider]:
    return dict(_loaded)


def unload(service: str | None = None) -> None:
    """Forget loaded providers (after a reset) so they start fresh from the stored state."""
    for name in list(_loaded):
        if service is None or name == service:
            _loaded.pop(name).stop()
    for name, module_name in ENGINES.items():
        if (service is None or name == service) and module_name in sys.modules:
            sys.modules[module_name].stop()


def start_engines() -> None:
    """Start every engine (from the event loop, once the state is open)."""
    for module_name in ENGINES.values():
        importlib.import_module(module_name).start()


def resume_stored_work() -> None:
    """Load the providers that have stored work to continue (their `start` resumes it)."""
    from fogbank import state

    for service, kind in RESUME_AT_START.items():
        if service in PROVIDERS and state.database().scopes(service, kind):
            provider(service)
