"""Object writes with ACLs under Object Ownership, and the event notifications they send."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError


def test_put_object_public_acl_on_owner_enforced_bucket_fails(s3, bucket, error_of):
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="public-read")
    assert error_of(excinfo) == ("AccessControlListNotSupported", "The bucket does not allow ACLs", 400)
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="k")


def test_put_object_private_acl_on_owner_enforced_bucket_succeeds(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="private")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"


def test_create_bucket_public_acl_with_default_ownership_fails(s3, unique_name, error_of):
    with pytest.raises(ClientError) as excinfo:
        s3.create_bucket(Bucket=unique_name("b"), ACL="public-read")
    assert error_of(excinfo) == (
        "InvalidBucketAclWithObjectOwnership",
        "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
        400,
    )


def test_put_object_grant_headers_with_object_writer_ownership_are_kept(s3, unique_name):
    name = unique_name("b")
    s3.create_bucket(Bucket=name, ObjectOwnership="ObjectWriter")
    s3.put_object(
        Bucket=name, Key="k", Body=b"x", GrantRead='uri="http://acs.amazonaws.com/groups/global/AllUsers"'
    )
    grants = s3.get_object_acl(Bucket=name, Key="k")["Grants"]
    assert {
        "Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
        "Permission": "READ",
    } in grants


def test_put_object_notifies_sqs_queue(s3, client_factory, bucket, unique_name):
    sqs = client_factory("sqs")
    queue_url = sqs.create_queue(QueueName=unique_name("events"))["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {"QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]}
            ]
        },
    )
    s3.put_object(Bucket=bucket, Key="new file.txt", Body=b"12345")
    s3.delete_object(Bucket=bucket, Key="new file.txt")
    events = []
    for _ in range(10):
        for message in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        ):
            document = json.loads(message["Body"])
            events += [
                (r["eventName"], r["s3"]["object"]["key"], r["s3"]["object"].get("size"))
                for r in document.get("Records", [])
            ]
        if len(events) >= 2:
            break
    assert ("ObjectCreated:Put", "new+file.txt", 5) in events
    assert any(name == "ObjectRemoved:Delete" for name, _, _ in events)
