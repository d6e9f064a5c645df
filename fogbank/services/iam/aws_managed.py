"""AWS managed policies (`arn:aws:iam::aws:policy/...`): the ones CDK, SAM, Serverless Framework
and common tutorials attach. They exist in every account, cannot be changed or deleted, and their
attachment counts are per account.

Documents follow the published policies (AWS Managed Policy Reference Guide). The broad read-only
and full-access policies are given with their service wildcards (`s3:*`, `*:Get*` ...) rather than
AWS's full action lists, which are thousands of lines long and change weekly.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

AWS_POLICY_ARN_PREFIX = "arn:aws:iam::aws:policy"
# AWS managed policies were created before any customer account; the reference guide shows these.
_CREATED = 1423526400.0  # 2015-02-10T00:00:00Z
_UPDATED = 1700000000.0


@dataclass(frozen=True, slots=True)
class AwsPolicy:
    name: str
    path: str
    description: str
    statements: tuple[dict[str, Any], ...]
    version_id: str = "v1"

    @property
    def arn(self) -> str:
        return f"{AWS_POLICY_ARN_PREFIX}{self.path}{self.name}"

    @property
    def policy_id(self) -> str:
        """A stable ANPA id (derived from the name, so it is the same in every account)."""
        digest = hashlib.sha256(self.name.encode()).digest()
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
        return "ANPA" + "".join(alphabet[byte % 32] for byte in digest[:17])

    @property
    def document(self) -> str:
        return json.dumps({"Version": "2012-10-17", "Statement": list(self.statements)}, indent=4)

    def record(self) -> dict[str, Any]:
        """The policy as a record shaped like a customer managed policy record."""
        return {
            "PolicyName": self.name,
            "PolicyId": self.policy_id,
            "Arn": self.arn,
            "Path": self.path,
            "DefaultVersionId": self.version_id,
            "Description": self.description,
            "CreateDate": _CREATED,
            "UpdateDate": _UPDATED,
            "Tags": [],
            "Versions": {self.version_id: {"Document": self.document, "CreateDate": _UPDATED}},
            "AwsManaged": True,
        }


def _allow(actions: list[str] | str, resource: list[str] | str = "*") -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resource}


_LOGS = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
_READ = ["*:Describe*", "*:Get*", "*:List*", "*:BatchGet*", "*:Query", "*:Scan", "*:Select*", "*:View*"]

_POLICIES = (
    AwsPolicy(
        "AdministratorAccess", "/", "Provides full access to AWS services and resources.", (_allow("*"),)
    ),
    AwsPolicy(
        "PowerUserAccess",
        "/",
        "Provides full access to AWS services and resources, but does not allow "
        "management of Users and groups.",
        (
            {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
            _allow(
                [
                    "iam:CreateServiceLinkedRole",
                    "iam:DeleteServiceLinkedRole",
                    "iam:ListRoles",
                    "organizations:DescribeOrganization",
                    "account:ListRegions",
                ]
            ),
        ),
        "v5",
    ),
    AwsPolicy(
        "ReadOnlyAccess", "/", "Provides read-only access to AWS services and resources.", (_allow(_READ),)
    ),
    AwsPolicy(
        "IAMFullAccess",
        "/",
        "Provides full access to IAM via the AWS Management Console.",
        (
            _allow(
                [
                    "iam:*",
                    "organizations:DescribeAccount",
                    "organizations:DescribeOrganization",
                    "organizations:DescribeOrganizationalUnit",
                    "organizations:DescribePolicy",
                    "organizations:ListChildren",
                    "organizations:ListParents",
                    "organizations:ListPoliciesForTarget",
                    "organizations:ListRoots",
                    "organizations:ListPolicies",
                    "organizations:ListTargetsForPolicy",
                ]
            ),
        ),
        "v2",
    ),
    AwsPolicy(
        "AmazonS3FullAccess",
        "/",
        "Provides full access to all buckets via the AWS Management Console.",
        (_allow(["s3:*", "s3-object-lambda:*"]),),
        "v2",
    ),
    AwsPolicy(
        "AmazonS3ReadOnlyAccess",
        "/",
        "Provides read only access to all buckets via the AWS Management Console.",
        (_allow(["s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*", "s3-object-lambda:List*"]),),
        "v3",
    ),
    AwsPolicy(
        "AmazonSQSFullAccess",
        "/",
        "Provides full access to Amazon SQS via the AWS Management Console.",
        (_allow(["sqs:*"]),),
    ),
    AwsPolicy(
        "AmazonSNSFullAccess",
        "/",
        "Provides full access to Amazon SNS via the AWS Management Console.",
        (_allow(["sns:*"]),),
    ),
    AwsPolicy(
        "AmazonDynamoDBFullAccess",
        "/",
        "Provides full access to Amazon DynamoDB via the AWS Management Console.",
        (
            _allow(
                [
                    "dynamodb:*",
                    "dax:*",
                    "application-autoscaling:*",
                    "cloudwatch:*",
                    "iam:GetRole",
                    "iam:ListRoles",
                    "kms:DescribeKey",
                    "kms:ListAliases",
                    "lambda:*",
                    "sns:*",
                ]
            ),
        ),
    ),
    AwsPolicy(
        "AmazonDynamoDBReadOnlyAccess",
        "/",
        "Provides read only access to Amazon DynamoDB via the AWS Management Console.",
        (
            _allow(
                [
                    "dynamodb:BatchGetItem",
                    "dynamodb:Describe*",
                    "dynamodb:List*",
                    "dynamodb:GetItem",
                    "dynamodb:Query",
                    "dynamodb:Scan",
                    "dynamodb:PartiQLSelect",
                ]
            ),
        ),
    ),
    AwsPolicy(
        "CloudWatchLogsFullAccess", "/", "Provides full access to CloudWatch Logs", (_allow(["logs:*"]),)
    ),
    AwsPolicy(
        "AWSLambda_FullAccess",
        "/",
        "Grants full access to AWS Lambda service, AWS Lambda console "
        "features, and other related AWS services.",
        (_allow(["lambda:*", "logs:*", "iam:PassRole"]),),
    ),
    AwsPolicy(
        "AWSStepFunctionsFullAccess",
        "/",
        "An access policy for providing a user/role/etc access to the AWS StepFunctions API.",
        (_allow("states:*"),),
    ),
    AwsPolicy(
        "SecretsManagerReadWrite",
        "/",
        "Provides read/write access to AWS Secrets Manager via the AWS Management Console.",
        (_allow(["secretsmanager:*", "kms:DescribeKey", "kms:ListAliases", "kms:ListKeys"]),),
    ),
    AwsPolicy(
        "AmazonSSMReadOnlyAccess",
        "/",
        "Provides read only access to Amazon SSM.",
        (_allow(["ssm:Describe*", "ssm:Get*", "ssm:List*"]),),
    ),
    AwsPolicy(
        "AWSLambdaBasicExecutionRole",
        "/service-role/",
        "Provides write permissions to CloudWatch Logs.",
        (_allow(_LOGS),),
    ),
    AwsPolicy(
        "AWSLambdaVPCAccessExecutionRole",
        "/service-role/",
        "Provides minimum permissions for a Lambda "
        "function to execute while accessing a resource within a VPC - create, describe, delete network "
        "interfaces and write permissions to CloudWatch Logs.",
        (
            _allow(
                [
                    *_LOGS,
                    "ec2:CreateNetworkInterface",
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeSubnets",
                    "ec2:DeleteNetworkInterface",
                    "ec2:AssignPrivateIpAddresses",
                    "ec2:UnassignPrivateIpAddresses",
                ]
            ),
        ),
        "v3",
    ),
    AwsPolicy(
        "AWSLambdaSQSQueueExecutionRole",
        "/service-role/",
        "Provides receive message, delete message, "
        "and read attribute access to SQS queues, and write permissions to CloudWatch logs.",
        (_allow(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", *_LOGS]),),
    ),
    AwsPolicy(
        "AWSLambdaKinesisExecutionRole",
        "/service-role/",
        "Provides list and read access to Kinesis streams and write permissions to CloudWatch logs.",
        (
            _allow(
                [
                    "kinesis:DescribeStream",
                    "kinesis:DescribeStreamSummary",
                    "kinesis:GetRecords",
                    "kinesis:GetShardIterator",
                    "kinesis:ListShards",
                    "kinesis:ListStreams",
                    "kinesis:SubscribeToShard",
                    *_LOGS,
                ]
            ),
        ),
    ),
    AwsPolicy(
        "AWSLambdaDynamoDBExecutionRole",
        "/service-role/",
        "Provides list and read access to DynamoDB streams and write permissions to CloudWatch logs.",
        (
            _allow(
                [
                    "dynamodb:DescribeStream",
                    "dynamodb:GetRecords",
                    "dynamodb:GetShardIterator",
                    "dynamodb:ListStreams",
                    *_LOGS,
                ]
            ),
        ),
    ),
    AwsPolicy(
        "AWSLambdaRole",
        "/service-role/",
        "Default policy for AWS Lambda service role.",
        (_allow(["lambda:InvokeFunction"]),),
        "v2",
    ),
    AwsPolicy(
        "AWSXRayDaemonWriteAccess",
        "/",
        "Allow the AWS X-Ray Daemon to relay raw trace segments data to "
        "the service's API and retrieve sampling data (rules, targets, etc.) to be used by the X-Ray SDK.",
        (
            _allow(
                [
                    "xray:PutTraceSegments",
                    "xray:PutTelemetryRecords",
                    "xray:GetSamplingRules",
                    "xray:GetSamplingTargets",
                    "xray:GetSamplingStatisticSummaries",
                ]
            ),
        ),
    ),
    AwsPolicy(
        "AmazonAPIGatewayPushToCloudWatchLogs",
        "/service-role/",
        "Allows API Gateway to push logs to user's account.",
        (
            _allow(
                [
                    "logs:CreateLogGroup",
                    "logs:CreateLogStream",
                    "logs:DescribeLogGroups",
                    "logs:DescribeLogStreams",
                    "logs:PutLogEvents",
                    "logs:GetLogEvents",
                    "logs:FilterLogEvents",
                ]
            ),
        ),
    ),
    AwsPolicy(
        "AmazonEventBridgeFullAccess",
        "/",
        "Provides full access to Amazon EventBridge.",
        (_allow(["events:*", "schemas:*", "scheduler:*", "pipes:*"]),),
    ),
    AwsPolicy(
        "AWSCloudFormationFullAccess",
        "/",
        "Provides full access to AWS CloudFormation.",
        (_allow(["cloudformation:*"]),),
    ),
    AwsPolicy(
        "CloudWatchFullAccess",
        "/",
        "Provides full access to CloudWatch.",
        (
            _allow(
                [
                    "autoscaling:Describe*",
                    "cloudwatch:*",
                    "logs:*",
                    "sns:*",
                    "iam:GetPolicy",
                    "iam:GetPolicyVersion",
                    "iam:GetRole",
                ]
            ),
        ),
    ),
    AwsPolicy(
        "AmazonKinesisFullAccess",
        "/",
        "Provides full access to all streams via the AWS Management Console.",
        (_allow(["kinesis:*"]),),
    ),
)


@cache
def _by_arn() -> dict[str, AwsPolicy]:
    return {policy.arn: policy for policy in _POLICIES}


def is_aws_policy_arn(arn: str) -> bool:
    return arn.startswith(AWS_POLICY_ARN_PREFIX + "/")


def find(arn: str) -> AwsPolicy | None:
    return _by_arn().get(arn)


def all_policies() -> tuple[AwsPolicy, ...]:
    return _POLICIES
