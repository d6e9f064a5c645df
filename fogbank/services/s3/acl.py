"""Access control lists of buckets and objects: canned ACLs, grant headers and AccessControlPolicy
documents turned into the `{"Owner", "Grants"}` document S3 returns, and the Object Ownership rule
that disables ACLs (https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html).

ACLs are stored and returned; access checks against them come with IAM enforcement.
"""

from __future__ import annotations

import re
from typing import Any

from fogbank.services.s3.buckets import owner
from fogbank.services.s3.errors import (
    AccessControlListNotSupported,
    InvalidArgument,
    InvalidRequest,
    MalformedACLError,
    UnexpectedContent,
)

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"
GROUPS = (ALL_USERS, AUTHENTICATED_USERS, LOG_DELIVERY)
# The canonical user Amazon EC2 reads AMI bundles as (canned ACL aws-exec-read).
EC2_BUNDLE_READER = "6aa5a366c34c1cbe25dc49211496e913e0351eb0e8c37aa3477e40942ec6b97c"

_GRANT_HEADERS = {
    "GrantFullControl": "FULL_CONTROL",
    "GrantRead": "READ",
    "GrantReadACP": "READ_ACP",
    "GrantWrite": "WRITE",
    "GrantWriteACP": "WRITE_ACP",
}
GRANT_MEMBERS = tuple(_GRANT_HEADERS)
PERMISSIONS = tuple(_GRANT_HEADERS.values())
_GRANTEE = re.compile(r'\s*(id|uri|emailAddress)\s*=\s*"?([^",]*)"?\s*(?:,|$)')


def owner_of(account: str) -> dict[str, str]:
    return owner(account)


def user_grant(user_id: str, permission: str) -> dict[str, Any]:
    return {"Grantee": {"ID": user_id, "Type": "CanonicalUser"}, "Permission": permission}


def group_grant(uri: str, permission: str) -> dict[str, Any]:
    return {"Grantee": {"URI": uri, "Type": "Group"}, "Permission": permission}


def canned_acl(name: str, owner_account: str) -> dict[str, Any]:
    """The document a canned ACL stands for (https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl)."""
    owner = owner_of(owner_account)
    grants = [user_grant(owner["ID"], "FULL_CONTROL")]
    extra = {
        "private": [],
        "public-read": [group_grant(ALL_USERS, "READ")],
        "public-read-write": [group_grant(ALL_USERS, "READ"), group_grant(ALL_USERS, "WRITE")],
        "authenticated-read": [group_grant(AUTHENTICATED_USERS, "READ")],
        "aws-exec-read": [user_grant(EC2_BUNDLE_READER, "READ")],
        "log-delivery-write": [group_grant(LOG_DELIVERY, "WRITE"), group_grant(LOG_DELIVERY, "READ_ACP")],
        # The bucket owner is the object owner's account in fogbank's single-owner buckets.
        "bucket-owner-read": [],
        "bucket-owner-full-control": [],
    }.get(name)
    if extra is None:
        raise InvalidArgument(f"Invalid canned ACL: {name}", ArgumentName="x-amz-acl", ArgumentValue=name)
    return {"Owner": owner, "Grants": grants + extra}


def acl_from_request(request: dict[str, Any], owner_account: str) -> dict[str, Any]:
    """The ACL document a Put{Bucket,Object}Acl request sets: a canned ACL, grant headers, or a body."""
    headers = [name for name in _GRANT_HEADERS if request.get(name)]
    canned = request.get("ACL")
    body = request.get("AccessControlPolicy")
    if body and (canned or headers):
        raise UnexpectedContent("This request does not support content")
    if canned and headers:
        raise InvalidRequest("Specifying both Canned ACLs and Header Grants is not allowed")
    if canned:
        return canned_acl(canned, owner_account)
    if headers:
        grants = [
            grant for name in headers for grant in _parse_grant_header(request[name], _GRANT_HEADERS[name])
        ]
        return {"Owner": owner_of(owner_account), "Grants": grants}
    if body:
        return _acl_from_body(body, owner_account)
    raise InvalidRequest(
        "Your request was missing a required header",
        code="MissingSecurityHeader",
        MissingHeaderName="x-amz-acl",
    )


def _parse_grant_header(value: str, permission: str) -> list[dict[str, Any]]:
    grants = []
    position = 0
    while position < len(value):
        match = _GRANTEE.match(value, position)
        if match is None or match.end() == position:
            raise InvalidArgument("Argument format not recognized", ArgumentName=value, ArgumentValue=value)
        kind, ident = match.group(1), match.group(2)
        grants.append(_grantee_grant(kind, ident, permission))
        position = match.end()
    return grants


def _grantee_grant(kind: str, ident: str, permission: str) -> dict[str, Any]:
    if kind == "id":
        return user_grant(ident, permission)
    if kind == "uri":
        if ident not in GROUPS:
            raise InvalidArgument("Invalid group uri", ArgumentName="uri", ArgumentValue=ident)
        return group_grant(ident, permission)
    # S3 resolves e-mail grantees to accounts; fogbank has no directory of account e-mails.
    raise InvalidArgument(
        "The e-mail address you provided does not match any account on record.",
        code="UnresolvableGrantByEmailAddress",
        EmailAddress=ident,
    )


def _acl_from_body(body: dict[str, Any], owner_account: str) -> dict[str, Any]:
    owner = body.get("Owner")
    if not owner or not owner.get("ID"):
        raise MalformedACLError(
            "The XML you provided was not well-formed or did not validate against our published schema"
        )
    grants = []
    for grant in body.get("Grants") or []:
        grantee = grant.get("Grantee") or {}
        permission = grant.get("Permission")
        kind = grantee.get("Type")
        if permission not in PERMISSIONS or kind not in ("CanonicalUser", "Group", "AmazonCustomerByEmail"):
            raise MalformedACLError(
                "The XML you provided was not well-formed or did not validate against our published schema"
            )
        if kind == "CanonicalUser":
            if not grantee.get("ID"):
                raise InvalidArgument("Invalid id", ArgumentName="CanonicalUser/ID", ArgumentValue="")
            grants.append(user_grant(grantee["ID"], permission))
        elif kind == "Group":
            grants.append(_grantee_grant("uri", grantee.get("URI", ""), permission))
        else:
            grants.append(_grantee_grant("emailAddress", grantee.get("EmailAddress", ""), permission))
    return {"Owner": {"ID": owner["ID"]} if owner["ID"] else owner_of(owner_account), "Grants": grants}


def is_owner_only(acl: dict[str, Any]) -> bool:
    """An ACL that grants nothing beyond the owner's full control (what `private` stands for)."""
    owner_id = acl["Owner"]["ID"]
    return all(
        grant["Grantee"].get("ID") == owner_id and grant["Permission"] == "FULL_CONTROL"
        for grant in acl["Grants"]
    )


def check_acls_enabled(ownership: str | None, acl: dict[str, Any]) -> None:
    """With Object Ownership `BucketOwnerEnforced` (S3's default for new buckets) ACLs are disabled:
    only ACLs equivalent to `private` are accepted."""
    if ownership == "BucketOwnerEnforced" and not is_owner_only(acl):
        raise AccessControlListNotSupported("The bucket does not allow ACLs")


def is_public_acl(acl: dict[str, Any]) -> bool:
    return any(grant["Grantee"].get("URI") in (ALL_USERS, AUTHENTICATED_USERS) for grant in acl["Grants"])
