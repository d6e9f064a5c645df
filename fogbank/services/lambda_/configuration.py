"""Function configuration: checking what CreateFunction and UpdateFunctionConfiguration ask for
and building the stored `FunctionConfiguration`. Settings fogbank cannot honour are refused.

Checks follow the Lambda API reference (CreateFunction) and the limits page
https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html

Settings that are stored and only partly in effect: `Architectures` (code runs on the machine's
own architecture), `EphemeralStorage` (each environment has its own TMPDIR, but its size is not
capped), `TracingConfig` Active (a trace header reaches the function; there is no X-Ray yet),
`VpcConfig` (kept for IAM conditions; functions reach the loopback network), `KMSKeyArn`.
"""

from __future__ import annotations

import json
from typing import Any

from fogbank.errors import AwsError
from fogbank.services import calls
from fogbank.services.lambda_ import functions, layers
from fogbank.services.lambda_.errors import InvalidParameterValueException
from fogbank.services.lambda_.functions import LATEST

# Runtimes Lambda no longer accepts for new functions or updates (deprecation "block update").
BLOCKED_RUNTIMES = {
    "python2.7",
    "python3.6",
    "python3.7",
    "python3.8",
    "nodejs",
    "nodejs4.3",
    "nodejs6.10",
    "nodejs8.10",
    "nodejs10.x",
    "nodejs12.x",
    "nodejs14.x",
    "nodejs16.x",
    "dotnetcore1.0",
    "dotnetcore2.0",
    "dotnetcore2.1",
    "dotnetcore3.1",
    "ruby2.5",
    "ruby2.7",
    "go1.x",
    "java8",
}
# https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
RESERVED_VARIABLES = (
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
)
MAX_ENVIRONMENT_BYTES = 4096
# Members of newer features that fogbank does not run: refused instead of silently ignored.
UNSUPPORTED = (
    "FileSystemConfigs",
    "ImageConfig",
    "TenancyConfig",
    "CapacityProviderConfig",
    "DurableConfig",
    "AcceleratorConfig",
    "RuntimeConfig",
    "PublishTo",
)


def refuse_unsupported(request: dict[str, Any]) -> None:
    for member in UNSUPPORTED:
        if request.get(member):
            raise InvalidParameterValueException(f"{member} is not supported by fogbank yet.")
    if request.get("PackageType", "Zip") != "Zip":
        raise InvalidParameterValueException("Container image functions are not supported by fogbank yet.")
    if (request.get("SnapStart") or {}).get("ApplyOn", "None") != "None":
        raise InvalidParameterValueException("SnapStart is not supported by fogbank yet.")


def check_runtime(runtime: str | None) -> None:
    if runtime in BLOCKED_RUNTIMES:
        raise InvalidParameterValueException(
            f"The runtime parameter of {runtime} is no longer supported for creating or updating AWS "
            "Lambda functions. We recommend you use a supported runtime while creating or updating functions."
        )


def check_role(account: str, region: str, role_arn: str) -> None:
    """The role must exist in IAM and trust `lambda.amazonaws.com` (AWS checks by assuming it)."""
    cannot = InvalidParameterValueException("The role defined for the function cannot be assumed by Lambda.")
    parts = role_arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "iam" or not parts[5].startswith("role/"):
        raise cannot
    name = parts[5].rsplit("/", 1)[-1]
    try:
        role = calls.call("iam", "GetRole", {"RoleName": name}, account=parts[4], region=region)["Role"]
    except AwsError:
        raise cannot from None
    if role.get("Arn") != role_arn or not _trusts_lambda(role.get("AssumeRolePolicyDocument") or ""):
        raise cannot


def _trusts_lambda(document: str) -> bool:
    from urllib.parse import unquote

    try:
        policy = json.loads(unquote(document))
    except ValueError:
        return False
    statements = policy.get("Statement") or []
    for statement in statements if isinstance(statements, list) else [statements]:
        actions = statement.get("Action") or []
        actions = [actions] if isinstance(actions, str) else actions
        principal = statement.get("Principal") or {}
        services = principal.get("Service", []) if isinstance(principal, dict) else []
        services = [services] if isinstance(services, str) else services
        if (
            statement.get("Effect") == "Allow"
            and any(action in ("sts:AssumeRole", "sts:*", "*") for action in actions)
            and ("lambda.amazonaws.com" in services or principal == "*")
        ):
            return True
    return False


def check_environment(environment: dict[str, Any] | None) -> dict[str, str]:
    variables: dict[str, str] = dict((environment or {}).get("Variables") or {})
    reserved = [name for name in RESERVED_VARIABLES if name in variables]
    if reserved:
        raise InvalidParameterValueException(
            "Lambda was unable to configure your environment variables because the environment variables "
            "you have provided contains reserved keys that are currently not supported for modification. "
            f"Reserved keys used in this request: {','.join(reserved)}"
        )
    measured = json.dumps(variables, separators=(",", ":"))
    if len(measured.encode()) > MAX_ENVIRONMENT_BYTES:
        raise InvalidParameterValueException(
            "Lambda was unable to configure your environment variables because the environment variables "
            f"you have provided exceeded the 4KB limit. String measured: {measured}"
        )
    return variables


