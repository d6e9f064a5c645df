"""The services fogbank implements, loaded lazily on first use."""

from __future__ import annotations

import importlib
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
}

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
