"""Service-linked roles: roles that an AWS service creates for itself under
`/aws-service-role/<service>/`, named `AWSServiceRoleFor<Service>` (IAM User Guide, "Using
service-linked roles"). Deletion is a task in AWS; here it completes at once and its status reads
SUCCEEDED. Tasks live in ("iam", "slr-deletions", <account>).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from fogbank import state
from fogbank.context import RequestContext
from fogbank.services.iam import entities, roles
from fogbank.services.iam.entities import ROLE
from fogbank.services.iam.errors import InvalidInput, NoSuchEntity

PATH_PREFIX = "/aws-service-role/"
# Role name suffixes of services whose names are not simply their first label capitalized.
_KNOWN_NAMES = {
    "autoscaling.amazonaws.com": "AutoScaling",
    "ecs.amazonaws.com": "ECS",
    "elasticloadbalancing.amazonaws.com": "ElasticLoadBalancing",
    "rds.amazonaws.com": "RDS",
    "spot.amazonaws.com": "EC2Spot",
    "es.amazonaws.com": "AmazonElasticsearchService",
    "opensearchservice.amazonaws.com": "AmazonOpenSearchService",
    "elasticache.amazonaws.com": "ElastiCache",
    "eks.amazonaws.com": "AmazonEKS",
    "apigateway.amazonaws.com": "APIGateway",
    "dynamodb.application-autoscaling.amazonaws.com": "ApplicationAutoScaling_DynamoDBTable",
    "lambda.amazonaws.com": "Lambda",
    "events.amazonaws.com": "CloudWatchEvents",
    "organizations.amazonaws.com": "Organizations",
    "sso.amazonaws.com": "SSO",
}


def _tasks(ctx: RequestContext) -> state.Collection[dict[str, Any]]:
    return state.collection("iam", "slr-deletions", ctx.account)


def is_service_linked(record: dict[str, Any]) -> bool:
    return str(record["Path"]).startswith(PATH_PREFIX)


def create(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    service = request["AWSServiceName"]
    if not service.endswith(".amazonaws.com"):
        raise InvalidInput(f"Service name {service} is not a valid service principal.")
    name = "AWSServiceRoleFor" + _KNOWN_NAMES.get(service, service.split(".")[0].capitalize())
    if request.get("CustomSuffix"):
        name += "_" + request["CustomSuffix"]
    if entities.find(ctx, ROLE, name) is not None:
        raise InvalidInput(
            f"Service role name {name} has been taken in this account, please try a different suffix."
        )
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": [service]}, "Action": ["sts:AssumeRole"]}],
    }
    return roles.create(
        ctx,
        {
            "RoleName": name,
            "Path": f"{PATH_PREFIX}{service}/",
            "AssumeRolePolicyDocument": json.dumps(trust),
            "Description": request.get("Description"),
        },
    )


def delete(ctx: RequestContext, name: str) -> str:
    record = entities.require(ctx, ROLE, name)
    if not is_service_linked(record):
        raise InvalidInput(f"Role {record['RoleName']} is not a service-linked role.")
    service = record["Path"].removeprefix(PATH_PREFIX).strip("/")
    task_id = f"task/aws-service-role/{service}/{record['RoleName']}/{uuid.uuid4()}"
    with state.atomic():
        record["AttachedPolicies"], record["InlinePolicies"] = [], {}
        entities.save(ctx, ROLE, record)
        roles.delete(ctx, record["RoleName"], allow_service_linked=True)
        _tasks(ctx).put(task_id, {"Status": "SUCCEEDED"})
    return task_id


def deletion_status(ctx: RequestContext, task_id: str) -> dict[str, Any]:
    task = _tasks(ctx).get(task_id)
    if task is None:
        raise NoSuchEntity(f"Deletion task {task_id} cannot be found.")
    return {"Status": task["Status"]}
