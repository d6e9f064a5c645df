"""Bucket configuration sub-resources over boto3 and the AWS CLI: tagging, CORS, policy, ACLs,
encryption, website, Block Public Access, Object Ownership, accelerate, logging, request payment."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def s3(client_factory: Callable[..., Any]) -> Any:
    return client_factory("s3")


@pytest.fixture
def bucket(s3: Any, unique_name: Callable[[str], str]) -> str:
    name = unique_name("cfg")
    s3.create_bucket(Bucket=name)
    return name


def error_of(call: Callable[..., Any], **kwargs: Any) -> tuple[str, str, int, dict[str, Any]]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    response = caught.value.response
    error = response["Error"]
    return error["Code"], error.get("Message", ""), response["ResponseMetadata"]["HTTPStatusCode"], error


def public_policy(bucket: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "PublicRead",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{bucket}/*",
                }
            ],
        }
    )


# -- tagging ----------------------------------------------------------------------------------------


def test_put_bucket_tagging_valid_tags_are_returned(s3: Any, bucket: str) -> None:
    tags = [{"Key": "env", "Value": "test"}, {"Key": "team", "Value": "a b:c/d=e+f-g@h_i."}]
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags})
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == tags


def test_get_bucket_tagging_none_set_fails_no_such_tag_set(s3: Any, bucket: str) -> None:
    code, message, status, error = error_of(s3.get_bucket_tagging, Bucket=bucket)
    assert (code, message, status, error["BucketName"]) == (
        "NoSuchTagSet",
        "The TagSet does not exist",
        404,
        bucket,
    )


def test_delete_bucket_tagging_after_put_removes_tags(s3: Any, bucket: str) -> None:
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})
    assert s3.delete_bucket_tagging(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert error_of(s3.get_bucket_tagging, Bucket=bucket)[0] == "NoSuchTagSet"


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        (
            [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}],
            "Cannot provide multiple Tags with the same key",
        ),
        ([{"Key": "k" * 129, "Value": "v"}], "The TagKey you have provided is invalid"),
        ([{"Key": "k", "Value": "v" * 257}], "The TagValue you have provided is invalid"),
        ([{"Key": "aws:cloudformation", "Value": "v"}], "System tags cannot be added/updated by requester"),
        ([{"Key": f"k{n}", "Value": "v"} for n in range(51)], "Bucket tags cannot be greater than 50"),
    ],
)
def test_put_bucket_tagging_invalid_tags_fails_invalid_tag(
    s3: Any, bucket: str, tags: list[dict[str, str]], message: str
) -> None:
    code, text, status, _ = error_of(s3.put_bucket_tagging, Bucket=bucket, Tagging={"TagSet": tags})
    assert (code, text, status) == ("InvalidTag", message, 400)


def test_put_bucket_tagging_fifty_tags_succeeds(s3: Any, bucket: str) -> None:
    tags = [{"Key": f"k{n}", "Value": "v"} for n in range(50)]
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tags})
    assert len(s3.get_bucket_tagging(Bucket=bucket)["TagSet"]) == 50


def test_put_bucket_tagging_missing_bucket_fails_no_such_bucket(
    s3: Any, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("missing")
    code, message, status, error = error_of(
        s3.put_bucket_tagging, Bucket=name, Tagging={"TagSet": [{"Key": "a", "Value": "b"}]}
    )
    assert (code, message, status, error["BucketName"]) == (
        "NoSuchBucket",
        "The specified bucket does not exist",
        404,
        name,
    )


def test_get_bucket_tagging_bucket_recreated_forgets_old_tags(s3: Any, bucket: str) -> None:
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})
    s3.delete_bucket(Bucket=bucket)
    s3.create_bucket(Bucket=bucket)
    assert error_of(s3.get_bucket_tagging, Bucket=bucket)[0] == "NoSuchTagSet"


# -- CORS -------------------------------------------------------------------------------------------


def test_put_bucket_cors_rules_are_returned(s3: Any, bucket: str) -> None:
    rules = [
        {
            "ID": "browser",
            "AllowedHeaders": ["*"],
            "AllowedMethods": ["GET", "PUT"],
            "AllowedOrigins": ["https://example.com"],
            "ExposeHeaders": ["ETag"],
            "MaxAgeSeconds": 3000,
        }
    ]
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"] == rules


def test_get_bucket_cors_none_set_fails_no_such_cors_configuration(s3: Any, bucket: str) -> None:
    code, message, status, _ = error_of(s3.get_bucket_cors, Bucket=bucket)
    assert (code, message, status) == (
        "NoSuchCORSConfiguration",
        "The CORS configuration does not exist",
        404,
    )


def test_delete_bucket_cors_after_put_removes_rules(s3: Any, bucket: str) -> None:
    s3.put_bucket_cors(
        Bucket=bucket, CORSConfiguration={"CORSRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}]}
    )
    s3.delete_bucket_cors(Bucket=bucket)
    assert error_of(s3.get_bucket_cors, Bucket=bucket)[0] == "NoSuchCORSConfiguration"


def test_put_bucket_cors_unsupported_method_fails_invalid_request(s3: Any, bucket: str) -> None:
    rules = [{"AllowedMethods": ["PATCH"], "AllowedOrigins": ["*"]}]
    code, message, status, _ = error_of(
        s3.put_bucket_cors, Bucket=bucket, CORSConfiguration={"CORSRules": rules}
    )
    assert (code, message, status) == (
        "InvalidRequest",
        "Found unsupported HTTP method in CORS config. Unsupported method is PATCH",
        400,
    )


def test_put_bucket_cors_two_wildcards_in_origin_fails_invalid_request(s3: Any, bucket: str) -> None:
    rules = [{"AllowedMethods": ["GET"], "AllowedOrigins": ["https://*.example.*"]}]
    code, message, status, _ = error_of(
        s3.put_bucket_cors, Bucket=bucket, CORSConfiguration={"CORSRules": rules}
    )
    assert (code, message, status) == (
        "InvalidRequest",
        'AllowedOrigin "https://*.example.*" can not have more than one wildcard.',
        400,
    )


# -- policy -----------------------------------------------------------------------------------------


def test_put_bucket_policy_private_policy_is_returned_verbatim(s3: Any, bucket: str) -> None:
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::000000000000:root"},
                    "Action": ["s3:GetObject", "s3:PutObject"],
                    "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                }
            ],
        },
        indent=2,
    )
    s3.put_bucket_policy(Bucket=bucket, Policy=policy)
    assert s3.get_bucket_policy(Bucket=bucket)["Policy"] == policy
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"] == {"IsPublic": False}


def test_put_bucket_policy_public_with_block_public_access_fails_access_denied(s3: Any, bucket: str) -> None:
    code, message, status, _ = error_of(s3.put_bucket_policy, Bucket=bucket, Policy=public_policy(bucket))
    assert (code, status) == ("AccessDenied", 403)
    assert (
        "because public policies are blocked by the BlockPublicPolicy block public access setting" in message
    )


def test_put_bucket_policy_public_after_deleting_block_is_public(s3: Any, bucket: str) -> None:
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=public_policy(bucket))
    assert s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"] == {"IsPublic": True}


def test_get_bucket_policy_none_set_fails_no_such_bucket_policy(s3: Any, bucket: str) -> None:
    code, message, status, _ = error_of(s3.get_bucket_policy, Bucket=bucket)
    assert (code, message, status) == ("NoSuchBucketPolicy", "The bucket policy does not exist", 404)


def test_delete_bucket_policy_after_put_removes_policy(s3: Any, bucket: str) -> None:
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=public_policy(bucket))
    assert s3.delete_bucket_policy(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert error_of(s3.get_bucket_policy, Bucket=bucket)[0] == "NoSuchBucketPolicy"


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ("not json", "Policies must be valid JSON and the first byte must be '{'"),
        ('{"Statement": [', "Policies must be valid JSON and the first byte must be '{'"),
        (
            '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::BUCKET/*"}]}',
            "Missing required field Principal",
        ),
        (
            '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",'
            ' "Resource": "arn:aws:s3:::some-other-bucket/*"}]}',
            "Policy has invalid resource",
        ),
        (
            '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage",'
            ' "Resource": "arn:aws:s3:::BUCKET/*"}]}',
            "Policy has invalid action",
        ),
        (
            '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "not-an-account"}, "Action": "s3:GetObject",'
            ' "Resource": "arn:aws:s3:::BUCKET/*"}]}',
            "Invalid principal in policy",
        ),
    ],
)
def test_put_bucket_policy_malformed_fails_malformed_policy(
    s3: Any, bucket: str, policy: str, message: str
) -> None:
    code, text, status, _ = error_of(
        s3.put_bucket_policy, Bucket=bucket, Policy=policy.replace("BUCKET", bucket)
    )
    assert (code, text, status) == ("MalformedPolicy", message, 400)


def test_put_bucket_policy_through_cli_is_stored(aws_cli: Callable[..., Any], s3: Any, bucket: str) -> None:
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:DeleteObject",
                    "Resource": f"arn:aws:s3:::{bucket}/*",
                }
            ],
        }
    )
    assert aws_cli("s3api", "put-bucket-policy", "--bucket", bucket, "--policy", policy) is None
    assert json.loads(aws_cli("s3api", "get-bucket-policy", "--bucket", bucket)["Policy"]) == json.loads(
        policy
    )
    failed = aws_cli("s3api", "put-bucket-policy", "--bucket", bucket, "--policy", "nope", check=False)
    assert failed.returncode != 0
    assert "MalformedPolicy" in failed.stderr


# -- ACLs -------------------------------------------------------------------------------------------


def test_get_bucket_acl_new_bucket_owner_has_full_control(s3: Any, bucket: str) -> None:
    response = s3.get_bucket_acl(Bucket=bucket)
    owner = response["Owner"]
    assert len(owner["ID"]) == 64
    assert response["Grants"] == [
        {"Grantee": {"ID": owner["ID"], "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"}
    ]
    assert owner == s3.list_buckets()["Owner"]


def test_put_bucket_acl_public_read_with_owner_enforced_fails_acl_not_supported(s3: Any, bucket: str) -> None:
    code, message, status, _ = error_of(s3.put_bucket_acl, Bucket=bucket, ACL="public-read")
    assert (code, message, status) == ("AccessControlListNotSupported", "The bucket does not allow ACLs", 400)


def test_put_bucket_acl_public_read_with_acls_enabled_grants_all_users(s3: Any, bucket: str) -> None:
    s3.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]}
    )
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
    grants = s3.get_bucket_acl(Bucket=bucket)["Grants"]
    assert grants[1] == {
        "Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
        "Permission": "READ",
    }
    assert len(grants) == 2


def test_put_bucket_acl_public_with_block_public_acls_fails_access_denied(s3: Any, bucket: str) -> None:
    s3.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]}
    )
    code, _, status, _ = error_of(s3.put_bucket_acl, Bucket=bucket, ACL="public-read-write")
    assert (code, status) == ("AccessDenied", 403)


def test_put_bucket_acl_grant_headers_are_returned(s3: Any, bucket: str) -> None:
    s3.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]}
    )
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={})
    other = "a" * 64
    s3.put_bucket_acl(
        Bucket=bucket,
        GrantRead=f'id="{other}", uri="http://acs.amazonaws.com/groups/s3/LogDelivery"',
        GrantWriteACP=f'id="{other}"',
    )
    assert s3.get_bucket_acl(Bucket=bucket)["Grants"] == [
        {"Grantee": {"ID": other, "Type": "CanonicalUser"}, "Permission": "READ"},
        {
            "Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/s3/LogDelivery"},
            "Permission": "READ",
        },
        {"Grantee": {"ID": other, "Type": "CanonicalUser"}, "Permission": "WRITE_ACP"},
    ]


def test_put_bucket_acl_canned_and_grant_headers_fails_invalid_request(s3: Any, bucket: str) -> None:
    code, message, status, _ = error_of(s3.put_bucket_acl, Bucket=bucket, ACL="private", GrantRead='id="abc"')
    assert (code, message, status) == (
        "InvalidRequest",
        "Specifying both Canned ACLs and Header Grants is not allowed",
        400,
    )


def test_put_bucket_acl_private_policy_document_is_accepted(s3: Any, bucket: str) -> None:
    owner = s3.get_bucket_acl(Bucket=bucket)["Owner"]
    policy = {
        "Owner": owner,
        "Grants": [{"Grantee": {"ID": owner["ID"], "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"}],
    }
    s3.put_bucket_acl(Bucket=bucket, AccessControlPolicy=policy)
    assert s3.get_bucket_acl(Bucket=bucket)["Grants"] == policy["Grants"]


def test_put_object_acl_public_read_is_returned(s3: Any, bucket: str) -> None:
    s3.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]}
    )
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="doc.txt", Body=b"x")
    s3.put_object_acl(Bucket=bucket, Key="doc.txt", ACL="public-read")
    grants = s3.get_object_acl(Bucket=bucket, Key="doc.txt")["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL", "READ"]
    # A new write of the object replaces its ACL.
    s3.put_object(Bucket=bucket, Key="doc.txt", Body=b"y")
    assert [g["Permission"] for g in s3.get_object_acl(Bucket=bucket, Key="doc.txt")["Grants"]] == [
        "FULL_CONTROL"
    ]


def test_get_object_acl_missing_key_fails_no_such_key(s3: Any, bucket: str) -> None:
    code, message, status, error = error_of(s3.get_object_acl, Bucket=bucket, Key="nope")
    assert (code, message, status, error["Key"]) == (
        "NoSuchKey",
        "The specified key does not exist.",
        404,
        "nope",
    )


# -- encryption -------------------------------------------------------------------------------------


def test_get_bucket_encryption_new_bucket_is_sse_s3(s3: Any, bucket: str) -> None:
    assert s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"] == {
        "Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}
        ]
    }


def test_put_bucket_encryption_kms_is_returned_and_delete_restores_default(s3: Any, bucket: str) -> None:
    configuration = {
        "Rules": [
            {
                "ApplyServerSideEncryptionByDefault": {
                    "SSEAlgorithm": "aws:kms",
                    "KMSMasterKeyID": "alias/my-key",
                },
                "BucketKeyEnabled": True,
            }
        ]
    }
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=configuration)
    assert s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"] == configuration
    s3.delete_bucket_encryption(Bucket=bucket)
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}


def test_put_bucket_encryption_key_with_aes256_fails_invalid_argument(s3: Any, bucket: str) -> None:
    configuration = {
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256", "KMSMasterKeyID": "k"}}]
    }
    code, message, status, _ = error_of(
        s3.put_bucket_encryption, Bucket=bucket, ServerSideEncryptionConfiguration=configuration
    )
    assert (code, status) == ("InvalidArgument", 400)
    assert (
        message
        == "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse"
    )


# -- website ----------------------------------------------------------------------------------------


def test_put_bucket_website_configuration_is_returned(s3: Any, bucket: str) -> None:
    configuration = {
        "IndexDocument": {"Suffix": "index.html"},
        "ErrorDocument": {"Key": "error.html"},
        "RoutingRules": [
            {
                "Condition": {"KeyPrefixEquals": "docs/"},
                "Redirect": {"ReplaceKeyPrefixWith": "documents/", "HttpRedirectCode": "302"},
            }
        ],
    }
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration=configuration)
    response = s3.get_bucket_website(Bucket=bucket)
    assert {k: v for k, v in response.items() if k != "ResponseMetadata"} == configuration


def test_get_bucket_website_none_set_fails_no_such_website_configuration(s3: Any, bucket: str) -> None:
    code, message, status, _ = error_of(s3.get_bucket_website, Bucket=bucket)
    assert (code, message, status) == (
        "NoSuchWebsiteConfiguration",
        "The specified bucket does not have a website configuration",
        404,
    )


def test_put_bucket_website_without_index_fails_invalid_argument(s3: Any, bucket: str) -> None:
    code, message, status, _ = error_of(
        s3.put_bucket_website, Bucket=bucket, WebsiteConfiguration={"ErrorDocument": {"Key": "e.html"}}
    )
    assert (code, message, status) == (
        "InvalidArgument",
        "A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty",
        400,
    )


def test_put_bucket_website_redirect_all_with_index_fails_invalid_request(s3: Any, bucket: str) -> None:
    configuration = {
        "RedirectAllRequestsTo": {"HostName": "example.com"},
        "IndexDocument": {"Suffix": "i.html"},
    }
    code, message, status, _ = error_of(
        s3.put_bucket_website, Bucket=bucket, WebsiteConfiguration=configuration
    )
    assert (code, message, status) == (
        "InvalidRequest",
        "RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.",
        400,
    )


def test_delete_bucket_website_after_put_removes_configuration(s3: Any, bucket: str) -> None:
    s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}})
    s3.delete_bucket_website(Bucket=bucket)
    assert error_of(s3.get_bucket_website, Bucket=bucket)[0] == "NoSuchWebsiteConfiguration"


def test_s3_website_cli_sets_configuration(aws_cli: Callable[..., Any], s3: Any, bucket: str) -> None:
    aws_cli(
        "s3", "website", f"s3://{bucket}", "--index-document", "index.html", "--error-document", "404.html"
    )
    response = s3.get_bucket_website(Bucket=bucket)
    assert response["IndexDocument"] == {"Suffix": "index.html"}
    assert response["ErrorDocument"] == {"Key": "404.html"}


# -- Block Public Access, Object Ownership ----------------------------------------------------------


def test_get_public_access_block_new_bucket_blocks_everything(s3: Any, bucket: str) -> None:
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }


def test_put_public_access_block_partial_leaves_others_false(s3: Any, bucket: str) -> None:
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={"BlockPublicAcls": True})
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": False,
        "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False,
    }


def test_get_public_access_block_after_delete_fails_not_found(s3: Any, bucket: str) -> None:
    s3.delete_public_access_block(Bucket=bucket)
    code, message, status, _ = error_of(s3.get_public_access_block, Bucket=bucket)
    assert (code, message, status) == (
        "NoSuchPublicAccessBlockConfiguration",
        "The public access block configuration was not found",
        404,
    )


def test_get_bucket_ownership_controls_new_bucket_is_owner_enforced(s3: Any, bucket: str) -> None:
    assert s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"] == {
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]
    }


def test_delete_bucket_ownership_controls_then_get_fails_not_found(s3: Any, bucket: str) -> None:
    s3.delete_bucket_ownership_controls(Bucket=bucket)
    code, message, status, _ = error_of(s3.get_bucket_ownership_controls, Bucket=bucket)
    assert (code, message, status) == (
        "OwnershipControlsNotFoundError",
        "The bucket ownership controls were not found",
        404,
    )


# -- accelerate, logging, request payment -----------------------------------------------------------


def test_put_bucket_accelerate_configuration_status_is_returned(s3: Any, bucket: str) -> None:
    assert "Status" not in s3.get_bucket_accelerate_configuration(Bucket=bucket)
    s3.put_bucket_accelerate_configuration(Bucket=bucket, AccelerateConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_accelerate_configuration(Bucket=bucket)["Status"] == "Enabled"


def test_put_bucket_accelerate_configuration_dotted_name_fails_invalid_request(
    s3: Any, unique_name: Callable[[str], str]
) -> None:
    name = unique_name("dot") + ".example"
    s3.create_bucket(Bucket=name)
    code, message, status, _ = error_of(
        s3.put_bucket_accelerate_configuration, Bucket=name, AccelerateConfiguration={"Status": "Enabled"}
    )
    assert (code, status) == ("InvalidRequest", 400)
    assert message == "S3 Transfer Acceleration is not supported for buckets with periods (.) in their names"


def test_put_bucket_logging_enabled_fails_not_implemented(s3: Any, bucket: str) -> None:
    status_document = {"LoggingEnabled": {"TargetBucket": bucket, "TargetPrefix": "logs/"}}
    code, message, status, _ = error_of(
        s3.put_bucket_logging, Bucket=bucket, BucketLoggingStatus=status_document
    )
    assert (code, status) == ("NotImplemented", 501)
    assert "server access logs" in message
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)


def test_put_bucket_logging_missing_target_fails_invalid_target_bucket(s3: Any, bucket: str) -> None:
    status_document = {"LoggingEnabled": {"TargetBucket": bucket + "-nope", "TargetPrefix": "logs/"}}
    code, message, status, _ = error_of(
        s3.put_bucket_logging, Bucket=bucket, BucketLoggingStatus=status_document
    )
    assert (code, message, status) == (
        "InvalidTargetBucketForLogging",
        "The target bucket for logging does not exist",
        400,
    )


def test_put_bucket_request_payment_requester_is_returned(s3: Any, bucket: str) -> None:
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "BucketOwner"
    s3.put_bucket_request_payment(Bucket=bucket, RequestPaymentConfiguration={"Payer": "Requester"})
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "Requester"


def test_cli_put_bucket_tagging_failure_reports_error(aws_cli: Callable[..., Any], bucket: str) -> None:
    with pytest.raises(subprocess.CalledProcessError) as caught:
        aws_cli("s3api", "get-bucket-tagging", "--bucket", bucket)
    assert "NoSuchTagSet" in caught.value.stderr


def test_put_bucket_acl_without_acl_or_grants_fails_missing_security_header(s3: Any, bucket: str) -> None:
    code, message, status, error = error_of(s3.put_bucket_acl, Bucket=bucket)
    assert (code, message, status) == (
        "MissingSecurityHeader",
        "Your request was missing a required header",
        400,
    )
    assert error["MissingHeaderName"] == "x-amz-acl"


def test_get_bucket_tagging_other_expected_owner_fails_access_denied(s3: Any, bucket: str) -> None:
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})
    code, message, status, _ = error_of(
        s3.get_bucket_tagging, Bucket=bucket, ExpectedBucketOwner="111122223333"
    )
    assert (code, message, status) == ("AccessDenied", "Access Denied", 403)
    assert s3.get_bucket_tagging(Bucket=bucket, ExpectedBucketOwner="000000000000")["TagSet"] == [
        {"Key": "a", "Value": "b"}
    ]


@pytest.mark.parametrize(
    ("operation", "arguments"),
    [
        ("put_bucket_accelerate_configuration", {"AccelerateConfiguration": {"Status": "Fast"}}),
        ("put_bucket_request_payment", {"RequestPaymentConfiguration": {"Payer": "Nobody"}}),
        ("put_bucket_ownership_controls", {"OwnershipControls": {"Rules": [{"ObjectOwnership": "Mine"}]}}),
        (
            "put_bucket_encryption",
            {
                "ServerSideEncryptionConfiguration": {
                    "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "rot13"}}]
                }
            },
        ),
    ],
)
def test_put_configuration_unknown_enum_value_fails_malformed_xml(
    s3: Any, bucket: str, operation: str, arguments: dict[str, Any]
) -> None:
    code, message, status, _ = error_of(getattr(s3, operation), Bucket=bucket, **arguments)
    assert (code, status) == ("MalformedXML", 400)
    assert (
        message == "The XML you provided was not well-formed or did not validate against our published schema"
    )


def test_put_bucket_website_unknown_protocol_fails_invalid_request(s3: Any, bucket: str) -> None:
    configuration = {"RedirectAllRequestsTo": {"HostName": "example.com", "Protocol": "ftp"}}
    code, message, status, _ = error_of(
        s3.put_bucket_website, Bucket=bucket, WebsiteConfiguration=configuration
    )
    assert (code, status) == ("InvalidRequest", 400)
    assert message.startswith("Invalid protocol, protocol can be http or https.")
