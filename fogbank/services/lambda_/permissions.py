"""Resource-based policies of functions: AddPermission / RemovePermission / GetPolicy, one policy
per qualifier (the function, a version or an alias) as AWS keeps them
(https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html)."""

from __future__ import annotations

import json
import re
from typing import Any

from fogbank.services.lambda_ import functions
from fogbank.services.lambda_.errors import (
    PolicyLengthExceededException,
    ResourceConflictException,
    ResourceNotFoundException,
)
from fogbank.services.lambda_.versions import check_revision

MAX_POLICY_BYTES = 20480
_ACCOUNT = re.compile(r"^\d{12}$")


def _principal(principal: str) -> Any:
    if principal == "*":
        return "*"
    if _ACCOUNT.match(principal):
        return {"AWS": f"arn:aws:iam::{principal}:root"}
    if principal.startswith("arn:"):
        return {"AWS": principal}
    return {"Service": principal}


def statement(resource: str, request: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {
        "Sid": request["StatementId"],
        "Effect": "Allow",
        "Principal": _principal(request["Principal"]),
        "Action": request["Action"],
        "Resource": resource,
    }
    condition: dict[str, dict[str, str]] = {}
    if request.get("SourceAccount"):
        condition.setdefault("StringEquals", {})["AWS:SourceAccount"] = request["SourceAccount"]
    if request.get("PrincipalOrgID"):
        condition.setdefault("StringEquals", {})["aws:PrincipalOrgID"] = request["PrincipalOrgID"]
    if request.get("EventSourceToken"):
        condition.setdefault("StringEquals", {})["lambda:EventSourceToken"] = request["EventSourceToken"]
    if request.get("FunctionUrlAuthType"):
        condition.setdefault("StringEquals", {})["lambda:FunctionUrlAuthType"] = request[
            "FunctionUrlAuthType"
        ]
    if request.get("InvokedViaFunctionUrl"):
        condition.setdefault("Bool", {})["lambda:InvokedViaFunctionUrl"] = "true"
    if request.get("SourceArn"):
        condition["ArnLike"] = {"AWS:SourceArn": request["SourceArn"]}
    if condition:
        found["Condition"] = condition
    return found


def add(
    account: str, region: str, record: dict[str, Any], name: str, request: dict[str, Any]
) -> dict[str, Any]:
    qualifier = request.get("Qualifier")
    _require_qualifier(account, region, record, name, qualifier)
    policies = record.setdefault("policies", {})
    policy = policies.get(qualifier or "") or {
        "Version": "2012-10-17",
        "Id": "default",
        "Statement": [],
        "RevisionId": "",
    }
    check_revision(
        request.get("RevisionId"), policy["RevisionId"] or record["versions"]["$LATEST"]["RevisionId"]
    )
    if any(existing["Sid"] == request["StatementId"] for existing in policy["Statement"]):
        raise ResourceConflictException(
            "The statement id (sid) provided already exists. Please choose a new statement id, or remove the existing statement."
        )
    added = statement(functions.function_arn(account, region, name, qualifier), request)
    policy["Statement"].append(added)
    size = len(json.dumps(document(policy)))
    if size > MAX_POLICY_BYTES:
        policy["Statement"].pop()
        raise PolicyLengthExceededException(
            f"The final policy size ({size}) is bigger than the limit ({MAX_POLICY_BYTES})."
        )
    policy["RevisionId"] = functions.new_revision()
    policies[qualifier or ""] = policy
    return added


def _require_qualifier(
    account: str, region: str, record: dict[str, Any], name: str, qualifier: str | None
) -> None:
    if qualifier and qualifier not in record["versions"] and qualifier not in record["aliases"]:
        raise ResourceNotFoundException(
            f"Function not found: {functions.function_arn(account, region, name, qualifier)}"
        )


def document(policy: dict[str, Any]) -> dict[str, Any]:
    return {"Version": policy["Version"], "Id": policy["Id"], "Statement": policy["Statement"]}


def get(
    account: str, region: str, record: dict[str, Any], name: str, qualifier: str | None
) -> dict[str, Any]:
    _require_qualifier(account, region, record, name, qualifier)
    policy = record.get("policies", {}).get(qualifier or "")
    if not policy or not policy["Statement"]:
        raise ResourceNotFoundException("The resource you requested does not exist.")
    return {"Policy": json.dumps(document(policy), separators=(",", ":")), "RevisionId": policy["RevisionId"]}


def remove(account: str, region: str, record: dict[str, Any], name: str, request: dict[str, Any]) -> None:
    qualifier = request.get("Qualifier")
    _require_qualifier(account, region, record, name, qualifier)
    policy = record.get("policies", {}).get(qualifier or "")
    if not policy:
        raise ResourceNotFoundException("No policy is associated with the given resource.")
    check_revision(request.get("RevisionId"), policy["RevisionId"])
    kept = [item for item in policy["Statement"] if item["Sid"] != request["StatementId"]]
    if len(kept) == len(policy["Statement"]):
        raise ResourceNotFoundException(
            f"Statement {request['StatementId']} is not found in resource policy."
        )
    policy["Statement"] = kept
    policy["RevisionId"] = functions.new_revision()
