"""Account-wide IAM settings and figures: the account's creation date, its alias and
GetAccountSummary.

The alias lives in ("iam", "account", <account>) under the key "alias"; an account has at most
one alias, and creating another replaces it (IAM User Guide, "Your AWS account ID and its alias").
"""

from __future__ import annotations

from typing import Any

from fogbank import clock, state
from fogbank.context import RequestContext
from fogbank.services.iam import access_keys, entities, identity_providers, instance_profiles, policies
from fogbank.services.iam.errors import NoSuchEntity
from fogbank.services.iam.pagination import paginate
from fogbank.services.iam.policy_documents import INLINE_POLICY_SIZE, MANAGED_POLICY_SIZE, TRUST_POLICY_SIZE


def _settings(ctx: RequestContext) -> state.Collection[dict[str, Any]]:
    return state.collection("iam", "account", ctx.account)


def created_at(ctx: RequestContext) -> float:
    """When the account first appeared in fogbank (the root user's CreateDate)."""
    record = _settings(ctx).get("created")
    if record is None:
        record = {"CreateDate": clock.now()}
        _settings(ctx).put("created", record)
    return float(record["CreateDate"])


def create_alias(ctx: RequestContext, alias: str) -> None:
    _settings(ctx).put("alias", {"AccountAlias": alias})


def delete_alias(ctx: RequestContext, alias: str) -> None:
    current = _settings(ctx).get("alias")
    if current is None or current["AccountAlias"] != alias:
        raise NoSuchEntity(f"The account alias {alias} cannot be found.")
    _settings(ctx).delete("alias")


def aliases(ctx: RequestContext, request: dict[str, Any]) -> dict[str, Any]:
    current = _settings(ctx).get("alias")
    return paginate([current["AccountAlias"]] if current else [], request, str, "AccountAliases")


def summary(ctx: RequestContext) -> dict[str, int]:
    """GetAccountSummary: what the account holds and its quotas (IAM and AWS STS quotas)."""
    all_policies = list(policies.store(ctx).values())
    root_keys = [key for key in access_keys.store(ctx).values() if key["UserName"] is None]
    return {
        "Users": len(entities.store(ctx, entities.USER)),
        "UsersQuota": entities.USER.quota[1],
        "Groups": len(entities.store(ctx, entities.GROUP)),
        "GroupsQuota": entities.GROUP.quota[1],
        "Roles": len(entities.store(ctx, entities.ROLE)),
        "RolesQuota": entities.ROLE.quota[1],
        "Policies": len(all_policies),
        "PoliciesQuota": 1500,
        "PolicyVersionsInUse": sum(len(policy["Versions"]) for policy in all_policies),
        "PolicyVersionsInUseQuota": 10000,
        "VersionsPerPolicyQuota": policies.MAX_VERSIONS,
        "InstanceProfiles": len(instance_profiles.store(ctx)),
        "InstanceProfilesQuota": 1000,
        "Providers": len(identity_providers.oidc_store(ctx)) + len(identity_providers.saml_store(ctx)),
        "AccessKeysPerUserQuota": access_keys.KEYS_PER_USER,
        "GroupsPerUserQuota": 10,
        "AttachedPoliciesPerUserQuota": 10,
        "AttachedPoliciesPerGroupQuota": 10,
        "AttachedPoliciesPerRoleQuota": 10,
        "UserPolicySizeQuota": INLINE_POLICY_SIZE["user"],
        "GroupPolicySizeQuota": INLINE_POLICY_SIZE["group"],
        "RolePolicySizeQuota": INLINE_POLICY_SIZE["role"],
        "PolicySizeQuota": MANAGED_POLICY_SIZE,
        "AssumeRolePolicySizeQuota": TRUST_POLICY_SIZE,
        "ServerCertificates": 0,
        "ServerCertificatesQuota": 20,
        "SigningCertificatesPerUserQuota": 2,
        "MFADevices": 0,
        "MFADevicesInUse": 0,
        "AccountMFAEnabled": 0,
        "AccountAccessKeysPresent": 1 if root_keys else 0,
        "AccountSigningCertificatesPresent": 0,
        "AccountPasswordPresent": 0,
        "GlobalEndpointTokenVersion": 1,
    }