def check_dead_letter(config: dict[str, Any] | None) -> dict[str, Any]:
    target = (config or {}).get("TargetArn")
    if target and ":sqs:" not in target and ":sns:" not in target:
        raise InvalidParameterValueException(
            "The provided target ARN is not a valid SQS queue or SNS topic ARN: " + target
        )
    return {"TargetArn": target} if target else {}


def new_config(account: str, region: str, request: dict[str, Any], code: dict[str, Any]) -> dict[str, Any]:
    """The $LATEST configuration of a new function."""
    name = request["FunctionName"]
    config: dict[str, Any] = {
        "FunctionName": name,
        "FunctionArn": functions.function_arn(account, region, name),
        "Runtime": request.get("Runtime"),
        "Role": request["Role"],
        "Handler": request.get("Handler"),
        "Description": "",
        "Timeout": 3,
        "MemorySize": 128,
        "Version": LATEST,
        "TracingConfig": {"Mode": "PassThrough"},
        "PackageType": "Zip",
        "Architectures": request.get("Architectures") or ["x86_64"],
        "EphemeralStorage": {"Size": 512},
        "SnapStart": {"ApplyOn": "None", "OptimizationStatus": "Off"},
        "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
    }
    if config["Runtime"] is None:
        config.pop("Runtime")
    if config["Handler"] is None:
        config.pop("Handler")
    apply_code(config, code)
    apply_settings(account, region, config, request)
    return config


def apply_code(config: dict[str, Any], code: dict[str, Any]) -> None:
    config["_code"] = code
    config["CodeSha256"] = code["sha"]
    config["CodeSize"] = code["size"]
    config["LastModified"] = functions.now_text()
    config["RevisionId"] = functions.new_revision()


def apply_settings(account: str, region: str, config: dict[str, Any], request: dict[str, Any]) -> None:
    """Apply the settings CreateFunction and UpdateFunctionConfiguration share."""
    refuse_unsupported(request)
    if "Runtime" in request:
        check_runtime(request["Runtime"])
        config["Runtime"] = request["Runtime"]
    if "Role" in request:
        check_role(account, region, request["Role"])
        config["Role"] = request["Role"]
    for member in ("Handler", "Description", "Timeout", "MemorySize", "KMSKeyArn"):
        if member in request:
            config[member] = request[member]
    if "Environment" in request:
        variables = check_environment(request["Environment"])
        config["Environment"] = {"Variables": variables}
    if "TracingConfig" in request:
        config["TracingConfig"] = {"Mode": request["TracingConfig"].get("Mode", "PassThrough")}
    if "DeadLetterConfig" in request:
        dead_letter = check_dead_letter(request["DeadLetterConfig"])
        config["DeadLetterConfig"] = dead_letter
    if "EphemeralStorage" in request:
        config["EphemeralStorage"] = {"Size": request["EphemeralStorage"]["Size"]}
    if "VpcConfig" in request:
        config["VpcConfig"] = vpc_config(request["VpcConfig"])
    if "LoggingConfig" in request:
        config["LoggingConfig"] = logging_config(config["LoggingConfig"], request["LoggingConfig"])
    if "Layers" in request:
        config["Layers"], config["_layers"] = layers.resolve(
            account, region, request["Layers"], config.get("Runtime")
        )
        if not config["Layers"]:
            config.pop("Layers")
    config["LastModified"] = functions.now_text()
    config["RevisionId"] = functions.new_revision()


def vpc_config(requested: dict[str, Any]) -> dict[str, Any]:
    """Stored for IAM conditions (`lambda:VpcIds`, `aws:SourceVpc`); functions still reach the
    loopback network. The VPC id cannot be derived without EC2, so it is left empty."""
    return {
        "SubnetIds": list(requested.get("SubnetIds") or []),
        "SecurityGroupIds": list(requested.get("SecurityGroupIds") or []),
        "Ipv6AllowedForDualStack": bool(requested.get("Ipv6AllowedForDualStack", False)),
        "VpcId": "",
    }


LOG_LEVELS = ("ApplicationLogLevel", "SystemLogLevel")


def logging_config(current: dict[str, Any], requested: dict[str, Any]) -> dict[str, Any]:
    """Advanced logging controls: the levels only apply to the JSON format (AWS refuses them with
    Text and drops stored ones when the format goes back to Text); JSON defaults both to INFO.
    https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html"""
    merged = {**current, **{key: value for key, value in requested.items() if value is not None}}
    if merged.get("LogFormat", "Text") == "Text":
        if any(requested.get(level) for level in LOG_LEVELS):
            raise InvalidParameterValueException(
                'LogLevel is not supported when LogFormat is set to "Text". Remove LogLevel from your '
                'request or change the LogFormat to "Json" and try again.'
            )
        for level in LOG_LEVELS:
            merged.pop(level, None)
        return merged
    for level in LOG_LEVELS:
        merged.setdefault(level, "INFO")
    return merged
