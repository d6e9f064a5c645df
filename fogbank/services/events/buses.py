"""Event buses: the default bus (created on first use, as in every AWS account), custom buses,
names given as names or ARNs, and resource policies built by PutPermission
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-perms.html)."""

from __future__ import annotations

import json
from typing import Any

from fogbank import clock, state
from fogbank.services.events.errors import (
    PolicyLengthExceededException,
    ResourceNotFoundException,
    ValidationException,
    bus_not_found,
)

DEFAULT = "default"
MAX_POLICY_LENGTH = 10240


def collection(account: str, region: str) -> state.Collection[dict[str, Any]]:
    return state.collection("events", "buses", account, region)


def arn(account: str, region: str, name: str) -> str:
    return f"arn:aws:events:{region}:{account}:event-bus/{name}"


def name_of(name_or_arn: str | None) -> str:
    """A bus name from `EventBusName` (a name or an ARN; default when absent)."""
    if not name_or_arn:
        return DEFAULT
    if name_or_arn.startswith("arn:"):
        resource = name_or_arn.split(":", 5)[-1]
        if not resource.startswith("event-bus/"):
            raise ValidationException(
                f"Parameter {name_or_arn} is not valid. Reason: Provided Arn is not in correct format."
            )
        return resource.split("/", 1)[1]
    return name_or_arn


def locate(name_or_arn: str | None, account: str, region: str) -> tuple[str, str, str]:
    """(account, region, name) of a bus named by name or ARN (an ARN may point to another account)."""
    if name_or_arn and name_or_arn.startswith("arn:"):
        parts = name_or_arn.split(":", 5)
        return parts[4], parts[3], name_of(name_or_arn)
    return account, region, name_of(name_or_arn)


def refuse_unsupported(request: dict[str, Any]) -> None:
    """Customer managed KMS keys and bus logging are not emulated: refused, never ignored."""
    for member in ("KmsKeyIdentifier", "LogConfig"):
        if request.get(member):
            raise ValidationException(f"{member} is not supported by fogbank yet.")


def new_bus(account: str, region: str, name: str, request: dict[str, Any]) -> dict[str, Any]:
    now = clock.now()
    return {
        "Name": name,
        "Arn": arn(account, region, name),
        "Description": request.get("Description"),
        "KmsKeyIdentifier": request.get("KmsKeyIdentifier"),
        "DeadLetterConfig": request.get("DeadLetterConfig"),
        "Policy": None,
        "CreationTime": now,
        "LastModifiedTime": now,
        "Tags": {tag["Key"]: tag["Value"] for tag in request.get("Tags") or []},
    }


def get(account: str, region: str, name: str) -> dict[str, Any] | None:
    """A bus record; the default bus always exists."""
    store = collection(account, region)
    found = store.get(name)
    if found is None and name == DEFAULT:
        found = new_bus(account, region, DEFAULT, {})
        store.put(DEFAULT, found)
    return found


def require(account: str, region: str, name: str) -> dict[str, Any]:
    found = get(account, region, name)
    if found is None:
        raise bus_not_found(name)
    return found


def describe(bus: dict[str, Any], *, listing: bool = False) -> dict[str, Any]:
    fields = ["Name", "Arn", "Description", "Policy", "CreationTime", "LastModifiedTime"]
    if not listing:
        fields += ["KmsKeyIdentifier", "DeadLetterConfig"]
    out = {key: bus[key] for key in fields if bus.get(key) is not None}
    if bus.get("Policy"):
        out["Policy"] = json.dumps(bus["Policy"], separators=(",", ":"))
    return out


# -- permissions --------------------------------------------------------------------------------


def put_permission(bus: dict[str, Any], request: dict[str, Any]) -> None:
    if request.get("Policy"):
        try:
            policy = json.loads(request["Policy"])
        except ValueError:
            raise ValidationException("Policy is not valid JSON.") from None
        if len(request["Policy"]) > MAX_POLICY_LENGTH:
            raise PolicyLengthExceededException("Policy length exceeded.")
        bus["Policy"] = policy
        return
    for member in ("Action", "Principal", "StatementId"):
        if not request.get(member):
            raise ValidationException(f"Parameter {member} must be specified.")
    if request["Action"] != "events:PutEvents":
        raise ValidationException("Provided value in parameter 'action' is not supported.")
    statement = _statement(bus, request)
    policy = bus.get("Policy") or {"Version": "2012-10-17", "Statement": []}
    policy["Statement"] = [s for s in policy["Statement"] if s.get("Sid") != statement["Sid"]] + [statement]
    bus["Policy"] = policy


def _statement(bus: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    principal = request["Principal"]
    if principal != "*" and not (principal.isdigit() and len(principal) == 12):
        raise ValidationException("Provided value in parameter 'principal' is not supported.")
    condition = request.get("Condition")
    statement: dict[str, Any] = {
        "Sid": request["StatementId"],
        "Effect": "Allow",
        "Principal": "*" if principal == "*" else {"AWS": f"arn:aws:iam::{principal}:root"},
        "Action": "events:PutEvents",
        "Resource": bus["Arn"],
    }
    if condition:
        statement["Condition"] = {"StringEquals": {condition["Key"]: condition["Value"]}}
    return statement


def remove_permission(bus: dict[str, Any], request: dict[str, Any]) -> None:
    policy = bus.get("Policy")
    if request.get("RemoveAllPermissions"):
        bus["Policy"] = None
        return
    sid = request.get("StatementId")
    if not sid:
        raise ValidationException("Parameter StatementId must be specified.")
    statements = (policy or {}).get("Statement") or []
    if not any(s.get("Sid") == sid for s in statements):
        raise ResourceNotFoundException("Statement with the provided id does not exist.")
    remaining = [s for s in statements if s.get("Sid") != sid]
    bus["Policy"] = {**policy, "Statement": remaining} if remaining else None  # type: ignore[dict-item]


def allows(bus: dict[str, Any], caller_account: str, bus_account: str) -> bool:
    """Whether a caller may put events on the bus: its own account always may; another account
    needs an Allow statement naming it (or `*`). Conditions other than aws:PrincipalOrgID-free
    statements are not evaluated, so a conditional statement does not grant access."""
    if caller_account == bus_account:
        return True
    for statement in (bus.get("Policy") or {}).get("Statement") or []:
        if statement.get("Effect") != "Allow" or statement.get("Condition"):
            continue
        actions = statement.get("Action")
        actions = actions if isinstance(actions, list) else [actions]
        if not {"events:PutEvents", "events:*", "*"} & set(actions):
            continue
        if _names(statement.get("Principal"), caller_account):
            return True
    return False


def _names(principal: Any, account: str) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        values = principal.get("AWS")
        values = values if isinstance(values, list) else [values]
        return any(value in ("*", account, f"arn:aws:iam::{account}:root") for value in values)
    return False
